/**
 * Python code and notebooks that load datasets with `beamhub.client` into xarray.
 */
import { ITemplateVersion } from './model/templates';
import { IDataset } from './types';

/** The tag of the cell that the loading code replaces: papermill's `parameters`, so a
 * template also runs headless with papermill. */
export const PARAMETERS_TAG = 'parameters';
/** The tag templates used before `parameters`; still recognised. */
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

/** A dataset's kind as templates name it: `raw`, or `derived:<processing step>`. */
export function datasetKind(dataset: IDataset): string {
  if ((dataset.type ?? 'raw') === 'raw') {
    return 'raw';
  }
  const step: any = (dataset.scientificMetadata ?? ({} as any))['processing_step'];
  const name = String((step && typeof step === 'object' ? step.value : step) ?? 'unknown').toLowerCase();
  return 'derived:' + (/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name) ? name : 'unknown');
}

/** Why no template fits, for the plain notebook (null when one does). */
export function describeWanted(datasets: readonly IDataset[]): string {
  const kinds = [...new Set(datasets.map(datasetKind))].join(', ');
  const technique = mainTechnique(datasets) ?? 'no technique';
  const beamline = mainBeamline(datasets);
  return `${technique} data (${kinds})` + (beamline ? ` from ${beamline}` : '');
}

/**
 * The template for `datasets`: one that accepts the kind of every dataset (a
 * frame-score output never opens a template for raw data) and is made for their most
 * common technique (case-insensitive); the datasets' beamline's own before a
 * facility-wide one. Null when none fits (then a plain notebook).
 */
export function pickTemplate(
  templates: readonly ITemplateVersion[],
  datasets: readonly IDataset[]
): ITemplateVersion | null {
  const technique = mainTechnique(datasets);
  if (!technique || !datasets.length) {
    return null;
  }
  const wanted = technique.toLowerCase();
  const kinds = new Set(datasets.map(datasetKind));
  const fitting = templates.filter(
    t =>
      !t.retired &&
      [...kinds].every(kind => (t.accepts ?? ['raw']).includes(kind)) &&
      t.techniques.some(name => name.toLowerCase() === wanted)
  );
  const beamline = mainBeamline(datasets);
  const own = beamline ? fitting.find(t => t.beamline === beamline) : undefined;
  return own ?? fitting[0] ?? null;
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
  const loader = codeCell(datasetsCode(datasets), [PARAMETERS_TAG]);
  if (!template) {
    return {
      cells: [
        {
          cell_type: 'markdown',
          metadata: {},
          source:
            `# ${datasets.length === 1 ? datasets[0].datasetName : `${datasets.length} datasets`}\n\n` +
            `Loaded from the beamhub catalogue. No template fits ${describeWanted(datasets)}, ` +
            'so this notebook only loads the data: `data` below.'
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
  const index = cells.findIndex(cell => {
    const tags: string[] = cell.metadata?.tags ?? [];
    return tags.includes(PARAMETERS_TAG) || tags.includes(DATASETS_CELL_TAG);
  });
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
