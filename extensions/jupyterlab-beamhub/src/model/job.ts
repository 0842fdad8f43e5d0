/**
 * A submitted selection's job, followed until it is done or failed.
 *
 * Following is a Lumino {@link Poll}: every `interval` ms while the service answers,
 * backing off (up to {@link MAX_INTERVAL}) while it cannot be reached, and standing by
 * while the browser tab is hidden.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { ICatalogueAPI } from '../api';
import { ISelection } from '../types';
import { describeError } from './errors';

export const FINAL_STATUSES = ['done', 'failed'];

/** The longest wait between two checks while the service cannot be reached (ms). */
export const MAX_INTERVAL = 30_000;

export class JobModel {
  constructor(
    private readonly api: ICatalogueAPI,
    selection: ISelection,
    private readonly interval = 2000
  ) {
    this._selection = selection;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get selection(): ISelection {
    return this._selection;
  }
  get finished(): boolean {
    return FINAL_STATUSES.includes(this._selection.status);
  }
  /** The last problem reaching the service (the job itself may be fine). */
  get error(): string | null {
    return this._error;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The poll following the job (null before `follow()` and once the job has finished). */
  get poll(): Poll | null {
    return this._poll;
  }

  /** Check the status now and then every `interval` ms until the job has finished. */
  follow(): Promise<ISelection> {
    if (!this._following) {
      this._following = new Promise(resolve => {
        this._resolve = resolve;
      });
      this._poll = new Poll({
        factory: () => this._check(),
        frequency: {
          interval: this.interval,
          backoff: true,
          max: Math.max(this.interval, MAX_INTERVAL)
        },
        name: `beamhub:job:${this._selection.id}`,
        standby: 'when-hidden'
      });
    }
    return this._following;
  }

  /** Ask the service once. */
  async refresh(): Promise<void> {
    try {
      const next = await this.api.selection(this._selection.id);
      this._error = null;
      if (
        next.status !== this._selection.status ||
        next.version !== this._selection.version
      ) {
        this._selection = next;
      }
    } catch (error) {
      this._error = describeError(error);
    }
    this._changed.emit();
  }

  dispose(): void {
    this._disposed = true;
    this._stop();
    Signal.clearData(this);
  }

  /** One poll tick: rejects while the service cannot be reached, so the poll backs off. */
  private async _check(): Promise<void> {
    if (!this.finished) {
      await this.refresh();
    }
    if (this.finished) {
      this._stop();
      this._resolve?.(this._selection);
    } else if (this._error !== null) {
      throw new Error(this._error);
    }
  }

  private _stop(): void {
    this._poll?.dispose();
    this._poll = null;
  }

  private _selection: ISelection;
  private _error: string | null = null;
  private _following: Promise<ISelection> | null = null;
  private _resolve: ((s: ISelection) => void) | null = null;
  private _poll: Poll | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
