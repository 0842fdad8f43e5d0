import * as React from 'react';

import { VoteModel } from '../model/votes';
import { IDataset, VoteValue } from '../types';
import { dislikeIcon, likeIcon } from './icons';

/** Like and dislike with their counts; the user's own vote is highlighted. */
export function VoteButtons(props: {
  dataset: IDataset;
  votes: VoteModel;
}): JSX.Element {
  const { dataset, votes } = props;
  const state = votes.stateOf(dataset);
  const pending = votes.isPending(dataset.pid);
  const button = (value: VoteValue, count: number) => {
    const active = state.myVote === value;
    const Icon = value === 'like' ? likeIcon : dislikeIcon;
    const word = value === 'like' ? 'Like' : 'Dislike';
    return (
      <button
        type="button"
        className={
          `jp-Beamhub-vote jp-Beamhub-${value}` + (active ? ' jp-mod-active' : '')
        }
        aria-pressed={active}
        title={active ? `You ${value} this: click to clear` : word}
        onClick={event => {
          event.stopPropagation();
          void votes.toggle(dataset, value);
        }}
      >
        <Icon.react tag="span" className="jp-Beamhub-voteIcon" />
        <span className="jp-Beamhub-voteCount">{count}</span>
      </button>
    );
  };
  return (
    <span
      className={'jp-Beamhub-votes' + (pending ? ' jp-mod-pending' : '')}
      aria-busy={pending}
    >
      {button('like', state.likes)}
      {button('dislike', state.dislikes)}
    </span>
  );
}
