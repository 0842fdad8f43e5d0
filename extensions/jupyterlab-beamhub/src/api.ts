/**
 * Talking to the catalogue through this server's /beamhub/api/v1 (which forwards to the
 * catalogue service with the user's hub token). The models depend only on
 * {@link ICatalogueAPI}, so they are tested with an in-memory implementation.
 */
import { ServerConnection } from '@jupyterlab/services';

import type { components } from './api.gen';

import {
  IDataset,
  IMe,
  IProcessingStep,
  ISearchQuery,
  ISearchResult,
  IFieldList,
  IProposal,
  ISelection,
  ITemplateInfo,
  IVoteState,
  VoteValue
} from './types';

export interface INewSelection {
  name: string;
  datasets: string[];
  processing?: string;
  parameters?: Record<string, unknown>;
}

export interface ICatalogueAPI {
  search(query: ISearchQuery, signal?: AbortSignal): Promise<ISearchResult>;
  dataset(pid: string): Promise<IDataset>;
  derived(pid: string): Promise<IDataset[]>;
  /** Set (or clear: `null`) the caller's vote; `comment` is kept with it (staff see it). */
  vote(pid: string, value: VoteValue | null, comment?: string): Promise<IVoteState>;
  me(): Promise<IMe>;
  /** The caller's proposals (an empty list: the catalogue shows only published data). */
  myProposals?(): Promise<IProposal[]>;
  /** The metadata fields of the caller's visible datasets (condition autocomplete). */
  fields?(): Promise<IFieldList>;
  processing(): Promise<IProcessingStep[]>;
  createSelection(body: INewSelection): Promise<ISelection>;
  submitSelection(id: string): Promise<ISelection>;
  selection(id: string): Promise<ISelection>;
  selections(): Promise<ISelection[]>;
  previewUrl(pid: string, size: 'thumb' | 'large'): string;
  templates(): Promise<ITemplateInfo[]>;
  template(name: string): Promise<any>;
}

/** An error the catalogue (or this server on its behalf) answered, with its stable code. */
export class CatalogueError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: unknown
  ) {
    super(message);
    this.name = 'CatalogueError';
  }
}

/** The query string of a search, as the contract names its parameters. */
export function searchParams(query: ISearchQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.text.trim()) {
    params.set('text', query.text.trim());
  }
  for (const [facet, values] of Object.entries(query.filters)) {
    for (const value of values ?? []) {
      params.append(facet, value);
    }
  }
  for (const condition of query.conditions) {
    params.append('condition', condition);
  }
  params.set('sort', query.sort);
  params.set('limit', String(query.limit));
  if (query.cursor) {
    params.set('cursor', query.cursor);
  }
  params.set('facets', query.facets ? 'true' : 'false');
  return params;
}

export const encodePid = (pid: string): string => encodeURIComponent(pid);

type Schemas = components['schemas'];

/** What suggestions ask for besides the search (see model/suggest.ts). */
export interface ISuggestOptions {
  limit: number;
  offset?: number;
  minScore?: number | null;
}

/** The query string of GET /suggestions: the search's filters (no sort, cursor or facets). */
export function suggestParams(query: ISearchQuery, options: ISuggestOptions): URLSearchParams {
  const params = searchParams(query);
  for (const name of ['sort', 'limit', 'cursor', 'facets']) {
    params.delete(name);
  }
  params.set('limit', String(options.limit));
  if (options.offset) {
    params.set('offset', String(options.offset));
  }
  if (options.minScore !== undefined && options.minScore !== null) {
    params.set('min_score', String(options.minScore));
  }
  return params;
}

/** How a request is tried again when the catalogue is briefly unavailable. */
export interface IRetryPolicy {
  /** Tries after the first (0: none). */
  retries: number;
  /** The longest wait before a try, whatever Retry-After says (milliseconds). */
  maxDelayMs: number;
}

/** A 503 from the catalogue service means it did nothing (too busy, or its database or the
 * hub could not be asked): any request may be sent again, after its Retry-After. A 502 or
 * 504 comes from a proxy that may have forwarded the request: only reads are sent again. */
export const DEFAULT_RETRY: IRetryPolicy = { retries: 3, maxDelayMs: 10000 };

function retryable(status: number, method: string): boolean {
  const read = method === 'GET' || method === 'HEAD';
  return status === 503 || (read && (status === 502 || status === 504));
}

/** Milliseconds to wait before try `attempt` + 1: Retry-After (seconds) if given, else 1, 2,
 * 4 s ..., never more than `maxDelayMs`. */
export function retryDelay(retryAfter: string | null, attempt: number, maxDelayMs: number): number {
  const given = retryAfter === null ? NaN : Number(retryAfter);
  const seconds = Number.isFinite(given) && given >= 0 ? given : 2 ** attempt;
  return Math.min(seconds * 1000, maxDelayMs);
}

function pause(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('The request was aborted', 'AbortError'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DOMException('The request was aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class CatalogueClient implements ICatalogueAPI {
  constructor(
    readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
    readonly retry: IRetryPolicy = DEFAULT_RETRY
  ) {}

  /** Plain concatenation: pids stay percent-encoded (`%2F`), queries untouched. */
  private url(path: string, root = 'beamhub/api/v1/'): string {
    const base = this.settings.baseUrl.endsWith('/')
      ? this.settings.baseUrl
      : this.settings.baseUrl + '/';
    return base + root + path;
  }

  /** One request to the catalogue below /beamhub/api/v1/ (`path`, or the full URL `base`):
   * its JSON answer, or a {@link CatalogueError} with the service's code. The one place
   * the front end talks HTTP to the catalogue (the templates and beamline clients too).
   * A busy or briefly unavailable catalogue is asked again as {@link IRetryPolicy} says. */
  async request<T>(
    path: string,
    init: RequestInit = {},
    base?: string
  ): Promise<T> {
    const url = base ?? this.url(path);
    // 'no-cache' (revalidate) rather than JupyterLab's default 'no-store', which adds a
    // timestamp parameter that the catalogue rightly refuses as unknown.
    init = { cache: 'no-cache', ...init };
    const method = (init.method ?? 'GET').toUpperCase();
    let response: Response;
    for (let attempt = 0; ; attempt++) {
      try {
        response = await ServerConnection.makeRequest(url, init, this.settings);
      } catch (error) {
        if ((error as Error)?.name === 'AbortError') {
          throw error;
        }
        throw new CatalogueError(
          'The server cannot be reached: ' + String((error as Error)?.message ?? error),
          0,
          'network_error'
        );
      }
      if (attempt >= this.retry.retries || !retryable(response.status, method)) {
        break;
      }
      const delay = retryDelay(response.headers.get('Retry-After'), attempt, this.retry.maxDelayMs);
      await response.text().catch(() => undefined); // let the connection be reused
      await pause(delay, init.signal);
    }
    if (response.status === 204) {
      return undefined as T;
    }
    const text = await response.text();
    let body: any = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      throw new CatalogueError(
        body?.message ?? `${response.status} ${response.statusText}`,
        response.status,
        body?.code ?? 'http_' + response.status,
        body?.details
      );
    }
    return body as T;
  }

  search(query: ISearchQuery, signal?: AbortSignal): Promise<ISearchResult> {
    // High priority: the browser starts it before queued thumbnails (same host,
    // few connections).
    return this.request(
      '',
      { signal, priority: 'high' } as RequestInit,
      this.url('datasets?' + searchParams(query).toString())
    );
  }

  dataset(pid: string): Promise<IDataset> {
    return this.request('datasets/' + encodePid(pid));
  }

  derived(pid: string): Promise<IDataset[]> {
    return this.request('datasets/' + encodePid(pid) + '/derived');
  }

  vote(pid: string, value: VoteValue | null, comment?: string): Promise<IVoteState> {
    const path = 'datasets/' + encodePid(pid) + '/vote';
    const body = comment === undefined ? { value } : { value, comment };
    return value
      ? this.request(path, { method: 'PUT', body: JSON.stringify(body) })
      : this.request(path, { method: 'DELETE' });
  }

  me(): Promise<IMe> {
    return this.request('me');
  }

  myProposals(): Promise<IProposal[]> {
    return this.request('me/proposals');
  }

  fields(): Promise<IFieldList> {
    return this.request('fields');
  }

  processing(): Promise<IProcessingStep[]> {
    return this.request('processing');
  }

  createSelection(body: INewSelection): Promise<ISelection> {
    return this.request('selections', {
      method: 'POST',
      body: JSON.stringify(body)
    });
  }

  submitSelection(id: string): Promise<ISelection> {
    return this.request('selections/' + encodeURIComponent(id) + '/submit', {
      method: 'POST',
      body: '{}'
    });
  }

  selection(id: string): Promise<ISelection> {
    return this.request('selections/' + encodeURIComponent(id));
  }

  selections(): Promise<ISelection[]> {
    return this.request('selections');
  }

  previewUrl(pid: string, size: 'thumb' | 'large'): string {
    return this.url('datasets/' + encodePid(pid) + '/preview.png') + '?size=' + size;
  }

  suggestions(
    query: ISearchQuery,
    options: ISuggestOptions,
    signal?: AbortSignal
  ): Promise<Schemas['SuggestionPage']> {
    return this.request('', { signal }, this.url('suggestions?' + suggestParams(query, options).toString()));
  }

  suggestion(pid: string): Promise<Schemas['SuggestionItem']> {
    return this.request('datasets/' + encodePid(pid) + '/suggestion');
  }

  similar(pid: string): Promise<Schemas['SimilarityGroup']> {
    return this.request('datasets/' + encodePid(pid) + '/similar');
  }

  suggestedParameters(
    processing: string,
    pids: string[]
  ): Promise<Schemas['SuggestedParameters']> {
    const params = new URLSearchParams({ processing });
    for (const pid of pids) {
      params.append('pid', pid);
    }
    return this.request('', {}, this.url('suggestions/parameters?' + params.toString()));
  }

  templates(): Promise<ITemplateInfo[]> {
    return this.request('', {}, this.url('templates', 'beamhub/'));
  }

  template(name: string): Promise<any> {
    const path = name.split('/').map(encodeURIComponent).join('/');
    return this.request('', {}, this.url('templates/' + path, 'beamhub/'));
  }
}
