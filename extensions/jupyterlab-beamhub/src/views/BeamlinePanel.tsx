/**
 * The "Beamline" panel for beamline staff (main area): their beamline's voted datasets
 * with likes, dislikes, who voted and their comments; the like ratio per proposal and
 * per day; selections and jobs on the beamline's data with their status; how often each
 * template was opened. "Interactive plots" opens the same numbers as a notebook of
 * hvplot (Bokeh) plots. Only created for staff; the service refuses the data to others.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatDateTime } from '../format';
import { BeamlineModel, IRatio, ratioByDay, ratioByProposal, templateOpens } from '../model/beamline';
import { useSignals } from './hooks';

export interface IBeamlinePanelOptions {
  model: BeamlineModel;
  /** Open the hvplot notebook of this beamline's overview. */
  openPlots: (beamline: string) => void;
}

export class BeamlinePanel extends ReactWidget {
  constructor(private options: IBeamlinePanelOptions) {
    super();
    this.id = 'beamhub-beamline';
    this.addClass('jp-Beamhub-beamline');
    this.title.label = 'Beamline';
    this.title.caption = 'Votes, selections and template use on your beamline (staff)';
    this.title.closable = true;
    void options.model.load();
  }

  render(): JSX.Element {
    return <Beamline {...this.options} />;
  }
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

function RatioTable(props: { title: string; label: string; rows: IRatio[] }): JSX.Element {
  return (
    <section className="jp-Beamhub-beamlineRatios">
      <h3>{props.title}</h3>
      {props.rows.length === 0 ? (
        <p>No votes yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{props.label}</th>
              <th>likes</th>
              <th>dislikes</th>
              <th>like ratio</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map(r => (
              <tr key={r.key}>
                <td>{r.key}</td>
                <td>{r.likes}</td>
                <td>{r.dislikes}</td>
                <td>
                  <meter min={0} max={1} value={r.ratio} /> {percent(r.ratio)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Beamline(props: IBeamlinePanelOptions): JSX.Element {
  const { model } = props;
  useSignals(model.changed);
  const overview = model.overview;
  return (
    <div className="jp-Beamhub-beamlineBody" style={{ overflow: 'auto', height: '100%', padding: '8px' }}>
      <div className="jp-Beamhub-beamlineToolbar">
        <label>
          Beamline{' '}
          <select
            aria-label="Beamline"
            value={model.beamline}
            onChange={event => void model.load(event.target.value)}
          >
            {model.beamlines.map(b => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <button className="jp-mod-styled" onClick={() => void model.load()} disabled={model.loading}>
          Refresh
        </button>
        <button className="jp-mod-styled jp-mod-accept" onClick={() => props.openPlots(model.beamline)}>
          Interactive plots (hvplot)
        </button>
      </div>
      {model.error && (
        <p className="jp-Beamhub-beamlineError" style={{ color: 'var(--jp-error-color1)' }}>
          {model.error}
        </p>
      )}
      {model.loading && !overview && <p>Loading…</p>}
      {overview && (
        <>
          <section className="jp-Beamhub-beamlineVotes">
            <h3>Voted datasets of {overview.beamline}</h3>
            {overview.datasets.length === 0 ? (
              <p>No dataset of {overview.beamline} has a vote yet.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>dataset</th>
                    <th>proposal</th>
                    <th>likes</th>
                    <th>dislikes</th>
                    <th>votes</th>
                  </tr>
                </thead>
                <tbody>
                  {overview.datasets.map(d => (
                    <tr key={d.pid} data-pid={d.pid}>
                      <td title={d.pid}>{d.datasetName}</td>
                      <td>{d.proposalId ?? ''}</td>
                      <td>{d.likes}</td>
                      <td>{d.dislikes}</td>
                      <td>
                        <ul className="jp-Beamhub-beamlineVoters">
                          {d.votes.map(v => (
                            <li key={v.user} data-user={v.user} title={formatDateTime(v.updatedAt)}>
                              <b>{v.user}</b>: {v.value}
                              {v.comment ? <> <q>{v.comment}</q></> : null}
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <RatioTable title="Like ratio per proposal" label="proposal" rows={ratioByProposal(overview)} />
          <RatioTable title="Like ratio per day" label="day (UTC)" rows={ratioByDay(overview)} />
          <section className="jp-Beamhub-beamlineSelections">
            <h3>Selections and jobs on its data</h3>
            {overview.selections.length === 0 ? (
              <p>No selection holds its datasets.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>selection</th>
                    <th>owner</th>
                    <th>processing</th>
                    <th>datasets here</th>
                    <th>status</th>
                    <th>job</th>
                  </tr>
                </thead>
                <tbody>
                  {overview.selections.map(s => (
                    <tr key={s.id}>
                      <td title={formatDateTime(s.createdAt)}>{s.name}</td>
                      <td>{s.owner}</td>
                      <td>{s.processing || '—'}</td>
                      <td>
                        {s.on_beamline} of {s.datasets}
                      </td>
                      <td className={`jp-Beamhub-status-${s.status}`}>{s.status}</td>
                      <td>{s.jobId ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section className="jp-Beamhub-beamlineTemplates">
            <h3>Templates opened</h3>
            {Object.keys(overview.template_opens).length === 0 ? (
              <p>No template of {overview.beamline} opened yet.</p>
            ) : (
              <table>
                <tbody>
                  {templateOpens(overview).map(t => (
                    <tr key={t.template}>
                      <td>{t.template}</td>
                      <td>{t.opens}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </div>
  );
}
