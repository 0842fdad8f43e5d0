/**
 * A submitted selection's job, followed until it is done or failed.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ICatalogueAPI } from '../api';
import { ISelection } from '../types';
import { describeError } from './errors';

export const FINAL_STATUSES = ['done', 'failed'];

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

  /** Check the status now and then every `interval` ms until the job has finished. */
  follow(): Promise<ISelection> {
    if (!this._following) {
      this._following = new Promise(resolve => {
        this._resolve = resolve;
      });
      void this._tick();
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
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    Signal.clearData(this);
  }

  private async _tick(): Promise<void> {
    this._timer = null;
    if (this._disposed) {
      return;
    }
    if (!this.finished) {
      await this.refresh();
    }
    if (this.finished) {
      this._resolve?.(this._selection);
      return;
    }
    if (!this._disposed) {
      this._timer = setTimeout(() => void this._tick(), this.interval);
    }
  }

  private _selection: ISelection;
  private _error: string | null = null;
  private _following: Promise<ISelection> | null = null;
  private _resolve: ((s: ISelection) => void) | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
