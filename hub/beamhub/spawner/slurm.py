"""The Slurm spawner: batchspawner's SlurmSpawner with beamhub's profiles and mounts.

Built on ``batchspawner.SlurmSpawner`` 1.3.0 (its last release), run under JupyterHub
6.1. Where 1.3.0 falls short, this subclass fixes it (tests in ``tests/spawner/test_slurm.py``;
the faults themselves are shown in ``tests/spawner/test_batchspawner_faults.py``):

1. Port reports (security): batchspawner's ``/hub/api/batchspawner`` handler lets a
   user's server token set any attribute of the spawner, including commands the hub
   runs as itself. Replaced by :mod:`.port_api` (port only, own token, while starting).
2. A job that dies after it started running (a missing image, a crashing server) is
   not noticed: ``start()`` waits for a port that never comes until ``start_timeout``
   and reports a bare timeout. Here the job is watched until the server answers
   HTTP, and its end is reported at once with Slurm's reason and the job log's tail.
3. ``start()`` returns as soon as the port is reported, before the server listens;
   JupyterHub then polls it with exponential backoff (steps up to 5 s), which adds
   seconds to every spawn. Here the server is polled every 0.1 s before returning.
4. ``start()`` touches ``Spawner.db``, deprecated since JupyterHub 3 (a warning at
   every spawn, an AttributeError once it is removed). Not used here.
5. Progress says "Pending in queue...": here it gives Slurm's state, the pending
   reason and the expected start time. Failures (cancelled, walltime, preempted, node
   failure, out of memory) are described, with the log's tail, to the user, both when
   a spawn fails and, for a running server, on the next spawn form.
6. Commands are run without a shell (argv lists), and the Slurm controller being
   down is told apart from a job having ended: running servers stay up, new spawns
   fail with a clear message, stops are retried in the background.
7. A hub restarted while a job is queued forgets the job (JupyterHub saves the state
   only once the server is up), which later starts for nobody. Here the hub's start-up
   check cancels it (:meth:`BeamhubSlurmSpawner.cancel_lost_jobs`).
8. ``batchspawner-singleuser`` reports a free port and the server binds it a moment
   later; jupyter-server's ``port_retries`` would move a server whose port was taken
   meanwhile to another one, unknown to the hub. Here it is 0: such a server fails.

Not batchspawner's fault but the cluster's: a rootless podman container outlives its
cancelled job (its monitor, conmon, leaves the job's process tree, so Slurm's signals
miss it). The job traps SIGTERM and removes its container (:func:`.runtimes.stop_command`),
and podman's state is the job's own, removed when it ends (:func:`.runtimes.runtime_setup`),
so a job killed hard cannot break the user's next one.

The batch script comes from :func:`beamhub.slurm.script.batch_script` (batchspawner's
``batch_script`` template and ``req_*`` options other than prologue/epilogue are not
used); the query is ``scontrol show job -o``, which also answers for recently
finished jobs, so the reason a job ended can be told.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shlex
import time
from datetime import datetime

from batchspawner import JobStatus, SlurmSpawner
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from traitlets import Float, Integer, List, Unicode, default

from ..slurm.commands import USERNAME, as_user
from ..slurm.script import BatchJob, batch_script
from ..slurm.state import JobInfo, controller_unreachable, end_message, job_unknown, parse_job, pending_message
from . import port_api
from .base import BeamhubSpawner, LaunchPlan
from .errors import SchedulerUnavailable, SpawnFailed
from .profiles import format_walltime, parse_walltime
from .runtimes import container_command, runtime_setup, stop_command

port_api.install()

DEFAULT_JOB_PATH = "/opt/beamhub/venv/bin:/usr/local/bin:/usr/bin:/bin"
SCHEDULER_DOWN = ("The cluster's scheduler (slurmctld) is not answering, so no server can be started "
                  "right now. Servers already running are not affected. Please try again in a few minutes.")


class BeamhubSlurmSpawner(BeamhubSpawner, SlurmSpawner):
    """Single-user servers as Slurm jobs, in a container, with read-only data mounts."""

    exec_prefix = Unicode(
        "sudo -E -u {username}",
        help="""Prefix running every Slurm command as the user ({username} replaced; needs a sudo
        rule for sbatch, scontrol, scancel, squeue, tail, mkdir and sh on the hub host).""",
    ).tag(config=True)

    batch_query_cmd = Unicode(
        "scontrol show job -o {job_id}",
        help="Query of a job's state (run through exec_prefix). scontrol also answers for jobs "
        "finished within MinJobAge, so the reason a job ended can be shown.",
    ).tag(config=True)

    batch_cancel_cmd = Unicode("scancel {job_id}", help="Cancels a job (run through exec_prefix).").tag(config=True)
    lost_jobs_cmd = Unicode(
        "squeue --noheader --format=%i --states=PENDING --name={job_name} --user={username}",
        help="""Lists, one id per line, the queued jobs of a spawn the hub lost by restarting
        before the server was up; they are cancelled when the hub starts (run through
        exec_prefix; '' = never look).""",
    ).tag(config=True)

    sbatch_command = Unicode(
        "sbatch --parsable", help="Submits the batch script (read on stdin); run through exec_prefix.",
    ).tag(config=True)

    sbatch_options = List(
        Unicode(),
        help="Extra #SBATCH options for every server job, e.g. ['--constraint=jupyter', '--exclusive=user'].",
    ).tag(config=True)

    job_log = Unicode(
        "{home}/.beamhub/logs/jupyter-%j.log",
        help="The job's output file ({home}, {username} replaced; %j is the job id). Its directory is "
        "created as the user before submission; its tail is shown when a job fails.",
    ).tag(config=True)

    job_path = Unicode(
        DEFAULT_JOB_PATH,
        help="PATH in the job (the job gets no environment from the hub beyond what the server needs).",
    ).tag(config=True)

    job_name = Unicode("jupyterhub-{username}", help="Slurm job name ({username} replaced).").tag(config=True)

    slurm_env_keep = List(
        Unicode(), ["SLURM_CONF", "PATH"],
        help="Variables of the hub's environment given to the Slurm commands (not to the server).",
    ).tag(config=True)

    walltime_update_prefix = Unicode(
        "sudo -E -u slurm",
        help="""Prefix running walltime_update_cmd when a user extends their server ({username} replaced).
        Slurm lets only its operators (SlurmUser, root, AdminLevel=Operator) raise a job's time limit:
        the job's owner may only lower it. The hub checks first that the job is the user's server
        and that the profile's max_walltime allows the new limit.""",
    ).tag(config=True)

    walltime_update_cmd = Unicode(
        "scontrol update JobId={job_id} TimeLimit={time_limit}",
        help="Sets a running server's job time limit ({job_id}; {time_limit} in Slurm's D-HH:MM:SS).",
    ).tag(config=True)

    log_tail_lines = Integer(25, help="Lines of the job log shown when a job fails.").tag(config=True)

    port_poll_interval = Float(
        0.1, help="How often (seconds) to check whether the server reported its port and answers HTTP.",
    ).tag(config=True)

    cancel_retry_interval = Float(
        15.0, help="While slurmctld is down, how often (seconds) a stop retries scancel in the background.",
    ).tag(config=True)

    cancel_retry_for = Float(
        3600.0, help="How long (seconds) a stop keeps retrying scancel while slurmctld is down.",
    ).tag(config=True)

    @default("startup_poll_interval")
    def _startup_poll_interval_default(self):
        return 0.25

    @default("req_srun")
    def _req_srun_default(self):
        return ""

    _job_info: JobInfo | None = None

    # -- commands ------------------------------------------------------------------------
    def _prefix(self) -> list[str]:
        return as_user(shlex.split(self.exec_prefix), self.user.name)

    def _slurm_env(self) -> dict[str, str]:
        return {k: os.environ[k] for k in self.slurm_env_keep if k in os.environ}

    async def _run(self, argv: list[str], *, stdin: str | None = None, env: dict | None = None,
                   timeout: float = 60, prefix: list[str] | None = None) -> tuple[int, str, str]:
        """Run ``exec_prefix + argv`` (or ``prefix + argv``; no shell); (status, stdout, stderr)."""
        full = (self._prefix() if prefix is None else prefix) + argv
        process = await asyncio.create_subprocess_exec(
            *full, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={**(env or {}), **self._slurm_env()})
        try:
            out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin else None), timeout)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            process.kill()
            await process.wait()
            raise
        return process.returncode, out.decode(errors="replace").strip(), err.decode(errors="replace").strip()

    def _format(self, template: str, job_id: str = "") -> str:
        """A command template with {job_id} (this server's, unless given), {username}, {job_name}."""
        return template.format(job_id=job_id or self.job_id, username=self.user.name,
                               job_name=self.job_name.format(username=self.user.name))

    # -- the job ---------------------------------------------------------------------------
    def log_path(self) -> str:
        home = self._plan.home_mounts[0].source if self._plan and self._plan.home_mounts else self.user_home()
        return self.job_log.replace("{home}", home).replace(USERNAME, self.user.name)

    def render_batch_script(self, plan: LaunchPlan) -> str:
        env = self.get_env()
        # The port is picked on the node and reported before the server binds it; should
        # another process take it meanwhile, jupyter-server would quietly move to the next
        # one while the hub connects to the reported one: fail instead.
        command = [os.path.join(self.singleuser_bin_dir, "batchspawner-singleuser"),
                   *self.singleuser_command(), *self.get_args(), "--ServerApp.port_retries=0"]
        name = f"jupyter-{re.sub(r'[^A-Za-z0-9_.-]', '-', self.user.name)}-{secrets.token_hex(4)}"
        launch = self.launch(plan, command, env.keys(), name=name)
        options = self.runtime_settings()
        profile = plan.profile
        runtime = runtime_setup(launch, options)
        return batch_script(BatchJob(
            command=container_command(launch, options), job_name=self._format(self.job_name), log_path=self.log_path(),
            workdir=plan.home_mounts[0].source if plan.home_mounts else "", export=sorted(env),
            environment={"PATH": self.job_path, **runtime.environment}, partition=profile.partition,
            account=profile.account, qos=profile.qos, cpus=plan.resources.cpus,
            memory=f"{plan.resources.memory}M" if plan.resources.memory else "", gpus=profile.gpus,
            time_limit=format_walltime(plan.resources.walltime) if plan.resources.walltime else "",
            options=self.sbatch_options, announce="starting the single-user server",
            setup=[*runtime.setup, *self.link_commands(plan)],
            cleanup=runtime.cleanup, prologue=self.req_prologue, epilogue=self.req_epilogue,
            stop_command=stop_command(launch, options)))

    async def submit_batch_script(self):
        script = self.render_batch_script(self._plan)
        self.log.debug("%s: batch script:\n%s", self._log_name, script)
        log_dir = os.path.dirname(self.log_path())
        argv = ["/bin/sh", "-c", 'mkdir -p -m 0700 "$1" && shift && exec "$@"', "sh", log_dir,
                *shlex.split(self.sbatch_command)]
        status, out, err = await self._run(argv, stdin=script, env=self.get_env())
        if status != 0:
            if controller_unreachable(err):
                raise SchedulerUnavailable(SCHEDULER_DOWN)
            reason = err.splitlines()[-1] if err else f"exit status {status}"
            raise SpawnFailed(f"The cluster refused the job: {reason.removeprefix('sbatch: error: ')}")
        self.job_id = self.parse_job_id(out)
        self.log.info("%s: submitted job %s", self._log_name, self.job_id)
        return self.job_id

    async def query_job_status(self):
        """The job's state; ``UNKNOWN`` while slurmctld does not answer."""
        if not self.job_id:
            self.job_status = ""
            return JobStatus.NOTFOUND
        status, out, err = await self._run(shlex.split(self._format(self.batch_query_cmd)), timeout=30)
        self.job_status = out if status == 0 else err
        if status != 0:
            if controller_unreachable(err) or not job_unknown(err):
                self.log.warning("%s: cannot query job %s: %s", self._log_name, self.job_id, err)
                return JobStatus.UNKNOWN
            self._job_info = None
            return JobStatus.NOTFOUND
        info = parse_job(out)
        self._job_info = info
        if info is None:
            return JobStatus.NOTFOUND
        if info.pending:
            return JobStatus.PENDING
        if info.running:
            return JobStatus.RUNNING
        return JobStatus.NOTFOUND

    def state_ispending(self):
        return bool(self._job_info and self._job_info.pending)

    def state_isrunning(self):
        return bool(self._job_info and self._job_info.running)

    def state_isunknown(self):
        return controller_unreachable(self.job_status)

    def state_gethost(self):
        return self._job_info.batch_host if self._job_info else ""

    async def log_tail(self, info: JobInfo | None) -> str:
        path = info.std_out if info and info.std_out else self.log_path().replace("%j", self.job_id or "")
        try:
            status, out, _ = await self._run(["tail", "-n", str(self.log_tail_lines), "--", path], timeout=10)
        except (OSError, asyncio.TimeoutError):
            return ""
        return out[-4000:] if status == 0 else ""

    async def ended(self, info: JobInfo | None) -> SpawnFailed:
        """The exception describing why the job is no longer running."""
        message = end_message(info, self.job_id)
        return SpawnFailed(message, await self.log_tail(info))

    # -- the session's walltime (beamhub.lifecycle) -------------------------------------------
    async def job_walltime(self, refresh: bool = False) -> tuple[str, datetime | None, int | None]:
        """(job id, start, time limit in minutes) of the running job; (job id, None, None) when
        it is not running or has no limit. The job state of the last poll is used unless
        ``refresh`` (or there is none yet)."""
        if not self.job_id:
            return "", None, None
        if refresh or self._job_info is None or self._job_info.job_id != self.job_id:
            await self.query_job_status()
        info = self._job_info
        if info is None or not info.running:
            return self.job_id, None, None
        try:
            start = datetime.fromisoformat(info.start_time).astimezone()  # Slurm: the node's local time
            limit = parse_walltime(info.time_limit)
        except ValueError:  # UNLIMITED, Unknown
            return self.job_id, None, None
        return self.job_id, start, limit

    async def set_walltime(self, minutes: int) -> None:
        """Set the running job's time limit to ``minutes`` (walltime_update_cmd through
        walltime_update_prefix); :class:`SchedulerUnavailable` if slurmctld is down,
        RuntimeError with Slurm's words if it refuses."""
        argv = shlex.split(self.walltime_update_cmd.format(job_id=self.job_id, time_limit=format_walltime(minutes)))
        prefix = as_user(shlex.split(self.walltime_update_prefix), self.user.name)
        status, out, err = await self._run(argv, prefix=prefix, timeout=30)
        if status != 0:
            if controller_unreachable(err):
                raise SchedulerUnavailable(SCHEDULER_DOWN)
            raise RuntimeError(f"Slurm refused the new time limit: {err or out or f'exit status {status}'}")
        self.log.info("%s: job %s time limit set to %s", self._log_name, self.job_id, format_walltime(minutes))
        await self.query_job_status()

    # -- JupyterHub's interface -------------------------------------------------------------
    async def start(self):
        await self.plan_launch()
        self.ip = self.traits()["ip"].default_value
        self.port = 0
        if self.server:
            self.server.port = 0
        self._job_info = None
        self.job_id = ""
        await self.submit_batch_script()
        try:
            await self._wait_running()
            await self._wait_ready()
        except SpawnFailed as failure:
            self.record_failure(failure.message, failure.log_tail)
            raise
        self.server_started()
        self.log.info("%s: job %s serving at %s:%s", self._log_name, self.job_id, self.ip, self.port)
        return self.ip, self.port

    async def _wait_running(self):
        while True:
            status = await self.query_job_status()
            if status == JobStatus.RUNNING:
                self.ip = self.state_gethost() or self.ip
                return
            if status == JobStatus.NOTFOUND:
                raise await self.ended(self._job_info)
            await asyncio.sleep(self.startup_poll_interval)

    async def _wait_ready(self):
        """Until the server answers HTTP, watching the job so that its end is reported."""
        client = AsyncHTTPClient()
        last_check = time.monotonic()
        while True:
            if self.port:
                url = f"http://{self.ip}:{self.port}{self.server.base_url if self.server else '/'}api"
                try:
                    await client.fetch(HTTPRequest(url, request_timeout=2, connect_timeout=1))
                    return
                except HTTPClientError as exc:
                    if exc.code < 500 and exc.code != 599:
                        return
                except (OSError, asyncio.TimeoutError):
                    pass
            if time.monotonic() - last_check >= self.startup_poll_interval * 2:
                last_check = time.monotonic()
                status = await self.query_job_status()
                if status == JobStatus.NOTFOUND:
                    raise await self.ended(self._job_info)
            await asyncio.sleep(self.port_poll_interval)

    async def progress(self):
        sent = None
        while True:
            event = self._progress_event()
            if event["message"] != sent:
                sent = event["message"]
                yield event
            await asyncio.sleep(0.25)

    def _progress_event(self) -> dict:
        info = self._job_info
        if not self.job_id:
            return {"progress": 10, "message": "Submitting your server's job to the cluster..."}
        if info is None or info.pending:
            message = pending_message(info) if info else f"Job {self.job_id} submitted; waiting for the scheduler..."
            if self._plan:
                r = self._plan.resources
                message += f" [{r.cpus} CPU, {r.memory} MiB, {format_walltime(r.walltime)}" + (
                    f", partition {r.profile.partition}]" if r.profile.partition else "]")
            return {"progress": 30, "message": message}
        if not self.port:
            return {"progress": 60, "message": f"Job {self.job_id} is running on {info.batch_host or 'its node'}: "
                    "starting JupyterLab..."}
        return {"progress": 90, "message": f"JupyterLab started on {self.ip}:{self.port}; connecting..."}

    async def poll(self):
        if not self.job_id:
            if self._check_pending:  # the hub's start-up check of a server it had recorded
                await self.cancel_lost_jobs()
            return 0
        status = await self.query_job_status()
        if status in (JobStatus.PENDING, JobStatus.RUNNING, JobStatus.UNKNOWN):
            return None
        if not self._stop_pending:
            failure = await self.ended(self._job_info)
            self.record_failure(failure.message, failure.log_tail)
            self.log.warning("%s: %s", self._log_name, failure.jupyterhub_message)
        self.clear_state()
        return 1

    async def cancel_lost_jobs(self):
        """Cancel the queued jobs of a spawn the hub lost by restarting before the server was up.

        JupyterHub saves a spawner's state (the job id) only once its server is up, so such
        a job is found by its name and owner; left queued, it would start later for nobody.
        """
        if not self.lost_jobs_cmd:
            return
        try:
            status, out, err = await self._run(shlex.split(self._format(self.lost_jobs_cmd)), timeout=30)
        except (OSError, asyncio.TimeoutError) as exc:
            self.log.warning("%s: could not look for lost jobs: %s", self._log_name, exc)
            return
        if status != 0:
            self.log.warning("%s: could not look for lost jobs: %s", self._log_name, err)
            return
        for job_id in filter(str.isdigit, out.split()):
            self.log.warning("%s: cancelling job %s, queued by a spawn the hub lost when it restarted",
                             self._log_name, job_id)
            try:
                await self.cancel_batch_job(job_id)
            except (SchedulerUnavailable, RuntimeError) as exc:
                self.log.warning("%s: %s", self._log_name, exc)

    async def cancel_batch_job(self, job_id: str = ""):
        """Cancel a job (this server's unless given); one already gone counts as cancelled."""
        job_id = job_id or self.job_id
        status, out, err = await self._run(shlex.split(self._format(self.batch_cancel_cmd, job_id)), timeout=30)
        if status != 0 and controller_unreachable(err):
            raise SchedulerUnavailable(err)
        if status != 0 and not job_unknown(err) and "already completing or completed" not in err:
            raise RuntimeError(f"scancel {job_id}: {err}")

    async def stop(self, now=False):
        if not self.job_id:
            return
        job_id = self.job_id
        self.log.info("%s: cancelling job %s", self._log_name, job_id)
        try:
            await self.cancel_batch_job()
        except SchedulerUnavailable:
            self.log.error("%s: slurmctld is down; job %s will be cancelled when it is back", self._log_name, job_id)
            asyncio.ensure_future(self._cancel_later(job_id))
            return
        if now:
            return
        for _ in range(20):
            status = await self.query_job_status()
            if status not in (JobStatus.RUNNING, JobStatus.UNKNOWN):
                return
            await asyncio.sleep(0.5)
        self.log.warning("%s: job %s still running after scancel", self._log_name, job_id)

    async def _cancel_later(self, job_id: str):
        deadline = time.monotonic() + self.cancel_retry_for
        while time.monotonic() < deadline:
            await asyncio.sleep(self.cancel_retry_interval)
            try:
                await self.cancel_batch_job(job_id)
            except SchedulerUnavailable:
                continue
            except RuntimeError as exc:
                self.log.error("%s: %s", self._log_name, exc)
                return
            self.log.info("%s: job %s cancelled after the controller came back", self._log_name, job_id)
            return
        self.log.error("%s: gave up cancelling job %s", self._log_name, job_id)
