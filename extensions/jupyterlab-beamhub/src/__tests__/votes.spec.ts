import { describe, expect, it } from 'vitest';

import { applyVote, VoteModel } from '../model/votes';
import { dataset, FakeCatalogue, Gate } from './fakeapi';

describe('applyVote', () => {
  it('moves one count from the old vote to the new one', () => {
    const state = { pid: 'x', likes: 3, dislikes: 1, myVote: 'like' as const, myComment: '' };
    expect(applyVote(state, 'dislike')).toEqual({ pid: 'x', likes: 2, dislikes: 2, myVote: 'dislike', myComment: '' });
    expect(applyVote(state, null)).toEqual({ pid: 'x', likes: 2, dislikes: 1, myVote: null, myComment: '' });
    expect(applyVote(state, 'like')).toEqual(state);
  });

  it('keeps the comment sent with the vote, and none otherwise (as the service does)', () => {
    const state = { pid: 'x', likes: 1, dislikes: 0, myVote: 'like' as const, myComment: 'sharp' };
    expect(applyVote(state, 'like', 'sharper')).toMatchObject({ likes: 1, myComment: 'sharper' });
    expect(applyVote(state, 'dislike')).toMatchObject({ myVote: 'dislike', myComment: '' });
    expect(applyVote(state, null, 'ignored')).toMatchObject({ myVote: null, myComment: '' });
  });
});

describe('VoteModel', () => {
  it('shows a like at once and keeps the service’s counts', async () => {
    const api = new FakeCatalogue();
    api.counts.set(dataset(1).pid, { pid: dataset(1).pid, likes: 4, dislikes: 0, myVote: null });
    const votes = new VoteModel(api);
    const ds = dataset(1, { likes: 4 });
    const gate = new Gate();
    api.voteGates = [gate];
    const done = votes.vote(ds, 'like');
    expect(votes.stateOf(ds)).toMatchObject({ likes: 5, myVote: 'like' });
    expect(votes.isPending(ds.pid)).toBe(true);
    gate.open();
    expect(await done).toBe(true);
    expect(votes.stateOf(ds)).toMatchObject({ likes: 5, myVote: 'like' });
    expect(votes.isPending(ds.pid)).toBe(false);
  });

  it('reverts and says why when the vote fails', async () => {
    const api = new FakeCatalogue();
    api.failVotes = ['the catalogue database cannot be reached'];
    const messages: string[] = [];
    const votes = new VoteModel(api, m => messages.push(m));
    const ds = dataset(2, { likes: 2, dislikes: 1, myVote: 'dislike' });
    const changed: string[] = [];
    votes.changed.connect((_, pid) => changed.push(pid));
    expect(await votes.vote(ds, 'like')).toBe(false);
    expect(votes.stateOf(ds)).toEqual({ pid: ds.pid, likes: 2, dislikes: 1, myVote: 'dislike', myComment: '' });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('Your like on “scan 2” was not saved');
    expect(messages[0]).toContain('cannot be reached. Try again in a moment.');
    expect(changed.length).toBeGreaterThanOrEqual(2);
  });

  it('shows the comment the user saved before, and the one they save now', async () => {
    const api = new FakeCatalogue();
    api.counts.set(dataset(4).pid, { pid: dataset(4).pid, likes: 1, dislikes: 0, myVote: 'like', myComment: 'sharp' });
    const votes = new VoteModel(api);
    const ds = dataset(4, { likes: 1, myVote: 'like', myComment: 'sharp' });
    expect(votes.stateOf(ds).myComment).toBe('sharp');
    expect(await votes.comment(ds, '  sharp, no ice rings ')).toBe(true);
    expect(votes.stateOf(ds)).toMatchObject({ myVote: 'like', myComment: 'sharp, no ice rings' });
    expect(api.votes).toEqual([{ pid: ds.pid, value: 'like', comment: 'sharp, no ice rings' }]);
    votes.seed([{ ...ds, myComment: 'from another tab' }]);
    expect(votes.stateOf(ds).myComment).toBe('from another tab');
  });

  it('a second click on the same vote clears it', async () => {
    const api = new FakeCatalogue();
    const votes = new VoteModel(api);
    const ds = dataset(3);
    await votes.toggle(ds, 'like');
    expect(votes.stateOf(ds)).toMatchObject({ likes: 1, myVote: 'like' });
    await votes.toggle(ds, 'like');
    expect(votes.stateOf(ds)).toMatchObject({ likes: 0, myVote: null });
    expect(api.votes.map(v => v.value)).toEqual(['like', null]);
  });

  it('a late answer to an older click never overwrites a newer one', async () => {
    const api = new FakeCatalogue();
    const votes = new VoteModel(api);
    const ds = dataset(4);
    const first = new Gate();
    api.voteGates = [first, null];
    const like = votes.vote(ds, 'like');
    await votes.vote(ds, 'dislike');
    expect(votes.stateOf(ds)).toMatchObject({ likes: 0, dislikes: 1, myVote: 'dislike' });
    first.open();
    await like;
    expect(votes.stateOf(ds)).toMatchObject({ likes: 0, dislikes: 1, myVote: 'dislike' });
  });

  it('when the newest click fails, goes back to the last confirmed state', async () => {
    const api = new FakeCatalogue();
    const messages: string[] = [];
    const votes = new VoteModel(api, m => messages.push(m));
    const ds = dataset(5);
    const first = new Gate();
    api.voteGates = [first, null];
    api.failVotes = [null, 'store down'];
    const like = votes.vote(ds, 'like');
    const dislike = votes.vote(ds, 'dislike');
    first.open();
    await like;
    expect(await dislike).toBe(false);
    expect(votes.stateOf(ds)).toMatchObject({ likes: 1, dislikes: 0, myVote: 'like' });
    expect(messages).toHaveLength(1);
  });

  it('fresh search results update counts, except while a vote is in flight', async () => {
    const api = new FakeCatalogue();
    const votes = new VoteModel(api);
    const ds = dataset(6);
    votes.seed([{ ...ds, likes: 9 }]);
    expect(votes.stateOf(ds).likes).toBe(9);
    const gate = new Gate();
    api.voteGates = [gate];
    const pending = votes.vote({ ...ds, likes: 9 }, 'like');
    votes.seed([{ ...ds, likes: 3 }]);
    expect(votes.stateOf(ds).likes).toBe(10);
    gate.open();
    await pending;
  });
});

describe('a comment on a vote', () => {
  it('is sent with the current vote, which stays as it is', async () => {
    const api = new FakeCatalogue();
    const ds = dataset(2);
    api.counts.set(ds.pid, { pid: ds.pid, likes: 1, dislikes: 0, myVote: 'like' });
    const votes = new VoteModel(api);
    votes.seed([{ ...ds, likes: 1, myVote: 'like' }]);
    expect(await votes.comment(ds, '  sharp spots  ')).toBe(true);
    expect(api.votes).toEqual([{ pid: ds.pid, value: 'like', comment: 'sharp spots' }]);
    expect(votes.stateOf(ds)).toMatchObject({ likes: 1, myVote: 'like' });
  });

  it('needs a vote first, and says so', async () => {
    const api = new FakeCatalogue();
    const said: string[] = [];
    const votes = new VoteModel(api, message => said.push(message));
    expect(await votes.comment(dataset(3), 'why')).toBe(false);
    expect(api.votes).toEqual([]);
    expect(said[0]).toContain('first');
  });
});
