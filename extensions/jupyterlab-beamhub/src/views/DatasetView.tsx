/**
 * A dataset's detail view (main area): every field, the scientific metadata as a
 * table, a larger preview, its files and its lineage both ways.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { useEffect, useState } from 'react';

import { ICatalogueAPI } from '../api';
import { dataPaths, seenPath } from '../datapaths';
import { formatDateTime, formatMetadataValue, formatSize, idsOf, PID_PATTERN } from '../format';
import { BasketModel } from '../model/basket';
import { describeError } from '../model/errors';
import { SuggestModel } from '../model/suggest';
import { VoteModel } from '../model/votes';
import { IDataset } from '../types';
import { useSignals } from './hooks';
import { FramePreview, SeenPathView } from './DataViews';
import { catalogueIcon } from './icons';
import { SimilarityGroupSection } from './SuggestViews';
import { VoteButtons, VoteComment } from './VoteButtons';

export interface IDatasetViewOptions {
  api: ICatalogueAPI;
  votes: VoteModel;
  basket: BasketModel;
  /** Suggestions: the dataset's score and similarity group; none: not shown. */
  suggest?: SuggestModel;
  openPid: (pid: string) => void;
  openInNotebook: (datasets: IDataset[]) => void;
  copyCode: (dataset: IDataset) => void;
  /** Shows a folder (a path from the server's root) in the file browser. */
  openPath?: (relative: string) => void;
}

const MAX_FILES_SHOWN = 200;

export class DatasetView extends ReactWidget {
  constructor(
    readonly pid: string,
    private options: IDatasetViewOptions,
    initial?: IDataset
  ) {
    super();
    this.addClass('jp-Beamhub-detail');
    this.title.label = initial?.datasetName ?? pid;
    this.title.caption = pid;
    this.title.icon = catalogueIcon;
    this.title.closable = true;
    this._initial = initial;
  }

  render(): JSX.Element {
    return (
      <Detail
        {...this.options}
        pid={this.pid}
        initial={this._initial}
        onLoaded={dataset => {
          this.title.label = dataset.datasetName;
        }}
      />
    );
  }

  private _initial?: IDataset;
}

function Detail(
  props: IDatasetViewOptions & {
    pid: string;
    initial?: IDataset;
    onLoaded: (d: IDataset) => void;
  }
): JSX.Element {
  const { api, votes, basket, pid } = props;
  const [dataset, setDataset] = useState<IDataset | null>(null);
  const [derived, setDerived] = useState<IDataset[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useSignals(votes.changed, basket.changed);

  useEffect(() => {
    let live = true;
    api
      .dataset(pid)
      .then(found => {
        if (live) {
          setDataset(found);
          votes.seed([found]);
          props.onLoaded(found);
        }
      })
      .catch(reason => live && setError(describeError(reason)));
    api
      .derived(pid)
      .then(found => live && setDerived(found))
      .catch(() => live && setDerived([]));
    return () => {
      live = false;
    };
  }, [pid]);

  if (error) {
    return (
      <div className="jp-Beamhub-detailBody">
        <div className="jp-Beamhub-status jp-mod-error" role="alert">
          This dataset cannot be shown: {error}
        </div>
      </div>
    );
  }
  if (!dataset) {
    return (
      <div className="jp-Beamhub-detailBody">
        <div className="jp-Beamhub-status">Loading {pid}…</div>
      </div>
    );
  }
  const inBasket = basket.has(dataset.pid);
  const metadata = Object.entries(dataset.scientificMetadata ?? {});
  const files = dataset.files ?? [];
  const fields: [string, React.ReactNode][] = [
    ['PID', <code key="pid">{dataset.pid}</code>],
    ['Type', dataset.type],
    ['Beamline', dataset.creationLocation ?? '–'],
    ['Proposal', idsOf(dataset.proposalId, dataset.proposalIds).join(', ') || '–'],
    ['Sample', idsOf(dataset.sampleId, dataset.sampleIds).join(', ') || '–'],
    ['Instrument', idsOf(dataset.instrumentId, dataset.instrumentIds).join(', ') || '–'],
    ['Techniques', (dataset.techniques ?? []).map(t => t.name).join(', ') || '–'],
    ['Created', formatDateTime(dataset.creationTime)],
    ['Size', `${formatSize(dataset.size)} in ${dataset.numberOfFiles ?? files.length} files`],
    ['Owner', `${dataset.owner || '–'} (group ${dataset.ownerGroup})`],
    ['Access groups', (dataset.accessGroups ?? []).join(', ') || '–'],
    ['Published', dataset.isPublished ? 'yes' : 'no'],
    ['Keywords', (dataset.keywords ?? []).join(', ') || '–'],
    [
      'Source folder',
      dataset.sourceFolder ? (
        <SeenPathView
          key="src"
          seen={seenPath(dataset.sourceFolder, dataPaths())}
          facilityPath={dataset.sourceFolder}
          openPath={props.openPath}
        />
      ) : (
        '–'
      )
    ]
  ];
  return (
    <div className="jp-Beamhub-detailBody">
      <header className="jp-Beamhub-detailHeader">
        <h1 className="jp-Beamhub-detailTitle">{dataset.datasetName}</h1>
        <div className="jp-Beamhub-detailActions">
          <VoteButtons dataset={dataset} votes={votes} />
          <button
            type="button"
            className={'jp-mod-styled jp-Beamhub-detailBasket' + (inBasket ? ' jp-mod-active' : '')}
            onClick={() => basket.toggle(dataset)}
          >
            {inBasket ? 'In selection ✓' : 'Add to selection'}
          </button>
          <button
            type="button"
            className="jp-mod-styled jp-Beamhub-openNotebook"
            onClick={() => props.openInNotebook([dataset])}
          >
            Open in notebook
          </button>
          <button
            type="button"
            className="jp-mod-styled jp-Beamhub-copyCode"
            onClick={() => props.copyCode(dataset)}
          >
            Copy code
          </button>
        </div>
        <VoteComment dataset={dataset} votes={votes} />
      </header>
      {dataset.description && <p className="jp-Beamhub-description">{dataset.description}</p>}
      <div className="jp-Beamhub-detailGrid">
        <FramePreview api={api} dataset={dataset} />
        <table className="jp-Beamhub-table jp-Beamhub-fields">
          <tbody>
            {fields.map(([name, value]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section>
        <h2>Scientific metadata</h2>
        {metadata.length === 0 ? (
          <p className="jp-Beamhub-empty">None recorded.</p>
        ) : (
          <table className="jp-Beamhub-table jp-Beamhub-scientific">
            <thead>
              <tr>
                <th>Name</th>
                <th>Value</th>
                <th>Unit</th>
              </tr>
            </thead>
            <tbody>
              {metadata.map(([name, entry]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td>{formatMetadataValue(entry?.value)}</td>
                  <td>{entry?.unit ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {props.suggest && dataset.type === 'raw' && (
        <SimilarityGroupSection suggest={props.suggest} pid={dataset.pid} openPid={props.openPid} />
      )}
      <section className="jp-Beamhub-lineage">
        <h2>Lineage</h2>
        <h3>Made from</h3>
        {(dataset.inputDatasets ?? []).length === 0 ? (
          <p className="jp-Beamhub-empty">
            {dataset.type === 'raw' ? 'Raw data: no inputs.' : `${dataset.type} data: no inputs recorded.`}
          </p>
        ) : (
          <ul>
            {(dataset.inputDatasets ?? []).map(input => (
              <li key={input}>
                {PID_PATTERN.test(input) ? (
                  <PidLink pid={input} open={props.openPid} />
                ) : (
                  <code title="Not a dataset of this catalogue">{input}</code>
                )}
              </li>
            ))}
          </ul>
        )}
        {dataset.jobParameters && Object.keys(dataset.jobParameters).length > 0 && (
          <pre className="jp-Beamhub-parameters">
            {JSON.stringify(dataset.jobParameters, null, 2)}
          </pre>
        )}
        <h3>Derived datasets</h3>
        {derived === null ? (
          <p className="jp-Beamhub-empty">Loading…</p>
        ) : derived.length === 0 ? (
          <p className="jp-Beamhub-empty">None yet.</p>
        ) : (
          <ul className="jp-Beamhub-derived">
            {derived.map(d => (
              <li key={d.pid}>
                <PidLink pid={d.pid} label={d.datasetName} open={props.openPid} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h2>Files ({files.length.toLocaleString('en')})</h2>
        {files.length === 0 ? (
          <p className="jp-Beamhub-empty">No file list recorded.</p>
        ) : (
          <table className="jp-Beamhub-table jp-Beamhub-files">
            <tbody>
              {files.slice(0, MAX_FILES_SHOWN).map(file => (
                <tr key={file.path}>
                  <td>
                    <code>{file.path}</code>
                  </td>
                  <td>{formatSize(file.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {files.length > MAX_FILES_SHOWN && (
          <p className="jp-Beamhub-empty">and {files.length - MAX_FILES_SHOWN} more</p>
        )}
      </section>
    </div>
  );
}

export function PidLink(props: {
  pid: string;
  label?: string;
  open: (pid: string) => void;
}): JSX.Element {
  return (
    <a
      href="#"
      className="jp-Beamhub-pidLink"
      data-pid={props.pid}
      onClick={event => {
        event.preventDefault();
        props.open(props.pid);
      }}
    >
      {props.label ? `${props.label} ` : ''}
      <code>{props.pid}</code>
    </a>
  );
}
