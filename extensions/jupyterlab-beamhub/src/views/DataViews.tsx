/**
 * The detail view's data parts: a stack's preview with a frame slider (each frame drawn
 * by the catalogue from that frame's chunks alone), and where the data is in this server.
 */
import * as React from 'react';
import { useEffect, useState } from 'react';

import { ICatalogueAPI } from '../api';
import { ISeenPath } from '../datapaths';
import { IDataset } from '../types';

const SLIDE_DELAY_MS = 150;

/** The large preview; for a stack, a slider choosing the frame drawn. */
export function FramePreview(props: { api: ICatalogueAPI; dataset: IDataset }): JSX.Element {
  const { api, dataset } = props;
  const shape = dataset.signal?.shape ?? [];
  const frames = shape.length >= 3 ? shape[0] : 0;
  const middle = Math.floor(frames / 2);
  const [chosen, setChosen] = useState(middle);
  const [shown, setShown] = useState(middle);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    // one request per pause of the slider, not one per pixel it moves
    const timer = setTimeout(() => setShown(chosen), SLIDE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [chosen]);
  const base = api.previewUrl(dataset.pid, 'large');
  const src = frames > 0 ? `${base}&frame=${shown}` : base;
  return (
    <figure className="jp-Beamhub-preview">
      <img
        src={src}
        alt={
          frames > 0
            ? `Preview of ${dataset.datasetName}, frame ${shown + 1} of ${frames}`
            : `Preview of ${dataset.datasetName}`
        }
        onLoad={event => {
          event.currentTarget.classList.remove('jp-mod-missing');
          setFailed(null);
        }}
        onError={event => {
          event.currentTarget.classList.add('jp-mod-missing');
          setFailed('The preview could not be drawn.');
          // an <img> hides the answer: ask again to say why (the service's JSON error)
          void fetch(src, { credentials: 'same-origin' })
            .then(response => (response.ok ? null : response.json()))
            .then(body => body?.message && setFailed(`The preview could not be drawn: ${body.message}`))
            .catch(() => undefined);
        }}
      />
      {failed && (
        <div className="jp-Beamhub-status jp-mod-error" role="alert">
          {failed}
        </div>
      )}
      {frames > 1 && (
        <label className="jp-Beamhub-frameSlider">
          <span>
            Frame {chosen + 1} of {frames}
          </span>
          <input
            type="range"
            min={0}
            max={frames - 1}
            step={1}
            value={chosen}
            aria-label="Frame"
            aria-valuetext={`Frame ${chosen + 1} of ${frames}`}
            onChange={event => setChosen(Number(event.currentTarget.value))}
          />
        </label>
      )}
      {dataset.signal && (
        <figcaption>
          {dataset.signal.path} · {dataset.signal.shape.join(' × ')} · {dataset.signal.dtype}
        </figcaption>
      )}
    </figure>
  );
}

/** A path as this server sees it, with a button opening it in the file browser. */
export function SeenPathView(props: {
  seen: ISeenPath;
  facilityPath: string;
  openPath?: (relative: string) => void;
}): JSX.Element {
  const { seen, facilityPath, openPath } = props;
  if (!seen.reachable) {
    return (
      <span className="jp-Beamhub-seenPath">
        <code title="The facility's path">{facilityPath}</code>{' '}
        <span className="jp-Beamhub-empty">
          (not in this server: start it with this dataset's proposal to reach the data)
        </span>
      </span>
    );
  }
  return (
    <span className="jp-Beamhub-seenPath">
      <code title={`The facility's path: ${facilityPath}`}>{seen.path}</code>{' '}
      {seen.relative && openPath && (
        <button
          type="button"
          className="jp-mod-styled jp-Beamhub-showInBrowser"
          onClick={() => openPath(seen.relative)}
        >
          Show in file browser
        </button>
      )}
    </span>
  );
}
