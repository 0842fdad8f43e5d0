"""The Slurm batch script and the parsing of Slurm's answers, without Slurm: the jobs' runner
uses the spawner's builder, state table and user placeholder (beamhub.slurm)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from beamhub.jobs.errors import JobSubmissionFailed
from beamhub.jobs.runners.slurm import SlurmRunner, parse_job_id, parse_job_state, render_batch_script
from beamhub.jobs.settings import JobsSettings, SlurmSettings
from beamhub.slurm.state import parse_job


def settings(**slurm) -> JobsSettings:
    return JobsSettings(runner="slurm", python="/opt/beamhub/venv/bin/python",
                        environment={"PYTHONPATH": "/srv/beamhub hub", "HDF5_USE_FILE_LOCKING": "FALSE"},
                        slurm=SlurmSettings(**slurm))


def test_the_script_runs_the_step_in_the_job_folder_with_the_options():
    script = render_batch_script(Path("/jobs/alice/sel-1"), "beamhub-sel-1",
                                 settings(partition="short", account="mx", time_limit="00:30:00", cpus=2,
                                          memory="4G", extra_options=["--qos=low"], setup=["module load hdf5"]))
    lines = script.splitlines()
    assert lines[0] == "#!/bin/bash"
    for option in ("--job-name=beamhub-sel-1", "--output=/jobs/alice/sel-1/job.log", "--chdir=/jobs/alice/sel-1",
                   "--time=00:30:00", "--cpus-per-task=2", "--mem=4G", "--partition=short", "--account=mx",
                   "--qos=low", "--export=NONE"):
        assert f"#SBATCH {option}" in lines
    assert "export PYTHONPATH='/srv/beamhub hub'" in lines
    assert "module load hdf5" in lines
    assert lines[-1] == "exec /opt/beamhub/venv/bin/python -m beamhub.jobs.run /jobs/alice/sel-1"
    # Every #SBATCH line comes before the first command (sbatch ignores later ones).
    first_command = next(i for i, line in enumerate(lines) if line and not line.startswith("#"))
    assert all(not line.startswith("#SBATCH") for line in lines[first_command:])


def test_no_partition_or_account_unless_configured():
    script = render_batch_script(Path("/jobs/a/s"), "j", settings())
    assert "--partition" not in script and "--account" not in script


def test_the_environment_of_the_submitter_is_not_exported():
    script = render_batch_script(Path("/jobs/a/s"), "j", settings())
    assert "#SBATCH --export=NONE" in script
    assert "BEAMHUB_STORE" not in script and "JUPYTERHUB_API_TOKEN" not in script


@pytest.mark.parametrize("bad", ["short\n#SBATCH --uid=0", "two words", "a\rb"])
def test_options_cannot_smuggle_lines(bad):
    with pytest.raises(ValueError):
        render_batch_script(Path("/jobs/a/s"), "j", settings(partition=bad))


def test_quoting_keeps_odd_values_as_one_word():
    job_dir = Path("/jobs/a/s")
    script = render_batch_script(job_dir, "j", JobsSettings(python="/opt/py thon/bin/python"))
    assert script.splitlines()[-1] == "exec '/opt/py thon/bin/python' -m beamhub.jobs.run /jobs/a/s"


@pytest.mark.parametrize("output, state, message", [
    ("JobId=7 JobName=x JobState=PENDING Reason=Priority Dependency=(null)", "pending", "pending (Priority)"),
    ("JobId=7 JobState=CONFIGURING Reason=None", "pending", "pending (None)"),
    ("JobId=7 JobState=RUNNING Reason=None", "running", ""),
    ("JobId=7 JobState=COMPLETING Reason=None", "running", ""),
    ("JobId=7 JobState=COMPLETED Reason=None ExitCode=0:0", "finished", ""),
    ("JobId=7 JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0", "finished", "Slurm job ended FAILED, exit code 1"),
    ("JobId=7 JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15", "finished", "Slurm job ended TIMEOUT"),
    ("JobId=7 JobState=CANCELLED Reason=None ExitCode=0:15", "finished", "Slurm job ended CANCELLED"),
    ("", "finished", "Slurm no longer knows the job"),
])
def test_job_states(output, state, message):
    parsed = parse_job_state(output)
    assert (parsed.state, parsed.message) == (state, message)


def test_job_ids_from_sbatch():
    assert parse_job_id("4242\n") == "4242"
    assert parse_job_id("4242;cluster\n") == "4242"
    with pytest.raises(JobSubmissionFailed):
        parse_job_id("sbatch: error: Batch job submission failed\n")



# --- one Slurm table for servers and jobs ----------------------------------------------


@pytest.mark.parametrize("slurm_state, expected", [
    ("PENDING", "pending"), ("CONFIGURING", "pending"), ("REQUEUE_HOLD", "pending"), ("RESV_DEL_HOLD", "pending"),
    # A suspended or resizing job holds its allocation and has started (Slurm's job_state_codes):
    ("SUSPENDED", "running"), ("RESIZING", "running"), ("STOPPED", "running"), ("RUNNING", "running"),
    ("COMPLETING", "running"), ("COMPLETED", "finished"), ("PREEMPTED", "finished"), ("OUT_OF_MEMORY", "finished"),
])
def test_a_job_and_a_server_in_the_same_slurm_state_are_told_alike(slurm_state, expected):
    output = f"JobId=7 JobName=x JobState={slurm_state} Reason=None ExitCode=0:0"
    server = parse_job(output)
    assert parse_job_state(output).state == expected
    assert {"pending": server.pending, "running": server.running, "finished": server.finished}[expected]


def test_run_as_names_the_user_with_the_spawners_placeholder_and_reads_the_old_one(caplog):
    assert SlurmRunner(settings())._as("alice")[:4] == ["sudo", "-n", "-u", "alice"]
    with caplog.at_level(logging.WARNING):
        old = settings(run_as=["sudo", "-n", "-u", "{user}"])
    assert SlurmRunner(old)._as("bob")[:4] == ["sudo", "-n", "-u", "bob"]
    assert "{user} is deprecated; write {username}" in caplog.text


def test_a_setting_no_script_can_hold_is_a_clear_submission_error(tmp_path):
    with pytest.raises(JobSubmissionFailed, match="--partition"):
        SlurmRunner(settings(partition="two words")).submit(tmp_path, "alice")
