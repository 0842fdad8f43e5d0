import { describe, expect, it } from 'vitest';

import { launcherTemplates, publishBody, splitList, templateName } from '../model/templates';

describe('beamline templates', () => {
  it('names a template after the notebook file', () => {
    expect(templateName('work/MX Screening v2.ipynb')).toBe('mx-screening-v2');
    expect(templateName('---.ipynb')).toBe('template');
  });

  it('sends the form as the service’s publish body', () => {
    const notebook = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };
    const body = publishBody(notebook, {
      beamline: 'i03',
      name: 'mx-screening',
      title: ' MX screening ',
      description: '',
      techniques: 'MX, mx-ssx MX',
      accepts: '',
      changeNote: ' first '
    });
    expect(body).toEqual({
      beamline: 'i03',
      name: 'mx-screening',
      title: 'MX screening',
      description: '',
      techniques: ['MX', 'mx-ssx'],
      accepts: ['raw'],
      change_note: 'first',
      notebook
    });
    expect(splitList(' a,, b  a ')).toEqual(['a', 'b']);
  });

  it('lists the beamlines’ templates before the facility-wide ones, retired never', () => {
    const t = (beamline: string, title: string, shipped = false, retired = false) =>
      ({ beamline, name: title, title, shipped, retired }) as any;
    const shown = launcherTemplates([t('facility', 'SAXS', true), t('i03', 'MX'), t('i03', 'Old', false, true)]);
    expect(shown.map(x => x.title)).toEqual(['MX', 'SAXS']);
  });
});

import { overviewNotebook } from '../model/beamlineNotebook';

describe('the staff’s beamline overview notebook', () => {
  it('asks the service for that beamline and plots with hvplot', () => {
    const notebook = overviewNotebook('i03"x', { name: 'beamhub', display_name: 'B' });
    const sources = notebook.cells.map((c: any) => c.source).join('\n');
    expect(sources).toContain('BEAMLINE = "i03\\"x"');
    expect(sources).toContain('Catalogue().beamline_overview(BEAMLINE)');
    expect(sources).toContain('.hvplot.line(');
    expect(notebook.cells[1].metadata.tags).toEqual(['parameters']);
    expect(notebook.metadata.kernelspec.name).toBe('beamhub');
  });
});
