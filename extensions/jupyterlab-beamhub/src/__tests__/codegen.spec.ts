import { describe, expect, it } from 'vitest';

import { searchParams } from '../api';
import {
  datasetCode,
  datasetsCode,
  DATASETS_CELL_TAG,
  mainBeamline,
  mainTechnique,
  makeNotebook,
  notebookName,
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

  it('picks a template by the datasets’ main technique', () => {
    const templates = [
      { name: 'mx.ipynb', title: 'MX', techniques: ['MX'] },
      { name: 'saxs.ipynb', title: 'SAXS', techniques: ['saxs', 'WAXS'] }
    ];
    const technique = mainTechnique([dataset(1), dataset(3), dataset(2)]);
    expect(technique).toBe('SAXS');
    expect(pickTemplate(templates, technique)?.name).toBe('saxs.ipynb');
    expect(pickTemplate(templates, 'XAS')).toBeNull();
    expect(notebookName([dataset(1)])).toBe('scan-1.ipynb');
  });

  it('prefers the datasets’ beamline’s own template for their technique', () => {
    const templates = [
      { name: 'i03/mx-screening.ipynb', title: 'i03 MX', techniques: ['MX'] },
      { name: 'i04/mx-ligands.ipynb', title: 'i04 MX', techniques: ['MX'] },
      { name: 'mx.ipynb', title: 'MX', techniques: ['MX'] }
    ];
    const fromI04 = [dataset(1), dataset(2)].map(d => ({ ...d, creationLocation: 'I04' }));
    expect(mainBeamline(fromI04)).toBe('I04');
    expect(pickTemplate(templates, 'MX', mainBeamline(fromI04))?.name).toBe('i04/mx-ligands.ipynb');
    expect(pickTemplate(templates, 'MX', 'i22')?.name).toBe('i03/mx-screening.ipynb');
    expect(pickTemplate(templates, 'MX')?.name).toBe('i03/mx-screening.ipynb');
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
