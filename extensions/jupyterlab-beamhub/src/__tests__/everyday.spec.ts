import { describe, expect, it } from 'vitest';

import { describeField, SearchModel } from '../model/search';
import { IDataset, IFieldList, IProposal, ISearchQuery, ISearchResult } from '../types';
import { FakeCatalogue, tick } from './fakeapi';

/** A catalogue whose counts change behind the user's back, with hints and fields. */
class LiveCatalogue extends FakeCatalogue {
  likes = 0;
  proposals: IProposal[] = [];
  fieldCalls = 0;

  async search(query: ISearchQuery): Promise<ISearchResult> {
    const result = await super.search(query);
    const items = result.items.map(d => ({ ...d, likes: this.likes }) as IDataset);
    const hints = result.total
      ? []
      : [{ kind: 'text' as const, term: query.text, message: `no dataset you may see has the word '${query.text}'`, suggestions: [] }];
    return { ...result, items, hints };
  }

  async myProposals(): Promise<IProposal[]> {
    return this.proposals;
  }

  async fields(): Promise<IFieldList> {
    this.fieldCalls++;
    return {
      complete: true,
      scanned: 3,
      fields: [
        { name: 'temperature', count: 3, kinds: ['number'], units: [{ unit: 'K', count: 3, min: 100, max: 293.15 }] }
      ]
    };
  }
}

describe('SearchModel, everyday use', () => {
  it('refreshes the shown results by itself: a vote by someone else shows up', async () => {
    const api = new LiveCatalogue();
    const model = new SearchModel(api, { debounceMs: 1, pageSize: 10, refreshSeconds: 0.05 });
    await model.search();
    expect(model.items[0].likes).toBe(0);
    const searches = api.searches.length;
    api.likes = 3; // someone else liked it
    await tick(120);
    expect(api.searches.length).toBeGreaterThan(searches);
    expect(model.items[0].likes).toBe(3);
    expect(model.state).toBe('ready');
    model.dispose();
  });

  it('keeps as many results as were shown and the cursor on the same dataset', async () => {
    const api = new LiveCatalogue();
    const model = new SearchModel(api, { debounceMs: 1, pageSize: 10, refreshSeconds: 0 });
    await model.search();
    await model.loadMore();
    model.select(15);
    const pid = model.currentItem?.pid;
    await model.refresh();
    expect(model.items).toHaveLength(20);
    expect(api.searches.at(-1)?.limit).toBe(20);
    expect(model.currentItem?.pid).toBe(pid);
  });

  it('gives the hints of an empty answer and the fields for conditions', async () => {
    const api = new LiveCatalogue();
    const model = new SearchModel(api, { debounceMs: 1, refreshSeconds: 0 });
    model.setText('лизоцим');
    await model.search();
    expect(model.total).toBe(0);
    expect(model.hints.map(h => h.term)).toEqual(['лизоцим']);
    await model.loadFields();
    await model.loadFields();
    expect(api.fieldCalls).toBe(1);
    expect(describeField(model.fields!.fields[0])).toBe('3 datasets · 100–293.15 K');
  });

  it('knows when the caller is in no proposal', async () => {
    const api = new LiveCatalogue();
    const model = new SearchModel(api, { refreshSeconds: 0 });
    expect(model.hasProposals).toBe(null);
    await model.checkAccess();
    expect(model.hasProposals).toBe(false);
  });
});
