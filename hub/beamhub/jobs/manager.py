"""Submitting selections and following their jobs (used by the catalogue service).

:meth:`JobManager.submit` checks a draft selection, writes the job folder
(``WORK_ROOT/<owner>/<selection id>/``: ``job.json``, then the job's ``job.log``,
``outputs/`` and ``manifest.json``), starts the job through the runner and only then
marks the selection ``submitted`` (with the job id and log path); if marking fails
the job is cancelled, so no job runs for a selection that is still a draft.

:meth:`JobManager.follow` (called every ``poll_seconds``) moves selections
``submitted -> running -> done | failed`` from what the runner and the job's manifest
say, and on success registers the derived datasets with the operator identity. Every
step is safe to repeat, so a store outage only delays it; a restarted service picks up
the submitted and running selections it finds in the store.

All methods block (subprocesses, files, the store): the service calls them from
worker threads.
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from beamhub.catalogue.errors import (CatalogueError, IllegalTransition, InvalidInput, LimitExceeded,
                                      PermissionDenied)
from beamhub.catalogue.identity import Identity
from beamhub.catalogue.model import Selection
from beamhub.catalogue.store import StatusChange, Store

from .errors import JobSubmissionFailed
from .register import derived_datasets, signal_file
from .runners import Runner, make_runner
from .settings import JobsSettings
from .spec import LOG_FILE, OUTPUT_DIR, SPEC_FILE, JobInput, JobSpec, read_manifest, write_json_atomically
from .steps import STEPS, Step, get_step

log = logging.getLogger(__name__)
IN_PROGRESS = ("submitted", "running")


@dataclass
class ActiveJob:
    selection_id: str
    owner: str
    job_id: str
    job_dir: Path


class JobManager:
    def __init__(self, store: Store, settings: JobsSettings, operator: Identity, work_root: Path,
                 runner: Runner | None = None):
        self.store = store
        self.settings = settings
        self.operator = operator
        self.work_root = Path(work_root)
        self.runner = runner if runner is not None else make_runner(settings)
        self._active: dict[str, ActiveJob] = {}
        self._lock = threading.Lock()
        self._submitting: set[str] = set()
        self._resumed = False
        self.rescan = False
        """Look in the store for submitted and running selections at every round, not
        only the first: set in the one process that follows jobs others submit (the
        catalogue service's worker 0)."""

    @property
    def steps(self) -> dict[str, Step]:
        return STEPS

    def job_dir(self, owner: str, selection_id: str) -> Path:
        return self.work_root / owner / selection_id

    # -- submission ---------------------------------------------------------------
    def submit(self, identity: Identity, selection_id: str) -> Selection:
        """Start the job of a draft selection and mark it submitted."""
        if self.runner is None:
            raise PermissionDenied("processing jobs are turned off on this site (jobs.runner is 'none')")
        with self._lock:
            if selection_id in self._submitting:
                raise IllegalTransition("this selection is being submitted already")
            self._submitting.add(selection_id)
        try:
            return self._submit(identity, selection_id)
        finally:
            with self._lock:
                self._submitting.discard(selection_id)

    def _submit(self, identity: Identity, selection_id: str) -> Selection:
        selection = self.store.get_selection(identity, selection_id)
        if selection.status != "draft":
            raise IllegalTransition(f"the selection is {selection.status}; only a draft can be submitted")
        if not selection.datasets:
            raise InvalidInput("the selection has no datasets")
        if not selection.processing:
            raise InvalidInput("choose a processing step first (GET /processing lists them)")
        step = get_step(selection.processing)
        parameters = step.check_parameters(selection.parameters).model_dump(mode="json")
        busy = [s for s in self.store.list_selections(identity) if s.status in IN_PROGRESS]
        if len(busy) >= self.settings.max_running_per_user:
            raise LimitExceeded(f"you have {len(busy)} selections submitted or running "
                                f"(at most {self.settings.max_running_per_user}); wait for one to finish")
        inputs = self.store.get_datasets(identity, selection.datasets)
        found = {d.pid for d in inputs}
        gone = [p for p in selection.datasets if p not in found]
        if gone:
            raise InvalidInput(f"datasets no longer available: {', '.join(gone[:10])}", details={"pids": gone})
        without = [d.pid for d in inputs if signal_file(d) is None]
        if without:
            raise InvalidInput(f"datasets without data to process: {', '.join(without[:10])}",
                               details={"pids": without})
        step.check_inputs(inputs)  # techniques and shapes the step accepts, before any job starts
        spec = JobSpec(
            selection_id=selection.id, selection_name=selection.name, owner=selection.owner, step=step.name,
            parameters=parameters, created=datetime.now(timezone.utc),
            inputs=[JobInput(pid=d.pid, name=d.datasetName, file=str(signal_file(d)), path=d.signal.path)
                    for d in inputs],
        )
        job_dir = self._prepare_dir(selection.owner, selection.id, spec)
        submitted = self.runner.submit(job_dir, selection.owner)
        try:
            selection = self.store.change_selection_status(identity, selection.id, StatusChange(
                "submitted", job_id=submitted.job_id, log_path=submitted.log_path,
                message=f"queued on the {self.runner.name} runner"))
        except BaseException:
            self.runner.cancel(submitted.job_id, selection.owner)
            raise
        with self._lock:
            self._active[selection.id] = ActiveJob(selection.id, selection.owner, submitted.job_id, job_dir)
        log.info("submitted %s of %s as job %s", selection.id, selection.owner, submitted.job_id)
        return selection

    def _prepare_dir(self, owner: str, selection_id: str, spec: JobSpec) -> Path:
        job_dir = self.job_dir(owner, selection_id)
        try:
            if job_dir.exists():  # left by an attempt whose submission failed: start clean
                shutil.rmtree(job_dir)
            job_dir.mkdir(parents=True)
            write_json_atomically(job_dir / SPEC_FILE, spec.model_dump_json(indent=1))
            self._hand_over(job_dir, owner)
        except OSError as exc:
            raise JobSubmissionFailed(f"cannot prepare the job folder {job_dir}: {exc}") from None
        return job_dir

    def _hand_over(self, job_dir: Path, owner: str) -> None:
        """Jobs run as the owner under Slurm: when root, give them their folders."""
        if self.runner.name != "slurm" or os.geteuid() != 0:
            return
        try:
            account = pwd.getpwnam(owner)
        except KeyError:
            raise JobSubmissionFailed(f"there is no Unix account {owner!r} to run the job as") from None
        for path in (job_dir.parent, job_dir, job_dir / SPEC_FILE):
            os.chown(path, account.pw_uid, account.pw_gid)

    # -- following ----------------------------------------------------------------
    def resume(self) -> None:
        """Pick up selections submitted or running before the service (re)started."""
        for selection in self.store.list_selections(self.operator):
            if selection.status in IN_PROGRESS and selection.jobId:
                with self._lock:
                    self._active.setdefault(selection.id, ActiveJob(
                        selection.id, selection.owner, selection.jobId, self.job_dir(selection.owner, selection.id)))
        self._resumed = True

    def active(self) -> list[ActiveJob]:
        with self._lock:
            return list(self._active.values())

    def follow(self) -> None:
        """One round: update every active job's selection. Errors are logged and the
        job is looked at again next round."""
        if self.runner is None:
            return
        if not self._resumed or self.rescan:
            self.resume()
        for job in self.active():
            try:
                if self._follow_one(job):
                    with self._lock:
                        self._active.pop(job.selection_id, None)
            except CatalogueError as exc:
                log.warning("following %s: %s (will retry)", job.selection_id, exc.message)
            except Exception:
                log.exception("following %s failed (will retry)", job.selection_id)

    def _follow_one(self, job: ActiveJob) -> bool:
        """Advance one job; True when its selection reached done or failed."""
        selection = self.store.get_selection(self.operator, job.selection_id)
        if selection.status not in IN_PROGRESS:
            return True
        state = self.runner.state(job.job_id, job.job_dir)
        if state.state in ("unknown", "pending"):
            return False
        if state.state == "running":
            if selection.status == "submitted":
                self._change(selection, StatusChange("running", message="running"))
            return False
        manifest = read_manifest(job.job_dir)
        log_path = str(job.job_dir / LOG_FILE)
        if manifest is None or manifest.status != "ok":  # failed, or never ran (cancelled while pending)
            why = (manifest.message if manifest else state.message) or "the job ended without a result"
            self._change(selection, StatusChange("failed", message=f"{why} (log: {log_path})"[:10_000]))
            return True
        if selection.status == "submitted":  # it ran between two looks: record that it did
            selection = self._change(selection, StatusChange("running", message="running"))
        # The job folder belongs to the user: take the step and parameters from the store.
        step = get_step(selection.processing)
        parameters = step.check_parameters(selection.parameters).model_dump(mode="json")
        inputs = self.store.get_datasets(self.operator, selection.datasets)
        derived = derived_datasets(
            selection=selection, inputs=inputs, manifest=manifest, output_dir=job.job_dir / OUTPUT_DIR,
            parameters=parameters, step_title=step.title, pid_prefix=self.settings.derived_pid_prefix)
        if not derived:
            self._change(selection, StatusChange("failed", message=f"the job produced no outputs (log: {log_path})"))
            return True
        self.store.upsert_datasets(self.operator, derived)
        self._change(selection, StatusChange(
            "done", message=f"{len(derived)} derived dataset(s) registered",
            derived_datasets=[d.pid for d in derived]))
        log.info("%s done: %s", selection.id, ", ".join(d.pid for d in derived))
        return True

    def _change(self, selection: Selection, change: StatusChange) -> Selection:
        return self.store.change_selection_status(self.operator, selection.id, change)
