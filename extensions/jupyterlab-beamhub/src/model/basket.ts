/**
 * The fog-filter basket: datasets picked for processing, reviewed, named, given
 * processing parameters, and submitted as a selection. After submission a
 * {@link JobModel} follows the job until it is done or failed.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ICatalogueAPI } from '../api';
import { IDataset, IProcessingStep } from '../types';
import { describeError } from './errors';
import { JobModel } from './job';

/** The most datasets in one selection (the catalogue's limit). */
export const MAX_SELECTION = 1000;

/** Earlier submitted selections shown with this session's. */
export const MAX_EARLIER_JOBS = 20;

export interface IBasketOptions {
  maxItems?: number;
  /** Milliseconds between status checks of a submitted job. */
  pollInterval?: number;
}

/** Default values from a JSON schema's `properties[*].default`. */
export function schemaDefaults(
  schema: Record<string, unknown> | undefined
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = (schema?.properties ?? {}) as Record<string, any>;
  for (const [name, property] of Object.entries(properties)) {
    if (property && typeof property === 'object' && 'default' in property) {
      out[name] = property.default;
    }
  }
  return out;
}

/**
 * The schema as the parameter form should show it: an optional field written by
 * pydantic as `anyOf: [{type: number}, {type: null}]` becomes the plain field (left
 * empty, it is not sent), instead of rjsf's "option 1 / option 2" chooser.
 */
export function formSchema(schema: Record<string, any> | undefined): Record<string, any> {
  if (!schema || typeof schema !== 'object') {
    return { type: 'object', properties: {} };
  }
  const properties: Record<string, any> = {};
  for (const [name, property] of Object.entries<any>(schema.properties ?? {})) {
    const options: any[] = Array.isArray(property?.anyOf) ? property.anyOf : [];
    const real = options.filter(o => o?.type !== 'null');
    if (options.length && real.length === 1 && real.length < options.length) {
      const { anyOf: _drop, ...rest } = property;
      properties[name] = { ...real[0], ...rest };
      if (properties[name].default === null) {
        delete properties[name].default;
      }
    } else {
      properties[name] = property;
    }
  }
  return { ...schema, properties };
}

/**
 * Why `step` cannot process `dataset` (null when it can), by the step's declaration
 * as `GET /processing` publishes it: one of its techniques (none declared: any) and a
 * signal of one of its dimensions (no recorded signal: the job checks the file). The
 * words are the service's, which refuses the same selection on submission.
 */
export function datasetRefusal(step: IProcessingStep, dataset: IDataset): string | null {
  const names = (dataset.techniques ?? []).map(t => t.name);
  if (step.techniques.length && !names.some(name => step.techniques.includes(name))) {
    const shown = names.length ? names.join(', ') : 'no technique recorded';
    return `${dataset.datasetName} (${dataset.pid}) is ${shown}`;
  }
  const shape = dataset.signal?.shape;
  if (shape && step.dimensions && !step.dimensions.includes(shape.length)) {
    const written = shape.join(' x ') || 'a scalar';
    return `${dataset.datasetName} (${dataset.pid}) has a ${shape.length}-D signal (${written})`;
  }
  return null;
}

/** Why `step` cannot process these datasets, naming the first five (null when it can). */
export function stepRefusal(step: IProcessingStep, datasets: readonly IDataset[]): string | null {
  const refused = datasets
    .map(dataset => datasetRefusal(step, dataset))
    .filter((why): why is string => why !== null);
  if (!refused.length) {
    return null;
  }
  const more = refused.length > 5 ? ` and ${refused.length - 5} more` : '';
  return (
    `${step.accepts}: ${refused.slice(0, 5).join('; ')}${more}. ` +
    'Remove them from the selection or choose another step.'
  );
}

export class BasketModel {
  constructor(
    private readonly api: ICatalogueAPI,
    options: IBasketOptions = {}
  ) {
    this._maxItems = options.maxItems ?? MAX_SELECTION;
    this._pollInterval = options.pollInterval ?? 2000;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get items(): readonly IDataset[] {
    return this._items;
  }
  get size(): number {
    return this._items.length;
  }
  get name(): string {
    return this._name;
  }
  get processing(): string {
    return this._processing;
  }
  get parameters(): Record<string, unknown> {
    return this._parameters;
  }
  get steps(): readonly IProcessingStep[] {
    return this._steps;
  }
  get step(): IProcessingStep | null {
    return this._steps.find(s => s.name === this._processing) ?? null;
  }
  /** Why the chosen step cannot process the selection (null when it can). */
  get refusal(): string | null {
    const step = this.step;
    return step ? stepRefusal(step, this._items) : null;
  }
  /** Why `name` cannot process the selection, for the step chooser (null when it can). */
  refusalOf(name: string): string | null {
    const step = this._steps.find(s => s.name === name);
    return step ? stepRefusal(step, this._items) : null;
  }
  /** The chosen step's parameter schema, ready for the generated form. */
  get schema(): Record<string, any> {
    return formSchema(this.step?.parameters_schema);
  }
  get submitting(): boolean {
    return this._submitting;
  }
  /** Why the last submission failed, for people. */
  get error(): string | null {
    return this._error;
  }
  /** Submitted selections, newest first: this session's and, once
   * {@link loadJobs} has run, the user's earlier ones (so a reload loses none). */
  get jobs(): readonly JobModel[] {
    return this._jobs;
  }

  has(pid: string): boolean {
    return this._items.some(item => item.pid === pid);
  }

  /** Add datasets (already present ones are skipped); returns how many were added. */
  add(...datasets: IDataset[]): number {
    let added = 0;
    for (const dataset of datasets) {
      if (this.has(dataset.pid)) {
        continue;
      }
      if (this._items.length >= this._maxItems) {
        this._error = `A selection holds at most ${this._maxItems} datasets.`;
        break;
      }
      this._items = [...this._items, dataset];
      added++;
    }
    this._changed.emit();
    return added;
  }

  remove(pid: string): void {
    this._items = this._items.filter(item => item.pid !== pid);
    this._changed.emit();
  }

  toggle(dataset: IDataset): void {
    if (this.has(dataset.pid)) {
      this.remove(dataset.pid);
    } else {
      this.add(dataset);
    }
  }

  clear(): void {
    this._items = [];
    this._error = null;
    this._changed.emit();
  }

  setName(name: string): void {
    this._name = name;
    this._changed.emit();
  }

  /** Choose a processing step; its schema's defaults become the parameters. */
  setProcessing(name: string): void {
    if (name === this._processing) {
      return;
    }
    this._processing = name;
    this._parameters = schemaDefaults(formSchema(this.step?.parameters_schema));
    this._changed.emit();
  }

  setParameters(parameters: Record<string, unknown>): void {
    this._parameters = { ...parameters };
    this._changed.emit();
  }

  /** Fetch the processing steps (once); the first matching step is preselected. */
  async loadSteps(): Promise<void> {
    if (this._steps.length) {
      return;
    }
    try {
      this._steps = await this.api.processing();
      if (!this._processing && this._steps.length) {
        this.setProcessing(this._steps[0].name);
      }
    } catch (error) {
      this._error = 'The processing steps cannot be loaded: ' + describeError(error);
    }
    this._changed.emit();
  }

  /**
   * Bring in the user's earlier submitted selections (the newest
   * {@link MAX_EARLIER_JOBS}), following those still queued or running.
   */
  async loadJobs(): Promise<void> {
    let selections;
    try {
      selections = await this.api.selections();
    } catch (error) {
      this._error = 'Earlier selections cannot be loaded: ' + describeError(error);
      this._changed.emit();
      return;
    }
    const known = new Set(this._jobs.map(job => job.selection.id));
    const earlier = selections
      .filter(s => s.status !== 'draft' && !known.has(s.id))
      .sort((a, b) => (b.submittedAt ?? '').localeCompare(a.submittedAt ?? ''))
      .slice(0, MAX_EARLIER_JOBS)
      .map(s => new JobModel(this.api, s, this._pollInterval));
    if (!earlier.length) {
      return;
    }
    this._jobs = [...this._jobs, ...earlier];
    for (const job of earlier) {
      void job.follow();
    }
    this._changed.emit();
  }

  /** What stops a submission now, or null if it can go. */
  get problem(): string | null {
    if (!this._items.length) {
      return 'Add datasets to the selection first.';
    }
    if (!this._name.trim()) {
      return 'Give the selection a name.';
    }
    if (this._steps.length && !this._processing) {
      return 'Choose a processing step.';
    }
    return this.refusal;
  }

  /**
   * Record the selection and submit it. On success the basket empties and the job is
   * followed; on failure everything stays as it was and {@link error} says why.
   */
  async submit(): Promise<JobModel | null> {
    const problem = this.problem;
    if (problem || this._submitting) {
      this._error = problem;
      this._changed.emit();
      return null;
    }
    this._submitting = true;
    this._error = null;
    this._changed.emit();
    let selectionId: string | null = null;
    try {
      const draft = await this.api.createSelection({
        name: this._name.trim(),
        datasets: this._items.map(item => item.pid),
        processing: this._processing,
        parameters: this._parameters
      });
      selectionId = draft.id;
      const submitted = await this.api.submitSelection(draft.id);
      const job = new JobModel(this.api, submitted, this._pollInterval);
      this._jobs = [job, ...this._jobs];
      this._items = [];
      this._name = '';
      job.follow();
      return job;
    } catch (error) {
      this._error =
        (selectionId
          ? `The selection was saved (${selectionId}) but not submitted: `
          : 'The selection was not submitted: ') + describeError(error);
      return null;
    } finally {
      this._submitting = false;
      this._changed.emit();
    }
  }

  dispose(): void {
    for (const job of this._jobs) {
      job.dispose();
    }
    Signal.clearData(this);
  }

  private _items: IDataset[] = [];
  private _name = '';
  private _processing = '';
  private _parameters: Record<string, unknown> = {};
  private _steps: IProcessingStep[] = [];
  private _submitting = false;
  private _error: string | null = null;
  private _jobs: JobModel[] = [];
  private _maxItems: number;
  private _pollInterval: number;
  private _changed = new Signal<this, void>(this);
}
