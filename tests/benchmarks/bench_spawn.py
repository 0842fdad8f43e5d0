"""Spawn request to ready through Slurm, against the floor measured in the same run.

Run as root (from the repository root)::

    PYTHONPATH=hub:. /opt/beamhub/venv/bin/python tests/benchmarks/bench_spawn.py [--spawns 10] \
        [--profile podman|bwrap] [--proposals P1]

It starts a one-node Slurm (tests/services/slurm.py), a hub with beamhub's site
configuration and the catalogue service, and alice. Each round measures, in turn:

1. sbatch floor: a bare ``sbatch`` (as alice) of a job asking for the same resources,
   from submission until Slurm reports it RUNNING;
2. server floor: the same single-user server (jupyterhub-singleuser with the hub's
   environment and a real token of alice's, in the same container runtime, image and
   mounts, built by the same command-line builder) started directly on the node, from
   exec until its HTTP API answers;
3. spawn: ``POST /hub/api/users/alice/server`` until the hub reports it ready (the
   progress stream's ready event), then the server is stopped.

It prints every round, the medians, and median(spawn) / (median(sbatch) + median(server)):
the goal is at most 1.5. It asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from beamhub.spawner.mounts import Mount
from beamhub.slurm.script import BatchJob, batch_script
from beamhub.spawner.runtimes import Launch, RuntimeOptions, container_command, runtime_setup, stop_command

from tests.services.ports import free_port
from tests.services.slurm import Slurm
from tests.services.unix_users import ensure_users
from tests.spawner.conftest import slurm_spawner_section
from tests.spawner.support import SpawnerHub, make_catalogue, make_data

BIN = "/opt/beamhub/venv/bin"


def sbatch_floor(slurm: Slurm, cpus: int, memory_mb: int, partition: str = "main") -> float:
    script = (f"#!/bin/bash\n#SBATCH --job-name=floor\n#SBATCH --output=/dev/null\n#SBATCH --cpus-per-task={cpus}\n"
              f"#SBATCH --mem={memory_mb}M\n#SBATCH --time=00:10:00\n#SBATCH --partition={partition}\nsleep 120\n")
    started = time.perf_counter()
    job = subprocess.run(["sudo", "-E", "-u", "alice", "sbatch", "--parsable"], input=script, text=True,
                         capture_output=True, env=slurm.env, check=True).stdout.strip()
    while slurm.job(job).get("JobState") != "RUNNING":
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    slurm.run("scancel", job)
    while slurm.job(job).get("JobState") in ("RUNNING", "COMPLETING"):
        time.sleep(0.05)
    return elapsed


def server_floor(hub: SpawnerHub, profile: dict, data_root: Path, storage_conf: str) -> float:
    """The single-user server's own start: jupyterhub-singleuser, with the environment the
    hub gives it (a real token of alice's), in the same wrapper, started directly."""
    port = free_port()
    prefix = "/user/alice/"
    server_env = {
        "JUPYTERHUB_API_TOKEN": hub.token("alice"), "JUPYTERHUB_API_URL": hub.hub.api_url,
        "JUPYTERHUB_USER": "alice", "JUPYTERHUB_SERVER_NAME": "", "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_SERVICE_PREFIX": prefix, "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}",
        "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-alice", "JUPYTERHUB_HOST": "",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback", "JUPYTERHUB_OAUTH_ACCESS_SCOPES": "[]",
        "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES": "[]",
        "JUPYTERHUB_ACTIVITY_URL": f"{hub.hub.api_url}/users/alice/activity",
        "BEAMHUB_DATA": '{"P1": "/data/P1"}', "HOME": "/home/alice", "USER": "alice",
    }
    launch = Launch(runtime=profile["runtime"], command=[f"{BIN}/jupyterhub-singleuser"],
                    image=profile.get("image", ""),
                    mounts=[Mount("/home/alice", "/home/alice", False), Mount(str(data_root / "P1"), "/data/P1")],
                    env_names=sorted(server_env), workdir="/home/alice", hide=[str(data_root)])
    options = RuntimeOptions.model_validate({"podman": {"storage_conf": storage_conf}})
    runtime = runtime_setup(launch, options)
    # The job's own wrapper (runtime set-up, stop and clean-up traps), run directly as alice.
    script = batch_script(BatchJob(command=container_command(launch, options),
                                   environment={"PATH": f"{BIN}:/usr/bin:/bin", **runtime.environment},
                                   setup=runtime.setup, cleanup=runtime.cleanup,
                                   stop_command=stop_command(launch, options)))
    started = time.perf_counter()
    process = subprocess.Popen(["sudo", "-u", "alice", "env", *(f"{k}={v}" for k, v in server_env.items()),
                                "/bin/bash", "-c", script], cwd="/",
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}{prefix}api", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except requests.RequestException:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"the server exited ({process.returncode})")
            time.sleep(0.02)
    finally:
        process.terminate()
        process.wait(60)


def spawn_time(hub: SpawnerHub, options: dict) -> float:
    started = time.perf_counter()
    response = hub.spawn("alice", options)
    response.raise_for_status()
    events = hub.progress("alice")
    elapsed = time.perf_counter() - started
    if not events[-1].get("ready"):
        raise RuntimeError(f"spawn failed: {events[-1]}")
    hub.stop("alice")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spawns", type=int, default=10)
    parser.add_argument("--profile", choices=["podman", "bwrap"], default="podman")
    parser.add_argument("--proposals", nargs="*", default=["P1"])
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench_spawn: run as root (it starts Slurm and spawns as alice)")
    ensure_users(["alice", "bob", "carol"])
    image, storage_conf = "", ""
    if args.profile == "podman":
        from tests.services import podman

        image, storage_conf = podman.singleuser_image(), str(podman.user_storage_conf())
    workdir = Path(tempfile.mkdtemp(prefix="beamhub-bench-spawn-"))
    workdir.chmod(0o755)
    data_root = make_data(workdir / "data")
    store = make_catalogue(workdir / "catalogue.sqlite", data_root)
    section = slurm_spawner_section(image or "unused", storage_conf, data_root)
    profile = next(p for p in section["profiles"] if p["name"] == args.profile)
    with Slurm() as slurm:
        hub = SpawnerHub(workdir / "hub", store, section, env={"SLURM_CONF": str(slurm.conf), "LANG": "C.UTF-8"})
        hub.start()
        try:
            options = {"profile": args.profile, "proposals": args.proposals}
            spawn_time(hub, options)  # warm-up: first use of the image, the user's podman storage
            rows = []
            print(f"{'round':>5} {'sbatch->RUNNING':>16} {'server start':>13} {'spawn->ready':>13}")
            for i in range(args.spawns):
                row = (sbatch_floor(slurm, 1, 1024), server_floor(hub, profile, data_root, storage_conf),
                       spawn_time(hub, options))
                rows.append(row)
                print(f"{i + 1:>5} {row[0]:>15.2f}s {row[1]:>12.2f}s {row[2]:>12.2f}s", flush=True)
        finally:
            hub.close()
    sbatch, server, spawn = (statistics.median(column) for column in zip(*rows))
    floor = sbatch + server
    print(f"\nprofile {args.profile}, {args.spawns} spawns, load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(f"median sbatch->RUNNING {sbatch:.2f} s + median server start {server:.2f} s = floor {floor:.2f} s")
    print(f"median spawn->ready {spawn:.2f} s (min {min(r[2] for r in rows):.2f}, max {max(r[2] for r in rows):.2f})")
    print(f"ratio {spawn / floor:.2f} (goal <= 1.5)")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
