/**
 * The Share dialog's body: who has access and who is connected, invitations by user or
 * group, invitation links with an expiry, role changes and revocation. All state lives
 * in {@link SharingModel}; the hub and the server decide and enforce.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  describeAccess,
  IMember,
  ISupportRequest,
  LINK_EXPIRIES,
  Role,
  SharingModel
} from '../model/sharing';
import { useSignals } from './hooks';

export class ShareView extends ReactWidget {
  constructor(private readonly model: SharingModel) {
    super();
    this.addClass('jp-Beamhub-share');
  }

  render(): JSX.Element {
    return <ShareBody model={this.model} />;
  }
}

function roleLabel(role: string | null): string {
  if (role === 'collaborator') {
    return 'Collaborator';
  }
  if (role === 'viewer') {
    return 'Viewer';
  }
  if (role === 'support') {
    return 'Support (beamline staff)';
  }
  if (role === 'owner') {
    return 'Owner';
  }
  return 'No role (no access)';
}

function when(iso?: string | null): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function ShareBody(props: { model: SharingModel }): JSX.Element {
  const { model } = props;
  useSignals(model.changed);
  const [kind, setKind] = React.useState<'user' | 'group'>('user');
  const [name, setName] = React.useState('');
  const [role, setRole] = React.useState<Role>('viewer');
  const [linkRole, setLinkRole] = React.useState<Role>('viewer');
  const [expiry, setExpiry] = React.useState(LINK_EXPIRIES[1].seconds);
  const state = model.state;

  if (!state) {
    return (
      <div className="jp-Beamhub-shareBody">
        {model.error ? (
          <p className="jp-Beamhub-shareError" role="alert">
            {model.error}
          </p>
        ) : (
          <p>Loading who has access…</p>
        )}
      </div>
    );
  }

  const roleSelect = (
    value: Role,
    onChange: (role: Role) => void,
    label: string
  ) => (
    <select
      className="jp-mod-styled"
      aria-label={label}
      value={value}
      onChange={event => onChange(event.target.value as Role)}
    >
      {state.roles.map(r => (
        <option key={r.name} value={r.name}>
          {roleLabel(r.name)}
        </option>
      ))}
    </select>
  );

  const memberRow = (member: IMember) => (
    <li
      key={`${member.kind}:${member.name}`}
      className="jp-Beamhub-shareMember"
      data-name={member.name}
    >
      <span className="jp-Beamhub-shareName">
        {member.kind === 'group' ? `group ${member.name}` : member.name}
      </span>
      {member.role === 'support' ? (
        <span>{roleLabel('support')}</span>
      ) : member.role ? (
        roleSelect(
          member.role,
          next => void model.changeRole(member, next),
          `Role of ${member.name}`
        )
      ) : (
        <span>{roleLabel(null)}</span>
      )}
      <button
        type="button"
        className="jp-mod-styled jp-mod-warn jp-Beamhub-shareRevoke"
        disabled={model.busy}
        onClick={() => void model.revoke(member)}
      >
        Revoke
      </button>
    </li>
  );

  const requestRow = (request: ISupportRequest) => (
    <li
      key={request.user}
      className="jp-Beamhub-shareRequest"
      data-name={request.user}
    >
      <span className="jp-Beamhub-shareName">{request.user}</span>
      <span>asks to join as support</span>
      <button
        type="button"
        className="jp-mod-styled jp-mod-accept"
        disabled={model.busy}
        onClick={() => void model.answer(request.user, true)}
      >
        Accept
      </button>
      <button
        type="button"
        className="jp-mod-styled jp-mod-reject"
        disabled={model.busy}
        onClick={() => void model.answer(request.user, false)}
      >
        Decline
      </button>
    </li>
  );

  return (
    <div className="jp-Beamhub-shareBody" aria-busy={model.busy}>
      {state.requests.length > 0 && (
        <section>
          <h3>Asking to join</h3>
          <ul className="jp-Beamhub-shareRequests">
            {state.requests.map(requestRow)}
          </ul>
          <p className="jp-Beamhub-shareHint">{state.support}</p>
        </section>
      )}
      <section>
        <h3>What a member gets</h3>
        {state.roles.map(r => (
          <div key={r.name} className="jp-Beamhub-shareRole">
            <strong>{roleLabel(r.name)}</strong>
            <ul>
              {describeAccess(state, r.name).map(line => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </div>
        ))}
        <div className="jp-Beamhub-shareRole">
          <strong>{roleLabel('support')}</strong> (only beamline staff who ask
          to join, if you accept)
          <ul>
            {describeAccess(state, 'support').map(line => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      </section>

      <section>
        <h3>Invite</h3>
        <form
          className="jp-Beamhub-shareInvite"
          onSubmit={event => {
            event.preventDefault();
            void model.invite(kind, name, role).then(ok => ok && setName(''));
          }}
        >
          <select
            className="jp-mod-styled"
            aria-label="Invite a user or a group"
            value={kind}
            onChange={event => setKind(event.target.value as 'user' | 'group')}
          >
            <option value="user">User</option>
            <option value="group">Group</option>
          </select>
          <input
            className="jp-mod-styled jp-Beamhub-shareInput"
            placeholder={kind === 'user' ? 'user name' : 'group name'}
            aria-label="Name to invite"
            value={name}
            onChange={event => setName(event.target.value)}
          />
          {roleSelect(role, setRole, 'Role to give')}
          <button
            type="submit"
            className="jp-mod-styled jp-mod-accept"
            disabled={model.busy}
          >
            Invite
          </button>
        </form>
        <p className="jp-Beamhub-shareHint">
          Only people the site allows may join: by default, members of every
          proposal mounted here or staff of its beamline. The hub refuses
          others, by invitation or by link.
        </p>
      </section>

      {model.error && (
        <p className="jp-Beamhub-shareError" role="alert">
          {model.error}
        </p>
      )}

      <section>
        <h3>Who has access</h3>
        <ul className="jp-Beamhub-shareMembers">
          <li className="jp-Beamhub-shareMember">
            <span className="jp-Beamhub-shareName">{state.owner}</span>
            <span>Owner</span>
          </li>
          {state.members.map(memberRow)}
        </ul>
      </section>

      <section>
        <h3>Connected now</h3>
        {state.connected.length ? (
          <ul className="jp-Beamhub-shareConnected">
            {state.connected.map(c => (
              <li key={c.name}>
                {c.name} ({roleLabel(c.role)}
                {c.connections
                  ? `, ${c.connections} open connection${c.connections > 1 ? 's' : ''}`
                  : ''}
                )
              </li>
            ))}
          </ul>
        ) : (
          <p>Nobody else.</p>
        )}
      </section>

      <section>
        <h3>Invitation link</h3>
        <div className="jp-Beamhub-shareInvite">
          {roleSelect(linkRole, setLinkRole, 'Role given by the link')}
          <select
            className="jp-mod-styled"
            aria-label="Link expires after"
            value={expiry}
            onChange={event => setExpiry(Number(event.target.value))}
          >
            {LINK_EXPIRIES.map(e => (
              <option key={e.seconds} value={e.seconds}>
                expires in {e.label}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-Beamhub-shareNewLink"
            disabled={model.busy}
            onClick={() => void model.createLink(linkRole, expiry)}
          >
            Create link
          </button>
        </div>
        {model.lastLink && (
          <p className="jp-Beamhub-shareLink">
            <input
              className="jp-mod-styled jp-Beamhub-shareInput"
              readOnly
              aria-label="Invitation link"
              value={model.lastLink.url}
              onFocus={event => event.target.select()}
            />
            <span>
              {roleLabel(model.lastLink.link.role)}, until{' '}
              {when(model.lastLink.link.expires_at)}. Shown once: copy it now.
            </span>
          </p>
        )}
        {state.links.length > 0 && (
          <p>
            {state.links.length} open link{state.links.length > 1 ? 's' : ''}{' '}
            (
            {state.links
              .map(l => `${roleLabel(l.role)} until ${when(l.expires_at)}`)
              .join('; ')}
            ){' '}
            <button
              type="button"
              className="jp-mod-styled jp-mod-warn"
              disabled={model.busy}
              onClick={() => void model.revokeLinks()}
            >
              Revoke all links
            </button>
          </p>
        )}
      </section>
    </div>
  );
}
