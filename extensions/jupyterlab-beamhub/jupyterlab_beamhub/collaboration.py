"""A viewer in a real-time collaboration room: follows the document, never changes it.

jupyter-collaboration's rooms (``/api/collaboration/room/...``, jupyter_server_ydoc's
``YDocWebSocketHandler``) apply every document update a client sends; its read-only mode
lives in the front end and has been unreliable (jupyter-collaboration #324, #437). Here
the server decides, message by message, for a connection the authorizer admitted as a
viewer's (:func:`make_read_only`): of the Yjs websocket protocol it lets through only what
reads or shows presence,

- ``SYNC`` / ``SYNC_STEP1`` (the client's state vector: "send me what I lack"),
- ``AWARENESS`` (cursor, selection and name, so others see the viewer follow along),

and drops the rest: ``SYNC_STEP2`` and ``SYNC_UPDATE`` (document changes), ``RAW`` (the
"save" request: a write to the file, answered ``failed``) and anything unknown. A dropped
update never reaches the room, so no other client and no file ever sees it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

SYNC, AWARENESS, RAW = 0, 1, 2
SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE = 0, 1, 2

log = logging.getLogger("jupyterlab_beamhub.collaboration")


def _var_uint(data: bytes, at: int) -> tuple[int, int]:
    """(value, next index) of the lib0 variable-length unsigned integer at ``at``."""
    value, shift = 0, 0
    while at < len(data):
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if byte < 0x80:
            return value, at
        shift += 7
        if shift > 35:
            break
    raise ValueError("not a Yjs message")


def _var_string(data: bytes, at: int) -> tuple[str, int]:
    length, at = _var_uint(data, at)
    return data[at:at + length].decode("utf-8", "replace"), at + length


def kind(message: bytes | str) -> str:
    """What a client's collaboration message is: 'read' (SYNC_STEP1), 'awareness',
    'update' (SYNC_STEP2 / SYNC_UPDATE), 'save' (RAW save) or 'other'."""
    if isinstance(message, str):  # the protocol is binary; text is nothing we know
        return "other"
    try:
        header, at = _var_uint(message, 0)
        if header == SYNC:
            sub, _ = _var_uint(message, at)
            return {SYNC_STEP1: "read", SYNC_STEP2: "update", SYNC_UPDATE: "update"}.get(sub, "other")
        if header == AWARENESS:
            return "awareness"
        if header == RAW:
            text, _ = _var_string(message, at)
            return "save" if text == "save" else "other"
    except ValueError:
        pass
    return "other"


def viewer_may_send(message: bytes | str) -> bool:
    """Whether a viewer's message may reach the room (pure: the table above)."""
    return kind(message) in ("read", "awareness")


def save_refusal(message: bytes) -> bytes:
    """The RAW reply to a viewer's "save" request: status failed (the client says so)."""
    header, at = _var_uint(message, 0)
    _, at = _var_string(message, at)
    save_id, _ = _var_uint(message, at)
    body = json.dumps({"type": "save", "responseTo": save_id, "status": "failed"}).encode()
    return bytes([RAW]) + _encode_var_uint(len(body)) + body


def _encode_var_uint(num: int) -> bytes:
    out = bytearray()
    while num > 0x7F:
        out.append(0x80 | (num & 0x7F))
        num >>= 7
    out.append(num)
    return bytes(out)


def make_read_only(handler, user: str, *, on_drop: Callable[[str], None] | None = None) -> None:
    """Make ``handler`` (a collaboration room's websocket handler, before it opens) drop
    ``user``'s document changes. Per connection: other connections are untouched."""
    receive = handler.on_message
    handler.beamhub_dropped = 0

    def on_message(message):
        if viewer_may_send(message):
            return receive(message)
        what = kind(message)
        handler.beamhub_dropped += 1
        if handler.beamhub_dropped == 1 or handler.beamhub_dropped % 100 == 0:
            log.warning("beamhub: dropped %s's %s in collaboration room %s (viewer; %d dropped)", user, what,
                        getattr(handler, "_room_id", "?"), handler.beamhub_dropped)
        if on_drop is not None:
            on_drop(what)
        if what == "save":
            try:
                handler.write_message(save_refusal(message), binary=True)
            except Exception:  # noqa: BLE001 - the connection is closing: nothing to tell
                pass
        return None

    handler.on_message = on_message
    handler.beamhub_read_only = True
