import { describe, expect, it } from 'vitest';

import {
  describeAccess,
  INewLink,
  ISharingAPI,
  ISharingState,
  Role,
  SharingModel
} from '../model/sharing';
import { CatalogueError } from '../api';

/** An in-memory stand-in for /beamhub/sharing (a fake: the hub test uses the real one). */
class FakeSharing implements ISharingAPI {
  members = new Map<string, Role>();
  refuse = new Set<string>();
  links = 0;

  async state(): Promise<ISharingState> {
    return {
      owner: 'alice',
      server: '',
      mounted: [{ proposalId: 'p1002', path: '/data/p1002' }],
      roles: [
        { name: 'viewer', description: '' },
        { name: 'collaborator', description: '' }
      ],
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
