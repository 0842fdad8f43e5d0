/**
 * Likes and dislikes: shown at once, confirmed by the service, reverted honestly.
 *
 * A click changes the counts immediately (optimistic). The service's answer replaces
 * them; if the newest vote on a dataset fails, the counts go back to the last state
 * the service confirmed and `notify` says why. Answers to older votes on the same
 * dataset never overwrite a newer click.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ICatalogueAPI } from '../api';
import { IDataset, IVoteState, VoteValue } from '../types';
import { describeError } from './errors';

/** The counts after the caller's vote changes from `state.myVote` to `value`
 * (the service keeps the comment sent with a vote, and none when none was sent). */
export function applyVote(
  state: IVoteState,
  value: VoteValue | null,
  comment?: string
): IVoteState {
  let { likes, dislikes } = state;
  if (state.myVote === 'like') {
    likes = Math.max(0, likes - 1);
  } else if (state.myVote === 'dislike') {
    dislikes = Math.max(0, dislikes - 1);
  }
  if (value === 'like') {
    likes += 1;
  } else if (value === 'dislike') {
    dislikes += 1;
  }
  return {
    pid: state.pid,
    likes,
    dislikes,
    myVote: value,
    myComment: value === null ? '' : (comment ?? '')
  };
}

export function voteStateOf(dataset: IDataset): IVoteState {
  return {
    pid: dataset.pid,
    likes: dataset.likes ?? 0,
    dislikes: dataset.dislikes ?? 0,
    myVote: dataset.myVote ?? null,
    myComment: dataset.myComment ?? ''
  };
}

interface IPending {
  /** Ticket of the newest click. */
  latest: number;
  inflight: number;
  /** The newest state the service confirmed, and for which ticket. */
  confirmed: IVoteState;
  confirmedTicket: number;
  latestFailed: boolean;
}

export class VoteModel {
  constructor(
    private readonly api: ICatalogueAPI,
    private readonly notify: (message: string) => void = () => undefined
  ) {}

  /** Emitted with the pid whose counts changed. */
  get changed(): ISignal<this, string> {
    return this._changed;
  }

  /** The counts to show for a dataset: ours if we know better than the dataset. */
  stateOf(dataset: IDataset): IVoteState {
    return this._states.get(dataset.pid) ?? voteStateOf(dataset);
  }

  isPending(pid: string): boolean {
    return this._pending.has(pid);
  }

  /** Take the counts of freshly fetched datasets (unless a vote on them is in flight). */
  seed(datasets: readonly IDataset[]): void {
    for (const dataset of datasets) {
      if (!this._pending.has(dataset.pid)) {
        const state = voteStateOf(dataset);
        const known = this._states.get(dataset.pid);
        if (!known || !sameState(known, state)) {
          this._states.set(dataset.pid, state);
          this._changed.emit(dataset.pid);
        }
      }
    }
  }

  /** Like, dislike, or clear (`null`), with an optional comment; resolves true when the
   * service confirmed it. */
  async vote(dataset: IDataset, value: VoteValue | null, comment?: string): Promise<boolean> {
    const pid = dataset.pid;
    const before = this.stateOf(dataset);
    let pending = this._pending.get(pid);
    if (!pending) {
      pending = {
        latest: 0,
        inflight: 0,
        confirmed: before,
        confirmedTicket: 0,
        latestFailed: false
      };
      this._pending.set(pid, pending);
    }
    const ticket = ++pending.latest;
    pending.inflight++;
    pending.latestFailed = false;
    this._set(applyVote(before, value, comment));
    let answer: IVoteState | null = null;
    try {
      answer = await this.api.vote(pid, value, comment);
      if (ticket > pending.confirmedTicket) {
        pending.confirmed = answer;
        pending.confirmedTicket = ticket;
      }
    } catch (error) {
      if (ticket === pending.latest) {
        pending.latestFailed = true;
        const what = value === null ? 'Clearing your vote' : `Your ${value}`;
        this.notify(
          `${what} on “${dataset.datasetName}” was not saved: ${describeError(error)}`
        );
      }
    } finally {
      pending.inflight--;
      if (ticket === pending.latest && answer) {
        this._set(answer);
      } else if (pending.latestFailed) {
        // Show what the service last confirmed (an older click may still confirm later).
        this._set(pending.confirmed);
      }
      if (pending.inflight === 0) {
        this._pending.delete(pid);
      }
    }
    return answer !== null;
  }

  /** One click on like or dislike: sets it, or clears it if it was already set. */
  toggle(dataset: IDataset, value: VoteValue): Promise<boolean> {
    const current = this.stateOf(dataset).myVote;
    return this.vote(dataset, current === value ? null : value);
  }

  /** A comment on the caller's current vote (the vote itself unchanged): why they like
   * or dislike it, for the beamline's staff and the training labels. */
  async comment(dataset: IDataset, text: string): Promise<boolean> {
    const current = this.stateOf(dataset).myVote;
    if (!current) {
      this.notify(`Like or dislike “${dataset.datasetName}” first, then comment on your vote.`);
      return false;
    }
    return this.vote(dataset, current, text.trim());
  }

  private _set(state: IVoteState): void {
    this._states.set(state.pid, state);
    this._changed.emit(state.pid);
  }

  private _states = new Map<string, IVoteState>();
  private _pending = new Map<string, IPending>();
  private _changed = new Signal<this, string>(this);
}

function sameState(a: IVoteState, b: IVoteState): boolean {
  return (
    a.likes === b.likes &&
    a.dislikes === b.dislikes &&
    a.myVote === b.myVote &&
    (a.myComment ?? '') === (b.myComment ?? '')
  );
}
