/**
 * The parts of a dataset's row that the results list and the suggestions share: its
 * name as a link, its beamline, proposals and date, its votes and the Select toggle.
 */
import * as React from 'react';

import { formatDate, idsOf } from '../format';
import { BasketModel } from '../model/basket';
import { VoteModel } from '../model/votes';
import { IDataset } from '../types';
import { basketIcon } from './icons';
import { VoteButtons } from './VoteButtons';

/** The dataset's name, opening it (``onOpen``) without following the link. */
export function DatasetName(props: {
  dataset: IDataset;
  onOpen: (event: React.MouseEvent) => void;
}): JSX.Element {
  return (
    <a
      className="jp-Beamhub-resultName"
      href="#"
      title={props.dataset.datasetName}
      onClick={event => {
        event.preventDefault();
        props.onOpen(event);
      }}
    >
      {props.dataset.datasetName}
    </a>
  );
}

/** Beamline, proposals and creation date, then what the row adds (``children``). */
export function DatasetMeta(props: { dataset: IDataset; children?: React.ReactNode }): JSX.Element {
  const { dataset } = props;
  const proposals = idsOf(dataset.proposalId, dataset.proposalIds);
  return (
    <div className="jp-Beamhub-resultMeta">
      {dataset.creationLocation && <span title="Beamline">{dataset.creationLocation}</span>}
      {proposals.length > 0 && <span title="Proposal">{proposals.join(', ')}</span>}
      <span title="Created">{formatDate(dataset.creationTime)}</span>
      {props.children}
    </div>
  );
}

/** Like, dislike and the Select toggle (clicks stay on the buttons: rows react to clicks). */
export function DatasetActions(props: {
  dataset: IDataset;
  votes: VoteModel;
  basket: BasketModel;
}): JSX.Element {
  const { dataset, basket } = props;
  const inBasket = basket.has(dataset.pid);
  return (
    <div className="jp-Beamhub-resultActions">
      <VoteButtons dataset={dataset} votes={props.votes} />
      <button
        type="button"
        className={'jp-Beamhub-addToBasket' + (inBasket ? ' jp-mod-active' : '')}
        aria-pressed={inBasket}
        title={inBasket ? 'In the selection: click to remove' : 'Add to the selection'}
        onClick={event => {
          event.stopPropagation();
          basket.toggle(dataset);
        }}
      >
        <basketIcon.react tag="span" />
        <span>{inBasket ? 'Selected' : 'Select'}</span>
      </button>
    </div>
  );
}
