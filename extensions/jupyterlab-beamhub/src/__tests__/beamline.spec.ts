import { describe, expect, it } from 'vitest';

import { CatalogueError } from '../api';
import {
  BeamlineModel,
  IBeamlineAPI,
  IBeamlineOverview,
  ratioByDay,
  ratioByProposal,
  templateOpens
} from '../model/beamline';

const vote = (user: string, value: string, comment: string, updatedAt: string) => ({
  user,
  value,
  comment,
  updatedAt
});

const I22: IBeamlineOverview = {
  beamline: 'i22',
  datasets: [
    {
      pid: 'p/1',
      datasetName: 'silica_growth_0001',
      proposalId: 'p1002',
      technique: 'SAXS',
      likes: 1,
      dislikes: 1,
      votes: [
        vote('alice', 'like', 'clean curve', '2026-04-14T10:00:00Z'),
        vote('bob', 'dislike', '', '2026-04-15T09:00:00Z')
      ]
    },
    {
      pid: 'p/2',
      datasetName: 'micelles_0001',
      proposalId: 'p1003',
      technique: 'SAXS',
      likes: 1,
      dislikes: 0,
      votes: [vote('bob', 'like', 'good', '2026-04-15T23:59:00Z')]
    }
  ],
  selections: [],
  template_opens: { 'saxs-fit': 2, 'saxs-check': 5 }
};

class FakeBeamlines implements IBeamlineAPI {
  calls: string[] = [];
  async overview(beamline: string): Promise<IBeamlineOverview> {
    this.calls.push(beamline);
    if (beamline !== 'i22') {
      throw new CatalogueError(`only staff of ${beamline} see its overview`, 403, 'permission_denied');
    }
    return I22;
  }
}

describe('the beamline panel’s model', () => {
  it('gives the like ratio per proposal and per day, and template opens most first', () => {
    expect(ratioByProposal(I22)).toEqual([
      { key: 'p1002', likes: 1, dislikes: 1, ratio: 0.5 },
      { key: 'p1003', likes: 1, dislikes: 0, ratio: 1 }
    ]);
    expect(ratioByDay(I22)).toEqual([
      { key: '2026-04-14', likes: 1, dislikes: 0, ratio: 1 },
      { key: '2026-04-15', likes: 1, dislikes: 1, ratio: 0.5 }
    ]);
    expect(templateOpens(I22)).toEqual([
      { template: 'saxs-check', opens: 5 },
      { template: 'saxs-fit', opens: 2 }
    ]);
  });

  it('loads the first beamline, says why when refused, never asks for a beamline not the user’s', async () => {
    const api = new FakeBeamlines();
    const model = new BeamlineModel(api, ['i22', 'i03']);
    let changes = 0;
    model.changed.connect(() => changes++);
    await model.load();
    expect(model.overview?.datasets.map(d => d.votes.map(v => v.user))).toEqual([['alice', 'bob'], ['bob']]);
    expect(model.loading).toBe(false);
    expect(changes).toBeGreaterThanOrEqual(2);
    await model.load('i03');
    expect(model.beamline).toBe('i03');
    expect(model.overview).toBeNull();
    expect(model.error).toBe('only staff of i03 see its overview');
    await model.load('i13');
    expect(model.error).toBe('You are not staff of i13.');
    expect(api.calls).toEqual(['i22', 'i03']);
  });
});
