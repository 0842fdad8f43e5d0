/**
 * Python code and notebooks that load datasets with `beamhub.client` into xarray.
 */
import { IDataset, ITemplateInfo } from './types';

/** The tag of a template's cell that the loading code replaces. */
export const DATASETS_CELL_TAG = 'beamhub-datasets';

const pyString = (text: string): string => JSON.stringify(text);

/** Code that opens one dataset as an xarray object. */
export function datasetCode(pid: string): string {
  return [
    'from beamhub.client import Catalogue',
    '',
    `data = Catalogue().open(${pyString(pid)})  # xarray, read lazily`,
    'data'
  ].join('\n');
}

/** Code that opens several datasets, keyed by pid. */
export function datasetsCode(datasets: readonly IDataset[]): string {
  if (datasets.length === 1) {
    return datasetCode(datasets[0].pid);
  }
  const lines = datasets.map(
    d => `    ${pyString(d.pid)},  # ${d.datasetName.replace(/\s+/g, ' ')}`
  );
  return [
    'from beamhub.client import Catalogue',
    '',
    'catalogue = Catalogue()',
    'pids = [',
    ...lines,
    ']',
    'data = {pid: catalogue.open(pid) for pid in pids}  # xarray objects, read lazily',
    'data'
  ].join('\n');
}

/** The value given most often (the first of those tied), or null if there is none. */
function mostCommon(values: Iterable<string>): string | null {
  const counts = new Map<string, number>();
  for (const value of values) {
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [value, count] of counts) {
    if (best === null || count > (counts.get(best) ?? 0)) {
      best = value;
    }
  }
  return best;
}

/** The technique the chosen datasets share most (for picking a template). */
export function mainTechnique(datasets: readonly IDataset[]): string | null {
  return mostCommon(datasets.flatMap(d => (d.techniques ?? []).map(t => t.name)));
}

/** The beamline most of the chosen datasets come from. */
export function mainBeamline(datasets: readonly IDataset[]): string | null {
  return mostCommon(datasets.map(d => d.creationLocation).filter((b): b is string => Boolean(b)));
}

/**
 * A template made for `technique` (case-insensitive), or null: the beamline's own (one in
 * a folder named after `beamline`) if there is one, else the first in the list's order.
 */
export function pickTemplate(
  templates: readonly ITemplateInfo[],
  technique: string | null,
  beamline: string | null = null
): ITemplateInfo | null {
  if (!technique) {
    return null;
  }
  const wanted = technique.toLowerCase();
  const matching = templates.filter(t =>
    t.techniques.some(name => name.toLowerCase() === wanted)
  );
  const folder = (t: ITemplateInfo) =>
    t.name.includes('/') ? t.name.split('/')[0].toLowerCase() : null;
  const own = beamline
    ? matching.find(t => folder(t) === beamline.toLowerCase())
    : undefined;
  return own ?? matching[0] ?? null;
}

function codeCell(source: string, tags: string[] = []): any {
  return {
    cell_type: 'code',
    execution_count: null,
    metadata: tags.length ? { tags } : {},
    outputs: [],
    source
  };
}

/**
 * A notebook whose first code loads `datasets`: the template's tagged cell replaced,
 * or the loading cell put first; a plain notebook without a template.
 */
export interface IKernelChoice {
  name: string;
  display_name: string;
}

/** The facility's analysis kernel ("beamhub") when it is installed, else python3. */
export function pickKernel(specs: Record<string, any> | undefined): IKernelChoice {
  const names = Object.keys(specs ?? {});
  const name = names.includes('beamhub')
    ? 'beamhub'
    : names.includes('python3') || !names.length
      ? 'python3'
      : names[0];
  return {
    name,
    display_name: specs?.[name]?.display_name ?? 'Python 3 (ipykernel)'
  };
}

export function makeNotebook(
  datasets: readonly IDataset[],
  template: any | null,
  kernel: IKernelChoice = { name: 'python3', display_name: 'Python 3 (ipykernel)' }
): any {
  const loader = codeCell(datasetsCode(datasets), [DATASETS_CELL_TAG]);
  if (!template) {
    return {
      cells: [
        {
          cell_type: 'markdown',
          metadata: {},
          source: `# ${datasets.length === 1 ? datasets[0].datasetName : `${datasets.length} datasets`}\n\nLoaded from the beamhub catalogue.`
        },
        loader
      ],
      metadata: {
        kernelspec: { ...kernel, language: 'python' },
        language_info: { name: 'python' }
      },
      nbformat: 4,
      nbformat_minor: 5
    };
  }
  const notebook = JSON.parse(JSON.stringify(template));
  const cells: any[] = notebook.cells ?? [];
  const index = cells.findIndex(cell =>
    (cell.metadata?.tags ?? []).includes(DATASETS_CELL_TAG)
  );
  if (index >= 0) {
    cells[index] = loader;
  } else {
    cells.unshift(loader);
  }
  notebook.cells = cells;
  return notebook;
}

/** A file name for the new notebook, from the datasets' names. */
export function notebookName(datasets: readonly IDataset[]): string {
  const base =
    datasets.length === 1
      ? datasets[0].datasetName
      : `${datasets.length}-datasets`;
  const safe = base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return (safe || 'datasets') + '.ipynb';
}
