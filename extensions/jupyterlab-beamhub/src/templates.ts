/**
 * The templates plugin: a "Beamline templates" section in the Launcher (the templates of
 * the user's proposals' beamlines and the facility-wide ones, newest versions) and, for
 * beamline staff, "Publish as beamline template" on an open notebook (palette too) and the
 * "Beamline panel" (views/BeamlinePanel.tsx; the command is only registered once the
 * service says the user is staff). The catalogue service decides who may publish and who
 * sees a beamline's overview; this only keeps the commands from others.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, Notification, showDialog } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { Widget } from '@lumino/widgets';

import { BeamlineClient, BeamlineModel, overviewNotebook } from './model/beamline';
import { describeError } from './model/errors';
import {
  ITemplatesAPI,
  launcherTemplates,
  publishBody,
  TemplatesClient,
  templateName
} from './model/templates';
import { openNotebook, openTemplate } from './notebooks';
import { BeamlinePanel } from './views/BeamlinePanel';

export const OPEN_TEMPLATE = 'beamhub:open-template';
export const PUBLISH_TEMPLATE = 'beamhub:publish-template';
export const LAUNCHER_CATEGORY = 'Beamline templates';
export const BEAMLINE_OVERVIEW = 'beamhub:beamline-overview';
export const BEAMLINE_PANEL = 'beamhub:beamline-panel';

/** The open notebook's path and content, or null when the current widget is no notebook. */
function currentNotebook(app: JupyterFrontEnd): { path: string; content: any } | null {
  const widget: any = app.shell.currentWidget;
  const context = widget?.context;
  if (!context?.model || !String(context.path ?? '').endsWith('.ipynb')) {
    return null;
  }
  return { path: context.path, content: context.model.toJSON() };
}

function field(label: string, name: string, value = '', kind = 'input'): string {
  const escaped = value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const control =
    kind === 'textarea'
      ? `<textarea name="${name}" rows="3">${escaped}</textarea>`
      : `<input name="${name}" value="${escaped}">`;
  return `<label class="jp-beamhub-field">${label}<br>${control}</label>`;
}

/** The publish form: beamline (only those the user is staff of) and the version's settings. */
class PublishForm extends Widget {
  constructor(staffOf: string[], path: string, notebook: any) {
    super();
    const meta = notebook?.metadata?.beamhub ?? {};
    const options = staffOf.map(b => `<option value="${b}">${b}</option>`).join('');
    this.addClass('jp-beamhub-publish-form');
    this.node.innerHTML =
      `<label class="jp-beamhub-field">Beamline<br><select name="beamline">${options}</select></label>` +
      field('Name (a new name makes a new template, an existing one its next version)', 'name', templateName(path)) +
      field('Title', 'title', String(meta.title ?? '')) +
      field('Techniques (comma-separated, as the catalogue spells them)', 'techniques', (meta.techniques ?? []).join(', ')) +
      field('Dataset kinds it reads (raw, derived:STEP)', 'accepts', (meta.accepts ?? ['raw']).join(', ')) +
      field('Description', 'description', String(meta.description ?? ''), 'textarea') +
      field('Change note', 'changeNote', '', 'textarea');
  }

  getValue(): Record<string, string> {
    const value: Record<string, string> = {};
    this.node.querySelectorAll('input, textarea, select').forEach((element: any) => {
      value[element.name] = element.value;
    });
    return value;
  }
}

export async function publishCurrent(app: JupyterFrontEnd, client: ITemplatesAPI, staffOf: string[]): Promise<void> {
  const current = currentNotebook(app);
  if (!current) {
    Notification.warning('Open the notebook to publish first.');
    return;
  }
  const form = new PublishForm(staffOf, current.path, current.content);
  const result = await showDialog({
    title: 'Publish as beamline template',
    body: form,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Publish' })]
  });
  if (!result.button.accept) {
    return;
  }
  const value = form.getValue();
  try {
    const version = await client.publish(
      publishBody(current.content, {
        beamline: value.beamline,
        name: value.name,
        title: value.title,
        description: value.description,
        techniques: value.techniques,
        accepts: value.accepts,
        changeNote: value.changeNote
      })
    );
    Notification.success(
      `Published ${version.beamline}/${version.name} version ${version.version}.`,
      { autoClose: 5000 }
    );
  } catch (error) {
    Notification.error(`Not published: ${describeError(error)}`);
  }
}

export const templatesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-beamhub:templates',
  description: 'Beamline templates in the Launcher; publishing them for beamline staff.',
  autoStart: true,
  optional: [ILauncher, ICommandPalette],
  activate: (app: JupyterFrontEnd, launcher: ILauncher | null, palette: ICommandPalette | null) => {
    const client = new TemplatesClient();
    let staffOf: string[] = [];
    app.commands.addCommand(OPEN_TEMPLATE, {
      label: args => String(args.title ?? 'Open beamline template'),
      caption: args => String(args.caption ?? ''),
      execute: args => openTemplate(app, String(args.beamline), String(args.name), client)
    });
    app.commands.addCommand(PUBLISH_TEMPLATE, {
      label: 'Publish as beamline template',
      caption: 'Publish the open notebook as a template for your beamline (staff)',
      isVisible: () => staffOf.length > 0,
      isEnabled: () => staffOf.length > 0 && currentNotebook(app) !== null,
      execute: () => publishCurrent(app, client, staffOf)
    });
    app.commands.addCommand(BEAMLINE_OVERVIEW, {
      label: args => (args.beamline ? `Beamline ${args.beamline} overview` : 'Beamline overview'),
      caption: 'Votes (who, comments), like ratio, selections and jobs, template opens (staff)',
      isVisible: () => staffOf.length > 0,
      execute: args =>
        openNotebook(
          app,
          `beamline-${String(args.beamline ?? staffOf[0])}-overview.ipynb`,
          overviewNotebook(String(args.beamline ?? staffOf[0]))
        )
    });
    palette?.addItem({ command: PUBLISH_TEMPLATE, category: 'Beamhub' });
    palette?.addItem({ command: BEAMLINE_OVERVIEW, category: 'Beamhub' });
    let panel: BeamlinePanel | null = null;
    /** The "Beamline" panel: only for staff (registered once the service says so). */
    const addBeamlinePanel = (beamlines: string[]) => {
      app.commands.addCommand(BEAMLINE_PANEL, {
        label: 'Beamline panel',
        caption: 'Votes and who cast them, like ratios, selections and jobs, template opens on your beamline',
        execute: () => {
          if (!panel || panel.isDisposed) {
            panel = new BeamlinePanel({
              model: new BeamlineModel(new BeamlineClient(client.api), beamlines),
              openPlots: beamline => void app.commands.execute(BEAMLINE_OVERVIEW, { beamline })
            });
            app.shell.add(panel, 'main');
          }
          app.shell.activateById(panel.id);
        }
      });
      palette?.addItem({ command: BEAMLINE_PANEL, category: 'Beamhub' });
      launcher?.add({ command: BEAMLINE_PANEL, category: 'Beamline staff', rank: -1 });
    };
    void client
      .staffOf()
      .then(found => {
        staffOf = found;
        app.commands.notifyCommandChanged(PUBLISH_TEMPLATE);
        app.commands.notifyCommandChanged(BEAMLINE_OVERVIEW);
        if (found.length) {
          addBeamlinePanel(found);
        }
        found.forEach((beamline, rank) =>
          launcher?.add({ command: BEAMLINE_OVERVIEW, category: 'Beamline staff', rank, args: { beamline } })
        );
      })
      .catch(() => undefined);
    if (launcher) {
      void client
        .list()
        .then(templates => {
          launcherTemplates(templates).forEach((t, rank) =>
            launcher.add({
              command: OPEN_TEMPLATE,
              category: LAUNCHER_CATEGORY,
              rank,
              args: {
                beamline: t.beamline,
                name: t.name,
                title: t.shipped ? t.title : `${t.title} (${t.beamline})`,
                caption: `${t.description || t.title} — version ${t.version}, ${t.techniques.join(', ')}`
              }
            })
          );
        })
        .catch(error => console.warn('beamhub: no templates for the Launcher:', describeError(error)));
    }
  }
};
