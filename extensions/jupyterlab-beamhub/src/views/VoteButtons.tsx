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

/** A comment on the user's own vote (shown once they liked or disliked): why, for the
 * beamline's staff and the training labels. It starts with the comment they saved
 * before; saving sends the vote again with it (an emptied box removes it). */
export function VoteComment(props: { dataset: IDataset; votes: VoteModel }): JSX.Element | null {
  const { dataset, votes } = props;
  const { myVote, myComment } = votes.stateOf(dataset);
  const [text, setText] = React.useState(myComment ?? '');
  const [saved, setSaved] = React.useState(false);
  React.useEffect(() => {
    setText(myComment ?? ''); // the saved comment, when it changes (another dataset, a new vote)
  }, [dataset.pid, myComment]);
  if (!myVote) {
    return null;
  }
  return (
    <form
      className="jp-Beamhub-voteComment"
      onSubmit={event => {
        event.preventDefault();
        setSaved(false);
        void votes.comment(dataset, text).then(ok => setSaved(ok));
      }}
    >
      <input
        aria-label="Comment on your vote"
        placeholder={`Why you ${myVote} it (optional; beamline staff see it)`}
        value={text}
        maxLength={2000}
        onChange={event => {
          setText(event.target.value);
          setSaved(false);
        }}
      />
      <button type="submit" className="jp-mod-styled">
        Save comment
      </button>
      {saved && <span className="jp-Beamhub-voteCommentSaved"> Saved.</span>}
    </form>
  );
}
