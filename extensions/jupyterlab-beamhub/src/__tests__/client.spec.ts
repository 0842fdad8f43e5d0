import { ServerConnection } from '@jupyterlab/services';
import { describe, expect, it } from 'vitest';

import { CatalogueClient, CatalogueError } from '../api';

function recordingServer(status = 200, body: unknown = {}) {
  const calls: { url: string; method: string; body: string }[] = [];
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://127.0.0.1:9/user/alice/',
    appUrl: '',
    fetch: (async (request: Request) => {
      calls.push({ url: request.url, method: request.method, body: await request.text() });
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' }
      });
    }) as any,
    Request: Request as any,
    Headers: Headers as any
  } as any);
  return { calls, client: new CatalogueClient(settings) };
}

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
});
