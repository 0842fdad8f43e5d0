/**
 * The Share plugin: a "Share" button in the top bar, File > Share This Server…, and the
 * palette command, opening the Share dialog (model: model/sharing.ts, view:
 * views/ShareDialog.tsx). Offered to the server's owner only; the server refuses others.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { ToolbarButton } from '@jupyterlab/ui-components';

import { SharingClient, SharingModel } from './model/sharing';
import { ShareView } from './views/ShareDialog';

export const SHARE_COMMAND = 'beamhub:share';
const REFRESH_MS = 5000;

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
  }
};
