"""The spawner's pure builders, without a cluster: the batch script, each runtime's
command line, the data mounts, profile limits, the form and its parsing (with forged
values), Slurm job states and messages, the server's environment."""

from __future__ import annotations

import os
import shlex
import subprocess
from datetime import datetime, timezone

import pytest
from beamhub.catalogue.model import Proposal
from beamhub.environment import user_code_env
from beamhub.slurm.script import BatchJob, batch_script
from beamhub.slurm.state import end_message, parse_job, pending_message
from beamhub.spawner.culling import CullerSettings, configure_culling
from beamhub.spawner.errors import SpawnFailed, SpawnRefused
from beamhub.spawner.form import render_form, request_from_form
from beamhub.spawner.mounts import (Mount, data_env, data_links, link_commands, make_data_links, path_map_env,
                                    proposal_mounts, resolve_data_path)
from beamhub.spawner.profiles import (
    Profile,
    SpawnRequest,
    format_walltime,
    parse_memory,
    parse_walltime,
    resolve_request,
)
from beamhub.spawner.runtimes import Launch, RuntimeOptions, container_command, runtime_setup, stop_command
from beamhub.spawner.settings import SpawnerSettings

PROFILES = [
    Profile(name="small", display_name="Small", description="For browsing and light analysis.",
            partition="main", cpus=1, memory="2G", walltime="04:00:00", runtime="podman", image="img:1"),
    Profile(name="large", display_name="Large", cpus=2, max_cpus=8, memory="4G", max_memory="32G",
            walltime=60, max_walltime="12h", runtime="bubblewrap"),
    Profile(name="gpu", display_name="GPU", cpus=4, gpus=1, memory="16G", runtime="apptainer",
            image="/images/beamhub.sif", groups=["staff-i03"]),
]


def proposal(pid, path, **extra):
    return Proposal(proposalId=pid, title=f"Proposal {pid}", ownerGroup=pid.lower(), dataPath=path, **extra)


# --- profiles and limits ---------------------------------------------------------------


def test_sizes_parse_in_slurm_and_human_forms():
    assert parse_memory("4G") == 4096 and parse_memory("512M") == 512 and parse_memory("1.5GiB") == 1536
    assert parse_memory(2048) == 2048 and parse_memory("1T") == 1024 * 1024
    assert parse_walltime("04:00:00") == 240 and parse_walltime("1-00:00:00") == 1440
    assert parse_walltime("8h") == 480 and parse_walltime(90) == 90 and parse_walltime("30:30") == 31
    assert format_walltime(90) == "01:30:00" and format_walltime(1500) == "1-01:00:00"
    for bad in ("lots", "-1G", "0"):
        with pytest.raises(ValueError):
            parse_memory(bad)
    with pytest.raises(ValueError):
        parse_walltime("tomorrow")


def test_a_profile_must_be_coherent():
    with pytest.raises(ValueError, match="needs an image"):
        Profile(name="x", display_name="X", runtime="podman")
    with pytest.raises(ValueError, match="max_cpus is below"):
        Profile(name="x", display_name="X", runtime="none", cpus=4, max_cpus=2)
    with pytest.raises(ValueError, match="profile name"):
        Profile(name="Big One", display_name="X", runtime="none")


def test_resources_within_the_profile_are_granted():
    request = SpawnRequest.parse({"profile": "large", "cpus": 8, "memory": 32 * 1024, "walltime": 720})
    resources = resolve_request(PROFILES, request, set())
    assert (resources.cpus, resources.memory, resources.walltime) == (8, 32 * 1024, 720)
    default = resolve_request(PROFILES, SpawnRequest.parse({}), set())
    assert default.profile.name == "small" and default.memory == 2048


@pytest.mark.parametrize("options, message", [
    ({"profile": "large", "cpus": 9}, "at most 8 of cpus"),
    ({"profile": "large", "memory": 33 * 1024}, "at most 32768 MiB"),
    ({"profile": "large", "walltime": 721}, "at most 720 minutes"),
    ({"profile": "small", "cpus": 2}, "fixed cpus of 1"),
    ({"profile": "gpu"}, "not available to you"),
    ({"profile": "huge"}, "no server profile 'huge'"),
])
def test_a_request_beyond_the_profile_is_refused(options, message):
    with pytest.raises(SpawnRefused, match=message):
        resolve_request(PROFILES, SpawnRequest.parse(options), {"p1"})


def test_group_restricted_profiles_are_for_their_groups():
    assert resolve_request(PROFILES, SpawnRequest.parse({"profile": "gpu"}), {"staff-i03"}).gpus == 1


@pytest.mark.parametrize("options", [
    {"profile": "small", "image": "evil:latest"},          # unknown field
    {"proposals": ["../etc"]},                              # not a proposal id
    {"proposals": "P1"},                                    # not a list
    {"cpus": "many"},
    {"proposals": [f"P{i}" for i in range(51)]},
])
def test_malformed_options_are_refused(options):
    with pytest.raises(SpawnRefused, match="not valid"):
        SpawnRequest.parse(options)


# --- data mounts ------------------------------------------------------------------------


@pytest.fixture
def data_root(tmp_path):
    root = tmp_path / "data"
    for name in ("P1", "P2", "elsewhere"):
        (root / name).mkdir(parents=True)
    (root / "P1" / "frame.h5").write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "escape")
    return root


def test_chosen_proposals_are_mounted_read_only_under_data(data_root):
    mountable = {"P1": proposal("P1", str(data_root / "P1")), "P2": proposal("P2", str(data_root / "P2"))}
    mounts = proposal_mounts(["P1", "P2", "P1"], mountable, [str(data_root)])
    assert mounts == [Mount(str(data_root / "P1"), "/data/P1", True), Mount(str(data_root / "P2"), "/data/P2", True)]
    assert data_env(mounts) == '{"P1": "/data/P1", "P2": "/data/P2"}'
    assert data_env(mounts, links_home="/home/a") == '{"P1": "/home/a/data/P1", "P2": "/home/a/data/P2"}'
    assert path_map_env(mounts) == f"{data_root / 'P1'}=/data/P1;{data_root / 'P2'}=/data/P2"
    assert path_map_env(mounts, links_home="/home/a") == f"{data_root / 'P1'}=/home/a/data/P1;{data_root / 'P2'}=/home/a/data/P2"


def test_data_links_replace_their_own_stale_links_and_leave_the_users_files(tmp_path, data_root):
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "data" / "P2").mkdir()          # the user's own folder: kept, and not replaced by a link
    os.symlink(data_root / "P2", home / "data" / "old")  # a link of an earlier start: removed
    mounts = [Mount(str(data_root / "P1"), "/data/P1"), Mount(str(data_root / "P2"), "/data/P2")]
    problems = make_data_links(data_links(mounts, str(home)), str(home))
    assert problems == [f"{home}/data/P2 exists and is not a link: proposal data not linked there"]
    assert sorted(os.listdir(home / "data")) == ["P1", "P2"]
    assert os.readlink(home / "data" / "P1") == str(data_root / "P1") and not (home / "data" / "P2").is_symlink()
    assert make_data_links([], str(home)) == [] and os.listdir(home / "data") == ["P2"]


def test_a_batch_job_makes_the_same_links_on_its_node(tmp_path, data_root):
    """The Slurm spawner without a runtime: the batch script's lines give what
    make_data_links gives (run here with the shell the script uses)."""
    home = tmp_path / "home"
    (home / "data" / "P2").mkdir(parents=True)
    os.symlink(data_root / "P2", home / "data" / "old")
    mounts = [Mount(str(data_root / "P1"), "/data/P1"), Mount(str(data_root / "P2"), "/data/P2")]
    lines = link_commands(data_links(mounts, str(home)), str(home))
    subprocess.run(["bash", "-euc", "\n".join(lines)], check=True)
    assert sorted(os.listdir(home / "data")) == ["P1", "P2"]
    assert os.readlink(home / "data" / "P1") == str(data_root / "P1") and not (home / "data" / "P2").is_symlink()
    assert link_commands([], str(home)) == []
    # in a container the links lead to the mount points (dangling outside it)
    assert data_links(mounts, str(home), to_mount_points=True) == [
        (f"{home}/data/P1", "/data/P1"), (f"{home}/data/P2", "/data/P2")]


def test_a_proposal_the_user_may_not_mount_is_refused(data_root):
    mountable = {"P1": proposal("P1", str(data_root / "P1"))}
    with pytest.raises(SpawnRefused, match="cannot mount proposal P2: you are not a member") as refused:
        proposal_mounts(["P1", "P2"], mountable, [str(data_root)])
    assert refused.value.status_code == 403


@pytest.mark.parametrize("path", [
    "relative/P1", "/etc", "{root}", "{root}/../outside", "{root}/escape", "{root}/escape/deeper", "",
])
def test_data_paths_must_resolve_inside_a_data_root(data_root, path):
    mountable = {"P9": proposal("P9", path.format(root=data_root))}
    with pytest.raises(SpawnRefused, match="Proposal P9 cannot be mounted"):
        proposal_mounts(["P9"], mountable, [str(data_root)])


def test_lexical_check_when_the_data_is_not_visible_on_the_hub():
    assert resolve_data_path("/gpfs/data/./P1/", ["/gpfs/data"], follow_symlinks=False) == "/gpfs/data/P1"
    with pytest.raises(ValueError):
        resolve_data_path("/gpfs/data/../home", ["/gpfs/data"], follow_symlinks=False)


# --- container command lines ----------------------------------------------------------------

LAUNCH = Launch(runtime="podman", command=["/opt/beamhub/venv/bin/jupyterhub-singleuser", "--debug"],
                image="localhost/beamhub/singleuser:abc",
                mounts=[Mount("/home/alice", "/home/alice", False), Mount("/srv/data/P1", "/data/P1", True)],
                env_names=["JUPYTERHUB_API_TOKEN", "BEAMHUB_DATA"], workdir="/home/alice", hide=["/srv/data"])


def test_podman_runs_rootless_with_read_only_binds_and_no_secret_values():
    argv = container_command(LAUNCH)
    assert argv[:2] == ["podman", "run"]
    for flag in ("--rm", "--pull=never", "--network=host", "--userns=keep-id", "--read-only",
                 "--security-opt=no-new-privileges"):
        assert flag in argv
    assert "type=bind,source=/srv/data/P1,destination=/data/P1,ro=true" in argv
    assert "type=bind,source=/home/alice,destination=/home/alice" in argv
    assert argv[argv.index("--env") + 1] == "JUPYTERHUB_API_TOKEN"  # by name: the value stays in the environment
    assert argv[-3:] == ["localhost/beamhub/singleuser:abc", "/opt/beamhub/venv/bin/jupyterhub-singleuser", "--debug"]


def test_bubblewrap_shows_only_system_paths_home_and_chosen_data():
    launch = Launch(**{**LAUNCH.__dict__, "runtime": "bubblewrap", "image": ""})
    options = RuntimeOptions.model_validate({"bubblewrap": {"system_paths": ["/usr", "/etc", "/srv"]}})
    argv = container_command(launch, options)
    text = shlex.join(argv)
    assert argv[0] == "bwrap" and "--die-with-parent" in argv and "--unshare-pid" in argv
    assert "--ro-bind-try /usr /usr" in text and "--symlink usr/bin /bin" in text
    assert "--tmpfs /srv/data" in text  # the data root is under a visible system path: hidden
    assert text.index("--tmpfs /srv/data") < text.index("--ro-bind /srv/data/P1 /data/P1")
    assert "--bind /home/alice /home/alice" in text and "--chdir /home/alice" in text
    assert argv[argv.index("--") + 1:] == list(LAUNCH.command)
    assert "--tmpfs /srv/data" not in shlex.join(container_command(launch))  # /srv not shown: nothing to hide


def test_apptainer_rendering_only_not_run_here():
    """Rendering only: apptainer is not installable on the test machines, so this checks
    the command line a site would run, not a running container."""
    launch = Launch(**{**LAUNCH.__dict__, "runtime": "apptainer", "image": "/images/beamhub.sif"})
    options = RuntimeOptions.model_validate({"apptainer": {"extra_args": ["--nv"]}})
    assert container_command(launch, options) == [
        "apptainer", "exec", "--contain", "--no-home", "--bind", "/home/alice:/home/alice:rw",
        "--bind", "/srv/data/P1:/data/P1:ro", "--pwd", "/home/alice", "--nv", "/images/beamhub.sif",
        "/opt/beamhub/venv/bin/jupyterhub-singleuser", "--debug"]


def test_no_runtime_is_the_bare_command():
    launch = Launch(**{**LAUNCH.__dict__, "runtime": "none"})
    assert container_command(launch) == list(LAUNCH.command)


def test_paths_that_would_break_a_mount_specification_are_refused():
    bad = Launch(**{**LAUNCH.__dict__, "mounts": [Mount("/srv/a,b", "/data/X", True)]})
    with pytest.raises(ValueError, match="without commas"):
        container_command(bad)


# --- the batch script ---------------------------------------------------------------------


def test_batch_script_requests_the_resources_and_keeps_secrets_out():
    job = BatchJob(command=["podman", "run", "img", "jupyterhub-singleuser", "--x=a b"], job_name="jupyterhub-alice",
                   log_path="/home/alice/.beamhub/logs/jupyter-%j.log", workdir="/home/alice",
                   export=["JUPYTERHUB_API_TOKEN", "JUPYTERHUB_API_URL"], environment={"PATH": "/usr/bin:/bin",
                   "BEAMHUB_DATA": '{"P1": "/data/P1"}'}, partition="main", account="mx", cpus=4,
                   memory="8192M", gpus=1, time_limit="01:30:00", options=["--constraint=jupyter"],
                   setup=['mkdir -p "$XDG_RUNTIME_DIR"'])
    script = batch_script(job)
    lines = script.splitlines()
    assert lines[0] == "#!/bin/bash"
    for directive in ("--job-name=jupyterhub-alice", "--output=/home/alice/.beamhub/logs/jupyter-%j.log",
                      "--chdir=/home/alice", "--export=JUPYTERHUB_API_TOKEN,JUPYTERHUB_API_URL",
                      "--cpus-per-task=4", "--mem=8192M", "--gres=gpu:1", "--time=01:30:00",
                      "--partition=main", "--account=mx", "--constraint=jupyter"):
        assert f"#SBATCH {directive}" in lines
    assert "export BEAMHUB_DATA='{\"P1\": \"/data/P1\"}'" in lines
    assert lines[-1] == "podman run img jupyterhub-singleuser '--x=a b'"
    assert "TOKEN=" not in script


def test_a_job_with_a_stop_command_removes_its_container_when_told_to_stop():
    launch = Launch(**{**LAUNCH.__dict__, "name": "jupyter-alice-1a2b"})
    argv = container_command(launch)
    assert argv[argv.index("--name") + 1] == "jupyter-alice-1a2b"
    stop = stop_command(launch)
    assert stop == ["podman", "rm", "--force", "--time", "5", "jupyter-alice-1a2b"]
    lines = batch_script(BatchJob(command=argv, stop_command=stop)).splitlines()
    assert lines[-3:] == ["trap 'podman rm --force --time 5 jupyter-alice-1a2b >/dev/null 2>&1 || true' TERM INT",
                          shlex.join(argv) + " &", 'wait "$!"']
    assert stop_command(Launch(**{**LAUNCH.__dict__, "runtime": "bubblewrap"})) == []  # ends with the job


def test_a_podman_job_keeps_its_own_state_and_removes_it_however_it_ends():
    state = runtime_setup(LAUNCH)
    lines = batch_script(BatchJob(command=container_command(LAUNCH), setup=state.setup,
                                  cleanup=state.cleanup)).splitlines()
    # The store and runtime directories are new for each job (job ids repeat)...
    assert ('BEAMHUB_PODMAN_STATE="$(mktemp -d "${TMPDIR:-/tmp}/beamhub-podman-$(id -u)-${SLURM_JOB_ID:-$$}.XXXXXX")"'
            in lines)
    assert any("XDG_DATA_HOME=\"$BEAMHUB_PODMAN_STATE/data\"" in line for line in lines)
    # ...and removed on exit, set before the server starts; the reset only runs on the job's own store.
    trap = next(i for i, line in enumerate(lines) if line.startswith("trap ") and line.endswith(" EXIT"))
    assert trap < lines.index(shlex.join(container_command(LAUNCH)))
    handler = shlex.split(lines[trap])[1]
    assert handler.startswith("case \"$(podman info --format '{{.Store.GraphRoot}}' 2>/dev/null)\" in "
                              "\"$BEAMHUB_PODMAN_STATE\"/*) podman system reset --force")
    assert handler.endswith('rm -rf "$BEAMHUB_PODMAN_STATE"')
    assert runtime_setup(Launch(**{**LAUNCH.__dict__, "runtime": "bubblewrap"})).setup == ()


def test_batch_script_refuses_injection():
    with pytest.raises(ValueError):
        batch_script(BatchJob(command=["x"], partition="main\n#SBATCH --uid=0"))
    with pytest.raises(ValueError):
        batch_script(BatchJob(command=["x"], environment={"BAD NAME": "1"}))


# --- Slurm states and what the user is told -------------------------------------------

PENDING = ("JobId=12 JobName=jupyterhub-alice UserId=alice(1002) JobState=PENDING Reason=Resources "
           "Dependency=(null) TimeLimit=08:00:00 StartTime=2031-05-04T14:05:00 EndTime=Unknown "
           "Partition=main BatchHost=(null) StdOut=/home/alice/.beamhub/logs/jupyter-12.log")
TIMEOUT = ("JobId=13 JobName=jupyterhub-alice JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15 RunTime=01:00:09 "
           "TimeLimit=01:00:00 StartTime=2031-05-04T13:00:00 Partition=main BatchHost=node7 StdOut=/x/13.log")


def test_pending_job_gives_state_reason_and_expected_start():
    info = parse_job(PENDING)
    assert info.pending and info.reason == "Resources" and info.batch_host == ""
    message = pending_message(info, now=datetime(2031, 5, 4, 9, 0))
    assert message == ("Job 12 is waiting in the queue (Resources: waiting for free resources on the cluster); "
                       "expected to start at 14:05")
    assert "on 2031-05-04 at 14:05" in pending_message(info, now=datetime(2031, 5, 1))


def test_ended_jobs_are_explained():
    assert end_message(parse_job(TIMEOUT)) == ("Job 13 reached its walltime limit (limit 01:00:00; reason TimeLimit; "
                                               "after 01:00:09).")
    cancelled = parse_job(PENDING.replace("PENDING Reason=Resources", "CANCELLED Reason=None"))
    assert end_message(cancelled).startswith("Job 12 was cancelled")
    failed = parse_job(TIMEOUT.replace("TIMEOUT Reason=TimeLimit ExitCode=0:15", "FAILED Reason=NonZeroExitCode "
                                       "ExitCode=125:0"))
    assert end_message(failed) == "Job 13 failed (exit code 125; after 01:00:09)."
    assert "preempted" in end_message(parse_job(TIMEOUT.replace("TIMEOUT", "PREEMPTED")))
    assert "no longer known" in end_message(None, "14")


def test_a_failure_shows_the_log_tail_escaped():
    failure = SpawnFailed("Job 3 failed (exit code 1).", "Error: <image> not known")
    assert "End of the job's log:\nError: <image> not known" in str(failure)
    assert "&lt;image&gt;" in failure.jupyterhub_html_message


# --- the form -----------------------------------------------------------------------------

PROPOSALS = [
    Proposal(proposalId="P1", title="Lysozyme <b>soak</b>", ownerGroup="p1", beamline="i03",
             startTime=datetime(2024, 3, 1, tzinfo=timezone.utc), endTime=datetime(2024, 3, 5, tzinfo=timezone.utc)),
    Proposal(proposalId="P7", title="Membranes", ownerGroup="p7", beamline="i22"),
]


def test_the_form_lists_profiles_and_proposals_with_labels():
    html = render_form(PROFILES[:2], PROPOSALS, last={"profile": "large", "proposals": ["P7"], "cpus": 6})
    for control in ('id="profile-small"', 'id="profile-large"', 'id="proposal-1"', 'id="proposal-2"',
                    'id="cpus-large"', 'id="memory-large"', 'id="walltime-large"'):
        assert control in html
        assert f'for="{control[4:-1]}"' in html
    assert html.count("<fieldset") == 2 and html.count("<legend") == 2
    assert "Lysozyme &lt;b&gt;soak&lt;/b&gt;" in html  # escaped
    assert "beamline i03" in html and "2024-03-01 to 2024-03-05" in html
    assert 'value="large"\n' in html or 'value="large" ' in html
    checked_profile = html.split('id="profile-large"')[1].split(">")[0]
    assert "checked" in checked_profile and "checked" not in html.split('id="profile-small"')[1].split(">")[0]
    assert 'value="6"' in html  # the remembered CPU count
    assert "checked" in html.split('id="proposal-2"')[1].split(">")[0]
    assert "checked" not in html.split('id="proposal-1"')[1].split(">")[0]


def test_the_form_says_where_the_data_appears_for_the_profiles_runtime():
    container = Profile(name="c", display_name="C", runtime="podman", image="lab:1")
    bare = Profile(name="b", display_name="B", runtime="none")
    assert "appears read-only at <code>/data/&lt;proposal&gt;</code> in your server.\n" in render_form(
        [container], PROPOSALS)
    linked = render_form([bare], PROPOSALS)
    assert "as a read-only link <code>~/data/&lt;proposal&gt;</code> in your home (servers here run without " \
           "a container, so nothing can be mounted)" in linked and "/data/&lt;" not in linked.replace("~/data", "")
    both = render_form([container, bare], PROPOSALS, mount_prefix="/mnt/<x>")
    assert "read-only at <code>/mnt/&lt;x&gt;/&lt;proposal&gt;</code> in your server (profiles with a container), " \
           "or as a read-only link" in both


def test_the_form_says_when_proposals_cannot_be_listed():
    html = render_form(PROFILES[:1], [], proposals_error="The catalogue is not reachable.",
                       last_failure="Job 9 reached its walltime limit.")
    assert 'role="alert"' in html and "The catalogue is not reachable." in html
    assert "Your last server stopped." in html and "Job 9 reached its walltime limit." in html


def test_form_values_are_read_for_the_chosen_profile_only():
    form = {"profile": ["large"], "proposals": ["P1", "P7"], "cpus.large": ["6"], "memory.large": ["16"],
            "walltime.large": ["3"], "cpus.small": ["999"], "_xsrf": ["x"]}
    assert request_from_form(form) == {"profile": "large", "proposals": ["P1", "P7"], "cpus": 6,
                                       "memory": 16 * 1024, "walltime": 180}


@pytest.mark.parametrize("form, message", [
    ({"profile": ["large"], "cpus.large": ["1e9"]}, "whole number"),
    ({"profile": ["large"], "cpus.large": ["-1"]}, "whole number"),
    ({"profile": ["large", "small"]}, "more than once"),
    ({"profile": ["small"], "proposals": ["/etc/passwd"]}, "not valid"),
    ({"profile": ["small"], "proposals": ["P1", "../P2"]}, "not valid"),
])
def test_forged_form_values_are_refused(form, message):
    with pytest.raises(SpawnRefused, match=message):
        request_from_form(form)


# --- environment, culling, settings ---------------------------------------------------------


def test_the_server_environment_never_carries_hub_or_store_secrets():
    env = user_code_env({"JUPYTERHUB_API_TOKEN": "t", "BEAMHUB_STORE": "mongodb://u:p@db/x",
                           "CONFIGPROXY_AUTH_TOKEN": "p", "JUPYTERHUB_CRYPT_KEY": "k", "MONGO_PASSWORD": "m",
                           "BEAMHUB_CATALOGUE_HUB_TOKEN": "h", "LANG": "C.UTF-8"},
                          {"BEAMHUB_CATALOGUE_URL": "http://hub/services/catalogue/api/v1"})
    assert env == {"JUPYTERHUB_API_TOKEN": "t", "LANG": "C.UTF-8",
                   "BEAMHUB_CATALOGUE_URL": "http://hub/services/catalogue/api/v1"}


def test_culling_is_a_hub_service_with_only_the_scopes_it_needs():
    from traitlets.config import Config

    c = Config()
    c.JupyterHub.services = [{"name": "catalogue", "url": "http://127.0.0.1:1"}]
    configure_culling(c, CullerSettings(idle_timeout=600, max_age=8 * 3600, every=60))
    culler = c.JupyterHub.services[-1]
    assert [s["name"] for s in c.JupyterHub.services] == ["catalogue", "idle-culler"]
    assert culler["command"][1:] == ["-m", "jupyterhub_idle_culler", "--timeout=600", "--concurrency=10",
                                     "--cull-every=60", "--max-age=28800"]
    assert c.JupyterHub.load_roles[-1]["scopes"] == ["list:users", "read:users:activity", "read:servers",
                                                     "delete:servers"]


def test_site_settings_configure_the_spawner_class():
    from traitlets.config import Config

    settings = SpawnerSettings.model_validate({
        "kind": "slurm", "profiles": [p.model_dump() for p in PROFILES], "default_profile": "large",
        "data_roots": ["/gpfs/data"], "slurm": {"sbatch_options": ["--constraint=jupyter"]}})
    c = Config()
    settings.apply(c)
    assert c.JupyterHub.spawner_class == "beamhub.spawner.BeamhubSlurmSpawner"
    assert [Profile.model_validate(p) for p in c.BeamhubSpawner.profiles] == PROFILES
    assert c.BeamhubSlurmSpawner.sbatch_options == ["--constraint=jupyter"]
    assert "services" not in c.JupyterHub  # culling left to the site's culler section unless asked
    with pytest.raises(ValueError, match="default_profile"):
        SpawnerSettings.model_validate({"profiles": [PROFILES[0].model_dump()], "default_profile": "nope"})


def test_every_spawner_option_is_documented_for_help_all():
    from beamhub.spawner import BeamhubDockerSpawner, BeamhubLocalSpawner, BeamhubSlurmSpawner, BeamhubSpawner

    for cls in (BeamhubSpawner, BeamhubSlurmSpawner, BeamhubDockerSpawner, BeamhubLocalSpawner):
        own = {name: trait for name, trait in cls.class_own_traits(config=True).items()}
        for name, trait in own.items():
            assert trait.help and len(trait.help) > 20, f"{cls.__name__}.{name} has no help"


async def test_a_store_opened_directly_lists_what_a_user_may_mount(tmp_path):
    """The ProposalSource for sites without the catalogue service (tests use the service)."""
    from beamhub.catalogue import Identity, open_store
    from beamhub.spawner.proposals import NoProposals, StoreProposals

    url = f"sqlite:///{tmp_path / 'catalogue.sqlite'}"
    with open_store(url) as store:
        store.upsert_proposals(Identity.for_operator("test"), [
            proposal("P1", "/data/P1", members=["alice"]), proposal("P2", "/data/P2", members=["bob"])])
    source = StoreProposals(url)
    try:
        assert [p.proposalId for p in await source.mountable("alice", ["p1", "bad group!"])] == ["P1"]
        assert await source.mountable("carol", []) == []
    finally:
        await source.close()
    assert await NoProposals().mountable("alice", ["p1"]) == []


def test_jupyterhub_help_all_documents_the_spawners():
    import subprocess
    import sys
    from pathlib import Path

    jupyterhub = Path(sys.executable).parent / "jupyterhub"
    text = subprocess.run([str(jupyterhub), "--help-all"], capture_output=True, text=True, timeout=120).stdout
    for option in ("--BeamhubSpawner.profiles", "--BeamhubSpawner.data_roots", "--BeamhubSlurmSpawner.sbatch_options",
                   "--BeamhubSlurmSpawner.job_log", "--BeamhubDockerSpawner.run_as_user"):
        assert option in text, f"{option} is not in jupyterhub --help-all (is beamhub installed?)"
