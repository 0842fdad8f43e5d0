"""Sharing a live instance: roles enforced by the single-user server, a site policy of
who may join enforced by the hub.

- :mod:`.policy`: pure functions: the roles and their JupyterHub scopes, the site's
  :class:`~.policy.SharingSettings`, and :func:`~.policy.may_join` (who may be invited).
- :mod:`.hub`: the hub-side piece: JupyterHub's share and share-code API and its
  ``/hub/accept-share`` page, checked against the policy before JupyterHub's own handlers
  run; the roles, custom scopes and spawner settings :func:`~.hub.configure_sharing` adds.

The single-user side (which request a role allows) is ``jupyterlab_beamhub.authorizer``.
"""
