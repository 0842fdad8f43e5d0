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
 * - {@link overviewNotebook}: the same as a notebook of interactive hvplot (Bokeh) plots,
 *   which the panel opens, so staff can zoom, hover and take the numbers further.
 */
import { ISignal, Signal } from '@lumino/signaling';

import type { components } from '../api.gen';
import { CatalogueClient } from '../api';
import { describeError } from './errors';

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

function code(source: string): any {
  return { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source };
}

function markdown(source: string): any {
  return { cell_type: 'markdown', metadata: {}, source };
}

export function overviewNotebook(
  beamline: string,
  kernel = { name: 'python3', display_name: 'Python 3 (ipykernel)' }
): any {
  const name = JSON.stringify(beamline);
  return {
    cells: [
      markdown(
        `# Beamline ${beamline}: votes, jobs and templates\n\n` +
          'For the beamline\'s staff only (the catalogue refuses others). Re-run to refresh.'
      ),
      {
        ...code(
          [
            'import hvplot.pandas  # noqa: F401  (interactive Bokeh plots)',
            'import pandas as pd',
            'from beamhub.client import Catalogue',
            '',
            `BEAMLINE = ${name}`,
            'overview = Catalogue()._json("GET", f"/beamlines/{BEAMLINE}/overview")',
            'votes = pd.DataFrame([',
            '    {"pid": d["pid"], "dataset": d["datasetName"], "proposal": d["proposalId"], **v}',
            '    for d in overview["datasets"] for v in d["votes"]',
            '], columns=["pid", "dataset", "proposal", "user", "value", "comment", "updatedAt"])',
            'votes["updatedAt"] = pd.to_datetime(votes["updatedAt"])',
            'votes["like"] = (votes["value"] == "like").astype(int)',
            'print(f"{len(votes)} votes on {votes.pid.nunique()} datasets of {BEAMLINE}")'
          ].join('\n')
        ),
        metadata: { tags: ['parameters'] }
      },
      markdown('## Datasets, likes and dislikes, and who voted'),
      code(
        [
          'per_dataset = pd.DataFrame([',
          '    {"dataset": d["datasetName"], "proposal": d["proposalId"], "likes": d["likes"],',
          '     "dislikes": d["dislikes"],',
          '     "votes": "; ".join(f\'{v["user"]}: {v["value"]}\' + (f\' ("{v["comment"]}")\' if v["comment"] else "")',
          '                        for v in d["votes"])}',
          '    for d in overview["datasets"]',
          '])',
          'per_dataset'
        ].join('\n')
      ),
      markdown('## Like ratio over time and per proposal'),
      code(
        [
          'by_day = votes.set_index("updatedAt").resample("D")["like"].agg(["mean", "count"]).dropna().reset_index()',
          'by_day.hvplot.line(x="updatedAt", y="mean", hover_cols=["count"], ylim=(0, 1), ylabel="like ratio",',
          '                   xlabel="day", title="Like ratio of the votes cast each day", width=650, height=300)'
        ].join('\n')
      ),
      code(
        [
          'by_proposal = votes.groupby("proposal")["like"].agg(["mean", "count"]).reset_index()',
          'by_proposal.hvplot.bar(x="proposal", y="mean", hover_cols=["count"], ylim=(0, 1), ylabel="like ratio",',
          '                       title="Like ratio per proposal", width=650, height=300)'
        ].join('\n')
      ),
      markdown('## Selections and jobs on the beamline\'s data'),
      code(
        [
          'selections = pd.DataFrame(overview["selections"], columns=["name", "owner", "status", "processing",',
          '                                                           "on_beamline", "jobId", "createdAt"])',
          'selections'
        ].join('\n')
      ),
      markdown('## Templates opened'),
      code(
        [
          'opens = pd.Series(overview["template_opens"], name="opens", dtype=int).rename_axis("template").reset_index()',
          'opens.hvplot.barh(x="template", y="opens", title="How often each template was opened", width=650,',
          '                  height=250) if len(opens) else "No template of this beamline opened yet."'
        ].join('\n')
      )
    ],
    metadata: {
      kernelspec: { ...kernel, language: 'python' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}
