"""200 simulated users on the catalogue service, through the hub's proxy, for a minute.

Run (from the repository root)::

    PYTHONPATH=hub:. /opt/beamhub/venv/bin/python tests/benchmarks/bench_service.py \
        [--users 200[,1000]] [--workers 1,2] [--store-threads N,...] [--seconds 60] [--warmup 10] \
        [--think 1.0] [--datasets 10000] [--store sqlite|documentdb] [--hub-auth-cache S] [--paths proxy[,direct]]

Issue 18's table (200 and 1,000 users, 1 and 2 workers, SQLite; about 6 min on a quiet
2-core machine): ``--users 200,1000 --workers 1,2 --seconds 30``. One hub per worker
count (and store-thread count) runs each load in turn, each after ``--warmup`` seconds
of the same load (unmeasured: search columns loaded, caches filled, as in a service
that has run for a while). ``--store documentdb`` starts DocumentDB
(``tests/services/documentdb.py``) and builds each run's catalogue there.

Set-up: the demo data plus ``--datasets`` synthetic datasets in an SQLite catalogue;
JupyterHub with its proxy and the catalogue service; ``--users`` hub users, each in
three synthetic proposals and in the demo's p1001 and p1002, each with its own token.

Each simulated user loops until the time is up: a request, then a pause drawn from an
exponential distribution of mean ``--think`` seconds (people read results before the
next click; with no pause the figures measure a queue, not a service). Requests mix
searches (80%: facet clicks, free text while typing, metadata conditions, with facet
counts), dataset details and previews (15%, half each) and votes (5%: like, dislike
or clear on a demo dataset). Everything goes through configurable-http-proxy, as a
browser's requests would; with ``--paths proxy,direct`` each load runs also straight to
the service's own port (as a front web server routing ``/services/catalogue/`` to
``catalogue.port`` would: the service still asks the hub about every token), on the same
hub, to show the proxy's share.

Printed: requests and throughput, p50/p95/p99 latency per kind and overall, errors by
status, CPU per request of each process (the service's event loops and store threads
apart, its supervisor, the hub, the proxy, DocumentDB's processes, the load
generator), the machine's load average, and the vote check: for every (user, dataset) the last acknowledged vote is
known, so the final likes and dislikes of each dataset are too; they are compared
with what the service reports. Goal: 0 errors, p95 < 300 ms, exact counts. It
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import aiohttp

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "hub"), str(REPO)]

from beamhub.catalogue import Identity, open_store  # noqa: E402
from beamhub.catalogue.ingest import ingest  # noqa: E402
from beamhub.demo.data import write_demo_data  # noqa: E402
from tests.benchmarks import synthetic  # noqa: E402
from tests.benchmarks.measure import percentile  # noqa: E402
from tests.api.hubsetup import API, CatalogueHub  # noqa: E402
from tests.services.ports import free_port  # noqa: E402

OPERATOR = Identity.for_operator("bench")
CLIENT_RETRIES = 3
"""How often a request answered 503 is retried, after its Retry-After (at most 10 s), as
beamhub.client and the JupyterLab panel do (a 503 means the service did nothing: busy,
or the hub or store unreachable); one still refused then counts as an error."""


def build_catalogue(directory: Path, n_synthetic: int, url: str | None = None) -> tuple[str, Path]:
    """The demo data and ``n_synthetic`` datasets in ``url`` (default: an SQLite file in
    ``directory``)."""
    data = directory / "demo-data"
    if not data.exists():
        write_demo_data(data)
    url = url or f"sqlite:///{directory / 'catalogue.sqlite'}"
    with open_store(url) as store:
        report = ingest([data], store, OPERATOR, mapping=data / "mapping.yaml", proposals=data / "proposals.yaml")
        assert report.ok, report.summary()
        if n_synthetic:
            store.upsert_proposals(OPERATOR, synthetic.proposals(n_synthetic))
            store.upsert_datasets(OPERATOR, synthetic.datasets(n_synthetic))
    return url, data


def user_groups(index: int, n_synthetic: int) -> list[str]:
    proposals = max(1, n_synthetic // synthetic.PER_PROPOSAL)
    picks = {(index * 7 + k * proposals // 3) % proposals for k in range(3)} if n_synthetic else set()
    return sorted({synthetic.proposal_id(i) for i in picks} | {"p1001", "p1002"})


def search_params(query) -> list[tuple[str, str]]:
    params = [("limit", str(query.limit)), ("sort", query.sort)]
    if query.text:
        params.append(("text", query.text))
    for name in ("beamline", "technique", "year"):
        params += [(name, str(v)) for v in getattr(query, name)]
    params += [("condition", str(c)) for c in query.conditions]
    return params


def error_reason(body: str) -> str:
    """What an error answer says it is: the API's stable ``code``, else the start of the
    body (a proxy's or tornado's page, or the client's exception)."""
    try:
        code = json.loads(body).get("code")
    except (ValueError, AttributeError):
        code = None
    return str(code) if code else " ".join(body.split())[:80]


class Recorder:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[tuple[str, int], int] = defaultdict(int)
        self.busy: dict[str, int] = defaultdict(int)  # 503 answers retried (not errors unless the last)
        self.error_bodies: list[str] = []
        self.reasons: dict[tuple[int, str], int] = defaultdict(int)  # (status, error code or client exception)
        self.votes: dict[tuple[str, str], str | None] = {}
        self.ambiguous: set[tuple[str, str]] = set()

    def record(self, kind: str, seconds: float, status: int, body: str = "") -> None:
        self.latency[kind].append(seconds)
        if status >= 400:
            self.errors[(kind, status)] += 1
            self.reasons[(status, error_reason(body))] += 1
            if len(self.error_bodies) < 5:
                self.error_bodies.append(f"{kind} {status} {body[:200]}")


async def simulated_user(session: aiohttp.ClientSession, base: str, user: str, token: str, demo_pids: list[str],
                         queries: list[list[tuple[str, str]]], deadline: float, think: float, recorder: Recorder,
                         seed: int) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"token {token}"}
    await asyncio.sleep(rng.uniform(0, think))  # users arrive over the first moments
    while time.monotonic() < deadline:
        roll = rng.random()
        pid = rng.choice(demo_pids)
        if roll < 0.80:
            kind, method, url = "search", "GET", f"{base}/datasets"
            params, body = rng.choice(queries), None
        elif roll < 0.875:
            kind, method, url, params, body = "detail", "GET", f"{base}/datasets/{quote(pid, safe='')}", None, None
        elif roll < 0.95:
            kind, method, url = "preview", "GET", f"{base}/datasets/{quote(pid, safe='')}/preview.png"
            params, body = [("size", "thumb")], None
        else:
            value = rng.choice(["like", "dislike", None])
            kind, url, params = "vote", f"{base}/datasets/{quote(pid, safe='')}/vote", None
            method, body = ("PUT", {"value": value}) if value else ("DELETE", None)
        started = time.perf_counter()
        for attempt in range(1 + CLIENT_RETRIES):  # a 503 is retried after its Retry-After, as the clients do
            retry_after = None
            try:
                async with session.request(method, url, params=params, json=body, headers=headers) as response:
                    payload = await response.read()
                    status = response.status
                    refused = status == 503  # the service did nothing (the API's promise, checked below)
                    if refused:
                        retry_after = min(float(response.headers.get("Retry-After", 2 ** attempt)), 10)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:  # no answer within the client's 60 s
                payload, status, refused = f"{type(exc).__name__}: {exc}".encode(), 599, False
            if retry_after is None or attempt == CLIENT_RETRIES:
                break
            recorder.busy[kind] += 1
            await asyncio.sleep(retry_after)
        recorder.record(kind, time.perf_counter() - started, status, payload.decode(errors="replace"))
        if kind == "vote":
            if status == 200:
                recorder.votes[(user, pid)] = value
                recorder.ambiguous.discard((user, pid))
            elif not refused:  # one refused with 503 did nothing (the API's promise, checked here)
                recorder.ambiguous.add((user, pid))
        await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def hub_processes(hub: CatalogueHub) -> dict[str, list[int]]:
    """The hub, its proxy and the catalogue service's processes (its supervisor and
    workers): every descendant of the hub, by what it runs."""
    root = hub.hub.process.pid
    found: dict[str, list[int]] = {"hub": [root]}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == root:
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            chain, pid = [], int(entry.name)
            while pid > 1 and pid != root and len(chain) < 10:
                pid = _parent(pid)
                chain.append(pid)
        except (OSError, ValueError):
            continue
        if pid != root:
            continue
        if "configurable-http-proxy" in cmdline or "beamhub-proxy" in cmdline:  # the site's wrapper of it
            found.setdefault("proxy", []).append(int(entry.name))
        elif "catalogue-service" in cmdline:
            found.setdefault("service", []).append(int(entry.name))
    return found


def database_processes(data: Path) -> list[int]:
    """DocumentDB's processes (PostgreSQL's postmaster, its backends, the gateway): those
    naming its data folder and their children."""
    roots, parents = set(), {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[int(entry.name)] = _parent(int(entry.name))
            if str(data) in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                roots.add(int(entry.name))
        except (OSError, ValueError):
            continue
    return sorted(roots | {pid for pid, parent in parents.items() if parent in roots})


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds so far of one process's threads, by kind: the store threads (named
    beamhub-store by the service) apart from everything else (the event loop: HTTP, hub
    auth, validation, JSON)."""
    total = {"store": 0.0, "rest": 0.0}
    tick = os.sysconf("SC_CLK_TCK")
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return total
    for task in tasks:
        try:
            comm = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total["store" if comm == "beamhub-store" else "rest"] += (int(fields[11]) + int(fields[12])) / tick
    return total


def process_names(processes: dict[str, list[int]]) -> dict[int, str]:
    """A name for each process: hub, proxy, and the service's supervisor and workers
    (``service`` alone when it runs as one process)."""
    names = {}
    service = processes.get("service", [])
    for kind, pids in processes.items():
        for pid in pids:
            names[pid] = kind
    if len(service) > 1:
        for pid in service:
            try:
                comm = Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:
                comm = ""
            names[pid] = f"worker {comm.removeprefix('beamhub-w')}" if comm.startswith("beamhub-w") else "supervisor"
    return names


async def run_load(hub: CatalogueHub, tokens: dict[str, str], demo_pids: list[str], seconds: float,
                   think: float, recorder: Recorder | None = None, first_seed: int = 0,
                   base: str | None = None) -> tuple[Recorder, float]:
    recorder = recorder or Recorder()
    # Built before the clock starts: generating them inside the loop would stall it.
    queries = [search_params(q) for q in synthetic.query_mix(random.Random(0), 2000)]
    connector = aiohttp.TCPConnector(limit=len(tokens) + 10)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(
            simulated_user(session, base or hub.url, user, token, demo_pids, queries, deadline, think, recorder, seed)
            for seed, (user, token) in enumerate(tokens.items(), start=first_seed)))
        elapsed = time.monotonic() - started
    return recorder, elapsed


def check_votes(hub: CatalogueHub, recorder: Recorder, demo_pids: list[str], reader: str) -> list[str]:
    lines = []
    exact, compared = True, 0
    for pid in demo_pids:
        finals = [v for (user, p), v in recorder.votes.items() if p == pid and (user, p) not in recorder.ambiguous]
        unsure = sum(1 for (user, p) in recorder.ambiguous if p == pid)
        dataset = hub.get(reader, f"/datasets/{quote(pid, safe='')}").json()
        expected = (finals.count("like"), finals.count("dislike"))
        got = (dataset["likes"], dataset["dislikes"])
        match = got == expected if not unsure else None
        exact &= match is not False
        compared += match is not None
        lines.append(f"  {pid[-12:]}: expected likes/dislikes {expected}, service reports {got}"
                     + (f"  not compared ({unsure} votes failed without a clear answer)" if unsure
                        else "  ok" if match else "  MISMATCH"))
    lines.insert(0, "vote counts: " + ("NOT EXACT" if not exact else "exact" if compared == len(demo_pids)
                                       else f"exact on the {compared} of {len(demo_pids)} datasets comparable"))
    return lines


def run_one(args, store_url: str, users: dict[str, list[str]], workdir: Path, workers: int,
            store_threads: int | None = None, database: Path | None = None) -> list[dict]:
    """Start the hub with ``workers`` service processes (``store_threads`` each, or the
    default), run the load of each of ``args.user_counts`` (the first users of
    ``users``), stop it: the figures of each."""
    began = time.monotonic()
    environment = {"BEAMHUB_SERVICE_PROFILE": f"{args.profile}-w{workers}"} if args.profile else {}
    catalogue = {"log_level": "WARNING", "workers": workers, "environment": environment}
    if store_threads:
        catalogue["store_threads"] = store_threads
    if args.hub_auth_cache:
        catalogue["hub_auth_cache_seconds"] = args.hub_auth_cache
    bases = {"proxy": None}
    if "direct" in args.paths:  # the service's own port, past the proxy
        catalogue["port"] = free_port()
        bases = {path: f"http://127.0.0.1:{catalogue['port']}{API}" if path == "direct" else None
                 for path in args.paths}
    hub = CatalogueHub(store_url, users, workdir, catalogue=catalogue)
    hub.hub.startup_timeout = 900  # the hub adds every user at start: minutes for a thousand on a busy machine
    results = []
    with hub:
        tokens = {user: hub.token(user) for user in users}
        reader = next(iter(users))
        demo_pids = [d["pid"] for d in hub.get(reader, "/datasets", params={
            "proposal": ["p1001", "p1002"], "type": "raw", "limit": 50}).json()["items"]]
        started = time.monotonic() - began
        votes: dict = {}  # every acknowledged vote of every load on this hub: the final counts follow from them
        ambiguous: set = set()
        for count, path in ((count, path) for count in args.user_counts for path in bases):
            base = bases[path]
            chosen = dict(list(tokens.items())[:count])
            print(f"\n== {workers} worker process(es): {count} users for {args.seconds:.0f} s after {args.warmup:.0f} s "
                  f"of warm-up, mean think time {args.think} s, "
                  f"{'straight to the service' if base else 'through configurable-http-proxy'} (hub and service "
                  f"started in {started:.0f} s)", flush=True)
            warm = Recorder()
            warm.votes, warm.ambiguous = votes, ambiguous
            if args.warmup:  # the same load first, unmeasured: columns loaded, caches filled, modules imported
                asyncio.run(run_load(hub, chosen, demo_pids, args.warmup, args.think, warm, first_seed=10**6, base=base))
            recorder = Recorder()
            recorder.votes, recorder.ambiguous = votes, ambiguous
            load_before = os.getloadavg()[0]
            processes = hub_processes(hub)
            if database is not None:
                processes["database"] = database_processes(database)
            names = process_names(processes)
            cpu_before = {pid: thread_cpu(pid) for pid in names}
            own_before = time.process_time()
            recorder, elapsed = asyncio.run(run_load(hub, chosen, demo_pids, args.seconds, args.think, recorder,
                                                     base=base))
            after = hub_processes(hub)
            if database is not None:
                after["database"] = database_processes(database)
            names.update({pid: name for pid, name in process_names(after).items() if pid not in names})
            per_process = {}  # (name, pid) -> {"rest", "store"}: CPU seconds during the load
            for pid, name in names.items():
                now, then = thread_cpu(pid), cpu_before.get(pid, {"rest": 0.0, "store": 0.0})
                per_process[(name, pid)] = {kind: max(0.0, now[kind] - then[kind]) for kind in now}
            per_process[("load generator", os.getpid())] = {"rest": time.process_time() - own_before, "store": 0.0}
            cpu = {}
            for (name, _), used in per_process.items():
                kind = "service" if name.startswith(("worker", "supervisor")) else name
                cpu.setdefault(kind, {"rest": 0.0, "store": 0.0})
                for part in used:
                    cpu[kind][part] += used[part]
            load_after = os.getloadavg()[0]
            results.append({"workers": workers, "users": count, "store_threads": store_threads or "default", "path": path,
                            "recorder": recorder, "elapsed": elapsed, "cpu": cpu, "per_process": per_process,
                            "votes": check_votes(hub, recorder, demo_pids, reader), "load": (load_before, load_after),
                            "warmup_errors": sum(warm.errors.values()), "warmup_reasons": dict(warm.reasons),
                            "service_pids": len(processes.get("service", []))})
    return results


def report(result: dict, users: int) -> list[str]:
    recorder, elapsed = result["recorder"], result["elapsed"]
    every = [s for values in recorder.latency.values() for s in values]
    errors = sum(recorder.errors.values())
    warm = "; ".join(f"{status} {reason}: {count}" for (status, reason), count in
                     sorted(result["warmup_reasons"].items(), key=lambda item: -item[1]))
    lines = [f"requests: {len(every)} in {elapsed:.1f} s = {len(every) / elapsed:.1f} requests/s; errors: {errors} "
             f"(in the warm-up before: {result['warmup_errors']}{': ' + warm if warm else ''})",
             f"{'kind':<9}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"]
    for kind in ("search", "detail", "preview", "vote", "all"):
        values = every if kind == "all" else recorder.latency.get(kind, [])
        if values:
            lines.append(f"{kind:<9}{len(values):>7}{percentile(values, .50) * 1e3:>9.1f}"
                         f"{percentile(values, .95) * 1e3:>9.1f}{percentile(values, .99) * 1e3:>9.1f}"
                         f"{max(values) * 1e3:>9.1f}")
    if recorder.busy:
        lines.append(f"answered 503 and retried after Retry-After (latency counts from the first try): "
                     f"{dict(recorder.busy)}")
    if errors:
        lines.append(f"errors by kind and status: {dict(recorder.errors)}")
        lines.append("errors by status and what they say: " + "; ".join(
            f"{status} {reason}: {count}" for (status, reason), count in
            sorted(recorder.reasons.items(), key=lambda item: -item[1])))
        lines += ["  " + line for line in recorder.error_bodies]
    lines += result["votes"]
    p95 = percentile(every, .95) * 1e3
    lines.append(f"goal: 0 errors ({'met' if not errors else 'NOT met'}), p95 < 300 ms "
                 f"({'met' if p95 < 300 else 'NOT met'}: {p95:.0f} ms)")
    n = max(1, len(every))
    service = result["cpu"].get("service", {"rest": 0.0, "store": 0.0})
    lines.append(f"CPU per request (ms): service {(service['rest'] + service['store']) / n * 1e3:.2f} = event loops "
                 f"{service['rest'] / n * 1e3:.2f} + store threads {service['store'] / n * 1e3:.2f} "
                 f"(over {result['workers']} worker(s), {result['service_pids']} process(es) with the supervisor); "
                 + ", ".join(f"{name} {(c['rest'] + c['store']) / n * 1e3:.2f}"
                             for name, c in result["cpu"].items() if name != "service"))
    lines.append(f"cores busy during the load (CPU seconds / elapsed, of {os.cpu_count()}): " + ", ".join(
        f"{name} {(c['rest'] + c['store']) / elapsed:.2f}" for name, c in result["cpu"].items()))
    busy = sum(result["recorder"].busy.values())
    if busy:  # each refused try was parsed, checked and answered too: the loops' work per answer given
        lines.append(f"the service's event loops per answer given, 503 answers included ({n} + {busy}): "
                     f"{service['rest'] / (n + busy) * 1e3:.2f} ms")
    lines.append("CPU per request by process (ms; the process's CPU during the load / all requests):")
    database = [used for (name, _), used in result["per_process"].items() if name == "database"]
    for (name, pid), used in sorted(result["per_process"].items(), key=lambda item: item[0]):
        if name == "database":
            continue
        split = (f" = event loop {used['rest'] / n * 1e3:.2f} + store threads {used['store'] / n * 1e3:.2f}"
                 if name.startswith(("worker", "service")) else "")
        lines.append(f"  {name + ' (' + str(pid) + ')':<26}{(used['rest'] + used['store']) / n * 1e3:7.2f}{split}")
    if database:
        lines.append(f"  {'database (' + str(len(database)) + ' processes)':<26}"
                     f"{sum(u['rest'] + u['store'] for u in database) / n * 1e3:7.2f}")
    lines.append(f"machine load average (1 min) before/after: {result['load'][0]:.1f}/{result['load'][1]:.1f} on "
                 f"{os.cpu_count()} CPUs (other work on the machine inflates every figure)")
    return lines


def summary(results: list[dict], store: str) -> list[str]:
    """The side-by-side table: every load and worker count, one line each."""
    lines = [f"\nside by side ({store}; latency p50/p95/p99 ms of all requests and p95 per kind; CPU ms per "
             "request of each part: the service = its event loops + its store threads, gen the load generator; load "
             "average before/after; cores busy: each part's CPU seconds / elapsed)",
             f"{'users':>5} {'workers':>7} {'threads':>7} {'path':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7}  "
             f"{'search':>7} {'detail':>7} {'preview':>7} {'vote':>7}  {'errors':>6} {'busy':>6} {'votes':>9}  "
             f"{'service = loop + store':>22} {'proxy':>6} {'hub':>6} {'db':>6} {'gen':>6}  {'load':>9}  "
             f"cores busy: service/proxy/hub/load generator"]
    for result in results:
        recorder = result["recorder"]
        every = [s for values in recorder.latency.values() for s in values]
        n = max(1, len(every))

        def cpu(kind: str, part: str | None = None) -> float:
            used = result["cpu"].get(kind, {"rest": 0.0, "store": 0.0})
            return (used[part] if part else used["rest"] + used["store"]) / n * 1e3

        p95 = {kind: percentile(recorder.latency.get(kind, []), .95) * 1e3
               for kind in ("search", "detail", "preview", "vote")}
        exact = ("NOT EXACT" if "NOT" in result["votes"][0] else "exact" if result["votes"][0].endswith("exact")
                 else "partly")  # some datasets not comparable: votes failed without a clear answer
        service = f"{cpu('service'):.2f} = {cpu('service', 'rest'):.2f} + {cpu('service', 'store'):.2f}"
        db = f"{cpu('database'):6.2f}" if "database" in result["cpu"] else f"{'-':>6}"
        lines.append(
            f"{result['users']:>5} {result['workers']:>7} {str(result['store_threads']):>7} {result['path']:>6} "
            f"{len(every) / result['elapsed']:>7.1f} {percentile(every, .50) * 1e3:>7.1f} "
            f"{percentile(every, .95) * 1e3:>7.1f} {percentile(every, .99) * 1e3:>7.1f}  "
            + " ".join(f"{p95[k]:>7.1f}" for k in p95)
            + f"  {sum(recorder.errors.values()):>6} {sum(recorder.busy.values()):>6} {exact:>9}  {service:>22} {cpu('proxy'):>6.2f} "
            f"{cpu('hub'):>6.2f} {db} {cpu('load generator'):>6.2f}  {result['load'][0]:>4.1f}/{result['load'][1]:<4.1f}  "
            + "/".join(f"{sum(result['cpu'].get(kind, {}).values()) / result['elapsed']:.2f}"
                       for kind in ("service", "proxy", "hub", "load generator")))
    lines.append(f"goal (issue 18): 1,000 users, 0 errors, exact votes, p95 < 300 ms; service CPU <= 1 ms per request "
                 f"(store threads apart); {os.cpu_count()} CPUs here")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="200",
                        help="simulated users, comma-separated (e.g. 200,1000): each load in turn on each hub")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a user's requests (s)")
    parser.add_argument("--warmup", type=float, default=10,
                        help="seconds of the same load before the measured ones (search columns loaded, caches "
                        "filled: what a service running for a while has)")
    parser.add_argument("--datasets", type=int, default=10_000, help="synthetic datasets besides the demo's")
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}",
                        help="service worker processes, comma-separated: one run each, side by side "
                        "(default 1 and one per core)")
    parser.add_argument("--store-threads", default="",
                        help="store threads per worker, comma-separated: one run for each with each --workers "
                        "(default: the service's default)")
    parser.add_argument("--store", choices=("sqlite", "documentdb"), default="sqlite",
                        help="the catalogue's engine: an SQLite file, or DocumentDB (the production engine, "
                        "started here: tests/services/documentdb.py)")
    parser.add_argument("--hub-auth-cache", type=int, default=0, metavar="SECONDS",
                        help="catalogue.hub_auth_cache_seconds for the run (default: the service's, 5 s): how "
                        "often each worker asks the hub about each token, the hub's share of the CPU")
    parser.add_argument("--paths", default="proxy",
                        help="how requests reach the service, comma-separated: proxy (through configurable-http-proxy) "
                        "and/or direct (straight to the service's port, as a front web server routing "
                        "/services/catalogue/ to catalogue.port would); each load runs on each, in turn")
    parser.add_argument("--profile", metavar="PREFIX",
                        help="run the service under cProfile, statistics to PREFIX-wN.<pid>")
    args = parser.parse_args()
    args.paths = list(dict.fromkeys(p.strip() for p in args.paths.split(",")))
    if set(args.paths) - {"proxy", "direct"}:
        parser.error("--paths: proxy and/or direct")
    counts = list(dict.fromkeys(int(n) for n in args.workers.split(",")))
    args.user_counts = sorted({int(n) for n in args.users.split(",")})
    threads = list(dict.fromkeys(int(n) for n in args.store_threads.split(",") if n.strip())) or [None]

    with tempfile.TemporaryDirectory(prefix="beamhub-bench-service-") as tmp, contextlib.ExitStack() as stack:
        tmp_path = Path(tmp)
        users = {f"bench{i:04d}": user_groups(i, args.datasets) for i in range(max(args.user_counts))}
        results = []
        if args.store == "documentdb":  # one server; each run its own database, built afresh (its own votes)
            from tests.services.documentdb import DocumentDB

            server = stack.enter_context(DocumentDB())
            print(f"DocumentDB at {server.url} (data in {server.data})", flush=True)
            for n in counts:
                for t in threads:
                    began = time.monotonic()
                    url, _ = build_catalogue(tmp_path, args.datasets, f"{server.url.rstrip('/')}/bench_{n}_{t or 'default'}")
                    print(f"set-up: {args.datasets} synthetic + 9 demo datasets (DocumentDB), {args.users} users, "
                          f"catalogue built in {time.monotonic() - began:.0f} s", flush=True)
                    results += run_one(args, url, users, tmp_path / f"hub-{n}-{t}", n, t, server.data)
        else:
            began = time.monotonic()
            store_url, data = build_catalogue(tmp_path, args.datasets)
            print(f"set-up: {args.datasets} synthetic + 9 demo datasets (SQLite), {args.users} users, "
                  f"catalogue built in {time.monotonic() - began:.0f} s", flush=True)
            for n in counts:  # each run on its own copy of the catalogue (its own votes)
                for t in threads:
                    copy = tmp_path / f"catalogue-{n}-{t}.sqlite"
                    shutil.copyfile(store_url.removeprefix("sqlite:///"), copy)
                    results += run_one(args, f"sqlite:///{copy}", users, tmp_path / f"hub-{n}-{t}", n, t)
    results.sort(key=lambda r: (r["users"], r["workers"], args.paths.index(r["path"])))
    for result in results:
        print(f"\n-- {result['users']} users, {result['workers']} worker(s), {result['store_threads']} store threads "
              f"each, {args.store}, {result['path']}, think {args.think} s --")
        print("\n".join(report(result, result["users"])))
    print("\n".join(summary(results, f"{args.store}, hub_auth_cache_seconds {args.hub_auth_cache or 'default'}")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
