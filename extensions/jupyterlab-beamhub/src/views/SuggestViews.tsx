/**
 * The AI-assisted fog filter's views (issue 16): the suggested ranking with each
 * dataset's predicted score and why, "Select suggested", pre-filled parameters with
 * where they came from, and a dataset's similarity group. Everything here is labelled
 * as a suggestion; nothing is applied without the user asking.
 */
import * as React from 'react';
import { useEffect, useState } from 'react';

import { plural } from '../format';
import { BasketModel } from '../model/basket';
import { describeError } from '../model/errors';
import {
  ISimilarityGroup,
  ISuggestion,
  SuggestModel,
  WORTH_SCORE
} from '../model/suggest';
import { VoteModel } from '../model/votes';
import { IDataset } from '../types';
import { useSignals } from './hooks';
import { DatasetActions, DatasetMeta, DatasetName } from './DatasetRow';

export function ScoreBadge(props: { item: ISuggestion }): JSX.Element {
  const { item } = props;
  if (item.score === null || item.score === undefined) {
    return (
      <span className="jp-Beamhub-score jp-mod-none" title={item.reason}>
        no suggestion
      </span>
    );
  }
  const worth = item.score >= WORTH_SCORE;
  return (
    <span
      className={'jp-Beamhub-score' + (worth ? ' jp-mod-worth' : '')}
      title={`Suggestion: predicted chance of a like ${item.score.toFixed(2)}; ${item.reason}`}
      data-score={item.score}
    >
      suggested {item.score.toFixed(2)}
    </span>
  );
}

/** Why a dataset is scored as it is: the nearest voted datasets and the weightiest features. */
export function SuggestionWhy(props: { item: ISuggestion; open?: boolean }): JSX.Element {
  const { item } = props;
  return (
    <details className="jp-Beamhub-why" open={props.open}>
      <summary>Why?</summary>
      <p className="jp-Beamhub-whyReason">{item.reason}</p>
      {(item.neighbours ?? []).length > 0 && (
        <>
          <div className="jp-Beamhub-whyTitle">Most similar voted datasets</div>
          <ul>
            {(item.neighbours ?? []).map(n => (
              <li key={n.pid} title={n.pid}>
                {n.datasetName}: {plural(n.likes, 'like')}, {plural(n.dislikes, 'dislike')} (similarity{' '}
                {n.similarity.toFixed(2)})
              </li>
            ))}
          </ul>
        </>
      )}
      {(item.features ?? []).length > 0 && (
        <>
          <div className="jp-Beamhub-whyTitle">Features that weighed most</div>
          <ul>
            {(item.features ?? []).map(f => (
              <li key={f.feature}>
                {f.feature}: {f.direction} ({f.contribution > 0 ? '+' : ''}
                {f.contribution.toFixed(2)})
              </li>
            ))}
          </ul>
        </>
      )}
    </details>
  );
}

export interface ISuggestedListProps {
  suggest: SuggestModel;
  votes: VoteModel;
  basket: BasketModel;
  onOpen: (dataset: IDataset) => void;
}

/** The "Suggested" sort: the search's datasets, best suggestion first. */
export function SuggestedList(props: ISuggestedListProps): JSX.Element {
  const { suggest, basket } = props;
  useSignals(suggest.changed, basket.changed, props.votes.changed);
  let status = '';
  if (suggest.state === 'loading') {
    status = 'Suggesting…';
  } else if (suggest.state === 'error') {
    status = suggest.error ?? 'Suggestions failed.';
  } else if (suggest.state === 'ready') {
    status = suggest.total
      ? `Suggestions: ${plural(suggest.scored, 'dataset')} scored of ${suggest.total.toLocaleString('en')}`
      : suggest.worthOnly
        ? 'No dataset of this search is suggested as worth processing.'
        : 'No datasets match.';
  }
  return (
    <div className="jp-Beamhub-suggested" data-state={suggest.state}>
      <div
        className={'jp-Beamhub-status' + (suggest.state === 'error' ? ' jp-mod-error' : '')}
        role="status"
      >
        {status}
      </div>
      <ul className="jp-Beamhub-suggestedList" aria-label="Suggested datasets">
        {suggest.items.map(item => (
          <SuggestedRow key={item.pid} item={item} {...props} />
        ))}
      </ul>
      {suggest.hasMore && (
        <button type="button" className="jp-mod-styled jp-Beamhub-more" onClick={() => void suggest.loadMore()}>
          More suggestions
        </button>
      )}
    </div>
  );
}

function SuggestedRow(props: ISuggestedListProps & { item: ISuggestion }): JSX.Element {
  const { item, basket } = props;
  const dataset = item.dataset;
  if (!dataset) {
    return <li className="jp-Beamhub-suggestion" data-pid={item.pid} />;
  }
  return (
    <li className="jp-Beamhub-suggestion" data-pid={dataset.pid} data-score={item.score ?? ''}>
      <div className="jp-Beamhub-suggestionHead">
        <DatasetName dataset={dataset} onOpen={() => props.onOpen(dataset)} />
        <ScoreBadge item={item} />
      </div>
      <DatasetMeta dataset={dataset}>
        <span title="Technique">{item.technique}</span>
      </DatasetMeta>
      <DatasetActions dataset={dataset} votes={props.votes} basket={basket} />
      <SuggestionWhy item={item} />
    </li>
  );
}

/** "Select suggested": the best suggestions of the current search into the basket. */
export function SelectSuggested(props: {
  suggest: SuggestModel;
  basket: BasketModel;
  onDone?: (added: number) => void;
}): JSX.Element {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <span className="jp-Beamhub-selectSuggested">
      <button
        type="button"
        className="jp-mod-styled jp-Beamhub-selectSuggestedButton"
        disabled={busy}
        title={`Add up to ${props.suggest.basketSize} datasets of the current search that are suggested as worth processing (score ≥ ${WORTH_SCORE}); review them before submitting`}
        onClick={async () => {
          setBusy(true);
          try {
            const added = await props.suggest.selectSuggested(props.basket);
            setMessage(
              added
                ? `Added ${plural(added, 'suggested dataset')}: review before submitting.`
                : 'No further dataset of this search is suggested as worth processing.'
            );
            props.onDone?.(added);
          } catch (error) {
            setMessage(describeError(error));
          } finally {
            setBusy(false);
          }
        }}
      >
        Select suggested
      </button>
      {message && <span className="jp-Beamhub-hint" role="status">{message}</span>}
    </span>
  );
}

/** "Suggest parameters" and where the pre-filled values came from. */
export function SuggestedParameters(props: {
  suggest: SuggestModel;
  basket: BasketModel;
  openPid: (pid: string) => void;
}): JSX.Element | null {
  const { suggest, basket } = props;
  useSignals(suggest.changed);
  const [error, setError] = useState<string | null>(null);
  if (!basket.processing || basket.size === 0) {
    return null;
  }
  const found = suggest.parameterSources;
  const shown = found && found.processing === basket.processing ? found : null;
  return (
    <div className="jp-Beamhub-suggestedParameters">
      <button
        type="button"
        className="jp-mod-styled jp-Beamhub-suggestParameters"
        title="Fill in the parameters chosen for the most similar datasets you and your group liked"
        onClick={() => {
          setError(null);
          suggest.suggestParameters(basket).catch(e => setError(describeError(e)));
        }}
      >
        Suggest parameters
      </button>
      {error && <span className="jp-Beamhub-status jp-mod-error">{error}</span>}
      {shown && (
        <div className="jp-Beamhub-provenance" role="status">
          <span className="jp-Beamhub-tag">suggestion</span> {shown.reason}
          {Object.keys(shown.values).length > 0 && (
            <ul>
              {Object.entries(shown.values).map(([name, value]) => (
                <li key={name} data-parameter={name}>
                  <code>
                    {name} = {JSON.stringify(value)}
                  </code>{' '}
                  from{' '}
                  {(shown.sources[name] ?? []).map((pid, i) => (
                    <React.Fragment key={pid}>
                      {i > 0 && ', '}
                      <a
                        href="#"
                        title={pid}
                        onClick={event => {
                          event.preventDefault();
                          props.openPid(pid);
                        }}
                      >
                        {pid}
                      </a>
                    </React.Fragment>
                  ))}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

/** On a dataset's page: its suggestion and its similarity group. */
export function SimilarityGroupSection(props: {
  suggest: SuggestModel;
  pid: string;
  openPid: (pid: string) => void;
}): JSX.Element {
  const { suggest, pid } = props;
  const [group, setGroup] = useState<ISimilarityGroup | null>(null);
  const [item, setItem] = useState<ISuggestion | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    suggest
      .similar(pid)
      .then(found => live && setGroup(found))
      .catch(e => live && setError(describeError(e)));
    suggest
      .explain(pid)
      .then(found => live && setItem(found))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [pid]);
  return (
    <section className="jp-Beamhub-similarity">
      <h2>
        Suggestion and similar datasets <span className="jp-Beamhub-tag">suggestion</span>
      </h2>
      {item && (
        <div className="jp-Beamhub-suggestionHead">
          <ScoreBadge item={item} />
          <SuggestionWhy item={item} />
        </div>
      )}
      {error && <p className="jp-Beamhub-status jp-mod-error">{error}</p>}
      {group && (
        <>
          <p className="jp-Beamhub-groupSummary">
            Similarity group: {plural(group.size, 'dataset')} of {group.technique} whose frames look alike;
            average frame score {group.averageFrameScore.toFixed(2)}, like ratio{' '}
            {group.likeRatio === null || group.likeRatio === undefined
              ? 'not known (no votes)'
              : `${group.likeRatio.toFixed(2)} of ${plural(group.votes, 'vote')}`}
            .
          </p>
          <ul className="jp-Beamhub-groupMembers">
            {group.members
              .filter(m => m.pid !== pid)
              .slice(0, 20)
              .map(m => (
                <li key={m.pid}>
                  <a
                    href="#"
                    title={m.pid}
                    onClick={event => {
                      event.preventDefault();
                      props.openPid(m.pid);
                    }}
                  >
                    {m.datasetName}
                  </a>
                </li>
              ))}
          </ul>
        </>
      )}
    </section>
  );
}
