/**
 * "Open in notebook": a new notebook (from a template for the datasets' technique,
 * or a plain one) whose first code loads the datasets; and "copy code".
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';

import { ICatalogueAPI } from './api';
import {
  datasetCode,
  mainBeamline,
  mainTechnique,
  makeNotebook,
  notebookName,
  pickKernel,
  pickTemplate
} from './codegen';
import { describeError } from './model/errors';
import { IDataset } from './types';

async function findTemplate(
  api: ICatalogueAPI,
  datasets: readonly IDataset[]
): Promise<any | null> {
  try {
    const info = pickTemplate(
      await api.templates(),
      mainTechnique(datasets),
      mainBeamline(datasets)
    );
    return info ? await api.template(info.name) : null;
  } catch {
    return null; // no templates here: a plain notebook
  }
}

async function freePath(app: JupyterFrontEnd, name: string): Promise<string> {
  const stem = name.replace(/\.ipynb$/, '');
  for (let n = 0; n < 1000; n++) {
    const path = n ? `${stem}-${n}.ipynb` : `${stem}.ipynb`;
    try {
      await app.serviceManager.contents.get(path, { content: false });
    } catch {
      return path;
    }
  }
  return `${stem}-${Date.now()}.ipynb`;
}

export async function openInNotebook(
  app: JupyterFrontEnd,
  api: ICatalogueAPI,
  datasets: readonly IDataset[]
): Promise<string | null> {
  if (!datasets.length) {
    Notification.warning('Choose datasets to open first.');
    return null;
  }
  try {
    const template = await findTemplate(api, datasets);
    await app.serviceManager.kernelspecs.ready;
    const kernel = pickKernel(app.serviceManager.kernelspecs.specs?.kernelspecs);
    const content = makeNotebook(datasets, template, kernel);
    const path = await freePath(app, notebookName(datasets));
    await app.serviceManager.contents.save(path, {
      type: 'notebook',
      format: 'json',
      content
    });
    await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
    return path;
  } catch (error) {
    Notification.error(`The notebook could not be made: ${describeError(error)}`);
    return null;
  }
}

export function copyCode(dataset: IDataset): void {
  Clipboard.copyToSystem(datasetCode(dataset.pid));
  Notification.success(`Code to load “${dataset.datasetName}” copied.`, {
    autoClose: 3000
  });
}
