/**
 * An in-memory stand-in for the catalogue service (a fake, for unit tests of the
 * front-end models only; the real service is exercised by the end-to-end tests).
 * Every call is recorded, and a test can hold an answer back to order them.
 */
import { CatalogueError, ICatalogueAPI, INewSelection } from '../api';
import {
  IDataset,
  IProcessingStep,
  ISearchQuery,
  ISearchResult,
  ISelection,
  IVoteState,
  VoteValue
} from '../types';

export function dataset(n: number, extra: Partial<IDataset> = {}): IDataset {
  return {
    pid: `20.500.99999/ds-${n}`,
    datasetName: `scan ${n}`,
    type: 'raw',
    ownerGroup: 'p1',
    creationLocation: n % 2 ? 'i22' : 'i03',
    creationTime: `2024-01-${String((n % 28) + 1).padStart(2, '0')}T10:00:00Z`,
    techniques: [{ name: n % 2 ? 'SAXS' : 'MX' }],
    likes: 0,
    dislikes: 0,
    myVote: null,
    myComment: '',
    ...extra
  };
}

export class Gate {
  promise: Promise<void>;
  open!: () => void;
  constructor() {
    this.promise = new Promise(resolve => (this.open = resolve));
  }
}

export class FakeCatalogue implements ICatalogueAPI {
  datasets: IDataset[] = Array.from({ length: 120 }, (_, i) => dataset(i));
  searches: ISearchQuery[] = [];
  votes: { pid: string; value: VoteValue | null; comment?: string }[] = [];
  /** Answers wait for these gates, in call order, when set. */
  searchGates: (Gate | null)[] = [];
  voteGates: (Gate | null)[] = [];
  failVotes: (string | null)[] = [];
  failSearch: string | null = null;
  counts = new Map<string, IVoteState>();
  selectionsMade: INewSelection[] = [];
  statuses: ISelection['status'][] = ['running', 'running', 'done'];
  steps: IProcessingStep[] = [
    {
      name: 'frame-sum',
      title: 'Frame sum',
      description: 'Sum the frames',
      techniques: ['MX', 'SAXS'],
      dimensions: [2, 3],
      accepts: 'Frame sum takes 2-D images or 3-D stacks from MX or SAXS',
      parameters_schema: {
        type: 'object',
        properties: {
          threshold: { type: 'number', default: 0.5 },
          label: { type: 'string' }
        }
      }
    }
  ];

  async search(query: ISearchQuery): Promise<ISearchResult> {
    const call = this.searches.push(query) - 1;
    await this.searchGates[call]?.promise;
    if (this.failSearch) {
      throw new CatalogueError(this.failSearch, 400, 'invalid_input');
    }
    let items = this.datasets.filter(d =>
      d.datasetName.includes(query.text)
    );
    for (const beamline of query.filters.beamline ?? []) {
      items = items.filter(d => d.creationLocation === beamline);
    }
    const start = query.cursor ? Number(query.cursor) : 0;
    const page = items.slice(start, start + query.limit);
    const next = start + query.limit < items.length ? String(start + query.limit) : null;
    return {
      items: page,
      total: items.length,
      facets: query.facets
        ? { beamline: [{ value: 'i03', count: 60 }, { value: 'i22', count: 60 }] }
        : {},
      next_cursor: next
    };
  }

  async dataset(pid: string): Promise<IDataset> {
    const found = this.datasets.find(d => d.pid === pid);
    if (!found) {
      throw new CatalogueError('no such dataset', 404, 'not_found');
    }
    return found;
  }

  async derived(): Promise<IDataset[]> {
    return [];
  }

  async vote(pid: string, value: VoteValue | null, comment?: string): Promise<IVoteState> {
    const call = this.votes.push(comment === undefined ? { pid, value } : { pid, value, comment }) - 1;
    await this.voteGates[call]?.promise;
    const failure = this.failVotes[call];
    if (failure) {
      throw new CatalogueError(failure, 503, 'store_unavailable');
    }
    const state = this.counts.get(pid) ?? { pid, likes: 0, dislikes: 0, myVote: null, myComment: '' };
    const next = { ...state, myVote: value, myComment: value === null ? '' : (comment ?? '') };
    if (state.myVote === 'like') next.likes--;
    if (state.myVote === 'dislike') next.dislikes--;
    if (value === 'like') next.likes++;
    if (value === 'dislike') next.dislikes++;
    this.counts.set(pid, next);
    return next;
  }

  async me() {
    return { name: 'alice', groups: ['p1'], staff_of: [] };
  }

  async processing(): Promise<IProcessingStep[]> {
    return this.steps;
  }

  private selectionOf(body: INewSelection, status: ISelection['status']): ISelection {
    return {
      id: 'sel-' + '0'.repeat(31) + this.selectionsMade.length,
      owner: 'alice',
      name: body.name,
      datasets: body.datasets,
      processing: body.processing ?? '',
      parameters: body.parameters ?? {},
      status,
      derivedDatasets: status === 'done' ? ['20.500.99999/derived-1'] : [],
      version: 1,
      createdAt: '2026-11-21T00:00:00Z',
      updatedAt: '2026-11-21T00:00:00Z'
    };
  }

  async createSelection(body: INewSelection): Promise<ISelection> {
    this.selectionsMade.push(body);
    return this.selectionOf(body, 'draft');
  }

  async submitSelection(): Promise<ISelection> {
    return this.selectionOf(this.selectionsMade[this.selectionsMade.length - 1], 'submitted');
  }

  async selection(): Promise<ISelection> {
    const status = this.statuses.shift() ?? 'done';
    return this.selectionOf(this.selectionsMade[this.selectionsMade.length - 1], status);
  }

  /** What `selections()` answers: the user's selections as the service lists them. */
  stored: ISelection[] = [];

  async selections(): Promise<ISelection[]> {
    return this.stored;
  }

  previewUrl(pid: string, size: string): string {
    return `/preview/${pid}?size=${size}`;
  }

  async templates() {
    return [];
  }

  async template() {
    return null;
  }
}

export const tick = (ms = 0): Promise<void> =>
  new Promise(resolve => setTimeout(resolve, ms));
