/**
 * The role of the one looking at this server (owner, collaborator, support, viewer), as
 * the server's authorizer gives it now: for a viewer, JupyterLab shows documents
 * read-only (the server refuses and drops his changes regardless; this keeps his own
 * browser from drifting away from the shared document). Polled: the owner may change the
 * role at any time. Depends only on {@link IRoleAPI}, so it is tested without a server.
 */
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { serverRequest } from './server';

/** Notebook commands that only read, look or move the selection: allowed to a viewer.
 * Every other notebook command changes the document (cells, sources, outputs, metadata,
 * execution) and is not run in a view-only JupyterLab. */
const READING_NOTEBOOK_COMMANDS = new Set([
  'notebook:enter-command-mode',
  'notebook:enter-edit-mode',
  'notebook:move-cursor-up',
  'notebook:move-cursor-down',
  'notebook:move-cursor-heading-above-or-collapse',
  'notebook:move-cursor-heading-below-or-expand',
  'notebook:extend-marked-cells-above',
  'notebook:extend-marked-cells-below',
  'notebook:extend-marked-cells-top',
  'notebook:extend-marked-cells-bottom',
  'notebook:select-all',
  'notebook:deselect-all',
  'notebook:copy-cell',
  'notebook:export-to-format',
  'notebook:create-new',
  'notebook:create-output-view',
  'notebook:access-previous-history-entry',
  'notebook:access-next-history-entry'
]);

/** Other command families that change a document or run code. */
const CHANGING_PREFIXES = ['runmenu:', 'kernelmenu:', 'editmenu:', 'notebook-cells:'];

/** Whether JupyterLab command `id` would change a document or run code (refused in a
 * view-only JupyterLab, so the viewer's copy does not drift: the server drops it anyway). */
export function changesDocument(id: string): boolean {
  if (id.startsWith('notebook:')) {
    return !READING_NOTEBOOK_COMMANDS.has(id);
  }
  return CHANGING_PREFIXES.some(prefix => id.startsWith(prefix));
}

export type MyRole = 'owner' | 'collaborator' | 'support' | 'viewer' | null;

export interface IRoleAPI {
  me(): Promise<{ name: string; role: MyRole }>;
}

/** This server's /beamhub/sharing/me. */
export class RoleClient implements IRoleAPI {
  constructor(
    private readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  me(): Promise<{ name: string; role: MyRole }> {
    return serverRequest(this.settings, '/beamhub/sharing/me', {}, 'sharing');
  }
}

export class RoleModel {
  constructor(private readonly api: IRoleAPI) {}

  /** Emitted when the role changes (not at each poll). */
  get changed(): ISignal<this, MyRole> {
    return this._changed;
  }

  get role(): MyRole {
    return this._role;
  }

  /** Documents are shown read-only: the server gives this user the viewer role. */
  get viewOnly(): boolean {
    return this._role === 'viewer';
  }

  /** Ask the server again; a failure keeps the last role (the server enforces anyway). */
  async refresh(): Promise<void> {
    let role: MyRole;
    try {
      role = (await this.api.me()).role ?? null;
    } catch {
      return;
    }
    if (role !== this._role) {
      this._role = role;
      this._changed.emit(role);
    }
  }

  private _role: MyRole = null;
  private _changed = new Signal<this, MyRole>(this);
}
