/**
 * The fog-filter basket (main area): the chosen datasets side by side with their
 * previews, the selection's name, the processing step and its parameters (a form
 * generated from the step's JSON schema, as JupyterLab's settings editor does), the
 * submit button, and the submitted selections (this session's and earlier ones) with
 * their status.
 */
import { FormComponent, ReactWidget } from '@jupyterlab/ui-components';
import validator from '@rjsf/validator-ajv8';
import * as React from 'react';

import { ICatalogueAPI } from '../api';
import { formatDate, formatDateTime, formatSize, idsOf, plural } from '../format';
import { BasketModel } from '../model/basket';
import { JobModel } from '../model/job';
import { SuggestModel } from '../model/suggest';
import { IDataset } from '../types';
import { useSignals } from './hooks';
import { basketIcon } from './icons';
import { PidLink } from './DatasetView';
import { SelectSuggested, SuggestedParameters } from './SuggestViews';

export interface IBasketViewOptions {
  api: ICatalogueAPI;
  basket: BasketModel;
  /** Suggestions: "Select suggested" and pre-filled parameters; none: not shown. */
  suggest?: SuggestModel;
  openDataset: (dataset: IDataset) => void;
  openPid: (pid: string) => void;
  openPidsInNotebook: (pids: string[]) => void;
  thumbnailSize: number;
}

export class BasketView extends ReactWidget {
  constructor(private options: IBasketViewOptions) {
    super();
    this.id = 'beamhub-selection';
    this.addClass('jp-Beamhub-basket');
    this.title.label = 'Selection';
    this.title.caption = 'Datasets selected for processing';
    this.title.icon = basketIcon;
    this.title.closable = true;
    void options.basket.loadSteps();
    void options.basket.loadJobs();
  }

  render(): JSX.Element {
    return <Basket {...this.options} />;
  }
}

function Basket(props: IBasketViewOptions): JSX.Element {
  const { basket, api } = props;
  useSignals(basket.changed);
  const step = basket.step;
  const parameterErrors =
    step && Object.keys(basket.schema.properties ?? {}).length > 0
      ? validator.validateFormData(basket.parameters as any, basket.schema as any).errors
      : [];
  const problem =
    basket.problem ??
    (parameterErrors.length
      ? `Fix the parameters first: ${parameterErrors.map(e => e.stack).join('; ')}`
      : null);
  return (
    <div className="jp-Beamhub-basketBody">
      <h1>Selection for processing</h1>
      {basket.size > 0 && (
        <button
          type="button"
          className="jp-mod-styled jp-Beamhub-openSelection"
          title="One notebook with every selected dataset loaded: the template for their beamline, technique and kind"
          onClick={() => props.openPidsInNotebook(basket.items.map(d => d.pid))}
        >
          Open the whole selection in a notebook
        </button>
      )}
      {props.suggest && <SelectSuggested suggest={props.suggest} basket={basket} />}
      {basket.size === 0 ? (
        <p className="jp-Beamhub-empty">
          The selection is empty. Add datasets from the Catalogue panel or a dataset’s page.
        </p>
      ) : (
        <div className="jp-Beamhub-cards">
          {basket.items.map(dataset => (
            <article className="jp-Beamhub-card" key={dataset.pid} data-pid={dataset.pid}>
              <img
                src={api.previewUrl(dataset.pid, 'thumb')}
                alt={`Preview of ${dataset.datasetName}`}
                loading="lazy"
                onError={event => event.currentTarget.classList.add('jp-mod-missing')}
              />
              <a
                href="#"
                className="jp-Beamhub-cardName"
                onClick={event => {
                  event.preventDefault();
                  props.openDataset(dataset);
                }}
              >
                {dataset.datasetName}
              </a>
              <div className="jp-Beamhub-resultMeta">
                {dataset.creationLocation && <span>{dataset.creationLocation}</span>}
                {idsOf(dataset.proposalId, dataset.proposalIds).length > 0 && (
                  <span>{idsOf(dataset.proposalId, dataset.proposalIds).join(', ')}</span>
                )}
                <span>{formatDate(dataset.creationTime)}</span>
                <span>{formatSize(dataset.size)}</span>
              </div>
              <button
                type="button"
                className="jp-mod-styled jp-Beamhub-remove"
                onClick={() => basket.remove(dataset.pid)}
              >
                Remove
              </button>
            </article>
          ))}
        </div>
      )}
      <form
        className="jp-Beamhub-submitForm"
        onSubmit={event => {
          event.preventDefault();
          void basket.submit();
        }}
      >
        <label className="jp-Beamhub-field">
          <span>Name</span>
          <input
            className="jp-mod-styled jp-Beamhub-selectionName"
            value={basket.name}
            placeholder="e.g. best lysozyme crystals"
            maxLength={200}
            onChange={event => basket.setName(event.currentTarget.value)}
          />
        </label>
        <label className="jp-Beamhub-field">
          <span>Processing</span>
          <select
            className="jp-mod-styled jp-Beamhub-processing"
            value={basket.processing}
            onChange={event => basket.setProcessing(event.currentTarget.value)}
          >
            {basket.steps.length === 0 && <option value="">(none available)</option>}
            {basket.steps.map(s => {
              // a step that cannot take the selection stays listed, greyed, with why
              const refusal = basket.size ? basket.refusalOf(s.name) : null;
              return (
                <option
                  key={s.name}
                  value={s.name}
                  disabled={refusal !== null && s.name !== basket.processing}
                  title={refusal ?? s.accepts}
                  data-refused={refusal !== null ? 'true' : undefined}
                >
                  {s.title || s.name}
                  {refusal !== null ? ' (cannot take this selection)' : ''}
                </option>
              );
            })}
          </select>
        </label>
        {step?.description && <p className="jp-Beamhub-stepHelp">{step.description}</p>}
        {basket.refusal && (
          <p className="jp-Beamhub-stepRefusal jp-mod-error" role="alert">
            {basket.refusal}
          </p>
        )}
        {props.suggest && (
          <SuggestedParameters suggest={props.suggest} basket={basket} openPid={props.openPid} />
        )}
        {step && Object.keys(basket.schema.properties ?? {}).length > 0 && (
          <div className="jp-Beamhub-parametersForm">
            <FormComponent
              schema={basket.schema as any}
              formData={basket.parameters as any}
              validator={validator as any}
              liveValidate
              tagName="div"
              onChange={event => basket.setParameters((event.formData ?? {}) as any)}
            />
          </div>
        )}
        {basket.error && (
          <div className="jp-Beamhub-status jp-mod-error" role="alert">
            {basket.error}
          </div>
        )}
        <div className="jp-Beamhub-submitRow">
          <button
            type="submit"
            className="jp-mod-styled jp-mod-accept jp-Beamhub-submit"
            disabled={problem !== null || basket.submitting}
            title={problem ?? 'Record this selection and start processing'}
          >
            {basket.submitting ? 'Submitting…' : `Submit ${plural(basket.size, 'dataset')}`}
          </button>
          {problem && (
            <span className="jp-Beamhub-hint">
              {problem === basket.refusal ? 'Choose a step that takes these datasets.' : problem}
            </span>
          )}
        </div>
      </form>
      {basket.jobs.length > 0 && (
        <section className="jp-Beamhub-jobs">
          <h2>Submitted</h2>
          {basket.jobs.map(job => (
            <Job key={job.selection.id} job={job} {...props} />
          ))}
        </section>
      )}
    </div>
  );
}

function Job(props: IBasketViewOptions & { job: JobModel }): JSX.Element {
  const { job } = props;
  useSignals(job.changed);
  const s = job.selection;
  return (
    <div className="jp-Beamhub-job" data-selection={s.id} data-status={s.status}>
      <div className="jp-Beamhub-jobHead">
        <strong className="jp-Beamhub-jobName" title={s.name}>
          {s.name}
        </strong>
        <span className={`jp-Beamhub-pill jp-Beamhub-status-${s.status}`}>{s.status}</span>
        <span className="jp-Beamhub-jobMeta">
          {s.datasets.length} datasets · {s.processing || 'no processing'}
          {s.jobId ? ` · job ${s.jobId}` : ''} · submitted {formatDateTime(s.submittedAt)}
        </span>
      </div>
      {s.message && <pre className="jp-Beamhub-jobMessage">{s.message}</pre>}
      {job.error && <div className="jp-Beamhub-status jp-mod-error">{job.error}</div>}
      {s.status === 'done' && (
        <div className="jp-Beamhub-jobResults">
          {s.derivedDatasets.length === 0 ? (
            <span>Finished; it registered no derived datasets.</span>
          ) : (
            <>
              <span>Derived datasets:</span>
              <ul>
                {s.derivedDatasets.map(pid => (
                  <li key={pid}>
                    <PidLink pid={pid} open={props.openPid} />
                  </li>
                ))}
              </ul>
              <button
                type="button"
                className="jp-mod-styled"
                onClick={() => props.openPidsInNotebook(s.derivedDatasets)}
              >
                Open derived data in a notebook
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}
