"""The Slurm batch script and the parsing of Slurm's answers, without Slurm."""

from __future__ import annotations

from pathlib import Path

import pytest

from beamhub.jobs.errors import JobSubmissionFailed
from beamhub.jobs.runners.slurm import parse_job_id, parse_job_state, render_batch_script
from beamhub.jobs.settings import JobsSettings, SlurmSettings


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

