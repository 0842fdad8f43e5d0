"""The catalogue service as N worker processes behind one listening socket.

``beamhub catalogue-service`` is one process JupyterHub starts and stops. With
``workers`` > 1 it becomes a small supervisor: it reserves the service's address,
forks the workers (each its own event loop, store connections, search columns and
caches, and its own listening socket on the address, ``SO_REUSEPORT``: the kernel
spreads new connections evenly over them), and
passes SIGTERM/SIGINT on to them. A worker that dies (killed, crashed) is replaced
within a second; requests it had accepted but not answered fail at the proxy, and the
clients retry them (writes carry idempotency keys kept in the store, so a retried
``POST`` acts once). Everything that must be shared is in the store: votes,
selections, jobs, idempotency keys. Per-process state stays correct under the others'
writes: search columns are keyed by the version the store's tables carry (a write in
any process moves it), and the hub's answers about tokens are kept for
``hub_auth_cache_seconds`` in each process and in a small SQLite file the workers share
(the supervisor's, in a private directory): the hub is asked once per token and period,
not once per worker. Jobs are followed by worker 0 alone (the
supervisor restarts a dead worker 0 as worker 0), so each job's status is polled and
its results registered once.

Workers die with the supervisor (``PR_SET_PDEATHSIG``), so a supervisor killed with
SIGKILL leaves no worker holding the port.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import gc
import logging
import os
import signal
import socket
import sys
import time
from typing import Callable

log = logging.getLogger("beamhub.service")

_PR_SET_NAME = 15
_PR_SET_PDEATHSIG = 1

RESTART_PAUSE = 1.0
"""Seconds before a worker that died is replaced (so a worker failing at start does not
spin the machine)."""

STOP_SECONDS = 20.0
"""How long the supervisor waits for workers to finish their requests after SIGTERM
before it kills them."""


class Places:
    """The requests one worker works on at once (``limit``), and the queue of those
    waiting for a place, first come first served.

    A request beyond the limit waits (its head read, its body not yet: waiting costs
    no CPU) until a place frees or ``wait_seconds`` have passed; only then is it
    refused with 503 ``busy`` and ``Retry-After``, having done nothing. (Refusing at
    once made overload worse: at 1,000 users on 2 cores two refused tries were answered
    for each request served, each costing the proxy and the service nearly what a
    search costs, and requests still refused after the client's retries failed.) At
    most ``max_waiting`` wait; beyond them a request is refused at once."""

    def __init__(self, limit: int, wait_seconds: float, max_waiting: int):
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        self.used = 0
        self._waiting: collections.deque[asyncio.Future] = collections.deque()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def enter(self, on_wait: Callable[[asyncio.Future], None] | None = None) -> bool:
        """Take a place, waiting for one up to ``wait_seconds``: False if none came (or
        :meth:`give_up` was called for the waiter, which ``on_wait`` receives when the
        caller has to wait), and the caller holds no place."""
        if self.used < self.limit and not self._waiting:
            self.used += 1
            return True
        if len(self._waiting) >= self.max_waiting:
            return False
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiting.append(waiter)
        if on_wait is not None:
            on_wait(waiter)
        expiry = loop.call_later(self.wait_seconds, self.give_up, waiter)
        try:
            return await waiter  # True: the place of a request that finished was handed over
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.result():
                self.leave()
            raise
        finally:
            expiry.cancel()

    def give_up(self, waiter: asyncio.Future) -> None:
        """Stop ``waiter`` waiting (its time is up, or its client went away)."""
        if not waiter.done():
            waiter.set_result(False)
            try:
                self._waiting.remove(waiter)
            except ValueError:
                pass

    def leave(self) -> None:
        """Free a place: it goes to the first request still waiting, if any."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return
        self.used -= 1


def default_workers() -> int:
    """One worker per core this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _prctl(option: int, value) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: names and parent-death signals are a nicety
        pass


def name_thread(name: str) -> None:
    """Name the calling OS thread (``/proc/PID/task/TID/comm``, top -H, py-spy), so
    the CPU spent in store calls can be told from the event loop's."""
    _prctl(_PR_SET_NAME, name.encode()[:15])


def reserve(host: str, port: int) -> list[socket.socket]:
    """The service's address, bound by the supervisor with ``SO_REUSEPORT`` and not
    listening: it stays the service's while workers come and go, and receives no
    connection (only listening sockets do)."""
    reserved = []
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, 0,
                                                              socket.AI_PASSIVE):
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        reserved.append(sock)
    return reserved


GC_THRESHOLDS = (20_000, 20, 100)
"""The garbage collector's thresholds in a worker (Python's default: 700, 10, 10)."""


def quiet_gc() -> None:
    """Let a worker's garbage collector do less: the objects present at its start (modules,
    classes, the routes, the settings: about 170,000) are frozen, never scanned again, and
    young objects are collected in larger batches.

    Measured at 200 users (bench_service, SQLite, 1 worker): with Python's default
    thresholds the collector took 2.6-2.9 s of a worker's 16-19 s of CPU, nearly all of
    it in 9-10 full collections of 90-370 ms each (every thread waits for one: a pause
    in every answer then in flight). Frozen and with these thresholds: 0.45-0.49 s, no
    full collection within the run. Cyclic garbage made while serving is still
    collected, in batches of 20,000 allocations; most garbage is freed at once by
    reference counting anyway."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def listen(host: str, port: int) -> list[socket.socket]:
    """A worker's own listening sockets on the service's address (``SO_REUSEPORT``):
    the kernel spreads new connections evenly over the workers. (One socket shared by
    all, accepted from by whichever worker the kernel wakes, gave most connections to
    one worker: at 200 users on 2 workers, 92% of the CPU was one worker's.)"""
    from tornado.netutil import bind_sockets

    return bind_sockets(port, host, backlog=1024, reuse_port=True)


class Supervisor:
    """Forks ``workers`` processes running ``run_worker(index)`` and keeps them running
    until SIGTERM or SIGINT, which it passes on."""

    def __init__(self, workers: int, run_worker: Callable[[int], int]):
        self.workers = workers
        self.run_worker = run_worker
        self.children: dict[int, int] = {}  # pid -> worker index
        self.stopping = False

    def _fork(self, index: int) -> None:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                    signal.signal(sig, signal.SIG_DFL)
                _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
                name_thread(f"beamhub-w{index}")
                code = self.run_worker(index)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                log.exception("catalogue worker %d failed", index)
            finally:
                logging.shutdown()
                os._exit(code or 0)
        self.children[pid] = index
        log.info("catalogue worker %d started (pid %d)", index, pid)

    def _stop(self, signum, _frame) -> None:
        self.stopping = True
        for pid in list(self.children):
            _kill(pid, signal.SIGTERM)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for index in range(self.workers):
            self._fork(index)
        stop_deadline = None
        while self.children:
            if self.stopping and stop_deadline is None:
                stop_deadline = time.monotonic() + STOP_SECONDS
            if stop_deadline is not None and time.monotonic() > stop_deadline:
                for pid in self.children:
                    _kill(pid, signal.SIGKILL)
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.1)
                continue
            index = self.children.pop(pid, None)
            if index is None or self.stopping:
                continue
            log.error("catalogue worker %d (pid %d) ended (%s); starting a new one", index, pid,
                      _describe(status))
            time.sleep(RESTART_PAUSE)
            if not self.stopping:
                self._fork(index)
        return 0


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


__all__ = ["Places", "Supervisor", "default_workers", "listen", "name_thread", "reserve"]
