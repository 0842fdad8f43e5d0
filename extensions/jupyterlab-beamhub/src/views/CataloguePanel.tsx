/**
 * The left-sidebar "Catalogue" panel: search box, sort, facets, metadata conditions,
 * the result list and the selection basket's summary.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { useEffect, useState } from 'react';
import { refreshIcon } from '@jupyterlab/ui-components';

import { ICatalogueAPI } from '../api';
import { plural } from '../format';
import { BasketModel } from '../model/basket';
import { describeField, SearchModel } from '../model/search';
import { SUGGESTED_SORT, SuggestModel } from '../model/suggest';
import { VoteModel } from '../model/votes';
import { Facet, FACETS, IDataset, SORTS } from '../types';
import { useSignals } from './hooks';
import { catalogueIcon } from './icons';
import { ResultsList } from './ResultsList';
import { SuggestedList } from './SuggestViews';

export interface IPanelOptions {
  api: ICatalogueAPI;
  search: SearchModel;
  votes: VoteModel;
  basket: BasketModel;
  /** Suggestions (the "Suggested" sort, the "worth processing" filter); none: not shown. */
  suggest?: SuggestModel;
  openDataset: (dataset: IDataset) => void;
  openBasket: () => void;
  thumbnailSize: number;
  facets: Facet[];
}

const FACET_LABELS: Record<Facet, string> = {
  beamline: 'Beamline',
  proposal: 'Proposal',
  technique: 'Technique',
  type: 'Type',
  year: 'Year'
};

export class CataloguePanel extends ReactWidget {
  constructor(private options: IPanelOptions) {
    super();
    this.id = 'beamhub-catalogue';
    this.addClass('jp-Beamhub-panel');
    this.title.icon = catalogueIcon;
    this.title.caption = 'Catalogue';
  }

  /** Apply new settings (thumbnail size, facets shown). */
  configure(changes: Partial<IPanelOptions>): void {
    this.options = { ...this.options, ...changes };
    this.update();
  }

  focusSearch(): void {
    this.node.querySelector<HTMLInputElement>('.jp-Beamhub-searchInput')?.focus();
  }

  focusResults(): void {
    this.node.querySelector<HTMLElement>('.jp-Beamhub-results')?.focus();
  }

  render(): JSX.Element {
    return <Panel {...this.options} />;
  }
}

function Panel(props: IPanelOptions): JSX.Element {
  const { search, votes, basket, suggest } = props;
  useSignals(search.changed, votes.changed, basket.changed, ...(suggest ? [suggest.changed] : []));
  const suggesting = suggest?.active ?? false;
  useEffect(() => void search.checkAccess(), [search]);
  return (
    <div
      className="jp-Beamhub-panelBody"
      data-state={search.state}
      data-shown-query={search.shownText}
      data-duration={Math.round(search.lastDuration)}
    >
      <div className="jp-Beamhub-header">
        <h2 className="jp-Beamhub-title">Catalogue</h2>
        <button
          type="button"
          className="jp-Beamhub-refresh jp-mod-styled"
          aria-label="Refresh the results"
          title={'Fetch the results and counts again (they also refresh by themselves while this tab is visible)' +
            (search.refreshedAt ? ` · last at ${new Date(search.refreshedAt).toLocaleTimeString()}` : '')}
          onClick={() => void search.refresh()}
        >
          <refreshIcon.react tag="span" />
        </button>
      </div>
      {search.hasProposals === false && (
        <div className="jp-Beamhub-noAccess" role="note">
          You are in no proposal yet, so you see published datasets only. To see a proposal's data, ask
          its principal investigator to add you to it (the facility's user office links your account).
        </div>
      )}
      <div className="jp-Beamhub-searchRow">
        <input
          className="jp-Beamhub-searchInput jp-mod-styled"
          type="search"
          placeholder="Search datasets…"
          aria-label="Search datasets"
          value={search.text}
          onChange={event => search.setText(event.currentTarget.value)}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              void search.search();
            } else if (event.key === 'ArrowDown') {
              event.preventDefault();
              (event.currentTarget.closest('.jp-Beamhub-panelBody')
                ?.querySelector('.jp-Beamhub-results') as HTMLElement | null)?.focus();
            }
          }}
        />
        <select
          className="jp-Beamhub-sort jp-mod-styled"
          aria-label="Sort"
          value={suggesting ? SUGGESTED_SORT : search.sort}
          onChange={event => {
            const value = event.currentTarget.value;
            void suggest?.setActive(value === SUGGESTED_SORT);
            if (value !== SUGGESTED_SORT) {
              void search.setSort(value);
            }
          }}
        >
          {SORTS.map(sort => (
            <option key={sort.value} value={sort.value}>
              {sort.label}
            </option>
          ))}
          {suggest && <option value={SUGGESTED_SORT}>Suggested</option>}
        </select>
      </div>
      {suggest && (
        <label className="jp-Beamhub-worth" title="Only datasets suggested as worth processing, from the votes you may see">
          <input
            type="checkbox"
            checked={suggest.worthOnly}
            onChange={event => void suggest.setWorthOnly(event.currentTarget.checked)}
          />
          Worth processing (suggested)
        </label>
      )}
      <Filters {...props} />
      <Status search={search} />
      {suggest && suggesting && (
        <SuggestedList suggest={suggest} votes={votes} basket={basket} onOpen={props.openDataset} />
      )}
      {!suggesting && search.items.length > 0 && (
        <ResultsList
          api={props.api}
          search={search}
          votes={votes}
          basket={basket}
          thumbnailSize={props.thumbnailSize}
          onOpen={props.openDataset}
        />
      )}
      <div className="jp-Beamhub-basketBar">
        <button
          type="button"
          className="jp-Beamhub-openBasket jp-mod-styled"
          onClick={props.openBasket}
          title="Review the selection and submit it for processing"
        >
          Selection ({basket.size})
        </button>
      </div>
    </div>
  );
}

function Status(props: { search: SearchModel }): JSX.Element {
  const { search } = props;
  let text: string;
  let className = 'jp-Beamhub-status';
  if (search.state === 'error') {
    text = search.error ?? 'The search failed.';
    className += ' jp-mod-error';
  } else if (search.state === 'loading' && !search.items.length) {
    text = 'Searching…';
  } else if (search.state === 'idle') {
    text = '';
  } else if (search.total === 0) {
    text = search.hints.length
      ? 'No datasets match:'
      : search.hasProposals === false
        ? 'No published dataset matches (you are in no proposal, see above).'
        : 'No datasets match. Try fewer words or filters.';
    className += ' jp-mod-empty';
  } else {
    text = `${plural(search.total, 'dataset')}${search.state === 'loading' ? ' · searching…' : ''}`;
  }
  return (
    <div className={className} role="status" aria-live="polite">
      {text}
      {search.state !== 'error' && search.proposals.length > 0 && (
        <div className="jp-Beamhub-proposalMatches">
          Proposals titled so:{' '}
          {search.proposals.map(p => (
            <button
              key={p.proposalId}
              type="button"
              className="jp-Beamhub-chip"
              data-proposal={p.proposalId}
              title="Show this proposal's datasets (clears the search text)"
              onClick={() => {
                search.setText('');
                void search.toggleFilter('proposal', p.proposalId);
              }}
            >
              {p.proposalId} · {p.title}
            </button>
          ))}
        </div>
      )}
      {search.state !== 'error' && search.total === 0 && search.hints.length > 0 && (
        <ul className="jp-Beamhub-hints">
          {search.hints.map(hint => (
            <li key={hint.kind + hint.term} data-kind={hint.kind} data-term={hint.term}>
              {hint.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Filters(props: IPanelOptions): JSX.Element {
  const { search } = props;
  const [condition, setCondition] = useState('');
  const active = FACETS.some(f => (search.filters[f] ?? []).length) || search.conditions.length > 0;
  return (
    <div className="jp-Beamhub-filters">
      {props.facets.map(facet => (
        <FacetSection key={facet} facet={facet} search={search} />
      ))}
      <details className="jp-Beamhub-facet jp-Beamhub-conditions" open={search.conditions.length > 0}>
        <summary>Metadata conditions</summary>
        <form
          className="jp-Beamhub-conditionForm"
          onSubmit={event => {
            event.preventDefault();
            void search.addCondition(condition);
            setCondition('');
          }}
        >
          <input
            className="jp-mod-styled jp-Beamhub-conditionInput"
            placeholder="temperature < 200 K"
            aria-label="Metadata condition"
            list="jp-Beamhub-fieldNames"
            autoComplete="off"
            value={condition}
            onFocus={() => void search.loadFields()}
            onChange={event => setCondition(event.currentTarget.value)}
          />
          <datalist id="jp-Beamhub-fieldNames">
            {(search.fields?.fields ?? []).map(field => (
              <option key={field.name} value={field.name + ' '} label={describeField(field)} />
            ))}
          </datalist>
          <button type="submit" className="jp-mod-styled">
            Add
          </button>
        </form>
        <FieldHelp search={search} condition={condition} />
      </details>
      {active && (
        <div className="jp-Beamhub-chips">
          {FACETS.flatMap(facet =>
            (search.filters[facet] ?? []).map(value => (
              <button
                key={facet + value}
                type="button"
                className="jp-Beamhub-chip"
                title="Remove this filter"
                onClick={() => void search.toggleFilter(facet, value)}
              >
                {FACET_LABELS[facet]}: {value} ✕
              </button>
            ))
          )}
          {search.conditions.map(text => (
            <button
              key={text}
              type="button"
              className="jp-Beamhub-chip"
              title="Remove this condition"
              onClick={() => void search.removeCondition(text)}
            >
              {text} ✕
            </button>
          ))}
          <button
            type="button"
            className="jp-Beamhub-chip jp-Beamhub-clearAll"
            onClick={() => void search.clearFilters()}
          >
            Clear all
          </button>
        </div>
      )}
    </div>
  );
}

/** What the field being typed holds: datasets, units and value ranges (or that none has it). */
function FieldHelp(props: { search: SearchModel; condition: string }): JSX.Element | null {
  const fields = props.search.fields?.fields ?? [];
  const name = props.condition.trim().split(/\s*(?:<=|>=|!=|<|>|=|\s)/)[0];
  if (!name || !fields.length) {
    return null;
  }
  const field = fields.find(f => f.name === name);
  return (
    <div className="jp-Beamhub-fieldHelp" role="note">
      {field ? `${field.name}: ${describeField(field)}` : `No dataset you may see has a field '${name}'.`}
    </div>
  );
}

function FacetSection(props: { facet: Facet; search: SearchModel }): JSX.Element {
  const { facet, search } = props;
  const counts = search.facets[facet] ?? [];
  const selected = search.filters[facet] ?? [];
  const [showAll, setShowAll] = useState(false);
  const values = [...counts];
  for (const value of selected) {
    if (!values.some(v => String(v.value) === value)) {
      values.push({ value, count: 0 });
    }
  }
  const shown = showAll ? values : values.slice(0, 8);
  return (
    <details className="jp-Beamhub-facet" data-facet={facet} open={selected.length > 0 || facet === 'beamline'}>
      <summary>
        {FACET_LABELS[facet]}
        {selected.length > 0 && <span className="jp-Beamhub-facetBadge">{selected.length}</span>}
      </summary>
      {values.length === 0 && <div className="jp-Beamhub-facetEmpty">–</div>}
      <ul className="jp-Beamhub-facetValues">
        {shown.map(({ value, count }) => {
          const text = String(value);
          const checked = selected.includes(text);
          return (
            <li key={text}>
              <label className="jp-Beamhub-facetValue">
                <input
                  type="checkbox"
                  checked={checked}
                  onChange={() => void search.toggleFilter(facet, text)}
                />
                <span className="jp-Beamhub-facetName">{text}</span>
                <span className="jp-Beamhub-facetCount">{count.toLocaleString('en')}</span>
              </label>
            </li>
          );
        })}
      </ul>
      {values.length > 8 && (
        <button
          type="button"
          className="jp-Beamhub-more"
          onClick={() => setShowAll(!showAll)}
        >
          {showAll ? 'Fewer' : `All ${values.length}`}
        </button>
      )}
    </details>
  );
}
