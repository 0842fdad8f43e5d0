/**
 * The staff's view of their beamline, over the catalogue service's
 * `GET /beamlines/{beamline}/overview` (staff of the beamline and operators only; the
 * service refuses everyone else):
 *
 * - {@link BeamlineModel}: the overview of one of the beamlines the user is staff of, and
 *   what the "Beamline" panel shows of it: voted datasets with who voted and their
 *   comments, the like ratio per proposal and per day, selections and jobs on the
 *   beamline's data, and how often its templates were opened (no JupyterLab here, so it
 *   is tested with an in-memory {@link IBeamlineAPI});
 * - the same as a notebook of interactive hvplot (Bokeh) plots, which the panel opens
 *   so staff can zoom, hover and take the numbers further: `overviewNotebook` in
 *   ./beamlineNotebook.ts (a pure builder, re-exported here).
 */
import { ISignal, Signal } from '@lumino/signaling';

import type { components } from '../api.gen';
import { CatalogueClient } from '../api';
import { describeError } from './errors';

export { overviewNotebook } from './beamlineNotebook';

export type IBeamlineOverview = components['schemas']['BeamlineOverview'];
export type IVotedDataset = components['schemas']['VotedDataset'];
export type IBeamlineSelection = components['schemas']['BeamlineSelection'];

/** What the panel asks of the service. */
export interface IBeamlineAPI {
  overview(beamline: string): Promise<IBeamlineOverview>;
}

export class BeamlineClient implements IBeamlineAPI {
  constructor(readonly api: CatalogueClient = new CatalogueClient()) {}

  overview(beamline: string): Promise<IBeamlineOverview> {
    return this.api.request(`beamlines/${encodeURIComponent(beamline)}/overview`);
  }
}

/** Likes and dislikes of a group of votes, and their like ratio (likes / votes). */
export interface IRatio {
  key: string;
  likes: number;
  dislikes: number;
  ratio: number;
}

function ratios(keys: Iterable<[string, string]>): IRatio[] {
  const counts = new Map<string, { likes: number; dislikes: number }>();
  for (const [key, value] of keys) {
    const count = counts.get(key) ?? { likes: 0, dislikes: 0 };
    if (value === 'like') {
      count.likes += 1;
    } else {
      count.dislikes += 1;
    }
    counts.set(key, count);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, c]) => ({ key, ...c, ratio: c.likes / (c.likes + c.dislikes) }));
}

/** The like ratio of the votes on each proposal's datasets. */
export function ratioByProposal(overview: IBeamlineOverview): IRatio[] {
  return ratios(
    overview.datasets.flatMap(d => d.votes.map(v => [d.proposalId ?? '(none)', v.value] as [string, string]))
  );
}

/** The like ratio of the votes cast (last changed) each day, oldest first (UTC days). */
export function ratioByDay(overview: IBeamlineOverview): IRatio[] {
  return ratios(
    overview.datasets.flatMap(d =>
      d.votes.map(v => [new Date(v.updatedAt).toISOString().slice(0, 10), v.value] as [string, string])
    )
  );
}

/** Template opens, most opened first. */
export function templateOpens(overview: IBeamlineOverview): { template: string; opens: number }[] {
  return Object.entries(overview.template_opens)
    .map(([template, opens]) => ({ template, opens }))
    .sort((a, b) => b.opens - a.opens || a.template.localeCompare(b.template));
}

/** The overview of one of the user's beamlines, loaded on demand. */
export class BeamlineModel {
  constructor(
    private readonly api: IBeamlineAPI,
    readonly beamlines: readonly string[]
  ) {
    this._beamline = beamlines[0] ?? '';
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get beamline(): string {
    return this._beamline;
  }
  get overview(): IBeamlineOverview | null {
    return this._overview;
  }
  get loading(): boolean {
    return this._loading;
  }
  get error(): string | null {
    return this._error;
  }

  /** Load (or reload) the overview of `beamline` (default: the current one). */
  async load(beamline: string = this._beamline): Promise<void> {
    if (!this.beamlines.includes(beamline)) {
      this._error = `You are not staff of ${beamline}.`;
      this._changed.emit();
      return;
    }
    const request = ++this._request;
    if (beamline !== this._beamline) {
      this._overview = null;
    }
    this._beamline = beamline;
    this._loading = true;
    this._error = null;
    this._changed.emit();
    try {
      const overview = await this.api.overview(beamline);
      if (request === this._request) {
        this._overview = overview;
      }
    } catch (error) {
      if (request === this._request) {
        this._error = describeError(error);
      }
    } finally {
      if (request === this._request) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  private _beamline: string;
  private _overview: IBeamlineOverview | null = null;
  private _loading = false;
  private _error: string | null = null;
  private _request = 0;
  private _changed = new Signal<this, void>(this);
}
