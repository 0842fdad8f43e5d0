/**
 * Sharing this server: who has access, who is connected, invitations and links.
 *
 * The model talks to this server's /beamhub/sharing (which relays to the hub's share API
 * for the owner only); the hub decides who may be invited and the server enforces the
 * roles. The model depends only on {@link ISharingAPI}, so it is tested without a server.
 */
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { describeError } from './errors';
import { serverRequest } from './server';

/** The roles the owner may invite with (or put in a link). */
export type Role = 'viewer' | 'collaborator';
/** A member's role: support comes only from a staff member's request the owner accepted. */
export type MemberRole = Role | 'support';

export interface IMember {
  kind: 'user' | 'group';
  name: string;
  role: MemberRole | null;
  created_at?: string | null;
}

export interface ILink {
  id?: string | null;
  role: Role | null;
  expires_at?: string | null;
  created_at?: string | null;
  exchange_count?: number;
}

export interface INewLink extends ILink {
  accept_url?: string | null;
  full_accept_url?: string | null;
}

export interface IConnected {
  name: string;
  role: string | null;
  last_seen: number;
  connections: number;
}

/** Beamline staff asking to join as support (pending until answered or expired). */
export interface ISupportRequest {
  user: string;
  created_at: number;
  expires_at: number;
}

export interface ISupportRequests {
  items: ISupportRequest[];
  /** What support may do, in plain words (the server's text). */
  support: string;
}

export interface ISharingState {
  owner: string;
  server: string;
  mounted: { proposalId: string; path: string }[];
  roles: { name: Role; description: string }[];
  support: string;
  requests: ISupportRequest[];
  members: IMember[];
  links: ILink[];
  connected: IConnected[];
  now: number;
}

export interface ISharingAPI {
  state(): Promise<ISharingState>;
  invite(kind: 'user' | 'group', name: string, role: Role): Promise<any>;
  revoke(kind: 'user' | 'group', name: string): Promise<any>;
  newLink(role: Role, expiresIn: number): Promise<INewLink>;
  revokeLinks(): Promise<any>;
  requests(): Promise<ISupportRequests>;
  answer(user: string, accept: boolean): Promise<any>;
}

/** Expiry choices offered for links, in seconds (the hub's bounds: 60 s to its maximum). */
export const LINK_EXPIRIES: { label: string; seconds: number }[] = [
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86400 },
  { label: '7 days', seconds: 7 * 86400 }
];

/** What a member with `role` gets, in plain words, naming the mounted proposals. */
export function describeAccess(state: ISharingState, role: MemberRole): string[] {
  const data = state.mounted.length
    ? `the data of proposal${state.mounted.length > 1 ? 's' : ''} ${state.mounted
        .map(m => m.proposalId)
        .join(', ')} (read-only, under ${state.mounted.map(m => m.path).join(', ')})`
    : 'no proposal data (none is mounted in this server)';
  if (role === 'viewer') {
    return [
      `Sees your files and ${data}.`,
      'Follows notebooks and their outputs; cannot save files, run code, change kernels or open terminals (the server refuses).'
    ];
  }
  if (role === 'support') {
    return [
      `Sees and edits your files and ${data}.`,
      `Runs code in your kernels as your Unix user ${state.owner}, but opens no terminal (the server refuses); ends when you revoke it or this server stops.`
    ];
  }
  return [
    `Sees and edits your files and ${data}.`,
    `Runs code in your kernels and opens terminals, as your Unix user ${state.owner}: what they run is done as you.`
  ];
}

/** The client over this server's /beamhub/sharing. */
export class SharingClient implements ISharingAPI {
  constructor(
    private readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  private request(path: string, init: RequestInit = {}, query = ''): Promise<any> {
    return serverRequest(
      this.settings,
      '/beamhub/sharing' + path + (query ? '?' + query : ''),
      init,
      'sharing'
    );
  }

  state(): Promise<ISharingState> {
    return this.request('');
  }

  invite(kind: 'user' | 'group', name: string, role: Role): Promise<any> {
    return this.request('/members', {
      method: 'POST',
      body: JSON.stringify({ [kind]: name, role })
    });
  }

  revoke(kind: 'user' | 'group', name: string): Promise<any> {
    const query = new URLSearchParams({ kind, name }).toString();
    return this.request('/members', { method: 'DELETE' }, query);
  }

  newLink(role: Role, expiresIn: number): Promise<INewLink> {
    return this.request('/links', {
      method: 'POST',
      body: JSON.stringify({ role, expires_in: expiresIn })
    });
  }

  revokeLinks(): Promise<any> {
    return this.request('/links', { method: 'DELETE' });
  }

  requests(): Promise<ISupportRequests> {
    return this.request('/requests');
  }

  answer(user: string, accept: boolean): Promise<any> {
    return this.request('/requests', {
      method: 'POST',
      body: JSON.stringify({ user, accept })
    });
  }
}

/** The dialog's state: loaded, changed by the owner's actions, errors said plainly. */
export class SharingModel {
  constructor(
    private readonly api: ISharingAPI,
    private readonly origin: string = ''
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get state(): ISharingState | null {
    return this._state;
  }

  get error(): string {
    return this._error;
  }

  get busy(): boolean {
    return this._busy;
  }

  /** The newest link made in this dialog (its address is shown only once, by the hub). */
  get lastLink(): { url: string; link: INewLink } | null {
    return this._lastLink;
  }

  async refresh(): Promise<void> {
    await this._run(async () => {
      this._state = await this.api.state();
    });
  }

  async invite(kind: 'user' | 'group', name: string, role: Role): Promise<boolean> {
    const trimmed = name.trim();
    if (!trimmed) {
      this._setError('Type the name of a user or a group to invite.');
      return false;
    }
    return this._run(async () => {
      const answer = await this.api.invite(kind, trimmed, role);
      const refused: { user: string; reason: string }[] = answer?.refused ?? [];
      if (refused.length) {
        this._error = `Not invited: ${refused
          .map(r => `${r.user} (${r.reason})`)
          .join('; ')}`;
      }
      this._state = await this.api.state();
    });
  }

  changeRole(member: IMember, role: Role): Promise<boolean> {
    return this.invite(member.kind, member.name, role);
  }

  revoke(member: IMember): Promise<boolean> {
    return this._run(async () => {
      await this.api.revoke(member.kind, member.name);
      this._state = await this.api.state();
    });
  }

  async createLink(role: Role, expiresIn: number): Promise<boolean> {
    return this._run(async () => {
      const link = await this.api.newLink(role, expiresIn);
      const url =
        link.full_accept_url ||
        (link.accept_url ? this.origin + link.accept_url : '');
      this._lastLink = { url, link };
      this._state = await this.api.state();
    });
  }

  revokeLinks(): Promise<boolean> {
    return this._run(async () => {
      await this.api.revokeLinks();
      this._lastLink = null;
      this._state = await this.api.state();
    });
  }

  /** Accept (the hub grants the support role) or decline a staff member's request. */
  answer(user: string, accept: boolean): Promise<boolean> {
    return this._run(async () => {
      await this.api.answer(user, accept);
      this._state = await this.api.state();
    });
  }

  private _setError(message: string): void {
    this._error = message;
    this._changed.emit();
  }

  private async _run(
    action: () => Promise<void>,
    keepError = false
  ): Promise<boolean> {
    this._busy = true;
    if (!keepError) {
      this._error = '';
    }
    this._changed.emit();
    try {
      await action();
      return true;
    } catch (error) {
      this._error = describeError(error);
      return false;
    } finally {
      this._busy = false;
      this._changed.emit();
    }
  }

  private _state: ISharingState | null = null;
  private _error = '';
  private _busy = false;
  private _lastLink: { url: string; link: INewLink } | null = null;
  private _changed = new Signal<this, void>(this);
}

/**
 * Staff's requests to join, watched for the owner: {@link SupportWatcher.asked} is emitted
 * once for each new request (a notification offers Accept / Decline).
 */
export class SupportWatcher {
  constructor(private readonly api: ISharingAPI) {}

  get asked(): ISignal<this, { request: ISupportRequest; support: string }> {
    return this._asked;
  }

  /** Fetch the pending requests; emit the new ones. Errors are left to the next check. */
  async check(): Promise<void> {
    let answer: ISupportRequests;
    try {
      answer = await this.api.requests();
    } catch {
      return;
    }
    const now = new Set<string>();
    for (const request of answer.items) {
      const key = `${request.user}@${request.created_at}`;
      now.add(key);
      if (!this._seen.has(key)) {
        this._asked.emit({ request, support: answer.support });
      }
    }
    this._seen = now;
  }

  answer(user: string, accept: boolean): Promise<any> {
    return this.api.answer(user, accept);
  }

  private _seen = new Set<string>();
  private _asked = new Signal<this, { request: ISupportRequest; support: string }>(this);
}
