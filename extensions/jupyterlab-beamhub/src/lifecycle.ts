/**
 * The session plugin: a status-bar item saying how long this server has left (click for
 * details and to extend the walltime), warnings before it ends, and the operator's
 * announcements as notifications. Model: model/lifecycle.ts. Offered to the server's
 * owner only (the server refuses others).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { SessionClient, SessionModel } from './model/lifecycle';
import { isOwner } from './sharing';

export const SESSION_COMMAND = 'beamhub:session';
const REFRESH_MS = 60_000;
const TICK_MS = 15_000;

class SessionItem extends ReactWidget {
  constructor(
    private readonly model: SessionModel,
    private readonly onClick: () => void
  ) {
    super();
    this.id = 'jp-Beamhub-session';
    this.addClass('jp-Beamhub-session');
    model.changed.connect(() => this.update());
  }

  render(): React.ReactElement {
    const warned = (this.model.status?.warnings.length ?? 0) > 0;
    return React.createElement(
      'span',
      {
        className: 'jp-Beamhub-sessionLabel' + (warned ? ' jp-Beamhub-session-warning' : ''),
        title: 'How long this server has left: click for details or to extend it',
        role: 'button',
        onClick: this.onClick
      },
      this.model.label()
    );
  }
}

async function showDetails(model: SessionModel): Promise<void> {
  await model.refresh();
  const lines = model.details();
  const step = model.extendBy();
  const buttons = [Dialog.cancelButton({ label: 'Close' })];
  if (model.canExtend()) {
    buttons.push(Dialog.okButton({ label: `Extend by ${step} min` }));
  } else if (model.status?.walltime) {
    lines.push('The walltime is at the most your profile allows: it cannot be extended.');
  }
  const body = React.createElement(
    'div',
    { className: 'jp-Beamhub-sessionDetails' },
    ...lines.map((line, i) => React.createElement('p', { key: i }, line))
  );
  const result = await showDialog({ title: 'Your session', body, buttons });
  if (result.button.accept && model.canExtend()) {
    await extend(model, step);
  }
}

async function extend(model: SessionModel, minutes?: number): Promise<void> {
  const error = await model.extend(minutes);
  if (error) {
    Notification.error(error, { autoClose: false });
  } else {
    Notification.success(`Extended: ${model.label().replace('Session: ', '')}.`, { autoClose: 5000 });
  }
}

export const lifecyclePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-beamhub:session',
  description:
    'How long this server has left, warnings before it ends, extending it, and announcements.',
  autoStart: true,
  optional: [IStatusBar, ICommandPalette],
  activate: (app: JupyterFrontEnd, statusBar: IStatusBar | null, palette: ICommandPalette | null) => {
    if (!isOwner()) {
      return;
    }
    const model = new SessionModel(new SessionClient());
    app.commands.addCommand(SESSION_COMMAND, {
      label: 'Session Time Left and Extension…',
      caption: 'How long this server has left; extend its walltime',
      execute: () => showDetails(model)
    });
    if (palette) {
      palette.addItem({ command: SESSION_COMMAND, category: 'Session' });
    }
    if (statusBar) {
      const item = new SessionItem(model, () => void app.commands.execute(SESSION_COMMAND));
      statusBar.registerStatusItem('jupyterlab-beamhub:session', {
        item,
        align: 'left',
        rank: 1000
      });
      window.setInterval(() => item.update(), TICK_MS);
    }
    model.warning.connect((_, warning) => {
      const actions =
        warning.kind === 'walltime' && model.canExtend()
          ? [{ label: `Extend by ${model.extendBy()} min`, callback: () => void extend(model) }]
          : [];
      Notification.warning(warning.message, { autoClose: false, actions });
    });
    model.announcement.connect((_, item) => {
      const text = `${item.kind === 'maintenance' ? 'Maintenance' : 'News'}: ${item.message}`;
      if (item.kind === 'maintenance') {
        Notification.warning(text, { autoClose: false });
      } else {
        Notification.info(text, { autoClose: false });
      }
    });
    void model.refresh();
    window.setInterval(() => void model.refresh(), REFRESH_MS);
  }
};
