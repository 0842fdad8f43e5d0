/**
 * The session lifecycle as JupyterLab shows it: how long this server has left (walltime,
 * idle cull, maximum age), the warnings the hub says are due, extending the walltime, and
 * the operator's announcements.
 *
 * The hub decides everything (beamhub.lifecycle): the model fetches this server's
 * /beamhub/session (which relays to the hub with the server's token), counts down between
 * fetches, and emits each warning and announcement once. It depends only on
 * {@link ISessionAPI}, so it is tested without a server.
 */
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { describeError } from './errors';
import { serverRequest } from './server';

export type EndKind = 'walltime' | 'idle' | 'max_age';

export interface ISessionWarning {
  kind: EndKind;
  left_seconds: number;
  message: string;
}

export interface IAnnouncement {
  id: string;
  kind: 'maintenance' | 'news';
  message: string;
  expires: string;
  starts?: string | null;
}

export interface ISessionStatus {
  user: string;
  profile: string;
  proposals: string[];
  node: string;
  now: string;
  walltime: {
    job_id: string;
    ends_at: string;
    left_seconds: number;
    limit_minutes: number;
    max_minutes: number;
    extendable_minutes: number;
  } | null;
  idle: { cull_at: string; left_seconds: number; timeout_seconds: number } | null;
  max_age: { ends_at: string; left_seconds: number } | null;
  ends_at: string | null;
  ends_by: EndKind | null;
  left_seconds: number | null;
  extend_step_minutes: number;
  warnings: ISessionWarning[];
  announcements: IAnnouncement[];
}

export interface ISessionAPI {
  status(): Promise<ISessionStatus>;
  extend(minutes: number): Promise<ISessionStatus>;
}

/** This server's /beamhub/session. */
export class SessionClient implements ISessionAPI {
  constructor(
    private readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  private request(init: RequestInit = {}): Promise<ISessionStatus> {
    return serverRequest(this.settings, '/beamhub/session', init, 'session');
  }

  status(): Promise<ISessionStatus> {
    return this.request();
  }

  extend(minutes: number): Promise<ISessionStatus> {
    return this.request({ method: 'POST', body: JSON.stringify({ minutes }) });
  }
}

/** "1 h 05 min", "12 min", "under a minute". */
export function formatLeft(seconds: number): string {
  if (seconds < 60) {
    return 'under a minute';
  }
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return hours ? `${hours} h ${String(rest).padStart(2, '0')} min` : `${minutes} min`;
}

const END_WORDS: Record<EndKind, string> = {
  walltime: 'walltime',
  idle: 'idle cull',
  max_age: 'maximum session length'
};

export class SessionModel {
  constructor(
    private readonly api: ISessionAPI,
    private readonly clock: () => number = () => Date.now()
  ) {}

  status: ISessionStatus | null = null;
  error = '';
  busy = false;
  /** The server's clock minus ours, from the last answer (the countdown uses the server's). */
  private offsetMs = 0;
  private warned = new Set<string>();
  private announced = new Set<string>();
  private _changed = new Signal<this, void>(this);
  private _warning = new Signal<this, ISessionWarning>(this);
  private _announcement = new Signal<this, IAnnouncement>(this);

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** Each warning once per end time (a new one after an extension brings it back). */
  get warning(): ISignal<this, ISessionWarning> {
    return this._warning;
  }
  /** Each announcement once. */
  get announcement(): ISignal<this, IAnnouncement> {
    return this._announcement;
  }

  async refresh(): Promise<void> {
    try {
      this.accept(await this.api.status());
      this.error = '';
    } catch (error) {
      this.error = describeError(error);
    }
    this._changed.emit();
  }

  /** Extend the walltime by `minutes` (default: one step, at most what is left to extend).
   * Resolves to an error sentence ('' if extended). */
  async extend(minutes?: number): Promise<string> {
    const asked = minutes ?? this.extendBy();
    this.busy = true;
    this._changed.emit();
    try {
      this.accept(await this.api.extend(asked));
      return '';
    } catch (error) {
      return describeError(error);
    } finally {
      this.busy = false;
      this._changed.emit();
    }
  }

  private accept(status: ISessionStatus): void {
    this.status = status;
    this.offsetMs = Date.parse(status.now) - this.clock();
    for (const warning of status.warnings) {
      const key = `${warning.kind}@${this.endOf(warning.kind)}`;
      if (!this.warned.has(key)) {
        this.warned.add(key);
        this._warning.emit(warning);
      }
    }
    for (const item of status.announcements) {
      if (!this.announced.has(item.id)) {
        this.announced.add(item.id);
        this._announcement.emit(item);
      }
    }
  }

  private endOf(kind: EndKind): string {
    const s = this.status;
    if (!s) {
      return '';
    }
    return (
      (kind === 'walltime' ? s.walltime?.ends_at : kind === 'idle' ? s.idle?.cull_at : s.max_age?.ends_at) ?? ''
    );
  }

  /** Seconds until the server ends (by the first limit), counted down since the last answer. */
  leftSeconds(): number | null {
    const end = this.status?.ends_at;
    if (!end) {
      return null;
    }
    return Math.max(0, Math.floor((Date.parse(end) - (this.clock() + this.offsetMs)) / 1000));
  }

  canExtend(): boolean {
    return !!this.status?.walltime && this.status.walltime.extendable_minutes > 0;
  }

  extendBy(): number {
    const wall = this.status?.walltime;
    if (!wall) {
      return 0;
    }
    return Math.min(this.status!.extend_step_minutes, wall.extendable_minutes);
  }

  /** The status bar's text. */
  label(): string {
    if (!this.status) {
      return this.error ? 'Session: unknown' : 'Session…';
    }
    const left = this.leftSeconds();
    if (left === null) {
      return 'Session: no time limit';
    }
    return `Session: ${formatLeft(left)} left`;
  }

  /** Sentences for the details dialog. */
  details(): string[] {
    const s = this.status;
    if (!s) {
      return [this.error || 'The session status is not known yet.'];
    }
    const lines: string[] = [];
    const now = this.clock() + this.offsetMs;
    const at = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const left = (iso: string) => formatLeft(Math.max(0, (Date.parse(iso) - now) / 1000));
    if (s.walltime) {
      lines.push(
        `Walltime: ends at ${at(s.walltime.ends_at)} (${left(s.walltime.ends_at)} left); ` +
          `limit ${s.walltime.limit_minutes} min of at most ${s.walltime.max_minutes} min.`
      );
    }
    if (s.idle) {
      lines.push(
        `Idle cull: after ${formatLeft(s.idle.timeout_seconds)} without activity (at ${at(s.idle.cull_at)} if you stay idle).`
      );
    }
    if (s.max_age) {
      lines.push(`Maximum session length: ends at ${at(s.max_age.ends_at)}.`);
    }
    if (s.ends_by) {
      lines.push(`First to come: the ${END_WORDS[s.ends_by]}.`);
    } else {
      lines.push('This server has no time limit.');
    }
    return lines;
  }
}
