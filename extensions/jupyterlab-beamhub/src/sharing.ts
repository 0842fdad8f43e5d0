/**
 * The Share plugin: a "Share" button in the top bar, File > Share This Server…, and the
 * palette command, opening the Share dialog (model: model/sharing.ts, view:
 * views/ShareDialog.tsx). Offered to the server's owner only; the server refuses others.
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
import { ToolbarButton } from '@jupyterlab/ui-components';

import {
  SharingClient,
  SharingModel,
  SupportWatcher
} from './model/sharing';
import { ShareView } from './views/ShareDialog';

export const SHARE_COMMAND = 'beamhub:share';
const REFRESH_MS = 5000;
const REQUESTS_MS = 5000;

/** JupyterHub's page configuration: who is looking (hubUser) and whose server this is
 * (hubServerUser). */
function pageConfig(): { hubUser?: string; hubServerUser?: string } {
  try {
    const node = document.getElementById('jupyter-config-data');
    return JSON.parse(node?.textContent || '{}');
  } catch {
    return {};
  }
}

/** Whether the person looking owns this server (not under JupyterHub: no sharing). */
export function isOwner(config = pageConfig()): boolean {
  return !!config.hubServerUser && config.hubUser === config.hubServerUser;
}

export async function openShareDialog(): Promise<void> {
  const model = new SharingModel(new SharingClient(), window.location.origin);
  const view = new ShareView(model);
  void model.refresh();
  const timer = window.setInterval(() => void model.refresh(), REFRESH_MS);
  try {
    await showDialog({
      title: 'Share this server',
      body: view,
      buttons: [Dialog.okButton({ label: 'Close' })]
    });
  } finally {
    window.clearInterval(timer);
  }
}

/** Beamline staff's requests to join: a notification each, with Accept / Decline. */
function watchSupportRequests(): void {
  const watcher = new SupportWatcher(new SharingClient());
  watcher.asked.connect((_, { request, support }) => {
    const answer = (accept: boolean) =>
      watcher.answer(request.user, accept).then(
        () =>
          Notification.success(
            accept
              ? `${request.user} may now join this server as support.`
              : `You declined ${request.user}'s request.`,
            { autoClose: 5000 }
          ),
        error =>
          Notification.error(
            `Could not answer ${request.user}: ${error?.message ?? error}`,
            { autoClose: false }
          )
      );
    // JupyterLab cuts a notification at 140 characters: the short form here, the
    // server's full text (`support`) on hover and in the Share dialog.
    Notification.info(
      `${request.user} (beamline staff) asks to join as support: may edit, run code as you, no terminal; ends with this session.`,
      {
        autoClose: false,
        actions: [
          {
            label: 'Accept',
            caption: support,
            displayType: 'accent',
            callback: () => void answer(true)
          },
          { label: 'Decline', callback: () => void answer(false) }
        ]
      }
    );
  });
  void watcher.check();
  window.setInterval(() => void watcher.check(), REQUESTS_MS);
}

export const sharingPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-beamhub:sharing',
  description:
    'Share this server with collaborators (roles enforced by the server).',
  autoStart: true,
  optional: [ICommandPalette],
  activate: async (app: JupyterFrontEnd, palette: ICommandPalette | null) => {
    const owner = isOwner();
    app.commands.addCommand(SHARE_COMMAND, {
      label: 'Share This Server…',
      caption: 'Invite collaborators or viewers, make invitation links, revoke access',
      isVisible: () => owner,
      isEnabled: () => owner,
      execute: () => openShareDialog()
    });
    if (!owner) {
      return;
    }
    if (palette) {
      palette.addItem({ command: SHARE_COMMAND, category: 'Sharing' });
    }
    const button = new ToolbarButton({
      label: 'Share',
      className: 'jp-Beamhub-shareButton',
      tooltip: 'Share this server',
      onClick: () => void app.commands.execute(SHARE_COMMAND)
    });
    button.id = 'jp-Beamhub-shareButton';
    app.shell.add(button, 'top', { rank: 900 });
    watchSupportRequests();
  }
};
