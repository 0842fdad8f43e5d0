import { describe, expect, it } from 'vitest';

import { BasketModel, formSchema, schemaDefaults, stepRefusal } from '../model/basket';
import { ISelection } from '../types';
import { dataset, FakeCatalogue } from './fakeapi';

describe('BasketModel', () => {
  it('adds each dataset once, removes, and keeps to the size limit', () => {
    const basket = new BasketModel(new FakeCatalogue(), { maxItems: 3 });
    expect(basket.add(dataset(1), dataset(2), dataset(1))).toBe(2);
    expect(basket.items.map(d => d.datasetName)).toEqual(['scan 1', 'scan 2']);
    basket.remove(dataset(1).pid);
    expect(basket.has(dataset(1).pid)).toBe(false);
    expect(basket.add(dataset(3), dataset(4), dataset(5))).toBe(2);
    expect(basket.size).toBe(3);
    expect(basket.error).toContain('at most 3');
  });

  it('fills parameters from the processing step’s schema defaults', async () => {
    const basket = new BasketModel(new FakeCatalogue());
    await basket.loadSteps();
    expect(basket.processing).toBe('frame-sum');
    expect(basket.parameters).toEqual({ threshold: 0.5 });
    basket.setParameters({ threshold: 2, label: 'x' });
    expect(basket.parameters).toEqual({ threshold: 2, label: 'x' });
    expect(schemaDefaults(undefined)).toEqual({});
  });

  it('shows optional parameters as plain fields, not as a choice of types', () => {
    const schema = formSchema({
      type: 'object',
      properties: {
        threshold: { anyOf: [{ type: 'number' }, { type: 'null' }], default: null, title: 'Threshold' },
        sigma: { type: 'number', default: 3 },
        mode: { anyOf: [{ type: 'string' }, { type: 'integer' }] }
      }
    });
    expect(schema.properties.threshold).toEqual({ type: 'number', title: 'Threshold' });
    expect(schema.properties.sigma).toEqual({ type: 'number', default: 3 });
    expect(schema.properties.mode.anyOf).toHaveLength(2);
    expect(schemaDefaults(schema)).toEqual({ sigma: 3 });
  });

  it('refuses, before submission, datasets the chosen step does not take, in the service’s words', async () => {
    const api = new FakeCatalogue();
    const basket = new BasketModel(api);
    await basket.loadSteps();
    basket.setName('mixed');
    const spectrum = dataset(7, { techniques: [{ name: 'XAS' }], datasetName: 'cu foil' });
    const curve = dataset(9, {
      signal: { file: 'a.nxs', path: '/entry/data/I', shape: [120], dtype: 'f8', axes: [], entry: 'entry' }
    });
    basket.add(dataset(1), spectrum, curve);
    expect(basket.refusal).toBe(
      'Frame sum takes 2-D images or 3-D stacks from MX or SAXS: cu foil (20.500.99999/ds-7) is XAS; ' +
        'scan 9 (20.500.99999/ds-9) has a 1-D signal (120). ' +
        'Remove them from the selection or choose another step.'
    );
    expect(basket.problem).toBe(basket.refusal);
    expect(await basket.submit()).toBeNull();
    expect(api.selectionsMade).toHaveLength(0);
    basket.remove(spectrum.pid);
    basket.remove(curve.pid);
    expect(basket.refusal).toBeNull();
    expect(basket.refusalOf('frame-sum')).toBeNull();
    // a step of any technique takes datasets without a recorded technique
    expect(stepRefusal({ ...api.steps[0], techniques: [] }, [dataset(3, { techniques: [] })])).toBeNull();
    expect(stepRefusal(api.steps[0], [dataset(3, { techniques: [] })])).toContain('is no technique recorded');
  });

  it('says what is missing before it submits', async () => {
    const api = new FakeCatalogue();
    const basket = new BasketModel(api);
    await basket.loadSteps();
    expect(await basket.submit()).toBeNull();
    expect(basket.error).toContain('Add datasets');
    basket.add(dataset(1));
    expect(await basket.submit()).toBeNull();
    expect(basket.error).toContain('name');
    expect(api.selectionsMade).toHaveLength(0);
  });

  it('submits the reviewed selection and follows the job until done', async () => {
    const api = new FakeCatalogue();
    const basket = new BasketModel(api, { pollInterval: 5 });
    await basket.loadSteps();
    basket.add(dataset(1), dataset(2), dataset(3));
    basket.setName('  best three ');
    basket.setParameters({ threshold: 1.5 });
    const job = await basket.submit();
    expect(api.selectionsMade).toEqual([
      {
        name: 'best three',
        datasets: [dataset(1).pid, dataset(2).pid, dataset(3).pid],
        processing: 'frame-sum',
        parameters: { threshold: 1.5 }
      }
    ]);
    expect(job).not.toBeNull();
    expect(basket.size).toBe(0);
    expect(basket.jobs).toEqual([job]);
    const statuses: string[] = [];
    job!.changed.connect(() => statuses.push(job!.selection.status));
    const final = await job!.follow();
    expect(final.status).toBe('done');
    expect(final.derivedDatasets).toEqual(['20.500.99999/derived-1']);
    expect(statuses[statuses.length - 1]).toBe('done');
    expect(api.statuses).toEqual([]); // polled running, running, done
    expect(job!.finished).toBe(true);
  });

  it('shows earlier submissions after a reload, newest first, and follows unfinished ones', async () => {
    const api = new FakeCatalogue();
    const earlier = (id: number, status: ISelection['status'], submittedAt?: string): ISelection => ({
      id: 'sel-' + String(id).padStart(32, '0'),
      owner: 'alice',
      name: `earlier ${id}`,
      datasets: [dataset(id).pid],
      processing: 'frame-sum',
      parameters: {},
      status,
      derivedDatasets: [],
      version: 1,
      createdAt: '2026-11-20T00:00:00Z',
      updatedAt: '2026-11-20T00:00:00Z',
      submittedAt
    });
    api.stored = [
      earlier(1, 'done', '2026-11-20T08:00:00Z'),
      earlier(2, 'draft'),
      earlier(3, 'running', '2026-11-20T09:00:00Z')
    ];
    let asked = 0;
    api.selection = async (id: string) => {
      asked++;
      return { ...api.stored.find(s => s.id === id)!, status: 'done', derivedDatasets: ['20.500.99999/d3'] };
    };
    const basket = new BasketModel(api, { pollInterval: 5 });
    await basket.loadJobs();
    expect(basket.jobs.map(job => job.selection.name)).toEqual(['earlier 3', 'earlier 1']); // no draft
    const final = await basket.jobs[0].follow();
    expect(final.status).toBe('done');
    expect(final.derivedDatasets).toEqual(['20.500.99999/d3']);
    expect(asked).toBe(1); // the finished one is not polled
    await basket.loadJobs();
    expect(basket.jobs).toHaveLength(2); // loading again adds nothing twice
  });

  it('says so when earlier submissions cannot be loaded', async () => {
    const api = new FakeCatalogue();
    api.selections = async () => {
      throw new Error('the catalogue is down');
    };
    const basket = new BasketModel(api);
    await basket.loadJobs();
    expect(basket.jobs).toEqual([]);
    expect(basket.error).toContain('Earlier selections cannot be loaded');
  });

  it('keeps everything when the submission fails', async () => {
    const api = new FakeCatalogue();
    api.createSelection = async () => {
      throw new Error('the catalogue is down');
    };
    const basket = new BasketModel(api);
    basket.add(dataset(1));
    basket.setName('keep me');
    expect(await basket.submit()).toBeNull();
    expect(basket.size).toBe(1);
    expect(basket.name).toBe('keep me');
    expect(basket.error).toContain('the catalogue is down');
  });
});
