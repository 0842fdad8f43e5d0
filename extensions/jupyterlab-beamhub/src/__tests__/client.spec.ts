import { ServerConnection } from '@jupyterlab/services';
import { describe, expect, it } from 'vitest';

import { CatalogueClient, CatalogueError, DEFAULT_RETRY, retryDelay } from '../api';

interface IAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A server answering `answers` in turn (the last one from then on), recording each call. */
function scriptedServer(answers: IAnswer[], retry = DEFAULT_RETRY) {
  const calls: { url: string; method: string; body: string }[] = [];
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://127.0.0.1:9/user/alice/',
    appUrl: '',
    fetch: (async (request: Request) => {
      calls.push({ url: request.url, method: request.method, body: await request.text() });
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      const body = answer.body ?? {};
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status: answer.status,
        headers: { 'Content-Type': 'application/json', ...answer.headers }
      });
    }) as any,
    Request: Request as any,
    Headers: Headers as any
  } as any);
  return { calls, client: new CatalogueClient(settings, retry) };
}

function recordingServer(status = 200, body: unknown = {}) {
  return scriptedServer([{ status, body }], { retries: 0, maxDelayMs: 0 });
}

const busy: IAnswer = {
  status: 503,
  body: { code: 'busy', message: 'the catalogue is busy' },
  headers: { 'Retry-After': '0' }
};

describe('CatalogueClient', () => {
  it('asks this server’s /beamhub/api/v1 with the contract’s parameters and nothing else', async () => {
    const { calls, client } = recordingServer(200, { items: [], total: 0, facets: {}, next_cursor: null });
    await client.search({
      text: 'silica',
      filters: { beamline: ['i22'] },
      conditions: [],
      sort: '-creationTime',
      limit: 50,
      facets: true
    });
    const url = new URL(calls[0].url);
    expect(url.pathname).toBe('/user/alice/beamhub/api/v1/datasets');
    expect([...url.searchParams.keys()].sort()).toEqual(['beamline', 'facets', 'limit', 'sort', 'text']);
  });

  it('keeps pids percent-encoded in paths and sends votes as JSON', async () => {
    const { calls, client } = recordingServer(200, { pid: 'a/b', likes: 1, dislikes: 0, myVote: 'like' });
    await client.vote('20.500.1/x y', 'like');
    expect(calls[0].url).toBe('http://127.0.0.1:9/user/alice/beamhub/api/v1/datasets/20.500.1%2Fx%20y/vote');
    expect(calls[0].method).toBe('PUT');
    expect(JSON.parse(calls[0].body)).toEqual({ value: 'like' });
    await client.vote('20.500.1/x', null);
    expect(calls[1].method).toBe('DELETE');
  });

  it('turns the catalogue’s error body into a CatalogueError with its code', async () => {
    const { client } = recordingServer(503, { code: 'store_unavailable', message: 'the database cannot be reached' });
    const error = await client.dataset('20.500.1/x').catch(e => e);
    expect(error).toBeInstanceOf(CatalogueError);
    expect(error.status).toBe(503);
    expect(error.code).toBe('store_unavailable');
    expect(error.message).toBe('the database cannot be reached');
  });

  it('asks again after Retry-After when the catalogue is busy, for reads and writes alike', async () => {
    const { calls, client } = scriptedServer([busy, busy, { status: 200, body: { pid: 'x', likes: 1, dislikes: 0, myVote: 'like' } }]);
    const state = await client.vote('x', 'like');
    expect(state.likes).toBe(1);
    expect(calls.map(c => c.method)).toEqual(['PUT', 'PUT', 'PUT']);
  });

  it('gives up after its retries with the catalogue’s own error', async () => {
    const { calls, client } = scriptedServer([busy], { retries: 2, maxDelayMs: 0 });
    const error = await client.dataset('x').catch(e => e);
    expect(calls).toHaveLength(3);
    expect(error).toBeInstanceOf(CatalogueError);
    expect(error.status).toBe(503);
    expect(error.code).toBe('busy');
  });

  it('sends a write again after a proxy’s 502 or 504 never, a read always', async () => {
    const gateway: IAnswer = { status: 504, body: 'Gateway Timeout', headers: { 'Retry-After': '0' } };
    const post = scriptedServer([gateway, { status: 200, body: { id: 's1' } }]);
    const error = await post.client.createSelection({ name: 'n', datasets: ['x'] }).catch(e => e);
    expect(post.calls).toHaveLength(1);
    expect(error.status).toBe(504);
    const read = scriptedServer([{ ...gateway, status: 502 }, { status: 200, body: { name: 'alice' } }]);
    expect(await read.client.me()).toEqual({ name: 'alice' });
    expect(read.calls).toHaveLength(2);
  });

  it('stops waiting to ask again when the request is cancelled', async () => {
    const { calls, client } = scriptedServer([{ ...busy, headers: { 'Retry-After': '5' } }]);
    const controller = new AbortController();
    const pending = client.search(
      { text: '', filters: {}, conditions: [], sort: '-creationTime', limit: 50, facets: false },
      controller.signal
    ).catch(e => e);
    await new Promise(resolve => setTimeout(resolve, 20));
    controller.abort();
    const error = await pending;
    expect(error.name).toBe('AbortError');
    expect(calls).toHaveLength(1);
  });

  it('waits as Retry-After says, else 1, 2, 4 s, and never longer than its bound', () => {
    expect(retryDelay('2', 0, 10000)).toBe(2000);
    expect(retryDelay(null, 0, 10000)).toBe(1000);
    expect(retryDelay(null, 2, 10000)).toBe(4000);
    expect(retryDelay('3600', 0, 10000)).toBe(10000);
    expect(retryDelay('soon', 1, 10000)).toBe(2000);
  });
});
