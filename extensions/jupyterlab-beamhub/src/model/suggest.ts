/**
 * Suggestions of the AI-assisted fog filter (issue 16), as the panel holds them.
 *
 * The catalogue service ranks the datasets matching the current search by a model
 * trained only on the votes the user may see (GET /suggestions); this model follows the
 * search (text, filters, conditions), keeps the ranking for the "Suggested" sort and
 * the "worth processing" filter, and fills the basket or the processing parameters only
 * when the user asks ("Select suggested", "Suggest parameters"): suggestions are never
 * applied silently, and the user reviews the basket before submitting.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { components } from '../api.gen';
import { ISuggestOptions } from '../api';
import { BasketModel } from './basket';
import { describeError } from './errors';
import { SearchModel } from './search';
import { IDataset, ISearchQuery } from '../types';

type Schemas = components['schemas'];
export type ISuggestion = Schemas['SuggestionItem'];
export type ISuggestionPage = Schemas['SuggestionPage'];
export type ISimilarityGroup = Schemas['SimilarityGroup'];
export type ISuggestedParameters = Schemas['SuggestedParameters'];

/** The part of the catalogue client suggestions use (CatalogueClient implements it). */
export interface ISuggestAPI {
  suggestions(
    query: ISearchQuery,
    options: ISuggestOptions,
    signal?: AbortSignal
  ): Promise<ISuggestionPage>;
  suggestion(pid: string): Promise<ISuggestion>;
  similar(pid: string): Promise<ISimilarityGroup>;
  suggestedParameters(processing: string, pids: string[]): Promise<ISuggestedParameters>;
}

/** The sort select's value for "Suggested" (the service's /datasets has no such sort). */
export const SUGGESTED_SORT = 'suggested';
/** "Worth processing": a predicted chance of a like of at least this. */
export const WORTH_SCORE = 0.5;

export interface ISuggestModelOptions {
  /** Suggestions shown per page (1-200). */
  pageSize?: number;
  /** How many datasets "Select suggested" puts in the basket at most. */
  basketSize?: number;
}

export class SuggestModel implements IDisposable {
  constructor(
    private readonly api: ISuggestAPI,
    private readonly search: SearchModel,
    options: ISuggestModelOptions = {}
  ) {
    this._pageSize = Math.max(1, Math.min(200, options.pageSize ?? 50));
    this.basketSize = Math.max(1, Math.min(200, options.basketSize ?? 10));
    search.changed.connect(this._onSearch, this);
  }

  readonly basketSize: number;

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** Whether the panel shows the suggested ranking instead of the search's order. */
  get active(): boolean {
    return this._active;
  }
  /** Whether only datasets scored at least {@link WORTH_SCORE} are shown. */
  get worthOnly(): boolean {
    return this._worthOnly;
  }
  get items(): readonly ISuggestion[] {
    return this._items;
  }
  get total(): number {
    return this._total;
  }
  get scored(): number {
    return this._scored;
  }
  get state(): 'idle' | 'loading' | 'ready' | 'error' {
    return this._state;
  }
  get error(): string | null {
    return this._error;
  }
  get hasMore(): boolean {
    return this._items.length < this._total;
  }
  /** Where the basket's pre-filled parameters came from (null: none pre-filled). */
  get parameterSources(): ISuggestedParameters | null {
    return this._parameters;
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
    Signal.clearData(this);
  }

  /** Show (or stop showing) the suggested ranking of the current search. */
  setActive(active: boolean): Promise<void> {
    if (active === this._active) {
      return Promise.resolve();
    }
    this._active = active;
    if (!active) {
      this._worthOnly = false;
    }
    this._changed.emit();
    return active ? this.load() : Promise.resolve();
  }

  /** The "worth processing" filter (it shows the suggested ranking). */
  setWorthOnly(on: boolean): Promise<void> {
    this._worthOnly = on;
    this._active = this._active || on;
    this._changed.emit();
    return this.load();
  }

  /** The first page of the ranking for the current search. */
  async load(): Promise<void> {
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    this._key = searchKey(this.search.query());
    this._state = 'loading';
    this._error = null;
    this._changed.emit();
    try {
      const page = await this.api.suggestions(this.search.query(), this._options(0), abort.signal);
      if (abort.signal.aborted || this._isDisposed) {
        return;
      }
      this._items = page.items;
      this._total = page.total;
      this._scored = page.scored;
      this._state = 'ready';
    } catch (error) {
      if (abort.signal.aborted || this._isDisposed) {
        return;
      }
      this._items = [];
      this._total = 0;
      this._scored = 0;
      this._state = 'error';
      this._error = describeError(error);
    }
    this._changed.emit();
  }

  /** Append the next page of the ranking. */
  async loadMore(): Promise<void> {
    if (!this.hasMore || this._state !== 'ready') {
      return;
    }
    const page = await this.api.suggestions(this.search.query(), this._options(this._items.length));
    const known = new Set(this._items.map(item => item.pid));
    this._items = [...this._items, ...page.items.filter(item => !known.has(item.pid))];
    this._total = page.total;
    this._changed.emit();
  }

  /**
   * "Select suggested": add the best suggestions for the current search that are worth
   * processing (at most {@link basketSize}) to the basket, for the user to review. How
   * many were added.
   */
  async selectSuggested(basket: BasketModel): Promise<number> {
    const page = await this.api.suggestions(this.search.query(), {
      limit: this.basketSize,
      minScore: WORTH_SCORE
    });
    const datasets = page.items
      .map(item => item.dataset)
      .filter((d): d is IDataset => !!d);
    return basket.add(...datasets);
  }

  /**
   * Pre-fill the basket's processing parameters with what was chosen for similar, liked
   * datasets; {@link parameterSources} then says where each value came from. False
   * (and the reason in parameterSources) when there was nothing to learn from.
   */
  async suggestParameters(basket: BasketModel): Promise<boolean> {
    const pids = basket.items.map(d => d.pid);
    if (!basket.processing || !pids.length) {
      return false;
    }
    const found = await this.api.suggestedParameters(basket.processing, pids.slice(0, 200));
    this._parameters = found;
    if (Object.keys(found.values).length) {
      basket.setParameters({ ...basket.parameters, ...found.values });
    }
    this._changed.emit();
    return Object.keys(found.values).length > 0;
  }

  /** Forget the parameters' provenance (the user chose another step or edited them). */
  clearParameterSources(): void {
    if (this._parameters) {
      this._parameters = null;
      this._changed.emit();
    }
  }

  similar(pid: string): Promise<ISimilarityGroup> {
    return this.api.similar(pid);
  }

  explain(pid: string): Promise<ISuggestion> {
    return this.api.suggestion(pid);
  }

  private _options(offset: number): ISuggestOptions {
    return { limit: this._pageSize, offset, minScore: this._worthOnly ? WORTH_SCORE : null };
  }

  /** A new search (text, filters, conditions) reloads the ranking while it is shown. */
  private _onSearch(): void {
    if (this._active && this.search.state === 'ready' && searchKey(this.search.query()) !== this._key) {
      void this.load();
    }
  }

  private _active = false;
  private _worthOnly = false;
  private _items: ISuggestion[] = [];
  private _total = 0;
  private _scored = 0;
  private _state: 'idle' | 'loading' | 'ready' | 'error' = 'idle';
  private _error: string | null = null;
  private _key = '';
  private _pageSize: number;
  private _abort: AbortController | null = null;
  private _parameters: ISuggestedParameters | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

function searchKey(query: ISearchQuery): string {
  return JSON.stringify([query.text, query.filters, query.conditions]);
}
