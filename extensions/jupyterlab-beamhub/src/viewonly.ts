/**
 * The viewer's JupyterLab: a "View only" mark in the top bar, and every open document
 * made read-only (its model, each notebook cell's editor, a file editor), so he cannot
 * type into a shared notebook and see his copy drift from everyone else's; and the
 * commands that would change a notebook (insert, delete, move, run a cell, clear
 * outputs, undo, ...) are not run. The server
 * (jupyterlab_beamhub.authorizer and .collaboration) is what refuses his changes; this is
 * the interface saying so. Model: model/viewonly.ts. Not for the owner.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Widget } from '@lumino/widgets';

import { Notification } from '@jupyterlab/apputils';

import { changesDocument, RoleClient, RoleModel } from './model/viewonly';
import { isOwner } from './sharing';

const REFRESH_MS = 5000;
const TOLD_EVERY_MS = 30_000;
const LOCKED_CLASS = 'jp-Beamhub-viewOnlyDocument';

const locked = new WeakSet<object>();
const watched = new WeakSet<object>();

/** Make a document widget (duck-typed: a notebook or a text editor) read-only, or undo it. */
function setReadOnly(widget: any, lock: boolean): void {
  const context = widget?.context;
  if (!context?.model || (!lock && !locked.has(widget))) {
    return;
  }
  void context.ready.then(() => {
    if (widget.isDisposed) {
      return;
    }
    context.model.readOnly = lock;
    widget.toggleClass(LOCKED_CLASS, lock);
    if (lock) {
      locked.add(widget);
    } else {
      locked.delete(widget);
    }
    const content = widget.content;
    const cells = content?.widgets;
    if (cells && typeof cells.length === 'number') {
      for (const cell of cells) {
        // Not written to the cell's metadata: the shared document stays as it is.
        cell.syncEditable = false;
        cell.readOnly = lock;
      }
      if (content.model?.cells && !watched.has(widget)) {
        watched.add(widget);
        content.model.cells.changed.connect(() =>
          window.setTimeout(() => setReadOnly(widget, locked.has(widget)), 0)
        );
      }
    } else if (content?.editor?.setOption) {
      content.editor.setOption('readOnly', lock);
    }
  });
}

export const viewOnlyPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-beamhub:view-only',
  description:
    "A viewer's documents shown read-only, with a visible 'View only' mark.",
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    if (isOwner()) {
      return;
    }
    const model = new RoleModel(new RoleClient());
    const mark = new Widget();
    mark.id = 'jp-Beamhub-viewOnly';
    mark.addClass('jp-Beamhub-viewOnly');
    mark.node.textContent = 'View only';
    mark.node.title =
      'You are a viewer of this shared server: you follow the notebooks live; the server refuses ' +
      'saving, running code, kernels and terminals.';
    mark.hide();
    app.shell.add(mark, 'top', { rank: 899 });
    const apply = () => {
      mark.setHidden(!model.viewOnly);
      for (const widget of Array.from(app.shell.widgets('main'))) {
        setReadOnly(widget, model.viewOnly);
      }
    };
    model.changed.connect(apply);
    // Keys, menus and toolbars all run commands through app.commands.execute.
    const execute = app.commands.execute.bind(app.commands);
    let told = 0;
    app.commands.execute = (id: string, args?: any) => {
      if (model.viewOnly && changesDocument(id)) {
        if (Date.now() - told > TOLD_EVERY_MS) {
          told = Date.now();
          Notification.info('View only: you follow this server\'s notebooks, you cannot change or run them.', {
            autoClose: 5000
          });
        }
        return Promise.resolve(undefined);
      }
      return execute(id, args);
    };
    (app.shell as any).layoutModified?.connect(apply);
    void model.refresh();
    window.setInterval(() => void model.refresh(), REFRESH_MS);
  }
};
