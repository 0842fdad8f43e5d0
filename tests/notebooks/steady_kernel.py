"""A kernel manager for nbclient whose client does not miss a kernel's reply.

nbclient waits for a cell's reply with one long ``get_msg(timeout=...)`` on
jupyter_client's asyncio channels. Now and then (a few times per hundred cells here,
most often right after a widget cell) pyzmq's asyncio integration misses the socket's
edge-triggered readiness: the reply sits in the client's queue (its ``zmq.EVENTS``
says POLLIN, checked in a hung run with gdb) while the wait runs on to its timeout, and
the kernel looks idle (jupyter/nbclient#312, jupyter/jupyter_client#922). Waiting in
one-second slices re-checks the socket each time, which finds the message.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type

SLICE = 1.0
"""Seconds of one wait on a channel before its socket is checked again."""


class SlicedChannel(AsyncZMQSocketChannel):
    async def get_msg(self, timeout: float | None = None) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = SLICE if deadline is None else max(0.0, min(SLICE, deadline - time.monotonic()))
            try:
                return await super().get_msg(timeout=step)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise


class SteadyKernelClient(AsyncKernelClient):
    shell_channel_class = Type(SlicedChannel)
    iopub_channel_class = Type(SlicedChannel)
    stdin_channel_class = Type(SlicedChannel)
    control_channel_class = Type(SlicedChannel)


class SteadyKernelManager(AsyncKernelManager):
    client_factory = Type(SteadyKernelClient, klass=AsyncKernelClient)
