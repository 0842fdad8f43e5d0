import { describe, expect, it } from 'vitest';

import {
  describeAccess,
  INewLink,
  ISharingAPI,
  ISharingState,
  ISupportRequest,
  MemberRole,
  Role,
  SharingModel,
  SupportWatcher
} from '../model/sharing';
import { CatalogueError } from '../api';

/** An in-memory stand-in for /beamhub/sharing (a fake: the hub test uses the real one). */
class FakeSharing implements ISharingAPI {
  members = new Map<string, MemberRole>();
  refuse = new Set<string>();
  links = 0;
  pending: ISupportRequest[] = [];

  async state(): Promise<ISharingState> {
    return {
      owner: 'alice',
      server: '',
      mounted: [{ proposalId: 'p1002', path: '/data/p1002' }],
      roles: [
        { name: 'viewer', description: '' },
        { name: 'collaborator', description: '' }
      ],
      support: 'Beamline staff you accept',
      requests: this.pending,
      members: [...this.members].map(([name, role]) => ({ kind: 'user', name, role })),
      links: [],
      connected: [],
      now: 0
    };
  }

  async invite(kind: 'user' | 'group', name: string, role: Role): Promise<any> {
    if (this.refuse.has(name)) {
      throw new CatalogueError(`${name} is neither a member nor beamline staff of proposal p1002`, 403, 'sharing');
    }
    this.members.set(name, role);
    return {};
  }

  async revoke(kind: 'user' | 'group', name: string): Promise<any> {
    this.members.delete(name);
    return {};
  }

  async newLink(role: Role, expiresIn: number): Promise<INewLink> {
    this.links += 1;
    return { role, accept_url: '/hub/accept-share?code=abc', expires_at: '2030-01-01T00:00:00Z' };
  }

  async revokeLinks(): Promise<any> {
    return {};
  }

  async requests() {
    return { items: this.pending, support: 'Beamline staff you accept' };
  }

  async answer(user: string, accept: boolean): Promise<any> {
    this.pending = this.pending.filter(r => r.user !== user);
    if (accept) {
      this.members.set(user, 'support');
    }
    return {};
  }
}

describe('describeAccess', () => {
  it('names the mounted proposals and says what each role may do', async () => {
    const state = await new FakeSharing().state();
    expect(describeAccess(state, 'viewer').join(' ')).toContain('p1002');
    expect(describeAccess(state, 'viewer').join(' ')).toContain('cannot save files, run code');
    expect(describeAccess(state, 'collaborator').join(' ')).toContain('as your Unix user alice');
    expect(describeAccess({ ...state, mounted: [] }, 'viewer').join(' ')).toContain('no proposal data');
  });
});

describe('SharingModel', () => {
  it('invites, changes a role and revokes', async () => {
    const api = new FakeSharing();
    const model = new SharingModel(api, 'http://hub');
    await model.refresh();
    expect(await model.invite('user', ' bob ', 'collaborator')).toBe(true);
    expect(model.state?.members).toEqual([{ kind: 'user', name: 'bob', role: 'collaborator' }]);
    await model.changeRole(model.state!.members[0], 'viewer');
    expect(model.state?.members[0].role).toBe('viewer');
    await model.revoke(model.state!.members[0]);
    expect(model.state?.members).toEqual([]);
  });

  it('says why the hub refused, and refuses an empty name itself', async () => {
    const api = new FakeSharing();
    api.refuse.add('erin');
    const model = new SharingModel(api);
    await model.refresh();
    expect(await model.invite('user', 'erin', 'viewer')).toBe(false);
    expect(model.error).toContain('p1002');
    expect(await model.invite('user', '  ', 'viewer')).toBe(false);
    expect(model.error).toContain('Type the name');
  });

  it('makes an absolute invitation link', async () => {
    const model = new SharingModel(new FakeSharing(), 'http://hub');
    await model.refresh();
    await model.createLink('viewer', 3600);
    expect(model.lastLink?.url).toBe('http://hub/hub/accept-share?code=abc');
  });
});

describe('support requests', () => {
  it('are offered once each, and accepting makes a support member', async () => {
    const api = new FakeSharing();
    const watcher = new SupportWatcher(api);
    const asked: string[] = [];
    watcher.asked.connect((_, { request }) => asked.push(request.user));
    await watcher.check();
    expect(asked).toEqual([]);
    api.pending = [{ user: 'carol', created_at: 1, expires_at: 901 }];
    await watcher.check();
    await watcher.check();
    expect(asked).toEqual(['carol']);
    const model = new SharingModel(api);
    await model.refresh();
    expect(model.state?.requests.map(r => r.user)).toEqual(['carol']);
    expect(await model.answer('carol', true)).toBe(true);
    expect(model.state?.requests).toEqual([]);
    expect(model.state?.members).toEqual([{ kind: 'user', name: 'carol', role: 'support' }]);
    // Asked again later (a new request): offered again.
    api.pending = [{ user: 'carol', created_at: 2, expires_at: 902 }];
    await watcher.check();
    expect(asked).toEqual(['carol', 'carol']);
  });

  it('says plainly what support may do', async () => {
    const state = await new FakeSharing().state();
    const text = describeAccess(state, 'support').join(' ');
    expect(text).toContain('as your Unix user alice');
    expect(text).toContain('opens no terminal');
    expect(text).toContain('this server stops');
  });
});

describe('RoleModel', () => {
  it('marks view only for a viewer, follows role changes, keeps the role on errors', async () => {
    const { RoleModel } = await import('../model/viewonly');
    let role: any = 'collaborator';
    let fail = false;
    const model = new RoleModel({
      me: async () => {
        if (fail) {
          throw new Error('down');
        }
        return { name: 'bob', role };
      }
    });
    const seen: any[] = [];
    model.changed.connect((_, r) => seen.push(r));
    await model.refresh();
    expect(model.viewOnly).toBe(false);
    role = 'viewer';
    await model.refresh();
    await model.refresh();
    expect(model.viewOnly).toBe(true);
    fail = true;
    await model.refresh();
    expect(model.viewOnly).toBe(true);
    expect(seen).toEqual(['collaborator', 'viewer']);
  });
});

describe('changesDocument', () => {
  it('refuses what changes or runs a notebook, lets reading through', async () => {
    const { changesDocument } = await import('../model/viewonly');
    for (const id of [
      'notebook:run-cell-and-select-next',
      'notebook:insert-cell-below',
      'notebook:delete-cell',
      'notebook:move-cell-up',
      'notebook:change-cell-to-markdown',
      'notebook:clear-all-cell-outputs',
      'notebook:undo-cell-action',
      'runmenu:run-all',
      'kernelmenu:restart',
      'editmenu:undo'
    ]) {
      expect(changesDocument(id), id).toBe(true);
    }
    for (const id of [
      'notebook:enter-command-mode',
      'notebook:move-cursor-down',
      'notebook:copy-cell',
      'filebrowser:open',
      'apputils:change-theme',
      'beamhub:share'
    ]) {
      expect(changesDocument(id), id).toBe(false);
    }
  });
});
