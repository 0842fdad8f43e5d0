import { describe, expect, it } from 'vitest';

import { searchParams } from '../api';
import {
  datasetCode,
  datasetsCode,
  DATASETS_CELL_TAG,
  datasetKind,
  mainTechnique,
  makeNotebook,
  notebookName,
  PARAMETERS_TAG,
  pickKernel,
  pickTemplate
} from '../codegen';
import { dataset } from './fakeapi';

describe('code for notebooks', () => {
  it('loads one dataset by its pid, quoted safely', () => {
    const code = datasetCode('20.500.1/a"b');
    expect(code).toContain('from beamhub.client import Catalogue');
    expect(code).toContain('Catalogue().open("20.500.1/a\\"b")');
  });

  it('loads several datasets into a dict keyed by pid', () => {
    const code = datasetsCode([dataset(1), dataset(2)]);
    expect(code).toContain('"20.500.99999/ds-1",  # scan 1');
    expect(code).toContain('data = {pid: catalogue.open(pid) for pid in pids}');
  });

  it('puts the loading code into the template’s tagged cell, or first', () => {
    const template = {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: '# SAXS' },
        { cell_type: 'code', metadata: { tags: [DATASETS_CELL_TAG] }, source: 'pids = []', outputs: [] },
        { cell_type: 'code', metadata: {}, source: 'plot(data)', outputs: [] }
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5
    };
    const notebook = makeNotebook([dataset(1)], template);
    expect(notebook.cells[1].source).toContain('ds-1');
    expect(notebook.cells[2].source).toBe('plot(data)');
    expect(template.cells[1].source).toBe('pids = []'); // not modified
    const untagged = makeNotebook([dataset(1)], { ...template, cells: [template.cells[2]] });
    expect(untagged.cells[0].source).toContain('ds-1');
    const plain = makeNotebook([dataset(1)], null);
    expect(plain.cells[1].source).toContain('ds-1');
    expect(plain.metadata.kernelspec.name).toBe('python3');
  });

  it('prefers the facility’s beamhub kernel', () => {
    expect(pickKernel({ python3: {}, beamhub: { display_name: 'Python 3 (beamhub)' } })).toEqual({
      name: 'beamhub',
      display_name: 'Python 3 (beamhub)'
    });
    expect(pickKernel({ python3: { display_name: 'Python 3 (ipykernel)' } }).name).toBe('python3');
    expect(pickKernel(undefined).name).toBe('python3');
    const notebook = makeNotebook([dataset(1)], null, { name: 'beamhub', display_name: 'B' });
    expect(notebook.metadata.kernelspec).toEqual({ name: 'beamhub', display_name: 'B', language: 'python' });
  });

  it('picks a template by technique, kind and beamline', () => {
    const t = (beamline: string, name: string, techniques: string[], accepts = ['raw'], retired = false) =>
      ({ beamline, name, title: name, techniques, accepts, retired }) as any;
    const templates = [
      t('facility', 'saxs-guinier', ['saxs', 'WAXS']),
      t('facility', 'mx-rotation-frames', ['MX']),
      t('i03', 'mx-screening', ['MX']),
      t('i03', 'mx-old', ['MX'], ['raw'], true),
      t('facility', 'frame-scores', ['SAXS', 'MX'], ['derived:frame-score'])
    ];
    expect(mainTechnique([dataset(1), dataset(3), dataset(2)])).toBe('SAXS');
    expect(pickTemplate(templates, [dataset(1), dataset(3)])?.name).toBe('saxs-guinier');
    // the beamline's own before the facility-wide one; retired ones never
    expect(pickTemplate(templates, [dataset(2), dataset(4)])?.name).toBe('mx-screening');
    const fromI04 = [dataset(2)].map(d => ({ ...d, creationLocation: 'i04' }));
    expect(pickTemplate(templates, fromI04)?.name).toBe('mx-rotation-frames');
    expect(pickTemplate(templates, [dataset(1, { techniques: [{ name: 'XAS' }] })])).toBeNull();
    expect(notebookName([dataset(1)])).toBe('scan-1.ipynb');
  });

  it('never opens a template for raw data on a derived output', () => {
    const scores = dataset(1, {
      type: 'derived',
      scientificMetadata: { processing_step: { value: 'frame-score', unit: '' } } as any
    });
    expect(datasetKind(scores)).toBe('derived:frame-score');
    expect(datasetKind(dataset(1))).toBe('raw');
    const guinier = { beamline: 'facility', name: 'saxs-guinier', techniques: ['SAXS'], accepts: ['raw'] } as any;
    expect(pickTemplate([guinier], [scores])).toBeNull();
    const forScores = { ...guinier, name: 'frame-scores', accepts: ['derived:frame-score'] };
    expect(pickTemplate([guinier, forScores], [scores])?.name).toBe('frame-scores');
    // a raw and a derived dataset together: only a template reading both
    expect(pickTemplate([guinier, forScores], [scores, dataset(3)])).toBeNull();
    const plain = makeNotebook([scores, dataset(3)], null);
    expect(plain.cells[0].source).toContain('No template fits SAXS data (derived:frame-score, raw) from i22');
    expect(plain.cells[1].metadata.tags).toEqual([PARAMETERS_TAG]);
  });

  it('fills the papermill parameters cell, or the older tag', () => {
    const withTag = (tag: string) => ({
      cells: [
        { cell_type: 'code', metadata: { tags: [tag] }, source: 'data = None', outputs: [] },
        { cell_type: 'code', metadata: {}, source: 'plot(data)', outputs: [] }
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5
    });
    for (const tag of [PARAMETERS_TAG, DATASETS_CELL_TAG]) {
      const notebook = makeNotebook([dataset(1), dataset(3)], withTag(tag));
      expect(notebook.cells).toHaveLength(2);
      expect(notebook.cells[0].source).toContain('"20.500.99999/ds-3"');
      expect(notebook.cells[0].metadata.tags).toEqual([PARAMETERS_TAG]);
    }
  });

  it('builds the contract’s query string with repeatable parameters', () => {
    const params = searchParams({
      text: ' lysozyme ',
      filters: { beamline: ['i03', 'i04'], year: ['2024'] },
      conditions: ['temperature < 200 K'],
      sort: '-creationTime',
      limit: 50,
      cursor: null,
      facets: true
    });
    expect(params.getAll('beamline')).toEqual(['i03', 'i04']);
    expect(params.get('text')).toBe('lysozyme');
    expect(params.get('condition')).toBe('temperature < 200 K');
    expect(params.get('facets')).toBe('true');
    expect(params.has('cursor')).toBe(false);
  });
});
