import { describe, expect, it } from 'vitest';

import { SearchModel } from '../model/search';
import { FakeCatalogue, Gate, tick } from './fakeapi';

describe('SearchModel', () => {
  it('searches once when typing pauses, with the last text', async () => {
    const api = new FakeCatalogue();
    const model = new SearchModel(api, { debounceMs: 30, pageSize: 10 });
    model.setText('s');
    model.setText('sc');
    model.setText('scan 1');
    expect(model.text).toBe('scan 1');
    expect(api.searches).toHaveLength(0);
    await tick(80);
    expect(api.searches.map(q => q.text)).toEqual(['scan 1']);
    expect(model.state).toBe('ready');
    expect(model.items.every(d => d.datasetName.includes('scan 1'))).toBe(true);
    expect(model.total).toBe(31); // scan 1, 10-19, 100-119
  });

  it('shows only the newest answer when an older one arrives later', async () => {
    const api = new FakeCatalogue();
    const slow = new Gate();
    api.searchGates = [slow, null];
    const model = new SearchModel(api, { debounceMs: 1 });
    model.setText('scan 5');
    const first = model.search();
    model.setText('scan 7');
    const second = model.search();
    await second;
    slow.open();
    await first;
    expect(model.items[0].datasetName).toBe('scan 7');
    expect(model.shownText).toBe('scan 7');
    expect(model.items.some(d => d.datasetName.startsWith('scan 5'))).toBe(false);
  });

  it('filters by facet values, asks for facet counts on the first page only', async () => {
    const api = new FakeCatalogue();
    const model = new SearchModel(api, { pageSize: 20 });
    await model.toggleFilter('beamline', 'i22');
    expect(api.searches[0].filters).toEqual({ beamline: ['i22'] });
    expect(api.searches[0].facets).toBe(true);
    expect(model.items.every(d => d.creationLocation === 'i22')).toBe(true);
    expect(model.facets.beamline).toEqual([
      { value: 'i03', count: 60 },
      { value: 'i22', count: 60 }
    ]);
    expect(model.isFiltered('beamline', 'i22')).toBe(true);
    await model.loadMore();
    expect(api.searches[1].facets).toBe(false);
    expect(api.searches[1].cursor).toBe('20');
    expect(model.items).toHaveLength(40);
    await model.toggleFilter('beamline', 'i22');
    expect(api.searches[2].filters).toEqual({});
    expect(model.total).toBe(120);
  });

  it('pages through everything with the cursor and stops at the end', async () => {
    const api = new FakeCatalogue();
    const model = new SearchModel(api, { pageSize: 50 });
    await model.search();
    expect(model.hasMore).toBe(true);
    await Promise.all([model.loadMore(), model.loadMore()]); // one request, shared
    expect(api.searches).toHaveLength(2);
    await model.loadMore();
    expect(model.items).toHaveLength(120);
    expect(new Set(model.items.map(d => d.pid)).size).toBe(120);
    expect(model.hasMore).toBe(false);
    await model.loadMore();
    expect(api.searches).toHaveLength(3);
  });

  it('moving the cursor past the last loaded result loads the next page', async () => {
    const api = new FakeCatalogue();
    const model = new SearchModel(api, { pageSize: 10 });
    await model.search();
    expect(model.current).toBe(0);
    model.select(9);
    await model.move(1);
    expect(model.items).toHaveLength(20);
    expect(model.current).toBe(10);
    await model.move(-100);
    expect(model.current).toBe(0);
  });

  it('sends conditions and sort, and falls back from relevance without text', async () => {
    const api = new FakeCatalogue();
    const model = new SearchModel(api);
    await model.addCondition('temperature < 200 K');
    await model.addCondition('temperature < 200 K'); // no duplicate
    await model.setSort('relevance');
    expect(api.searches[api.searches.length - 1].conditions).toEqual([
      'temperature < 200 K'
    ]);
    expect(api.searches[api.searches.length - 1].sort).toBe('-creationTime');
    model.setText('scan');
    await model.search();
    expect(api.searches[api.searches.length - 1].sort).toBe('relevance');
    await model.removeCondition('temperature < 200 K');
    expect(api.searches[api.searches.length - 1].conditions).toEqual([]);
  });

  it('says what went wrong and clears the results on error', async () => {
    const api = new FakeCatalogue();
    const model = new SearchModel(api);
    await model.search();
    api.failSearch = "cannot read the condition 'temp <'";
    await model.addCondition('temp <');
    expect(model.state).toBe('error');
    expect(model.error).toContain('cannot read the condition');
    expect(model.items).toHaveLength(0);
  });

  it('updates a listed dataset in place', async () => {
    const api = new FakeCatalogue();
    const model = new SearchModel(api, { pageSize: 5 });
    await model.search();
    const pid = model.items[2].pid;
    model.updateItem(pid, { likes: 7 });
    expect(model.items[2].likes).toBe(7);
  });
});
