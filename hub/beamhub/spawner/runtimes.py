"""The command line that wraps the single-user server in its container runtime.

Pure functions: a :class:`Launch` (what to run, with which mounts and which environment
variables) in, an argv list out. The environment's *values* never appear on the command
line (it is visible in ``ps`` and stored by the batch system): podman gets ``--env NAME``
and takes the value from its own environment; bubblewrap and apptainer inherit it.

- ``podman``: rootless ``podman run`` with the user's own uid inside (``keep-id``), the
  host network (the hub reaches the server on the node's port), a read-only root
  filesystem, no new privileges; the image must already be on the node (``--pull=never``).
- ``bubblewrap``: a new mount namespace holding only the node's system directories
  (read-only), the user's home and the chosen data; everything else (other users'
  homes, the data root itself, the hub's files) is absent.
- ``apptainer``: ``apptainer exec --contain`` of a SIF image with the same binds.
  Apptainer cannot be installed on the machines this is tested on: its command line is
  rendered and checked, not run.
- ``none``: the command itself.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from .mounts import Mount
from .profiles import Runtime

MERGED_USR_SYMLINKS = {"/bin": "usr/bin", "/sbin": "usr/sbin", "/lib": "usr/lib", "/lib64": "usr/lib64"}


class PodmanOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: str = Field("podman", description="The podman executable on the compute nodes.")
    storage_conf: str = Field(
        "", description="If set, exported as CONTAINERS_STORAGE_CONF for rootless podman in the job: typically "
        "a storage.conf naming the site's shared read-only image store (additionalimagestores). Each "
        "job keeps its containers in a store of its own under $TMPDIR, so leave graphroot and "
        "rootless_storage_path unset.")
    extra_args: list[str] = Field(
        [], description="Extra `podman run` arguments, e.g. ['--device', 'nvidia.com/gpu=all'] for GPUs "
        "(CDI) or ['--group-add', 'keep-groups'] with crun.")


class BubblewrapOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: str = Field("bwrap", description="The bubblewrap executable on the compute nodes.")
    system_paths: list[str] = Field(
        ["/usr", "/etc", "/opt"], description="Node directories visible (read-only) inside: the software "
        "the server needs (Python, libraries, /etc). Missing ones are skipped.")
    symlinks: dict[str, str] = Field(
        MERGED_USR_SYMLINKS, description="Symbolic links recreated inside (merged-/usr layout: /bin -> usr/bin...).")
    extra_args: list[str] = Field([], description="Extra bwrap arguments, placed before the command.")


class ApptainerOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: str = Field("apptainer", description="The apptainer (or singularity) executable on the nodes.")
    extra_args: list[str] = Field(
        [], description="Extra `apptainer exec` arguments, e.g. ['--nv'] for NVIDIA GPUs.")


class RuntimeOptions(BaseModel):
    """Per-runtime settings, shared by every profile using that runtime."""

    model_config = ConfigDict(extra="forbid")

    podman: PodmanOptions = Field(PodmanOptions(), description="Options of the podman runtime.")
    bubblewrap: BubblewrapOptions = Field(BubblewrapOptions(), description="Options of the bubblewrap runtime.")
    apptainer: ApptainerOptions = Field(ApptainerOptions(), description="Options of the apptainer runtime.")


@dataclass(frozen=True)
class Launch:
    """What to run in the container."""

    runtime: Runtime
    command: Sequence[str]
    mounts: Sequence[Mount] = ()
    env_names: Sequence[str] = ()
    workdir: str = ""
    image: str = ""
    hide: Sequence[str] = field(default=())
    """Paths to hide (bubblewrap: covered with an empty tmpfs if a system path holds them)."""
    name: str = ""
    """The container's name (podman), so the job can remove it when it is told to stop."""


def _check_path(path: str) -> str:
    if not path.startswith("/") or any(c in path for c in ",\n\x00"):
        raise ValueError(f"cannot bind {path!r}: paths must be absolute, without commas or newlines")
    return path


def podman_command(launch: Launch, options: PodmanOptions = PodmanOptions()) -> list[str]:
    argv = [options.command, "run", "--rm", "--pull=never", "--network=host", "--userns=keep-id",
            "--read-only", "--security-opt=no-new-privileges", "--label=org.beamhub.singleuser=1"]
    if launch.name:
        argv += ["--name", launch.name]
    for mount in launch.mounts:
        spec = f"type=bind,source={_check_path(mount.source)},destination={_check_path(mount.target)}"
        argv += ["--mount", spec + (",ro=true" if mount.read_only else "")]
    for name in launch.env_names:
        argv += ["--env", name]
    if launch.workdir:
        argv += ["--workdir", launch.workdir]
    argv += list(options.extra_args)
    if not launch.image:
        raise ValueError("the podman runtime needs an image")
    return argv + [launch.image, *launch.command]


def bubblewrap_command(launch: Launch, options: BubblewrapOptions = BubblewrapOptions()) -> list[str]:
    argv = [options.command, "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--new-session"]
    for path in options.system_paths:
        argv += ["--ro-bind-try", _check_path(path), path]
    for link, target in options.symlinks.items():
        argv += ["--symlink", target, _check_path(link)]
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/run"]
    for hidden in launch.hide:
        if any(hidden == p or hidden.startswith(p.rstrip("/") + "/") for p in options.system_paths):
            argv += ["--tmpfs", _check_path(hidden)]
    for mount in launch.mounts:
        flag = "--ro-bind" if mount.read_only else "--bind"
        argv += [flag, _check_path(mount.source), _check_path(mount.target)]
    if launch.workdir:
        argv += ["--chdir", launch.workdir]
    return argv + list(options.extra_args) + ["--", *launch.command]


def apptainer_command(launch: Launch, options: ApptainerOptions = ApptainerOptions()) -> list[str]:
    if not launch.image:
        raise ValueError("the apptainer runtime needs an image (a .sif path)")
    argv = [options.command, "exec", "--contain", "--no-home"]
    for mount in launch.mounts:
        spec = f"{_check_path(mount.source)}:{_check_path(mount.target)}"
        if ":" in mount.source or ":" in mount.target:
            raise ValueError(f"apptainer cannot bind paths containing ':' ({mount.source})")
        argv += ["--bind", spec + (":ro" if mount.read_only else ":rw")]
    if launch.workdir:
        argv += ["--pwd", launch.workdir]
    return argv + list(options.extra_args) + [launch.image, *launch.command]


def stop_command(launch: Launch, options: RuntimeOptions = RuntimeOptions(), grace: int = 5) -> list[str]:
    """What stops the container for good when its job is cancelled ([] if nothing is needed).

    Rootless podman's container outlives a cancelled job: its monitor (conmon) leaves
    the job's process tree, so Slurm's signals reach neither it nor the server. The
    job removes the container itself (see :class:`beamhub.slurm.script.BatchJob` ``stop_command``).
    bubblewrap (``--die-with-parent``) and plain processes end with the job.
    """
    if launch.runtime == "podman" and launch.name:
        return [options.podman.command, "rm", "--force", "--time", str(grace), launch.name]
    return []


@dataclass(frozen=True)
class RuntimeSetup:
    """What a batch job sets around the server: variables (``environment``), shell lines run
    before the server (``setup``) and when the job exits (``cleanup``)."""

    environment: Mapping[str, str] = field(default_factory=dict)
    setup: Sequence[str] = ()
    cleanup: Sequence[str] = ()


def runtime_setup(launch: Launch, options: RuntimeOptions = RuntimeOptions()) -> RuntimeSetup:
    """What the runtime needs around the server in a batch job.

    podman gets a state of its own for the job: its own container store, runtime
    directory and pause process. Rootless podman otherwise keeps one state per user
    (``~/.local/share/containers``, ``$XDG_RUNTIME_DIR``) shared by every job of that
    user. A job killed hard (SIGKILL at the end of Slurm's KillWait, the OOM killer, a
    node reboot) leaves its container recorded as running with its monitor gone, and
    every later podman command of that user fails with "invalid internal status, try
    resetting the pause process". Images come read-only from the site's shared store
    (``storage_conf``), so a per-job store costs nothing.

    The directory is new for every job (``mktemp -d``: job ids repeat when a cluster's
    state is reset, and a job killed before its exit trap leaves its directory behind).
    On exit ``podman system reset`` stops the job's pause process and empties its store,
    but only once ``podman info`` confirms the store is the job's own: a site
    ``storage.conf`` that names a ``graphroot`` would otherwise have it wipe a shared one.
    """
    if launch.runtime != "podman":
        return RuntimeSetup()
    storage_conf = options.podman.storage_conf
    podman = shlex.quote(options.podman.command)
    return RuntimeSetup(
        environment={"CONTAINERS_STORAGE_CONF": storage_conf} if storage_conf else {},
        setup=['BEAMHUB_PODMAN_STATE="$(mktemp -d "${TMPDIR:-/tmp}/beamhub-podman-$(id -u)-${SLURM_JOB_ID:-$$}.XXXXXX")"',
               'export BEAMHUB_PODMAN_STATE',
               'export XDG_RUNTIME_DIR="$BEAMHUB_PODMAN_STATE/run" XDG_DATA_HOME="$BEAMHUB_PODMAN_STATE/data"',
               'mkdir -m 0700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME"'],
        cleanup=[f"case \"$({podman} info --format '{{{{.Store.GraphRoot}}}}' 2>/dev/null)\" in "
                 f"\"$BEAMHUB_PODMAN_STATE\"/*) {podman} system reset --force >/dev/null 2>&1 || true;; esac",
                 'rm -rf "$BEAMHUB_PODMAN_STATE"'])


def container_command(launch: Launch, options: RuntimeOptions = RuntimeOptions()) -> list[str]:
    """The argv that starts ``launch.command`` under ``launch.runtime``."""
    if launch.runtime == "podman":
        return podman_command(launch, options.podman)
    if launch.runtime == "bubblewrap":
        return bubblewrap_command(launch, options.bubblewrap)
    if launch.runtime == "apptainer":
        return apptainer_command(launch, options.apptainer)
    if launch.runtime == "none":
        return list(launch.command)
    raise ValueError(f"unknown container runtime {launch.runtime!r}")


