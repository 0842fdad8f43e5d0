"""Jobs as subprocesses of the catalogue service, as its own Unix user (the demo).

No isolation and no queue: every job runs at once as the service's user. The job id is
``local-<pid>``; the pid is also written to ``JOB_DIR/pid`` so a restarted service can
still tell whether the job runs.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

from beamhub.environment import FORBIDDEN_ENV, user_code_env

from ..errors import JobSubmissionFailed
from ..spec import LOG_FILE
from .base import JobState, Runner, SubmittedJob


SERVICE_ONLY_ENV = ("JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN", "JUPYTERHUB_CLIENT_ID", "JUPYTERHUB_OAUTH_*",
                    "JUPYTERHUB_SERVICE_*", "BEAMHUB_SERVICE_*")
"""The service's own hub credentials and settings: never a job's."""


def job_environment(service_env: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """A local job's environment: the service's, without anything secret (the store URL,
    the service's hub token, cookie secrets...), plus the configured ``extra``."""
    return user_code_env(service_env, extra, FORBIDDEN_ENV + SERVICE_ONLY_ENV)


class LocalRunner(Runner):
    name = "local"

    def __init__(self, settings):
        super().__init__(settings)
        self._processes: dict[str, subprocess.Popen] = {}
        self._lock = threading.Lock()

    def submit(self, job_dir: Path, owner: str) -> SubmittedJob:
        log_path = job_dir / LOG_FILE
        env = job_environment(os.environ, self.job_environment())
        try:
            with open(log_path, "ab") as log:
                process = subprocess.Popen(
                    [self.settings.python, "-m", "beamhub.jobs.run", str(job_dir)],
                    cwd=job_dir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    env=env, start_new_session=True,
                )
        except OSError as exc:
            raise JobSubmissionFailed(f"could not start the job: {exc}") from None
        job_id = f"local-{process.pid}"
        (job_dir / "pid").write_text(str(process.pid))
        with self._lock:
            self._processes[job_id] = process
        return SubmittedJob(job_id=job_id, log_path=str(log_path))

    def state(self, job_id: str, job_dir: Path) -> JobState:
        with self._lock:
            process = self._processes.get(job_id)
        if process is not None:
            code = process.poll()
            if code is None:
                return JobState("running")
            with self._lock:
                self._processes.pop(job_id, None)
            return JobState("finished", "" if code == 0 else f"the job exited with status {code}")
        # Started by an earlier run of the service: is the process still there?
        pid = job_id.removeprefix("local-")
        cmdline = Path(f"/proc/{pid}/cmdline")
        try:
            if pid.isdigit() and str(job_dir) in cmdline.read_bytes().decode(errors="replace"):
                return JobState("running")
        except OSError:
            pass
        return JobState("finished")

    def cancel(self, job_id: str, owner: str) -> None:
        with self._lock:
            process = self._processes.pop(job_id, None)
        if process is not None and process.poll() is None:
            process.terminate()
