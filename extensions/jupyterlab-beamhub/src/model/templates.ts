/**
 * Beamline templates as the catalogue service keeps them (publish, list, open), through
 * this server's /beamhub/api/v1 forwarding; no JupyterLab here, so it is tested with
 * an in-memory {@link ITemplatesAPI}.
 */
import type { components } from '../api.gen';
import { CatalogueClient } from '../api';

export type ITemplateVersion = components['schemas']['TemplateVersion'];
export type ITemplatePublish = components['schemas']['TemplatePublish'];

/** What the front end asks of the service about templates. */
export interface ITemplatesAPI {
  list(): Promise<ITemplateVersion[]>;
  get(beamline: string, name: string): Promise<ITemplateVersion>;
  publish(body: ITemplatePublish): Promise<ITemplateVersion>;
  opened(beamline: string, name: string): Promise<void>;
  staffOf(): Promise<string[]>;
}

const seg = (text: string) => encodeURIComponent(text);

/** The templates' requests, made by the catalogue client's one request path (api.ts). */
export class TemplatesClient implements ITemplatesAPI {
  constructor(readonly api: CatalogueClient = new CatalogueClient()) {}

  private request<T>(path: string, init: RequestInit = {}): Promise<T> {
    return this.api.request<T>(path, init);
  }

  list(): Promise<ITemplateVersion[]> {
    return this.request('templates');
  }

  get(beamline: string, name: string): Promise<ITemplateVersion> {
    return this.request(`templates/${seg(beamline)}/${seg(name)}`);
  }

  publish(body: ITemplatePublish): Promise<ITemplateVersion> {
    return this.request('templates', { method: 'POST', body: JSON.stringify(body) });
  }

  async opened(beamline: string, name: string): Promise<void> {
    await this.request(`templates/${seg(beamline)}/${seg(name)}/opened`, {
      method: 'POST',
      body: '{}'
    });
  }

  async staffOf(): Promise<string[]> {
    const me = await this.request<{ staff_of: string[] }>('me');
    return me.staff_of ?? [];
  }
}

/** A template's name from a notebook's file name: lower case, letters, digits, - and _. */
export function templateName(path: string): string {
  const stem = (path.split('/').pop() ?? 'template').replace(/\.ipynb$/, '');
  const name = stem
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 64);
  return name || 'template';
}

/** Comma- or space-separated words, trimmed, without empties or repeats. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[,\s]+/).map(t => t.trim()).filter(Boolean))];
}

/** The publish request for a notebook and the form's answers (what the dialog sends). */
export function publishBody(
  notebook: any,
  form: {
    beamline: string;
    name: string;
    title: string;
    description: string;
    techniques: string;
    accepts: string;
    changeNote: string;
  }
): ITemplatePublish {
  return {
    beamline: form.beamline,
    name: form.name,
    title: form.title.trim(),
    description: form.description.trim(),
    techniques: splitList(form.techniques),
    accepts: splitList(form.accepts || 'raw'),
    change_note: form.changeNote.trim(),
    notebook
  };
}

/** The templates the Launcher shows: not retired, the user's beamlines' first. */
export function launcherTemplates(templates: readonly ITemplateVersion[]): ITemplateVersion[] {
  return templates
    .filter(t => !t.retired)
    .sort((a, b) =>
      a.shipped === b.shipped
        ? `${a.beamline}/${a.title}`.localeCompare(`${b.beamline}/${b.title}`)
        : a.shipped
          ? 1
          : -1
    );
}
