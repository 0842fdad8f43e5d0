/**
 * The results, virtualised: only the rows in view (plus a few) are in the DOM, so
 * thousands of loaded results scroll smoothly; nearing the end loads the next page.
 */
import * as React from 'react';
import { useEffect, useRef, useState } from 'react';

import { ICatalogueAPI } from '../api';
import { formatSize } from '../format';
import { BasketModel } from '../model/basket';
import { SearchModel } from '../model/search';
import { VoteModel } from '../model/votes';
import { IDataset } from '../types';
import { DatasetActions, DatasetMeta, DatasetName } from './DatasetRow';

const OVERSCAN = 6;
const THUMBNAIL_DELAY = 250;

export interface IResultsProps {
  api: ICatalogueAPI;
  search: SearchModel;
  votes: VoteModel;
  basket: BasketModel;
  thumbnailSize: number;
  onOpen: (dataset: IDataset) => void;
}

export function ResultsList(props: IResultsProps): JSX.Element {
  const { search, thumbnailSize } = props;
  const rowHeight = Math.max(thumbnailSize, 58) + 12;
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });

  useEffect(() => {
    const node = scroller.current;
    if (!node) {
      return;
    }
    const observer = new ResizeObserver(() =>
      setViewport({ top: node.scrollTop, height: node.clientHeight })
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  // Keep the keyboard cursor's row in view.
  useEffect(() => {
    const node = scroller.current;
    if (!node || search.current < 0) {
      return;
    }
    const top = search.current * rowHeight;
    if (top < node.scrollTop) {
      node.scrollTop = top;
    } else if (top + rowHeight > node.scrollTop + node.clientHeight) {
      node.scrollTop = top + rowHeight - node.clientHeight;
    }
  }, [search.current, rowHeight]);

  // Thumbnails load only once a result list has stayed on screen for a moment: while
  // the user types, intermediate lists fetch no previews and the next search is not
  // queued behind them.
  const [settled, setSettled] = useState('');
  useEffect(() => {
    const key = search.shownText;
    const timer = setTimeout(() => setSettled(key), THUMBNAIL_DELAY);
    return () => clearTimeout(timer);
  }, [search.shownText, search.items]);
  const showThumbnails = settled === search.shownText;

  const items = search.items;
  const first = Math.max(0, Math.floor(viewport.top / rowHeight) - OVERSCAN);
  const last = Math.min(
    items.length,
    Math.ceil((viewport.top + viewport.height) / rowHeight) + OVERSCAN
  );
  if (last >= items.length - OVERSCAN && search.hasMore && !search.loadingMore) {
    // Render first, then fetch: never set state during render.
    setTimeout(() => void search.loadMore(), 0);
  }

  const rows: JSX.Element[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      <ResultRow
        key={items[index].pid}
        {...props}
        dataset={items[index]}
        index={index}
        showThumbnail={showThumbnails}
        top={index * rowHeight}
        height={rowHeight}
      />
    );
  }
  return (
    <div
      className="jp-Beamhub-results"
      ref={scroller}
      tabIndex={0}
      role="listbox"
      aria-label="Search results"
      aria-activedescendant={
        search.current >= 0 ? `jp-Beamhub-result-${search.current}` : undefined
      }
      onScroll={event =>
        setViewport({
          top: event.currentTarget.scrollTop,
          height: event.currentTarget.clientHeight
        })
      }
    >
      <div
        className="jp-Beamhub-resultsSpacer"
        style={{ height: items.length * rowHeight + (search.hasMore ? 32 : 0) }}
      >
        {rows}
        {search.hasMore && (
          <div
            className="jp-Beamhub-loadingMore"
            style={{ top: items.length * rowHeight }}
          >
            {search.loadingMore ? 'Loading more…' : ''}
          </div>
        )}
      </div>
    </div>
  );
}

function ResultRow(
  props: IResultsProps & {
    dataset: IDataset;
    index: number;
    showThumbnail: boolean;
    top: number;
    height: number;
  }
): JSX.Element {
  const { dataset, search, basket, api, thumbnailSize, index } = props;
  const selected = search.current === index;
  return (
    <div
      id={`jp-Beamhub-result-${index}`}
      className={'jp-Beamhub-result' + (selected ? ' jp-mod-selected' : '')}
      role="option"
      aria-selected={selected}
      data-pid={dataset.pid}
      style={{ top: props.top, height: props.height }}
      onClick={() => search.select(index)}
      onDoubleClick={() => props.onOpen(dataset)}
    >
      {props.showThumbnail ? (
        <img
          className="jp-Beamhub-thumb"
          src={api.previewUrl(dataset.pid, 'thumb')}
          alt=""
          loading="lazy"
          decoding="async"
          {...{ fetchpriority: 'low' }}
          width={thumbnailSize}
          height={thumbnailSize}
          onError={event => event.currentTarget.classList.add('jp-mod-missing')}
        />
      ) : (
        <span
          className="jp-Beamhub-thumb"
          style={{ width: thumbnailSize, height: thumbnailSize }}
        />
      )}
      <div className="jp-Beamhub-resultText">
        <DatasetName
          dataset={dataset}
          onOpen={event => {
            event.stopPropagation();
            search.select(index);
            props.onOpen(dataset);
          }}
        />
        <DatasetMeta dataset={dataset}>
          <span title="Size">{formatSize(dataset.size)}</span>
          {dataset.type === 'derived' && <span className="jp-Beamhub-tag">derived</span>}
        </DatasetMeta>
        <DatasetActions dataset={dataset} votes={props.votes} basket={basket} />
      </div>
    </div>
  );
}
