import { describe, expect, it } from 'vitest';

import { ISuggestOptions } from '../api';
import { BasketModel } from '../model/basket';
import { SearchModel } from '../model/search';
import {
  ISuggestAPI,
  ISuggestedParameters,
  ISuggestion,
  ISuggestionPage,
  SuggestModel,
  WORTH_SCORE
} from '../model/suggest';
import { ISearchQuery } from '../types';
import { dataset, FakeCatalogue, tick } from './fakeapi';

/** The service's answers for datasets 1-6 scored 0.9, 0.8, ..., 0.4 (the fake is the service's contract). */
class FakeSuggestions implements ISuggestAPI {
  asked: [ISearchQuery, ISuggestOptions][] = [];
  parameters: ISuggestedParameters = {
    processing: 'frame-sum',
    values: { threshold: 4 },
    sources: { threshold: [dataset(2).pid] },
    reason: 'chosen for 1 similar liked datasets you can see',
    label: 'suggestion'
  };

  async suggestions(query: ISearchQuery, options: ISuggestOptions): Promise<ISuggestionPage> {
    this.asked.push([query, options]);
    const all: ISuggestion[] = [1, 2, 3, 4, 5, 6].map(n => ({
      pid: dataset(n).pid,
      technique: 'MX',
      score: Math.round((1 - n / 10) * 10) / 10,
      reason: 'predicted from 20 votes on 8 MX datasets you can see',
      neighbours: [],
      features: [],
      label: 'suggestion',
      dataset: dataset(n)
    }));
    const kept = all.filter(s => options.minScore === null || options.minScore === undefined || (s.score ?? 0) >= options.minScore);
    const offset = options.offset ?? 0;
    return {
      items: kept.slice(offset, offset + options.limit),
      total: kept.length,
      scored: kept.length,
      offset,
      label: 'suggestion'
    };
  }

  async suggestion(pid: string): Promise<ISuggestion> {
    return (await this.suggestions({} as ISearchQuery, { limit: 10 })).items.find(s => s.pid === pid)!;
  }

  async similar(pid: string): Promise<any> {
    return { pid, technique: 'MX', size: 1, members: [], averageFrameScore: 0.5, likeRatio: null, votes: 0 };
  }

  async suggestedParameters(): Promise<ISuggestedParameters> {
    return this.parameters;
  }
}

function setup() {
  const catalogue = new FakeCatalogue();
  const search = new SearchModel(catalogue, { debounceMs: 0 });
  const api = new FakeSuggestions();
  const suggest = new SuggestModel(api, search, { pageSize: 4, basketSize: 3 });
  return { catalogue, search, api, suggest };
}

describe('SuggestModel', () => {
  it('ranks the current search when "Suggested" is chosen, page by page', async () => {
    const { search, api, suggest } = setup();
    search.setText('scan');
    await search.search();
    await suggest.setActive(true);
    expect(suggest.items.map(s => s.score)).toEqual([0.9, 0.8, 0.7, 0.6]);
    expect(api.asked[0][0].text).toBe('scan');
    expect(api.asked[0][1]).toEqual({ limit: 4, offset: 0, minScore: null });
    expect(suggest.hasMore).toBe(true);
    await suggest.loadMore();
    expect(suggest.items).toHaveLength(6);
    expect(suggest.hasMore).toBe(false);
  });

  it('"worth processing" asks only for scores of at least 0.5', async () => {
    const { api, suggest } = setup();
    await suggest.setWorthOnly(true);
    expect(suggest.active).toBe(true);
    expect(api.asked[0][1].minScore).toBe(WORTH_SCORE);
    expect(suggest.items.every(s => (s.score ?? 0) >= WORTH_SCORE)).toBe(true);
    expect(suggest.total).toBe(5);
  });

  it('a new search reloads the ranking while it is shown, not otherwise', async () => {
    const { search, api, suggest } = setup();
    await search.search();
    await suggest.setActive(true);
    search.setText('scan 1');
    await search.search();
    await tick();
    expect(api.asked.map(([q]) => q.text)).toEqual(['', 'scan 1']);
    await suggest.setActive(false);
    search.setText('scan 2');
    await search.search();
    await tick();
    expect(api.asked).toHaveLength(2);
  });

  it('"Select suggested" adds the best worth-processing suggestions to the basket, and no more', async () => {
    const { catalogue, api, suggest } = setup();
    const basket = new BasketModel(catalogue);
    basket.add(dataset(2));
    expect(await suggest.selectSuggested(basket)).toBe(2); // 1 and 3; 2 was there already
    expect(basket.items.map(d => d.pid)).toEqual([dataset(2), dataset(1), dataset(3)].map(d => d.pid));
    expect(api.asked[0][1]).toEqual({ limit: 3, minScore: WORTH_SCORE });
  });

  it('pre-fills parameters only when asked, and says where they came from', async () => {
    const { catalogue, api, suggest } = setup();
    const basket = new BasketModel(catalogue);
    await basket.loadSteps();
    expect(await suggest.suggestParameters(basket)).toBe(false); // nothing selected yet
    basket.add(dataset(1));
    const defaults = { ...basket.parameters };
    expect(await suggest.suggestParameters(basket)).toBe(true);
    expect(basket.parameters).toEqual({ ...defaults, threshold: 4 });
    expect(suggest.parameterSources?.sources.threshold).toEqual([dataset(2).pid]);
    api.parameters = { ...api.parameters, values: {}, sources: {}, reason: 'no similar liked dataset was processed' };
    basket.setParameters(defaults);
    expect(await suggest.suggestParameters(basket)).toBe(false);
    expect(basket.parameters).toEqual(defaults);
    expect(suggest.parameterSources?.reason).toContain('no similar liked');
  });
});
