/**
 * The Catalogue panel's search: what is asked, what came back, and the keyboard cursor.
 *
 * Typing is debounced; facet, condition and sort changes search at once. Only the
 * newest search's answer is shown (older ones are aborted or dropped), pages are
 * appended with the service's cursor, and facet counts come with the first page.
 */
import { IDisposable } from '@lumino/disposable';
import { Debouncer, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ICatalogueAPI } from '../api';
import {
  Facet,
  IDataset,
  IFacetCount,
  IFieldList,
  IMetadataField,
  IProposalMatch,
  ISearchHint,
  ISearchQuery,
  ISearchResult
} from '../types';
import { describeError } from './errors';

export type LoadState = 'idle' | 'loading' | 'ready' | 'error';

export interface ISearchOptions {
  /** Results per page (the service allows 1 to 200). */
  pageSize?: number;
  /** Milliseconds of quiet after typing before searching. */
  debounceMs?: number;
  /** The sort used until the user picks another. */
  sort?: string;
  /**
   * Seconds between quiet refreshes of the shown results (counts, votes by others);
   * 0: never. The poll backs off on errors and stands by while the tab is hidden.
   */
  refreshSeconds?: number;
}

export class SearchModel implements IDisposable {
  constructor(
    private readonly api: ICatalogueAPI,
    options: ISearchOptions = {}
  ) {
    this._pageSize = clampPageSize(options.pageSize ?? 50);
    this._sort = options.sort ?? '-creationTime';
    this._debouncer = new Debouncer(
      () => this.search(),
      options.debounceMs ?? 100
    );
    const seconds = options.refreshSeconds ?? 30;
    if (seconds > 0) {
      this._poll = new Poll({
        auto: false,
        factory: () => this.refresh(),
        frequency: { interval: seconds * 1000, backoff: true, max: seconds * 10000 },
        name: 'beamhub:search-refresh',
        standby: 'when-hidden'
      });
    }
  }

  /** Emitted on every change of query, results or state. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get text(): string {
    return this._text;
  }
  get filters(): Readonly<Partial<Record<Facet, string[]>>> {
    return this._filters;
  }
  get conditions(): readonly string[] {
    return this._conditions;
  }
  get sort(): string {
    return this._sort;
  }
  get pageSize(): number {
    return this._pageSize;
  }
  get items(): readonly IDataset[] {
    return this._items;
  }
  get total(): number {
    return this._total;
  }
  get facets(): Partial<Record<Facet, IFacetCount[]>> {
    return this._facets;
  }
  get hasMore(): boolean {
    return this._cursor !== null;
  }
  get state(): LoadState {
    return this._state;
  }
  get loadingMore(): boolean {
    return this._loadingMore !== null;
  }
  /** What went wrong with the last search, for people. */
  get error(): string | null {
    return this._error;
  }
  /** Index of the keyboard cursor in {@link items}, -1 for none. */
  get current(): number {
    return this._current;
  }
  get currentItem(): IDataset | null {
    return this._items[this._current] ?? null;
  }
  /** The search text whose results are shown (it lags {@link text} while typing). */
  get shownText(): string {
    return this._shownText;
  }
  /** Why the last search found nothing: words, fields or units no visible dataset has. */
  get hints(): readonly ISearchHint[] {
    return this._hints;
  }
  /** The caller's proposals whose title holds the search words (offered as filters). */
  get proposals(): readonly IProposalMatch[] {
    return this._proposals;
  }
  /** The metadata fields of the caller's datasets (after {@link loadFields}), for conditions. */
  get fields(): IFieldList | null {
    return this._fields;
  }
  /** When the shown results were last fetched (ms since the epoch), 0 before. */
  get refreshedAt(): number {
    return this._refreshedAt;
  }
  /** Whether the caller is in any proposal (null until known). */
  get hasProposals(): boolean | null {
    return this._hasProposals;
  }

  /** Fetch the metadata fields of the caller's datasets once (for condition autocomplete). */
  async loadFields(): Promise<void> {
    if (this._fields || this._fieldsLoading || !this.api.fields) {
      return;
    }
    this._fieldsLoading = true;
    try {
      this._fields = await this.api.fields();
      this._changed.emit();
    } catch {
      // autocomplete is a help: without it conditions are typed by hand
    } finally {
      this._fieldsLoading = false;
    }
  }

  /** Find out whether the caller is in any proposal (an empty catalogue says why). */
  async checkAccess(): Promise<void> {
    if (!this.api.myProposals) {
      return;
    }
    try {
      const proposals = await this.api.myProposals();
      this._hasProposals = proposals.length > 0;
      this._changed.emit();
    } catch {
      this._hasProposals = null;
    }
  }

  /**
   * Fetch the shown results again without showing a search in progress: counts, votes
   * by others, new datasets. As many items as are shown (at most 200); a search started
   * meanwhile wins. The poll calls this; the refresh button too.
   */
  async refresh(): Promise<void> {
    if (this._isDisposed || this._state !== 'ready' || this._loadingMore) {
      return;
    }
    const generation = this._generation;
    const limit = Math.min(200, Math.max(this._pageSize, this._items.length));
    const result = await this.api.search({ ...this.query(), limit }, this._abort?.signal);
    if (generation !== this._generation || this._isDisposed || this._loadingMore) {
      return;
    }
    const currentPid = this.currentItem?.pid;
    this._items = result.items;
    this._total = result.total;
    this._facets = result.facets ?? {};
    this._hints = result.hints ?? [];
    this._cursor = result.next_cursor ?? null;
    const index = result.items.findIndex(item => item.pid === currentPid);
    this._current = index >= 0 ? index : result.items.length ? 0 : -1;
    this._refreshedAt = Date.now();
    this._changed.emit();
    this._fetched.emit(result.items);
  }

  /** Milliseconds the last first page took, from request to answer. */
  get lastDuration(): number {
    return this._lastDuration;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._abort?.abort();
    this._debouncer.dispose();
    this._poll?.dispose();
    Signal.clearData(this);
  }

  /** The query sent for the first page (facet counts included). */
  query(cursor: string | null = null): ISearchQuery {
    const text = this._text.trim();
    return {
      text,
      filters: cloneFilters(this._filters),
      conditions: [...this._conditions],
      // The service refuses relevance without text: fall back to newest first.
      sort: this._sort === 'relevance' && !text ? '-creationTime' : this._sort,
      limit: this._pageSize,
      cursor,
      facets: cursor === null
    };
  }

  /** Set the search text; the search runs once typing pauses. */
  setText(text: string): void {
    if (text === this._text) {
      return;
    }
    this._text = text;
    this._changed.emit();
    void this._debouncer.invoke();
  }

  isFiltered(facet: Facet, value: string): boolean {
    return (this._filters[facet] ?? []).includes(value);
  }

  /** Add or remove one facet value (values of one facet are alternatives). */
  toggleFilter(facet: Facet, value: string | number): Promise<void> {
    const text = String(value);
    const values = this._filters[facet] ?? [];
    const next = values.includes(text)
      ? values.filter(v => v !== text)
      : [...values, text];
    if (next.length) {
      this._filters[facet] = next;
    } else {
      delete this._filters[facet];
    }
    return this.search();
  }

  /** Remove the filters of one facet, or of all. */
  clearFilters(facet?: Facet): Promise<void> {
    if (facet) {
      delete this._filters[facet];
    } else {
      this._filters = {};
      this._conditions = [];
    }
    return this.search();
  }

  /** Add a scientific-metadata condition such as `temperature < 200 K`. */
  addCondition(condition: string): Promise<void> {
    const text = condition.trim();
    if (!text || this._conditions.includes(text)) {
      return Promise.resolve();
    }
    this._conditions = [...this._conditions, text];
    return this.search();
  }

  removeCondition(condition: string): Promise<void> {
    this._conditions = this._conditions.filter(c => c !== condition);
    return this.search();
  }

  setSort(sort: string): Promise<void> {
    if (sort === this._sort) {
      return Promise.resolve();
    }
    this._sort = sort;
    return this.search();
  }

  setPageSize(size: number): void {
    this._pageSize = clampPageSize(size);
  }

  /** Search now (first page, facet counts); a pending debounced search is dropped. */
  async search(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    void this._debouncer.stop();
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    const generation = ++this._generation;
    this._loadingMore = null;
    this._state = 'loading';
    this._error = null;
    this._changed.emit();
    const started = now();
    const asked = this.query();
    this._lastAsked = this._text;
    let result: ISearchResult;
    try {
      result = await this.api.search(asked, abort.signal);
    } catch (error) {
      if (generation !== this._generation || this._isDisposed) {
        return;
      }
      this._state = 'error';
      this._error = describeError(error);
      this._items = [];
      this._total = 0;
      this._hints = [];
      this._cursor = null;
      this._current = -1;
      this._changed.emit();
      return;
    }
    if (generation !== this._generation || this._isDisposed) {
      return; // a newer search was started meanwhile
    }
    this._lastDuration = now() - started;
    this._shownText = this._lastAsked;
    this._items = result.items;
    this._total = result.total;
    this._facets = result.facets ?? {};
    this._hints = result.hints ?? [];
    this._proposals = result.proposals ?? [];
    this._cursor = result.next_cursor ?? null;
    this._current = result.items.length ? 0 : -1;
    this._state = 'ready';
    this._refreshedAt = Date.now();
    this._changed.emit();
    this._fetched.emit(result.items);
    if (this._poll?.isDisposed === false) {
      // the next quiet refresh one interval after this answer (a new search resets it)
      void this._poll.schedule({ interval: this._poll.frequency.interval, phase: 'started' });
    }
  }

  /** Emitted with every page of datasets that arrives (to seed vote counts). */
  get fetched(): ISignal<this, readonly IDataset[]> {
    return this._fetched;
  }

  /** Append the next page; concurrent calls share one request. */
  loadMore(): Promise<void> {
    if (this._cursor === null || this._state !== 'ready') {
      return Promise.resolve();
    }
    if (this._loadingMore) {
      return this._loadingMore;
    }
    const generation = this._generation;
    const cursor = this._cursor;
    const load = async () => {
      try {
        const result = await this.api.search(
          this.query(cursor),
          this._abort?.signal
        );
        if (generation !== this._generation || this._isDisposed) {
          return;
        }
        const known = new Set(this._items.map(item => item.pid));
        this._items = [
          ...this._items,
          ...result.items.filter(item => !known.has(item.pid))
        ];
        this._cursor = result.next_cursor ?? null;
        this._fetched.emit(result.items);
      } catch (error) {
        if (generation !== this._generation || this._isDisposed) {
          return;
        }
        this._error = describeError(error);
      } finally {
        if (generation === this._generation) {
          this._loadingMore = null;
          this._changed.emit();
        }
      }
    };
    this._loadingMore = load();
    this._changed.emit();
    return this._loadingMore;
  }

  /** Put the keyboard cursor on an item. */
  select(index: number): void {
    const next = Math.max(-1, Math.min(index, this._items.length - 1));
    if (next !== this._current) {
      this._current = next;
      this._changed.emit();
    }
  }

  /** Move the cursor; moving past the last loaded item loads the next page. */
  async move(delta: number): Promise<void> {
    const target = this._current + delta;
    if (target >= this._items.length && this.hasMore) {
      await this.loadMore();
    }
    this.select(Math.max(0, Math.min(target, this._items.length - 1)));
  }

  /** Replace fields of a listed dataset (for example after a vote). */
  updateItem(pid: string, patch: Partial<IDataset>): void {
    const index = this._items.findIndex(item => item.pid === pid);
    if (index < 0) {
      return;
    }
    this._items = [...this._items];
    this._items[index] = { ...this._items[index], ...patch };
    this._changed.emit();
  }

  private _text = '';
  private _lastAsked = '';
  private _shownText = '';
  private _filters: Partial<Record<Facet, string[]>> = {};
  private _conditions: string[] = [];
  private _sort: string;
  private _pageSize: number;
  private _items: IDataset[] = [];
  private _total = 0;
  private _facets: Partial<Record<Facet, IFacetCount[]>> = {};
  private _cursor: string | null = null;
  private _state: LoadState = 'idle';
  private _error: string | null = null;
  private _current = -1;
  private _generation = 0;
  private _lastDuration = 0;
  private _abort: AbortController | null = null;
  private _loadingMore: Promise<void> | null = null;
  private _debouncer: Debouncer;
  private _poll: Poll | null = null;
  private _hints: ISearchHint[] = [];
  private _proposals: IProposalMatch[] = [];
  private _fields: IFieldList | null = null;
  private _fieldsLoading = false;
  private _refreshedAt = 0;
  private _hasProposals: boolean | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _fetched = new Signal<this, readonly IDataset[]>(this);
}

/** A metadata field for people: `6 datasets · 100–293.15 K, −173.15–20 degC`. */
export function describeField(field: IMetadataField): string {
  const parts = [`${field.count} dataset${field.count === 1 ? '' : 's'}`];
  const ranges = field.units.map(
    u => `${u.min === u.max ? u.min : `${u.min}–${u.max}`}${u.unit ? ' ' + u.unit : ''}`
  );
  if (ranges.length) {
    parts.push(ranges.join(', '));
  }
  const other = field.kinds.filter(kind => kind !== 'number');
  if (other.length) {
    parts.push(other.join(' or '));
  }
  return parts.join(' · ');
}

function clampPageSize(size: number): number {
  return Math.max(1, Math.min(200, Math.round(size) || 50));
}

function cloneFilters(
  filters: Partial<Record<Facet, string[]>>
): Partial<Record<Facet, string[]>> {
  const out: Partial<Record<Facet, string[]>> = {};
  for (const [facet, values] of Object.entries(filters)) {
    out[facet as Facet] = [...(values ?? [])];
  }
  return out;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
