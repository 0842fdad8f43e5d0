"""Profiles (what a user may ask for) and the request a spawn form sends back.

A :class:`Profile` names a kind of server: where it runs (partition, account, QoS), how
big it is (CPUs, memory, GPUs, walltime, each with an optional user-adjustable maximum),
what it runs (image and container runtime) and who may pick it (hub groups).

:func:`resolve_request` turns what came back from the form (or the REST API, which
bypasses the form) into :class:`Resources`, enforcing the profile's limits on the hub:
a forged form cannot ask for more than the profile allows.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from beamhub.catalogue.identity import NAME_PATTERN

from .errors import SpawnRefused

Runtime = Literal["apptainer", "podman", "bubblewrap", "none"]
"""How the single-user server is wrapped on the compute node:

- ``apptainer``: ``apptainer exec`` of a SIF image (the HPC standard);
- ``podman``: rootless ``podman run`` of an OCI image;
- ``bubblewrap``: ``bwrap`` around the node's own software (no image), with only the
  chosen data visible;
- ``none``: no wrapping and no isolation (demo and trusted single-user set-ups); the
  chosen proposals' directories are named in ``$BEAMHUB_DATA`` at their real paths.
"""

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SLURM_NAME = re.compile(r"^[A-Za-z0-9_.-]{0,64}$")
MAX_PROPOSALS = 50


def parse_memory(value) -> int:
    """Memory in MiB from an int (MiB) or a string like ``512M``, ``4G``, ``4GiB``, ``1T``."""
    if isinstance(value, bool):
        raise ValueError("memory is a size such as 4G or 512M")
    if isinstance(value, int):
        mib = value
    elif isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", value, re.IGNORECASE)
        if not match:
            raise ValueError(f"memory {value!r}: use a size such as 4G, 512M or 1T")
        number, unit = float(match.group(1)), match.group(2).upper() or "M"
        mib = int(number * {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}[unit])
    else:
        raise ValueError("memory is a size such as 4G or 512M")
    if mib < 1:
        raise ValueError("memory must be at least 1M")
    return mib


def parse_walltime(value) -> int:
    """Walltime in minutes from an int (minutes) or Slurm's forms ``MM``, ``HH:MM:SS``,
    ``D-HH[:MM[:SS]]``, or ``8h``/``90m``/``2d``. Seconds round up to a whole minute."""
    if isinstance(value, bool):
        raise ValueError("walltime is minutes or HH:MM:SS")
    if isinstance(value, int):
        minutes = value
    elif isinstance(value, str):
        text = value.strip()
        if m := re.fullmatch(r"(\d+)\s*([mhd])", text, re.IGNORECASE):
            minutes = int(m.group(1)) * {"m": 1, "h": 60, "d": 1440}[m.group(2).lower()]
        elif m := re.fullmatch(r"(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?", text):
            days, first, second, third = m.groups()
            if days is not None:  # D-HH[:MM[:SS]]
                seconds = int(days) * 86400 + int(first) * 3600 + int(second or 0) * 60 + int(third or 0)
            elif third is not None:  # HH:MM:SS
                seconds = int(first) * 3600 + int(second) * 60 + int(third)
            elif second is not None:  # MM:SS
                seconds = int(first) * 60 + int(second)
            else:  # MM
                seconds = int(first) * 60
            minutes = -(-seconds // 60)
        else:
            raise ValueError(f"walltime {value!r}: use minutes, HH:MM:SS, D-HH:MM:SS or e.g. 8h")
    else:
        raise ValueError("walltime is minutes or HH:MM:SS")
    if minutes < 1:
        raise ValueError("walltime must be at least one minute")
    return minutes


def format_walltime(minutes: int) -> str:
    """Minutes as Slurm's ``D-HH:MM:00`` / ``HH:MM:00``."""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return f"{days}-{hours:02d}:{mins:02d}:00" if days else f"{hours:02d}:{mins:02d}:00"


def format_memory(mib: int) -> str:
    return f"{mib // 1024} GiB" if mib % 1024 == 0 else f"{mib} MiB"


Memory = Annotated[int, BeforeValidator(parse_memory)]
Walltime = Annotated[int, BeforeValidator(parse_walltime)]


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError("a profile name is lower-case letters, digits, _ and - (at most 64)")
    return value


def _slurm_name(value: str) -> str:
    if not SLURM_NAME.match(value):
        raise ValueError("letters, digits, _ . - only (at most 64)")
    return value


class Profile(BaseModel):
    """A kind of server users can pick in the spawn form."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, BeforeValidator(lambda v: _slug(v) if isinstance(v, str) else v)] = Field(
        description="Identifier sent by the form and remembered (lower-case, e.g. 'cpu-small').")
    display_name: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="The title shown in the form.")
    description: Annotated[str, Field(max_length=1000)] = Field(
        "", description="One or two sentences shown under the title.")
    partition: Annotated[str, BeforeValidator(_slurm_name)] = Field(
        "", description="Slurm partition ('' = the cluster's default). Ignored by the Docker and local spawners.")
    account: Annotated[str, BeforeValidator(_slurm_name)] = Field(
        "", description="Slurm account to charge ('' = the user's default).")
    qos: Annotated[str, BeforeValidator(_slurm_name)] = Field("", description="Slurm QoS ('' = default).")
    cpus: Annotated[int, Field(ge=1, le=1024)] = Field(1, description="CPUs (the default if adjustable).")
    max_cpus: Annotated[int, Field(ge=1, le=1024)] | None = Field(
        None, description="If set, users may choose up to this many CPUs; otherwise `cpus` is fixed.")
    memory: Memory = Field(2048, description="Memory in MiB, or a size like '4G' (the default if adjustable).")
    max_memory: Memory | None = Field(
        None, description="If set, users may choose up to this much memory; otherwise `memory` is fixed.")
    gpus: Annotated[int, Field(ge=0, le=64)] = Field(0, description="GPUs (Slurm --gres=gpu:N); fixed.")
    walltime: Walltime = Field(
        480, description="Walltime in minutes, or '08:00:00', '1-00:00:00', '8h' (the default if adjustable).")
    max_walltime: Walltime | None = Field(
        None, description="If set, users may choose up to this walltime; otherwise `walltime` is fixed.")
    runtime: Runtime = Field(
        "podman", description="Container runtime on the compute node: apptainer, podman, bubblewrap or none.")
    image: Annotated[str, Field(max_length=1000)] = Field(
        "", description="The image: an OCI reference for podman and Docker, a .sif path for apptainer; "
        "unused by bubblewrap and none.")
    groups: list[Annotated[str, Field(pattern=NAME_PATTERN.pattern)]] = Field(
        [], description="Only members of these hub groups may pick this profile (empty = everyone).")

    @model_validator(mode="after")
    def _check(self):
        for value, limit, what in ((self.cpus, self.max_cpus, "cpus"), (self.memory, self.max_memory, "memory"),
                                   (self.walltime, self.max_walltime, "walltime")):
            if limit is not None and limit < value:
                raise ValueError(f"max_{what} is below the default {what}")
        if self.runtime in ("podman", "apptainer") and not self.image:
            raise ValueError(f"a {self.runtime} profile needs an image")
        return self

    def adjustable(self, what: str) -> bool:
        return getattr(self, f"max_{what}") is not None

    def allowed_for(self, groups: set[str] | frozenset[str]) -> bool:
        return not self.groups or not set(self.groups).isdisjoint(groups)

    def summary(self) -> str:
        parts = [f"{self.cpus} CPU" + ("s" if self.cpus > 1 else ""), format_memory(self.memory)]
        if self.gpus:
            parts.append(f"{self.gpus} GPU" + ("s" if self.gpus > 1 else ""))
        parts.append(format_walltime(self.walltime)[:-3] + " h")
        return ", ".join(parts)


class SpawnRequest(BaseModel):
    """What a user asks for: a profile, the proposals to mount, optional sizes.

    This is ``user_options`` as stored by JupyterHub (and re-used on the next spawn).
    """

    model_config = ConfigDict(extra="forbid")

    profile: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    proposals: Annotated[list[Annotated[str, Field(pattern=NAME_PATTERN.pattern)]],
                         Field(max_length=MAX_PROPOSALS)] = []
    cpus: Annotated[int, Field(ge=1, le=1024)] | None = None
    memory: Memory | None = None
    walltime: Walltime | None = None

    @classmethod
    def parse(cls, data) -> "SpawnRequest":
        """Validate user options; :class:`SpawnRefused` (400) with every problem named."""
        try:
            request = cls.model_validate(data or {})
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'options'}: {e['msg']}"
                for e in exc.errors(include_url=False)[:5])
            raise SpawnRefused(f"The server options are not valid: {problems}") from None
        if len(set(request.proposals)) != len(request.proposals):
            request = request.model_copy(update={"proposals": list(dict.fromkeys(request.proposals))})
        return request


class Resources(BaseModel):
    """What will be asked of the scheduler, after the profile's limits were applied."""

    model_config = ConfigDict(frozen=True)

    profile: Profile
    cpus: int
    memory: int
    walltime: int

    @property
    def gpus(self) -> int:
        return self.profile.gpus


def resolve_request(profiles: list[Profile], request: SpawnRequest, groups: frozenset[str] | set[str],
                    default_profile: str | None = None) -> Resources:
    """The resources for ``request``; :class:`SpawnRefused` if it asks for more than allowed."""
    allowed = [p for p in profiles if p.allowed_for(groups)]
    if not allowed:
        raise SpawnRefused("No server profile is available to you; ask the facility for access.", status=403)
    name = request.profile or default_profile or allowed[0].name
    profile = next((p for p in profiles if p.name == name), None)
    if profile is None:
        raise SpawnRefused(f"There is no server profile {name!r}.")
    if not profile.allowed_for(groups):
        raise SpawnRefused(f"The profile {profile.display_name!r} is not available to you.", status=403)
    values = {}
    for what, unit in (("cpus", ""), ("memory", " MiB"), ("walltime", " minutes")):
        asked = getattr(request, what)
        default = getattr(profile, what)
        if asked is None or asked == default:
            values[what] = default
            continue
        limit = getattr(profile, f"max_{what}")
        if limit is None:
            raise SpawnRefused(f"The profile {profile.display_name!r} has a fixed {what} of {default}{unit}.")
        if asked > limit:
            raise SpawnRefused(f"The profile {profile.display_name!r} allows at most {limit}{unit} of {what} "
                               f"(asked for {asked}{unit}).")
        values[what] = asked
    return Resources(profile=profile, **values)
