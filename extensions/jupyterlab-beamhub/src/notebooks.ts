/**
 * "Open in notebook": a new notebook (from the template for the datasets' beamline,
 * technique and kind, or a plain one that says none fits) whose `parameters` cell
 * loads the datasets; opening a template from the Launcher; and "copy code".
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';

import { ICatalogueAPI } from './api';
import {
  datasetCode,
  makeNotebook,
  notebookName,
  pickKernel,
  pickTemplate
} from './codegen';
import { describeError } from './model/errors';
import {
  ITemplatesAPI,
  ITemplateVersion,
  TemplatesClient
} from './model/templates';
import { IDataset } from './types';

async function findTemplate(
  templates: ITemplatesAPI,
  datasets: readonly IDataset[]
): Promise<ITemplateVersion | null> {
  let chosen: ITemplateVersion | null = null;
  try {
    chosen = pickTemplate(await templates.list(), datasets);
  } catch {
    return null; // the service cannot list templates: a plain notebook
  }
  if (!chosen) {
    return null;
  }
  const full = await templates.get(chosen.beamline, chosen.name);
  void templates.opened(chosen.beamline, chosen.name).catch(() => undefined);
  return full;
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
  _api: ICatalogueAPI,
  datasets: readonly IDataset[],
  templates: ITemplatesAPI = new TemplatesClient()
): Promise<string | null> {
  if (!datasets.length) {
    Notification.warning('Choose datasets to open first.');
    return null;
  }
  try {
    const template = await findTemplate(templates, datasets);
    await app.serviceManager.kernelspecs.ready;
    const kernel = pickKernel(app.serviceManager.kernelspecs.specs?.kernelspecs);
    const content = makeNotebook(datasets, template?.notebook ?? null, kernel);
    return await saveAndOpen(app, notebookName(datasets), content);
  } catch (error) {
    Notification.error(`The notebook could not be made: ${describeError(error)}`);
    return null;
  }
}

async function saveAndOpen(app: JupyterFrontEnd, name: string, content: any): Promise<string> {
  const path = await freePath(app, name);
  await app.serviceManager.contents.save(path, { type: 'notebook', format: 'json', content });
  await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
  return path;
}

/** A generated notebook (the staff's beamline overview), saved under a free name and opened. */
export async function openNotebook(app: JupyterFrontEnd, name: string, content: any): Promise<string | null> {
  try {
    await app.serviceManager.kernelspecs.ready;
    const kernel = pickKernel(app.serviceManager.kernelspecs.specs?.kernelspecs);
    content.metadata.kernelspec = { ...kernel, language: 'python' };
    return await saveAndOpen(app, name, content);
  } catch (error) {
    Notification.error(`The notebook could not be made: ${describeError(error)}`);
    return null;
  }
}

/** A template from the Launcher, as published (it finds its own data as shipped). */
export async function openTemplate(
  app: JupyterFrontEnd,
  beamline: string,
  name: string,
  templates: ITemplatesAPI = new TemplatesClient()
): Promise<string | null> {
  try {
    const template = await templates.get(beamline, name);
    void templates.opened(beamline, name).catch(() => undefined);
    return await saveAndOpen(app, `${template.name}.ipynb`, template.notebook);
  } catch (error) {
    Notification.error(`The template could not be opened: ${describeError(error)}`);
    return null;
  }
}

export function copyCode(dataset: IDataset): void {
  Clipboard.copyToSystem(datasetCode(dataset.pid));
  Notification.success(`Code to load “${dataset.datasetName}” copied.`, {
    autoClose: 3000
  });
}
