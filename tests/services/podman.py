"""podman for the tests: engine settings, the single-user image, the Docker API socket.

No image registry is reachable, so the single-user image is built here, once per machine:

1. a base root filesystem with ``debootstrap --variant=minbase bookworm``, imported with
   ``podman import`` as ``localhost/beamhub/base:<key>``;
2. ``images/Containerfile`` on top: Debian's python3 and the single-user environment at
   the versions pinned in ``uv.lock`` (``uv export``), plus the wheels built from this
   repository: beamhub's and its uv workspace members' (the JupyterLab extension,
   whose build needs Node.js, as ``hub/scripts/install`` does).

Both are tagged with a hash of their inputs and kept in one image store,
:data:`STORE` (``$BEAMHUB_IMAGE_STORE``, default ``/var/cache/beamhub/containers``), so a
second run finds them and builds nothing. Unprivileged users (the spawned servers run
rootless podman as alice, bob...) read that store as an *additional image store* through
the ``storage.conf`` written by :func:`user_storage_conf`.

API (small on purpose)::

    ensure_engine()                -> list of system changes made (containers.conf, /dev/fuse)
    singleuser_image()             -> "localhost/beamhub/singleuser:<hash>"  (builds if needed)
    user_storage_conf()            -> path of the storage.conf for rootless users
    with DockerAPI() as api: api.base_url   # "unix:///.../podman.sock", Docker API 1.41

Run ``python -m tests.services.podman`` to build (and time) the image by hand.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import tomllib

from .processes import terminate
from .require import missing

REPO = Path(__file__).resolve().parents[2]
STORE = Path(os.environ.get("BEAMHUB_IMAGE_STORE", "/var/cache/beamhub/containers"))
GRAPH_ROOT = STORE / "storage"
RUN_ROOT = Path(os.environ.get("BEAMHUB_IMAGE_RUNROOT", "/run/beamhub-containers"))
MIRROR = os.environ.get("BEAMHUB_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SUITE = "bookworm"
CONTAINERS_CONF = Path("/etc/containers/containers.conf")

# What podman 4.3 needs on this kind of machine (see RECIPES.md): root lacks
# CAP_SYS_RESOURCE (default ulimits), crun refuses the hybrid cgroup layout (runc), no
# journald or systemd (file events, cgroupfs).
ENGINE_SETTINGS = {
    "containers": {"default_ulimits": ["nofile=20000:20000", "nproc=32768:32768"]},
    "engine": {"runtime": "runc", "events_logger": "file", "cgroup_manager": "cgroupfs"},
}


# --- engine settings -------------------------------------------------------------------


def podman_binary() -> str:
    path = shutil.which("podman")
    if not path:
        missing("podman", "not installed (apt-get install podman runc uidmap slirp4netns fuse-overlayfs)")
    return path


def ensure_engine() -> list[str]:
    """Write the engine settings podman needs here, when missing; return what changed.

    Idempotent: keys already set (to anything) in ``/etc/containers/containers.conf`` are
    kept. Also makes ``/dev/fuse`` usable by unprivileged users (rootless podman mounts
    image layers with fuse-overlayfs); container runtimes often create it root-only.
    """
    changes = []
    current = tomllib.loads(CONTAINERS_CONF.read_text()) if CONTAINERS_CONF.exists() else {}
    merged = {section: dict(values) for section, values in current.items()}
    for section, values in ENGINE_SETTINGS.items():
        for key, value in values.items():
            if key not in merged.setdefault(section, {}):
                merged[section][key] = value
                changes.append(f"{CONTAINERS_CONF}: [{section}] {key} = {value!r}")
    if changes:
        CONTAINERS_CONF.parent.mkdir(parents=True, exist_ok=True)
        CONTAINERS_CONF.write_text(_toml(merged))
    fuse = Path("/dev/fuse")
    if fuse.exists() and (fuse.stat().st_mode & 0o666) != 0o666:
        os.chmod(fuse, 0o666)
        changes.append("/dev/fuse: mode 0666 (rootless fuse-overlayfs)")
    return changes


def _toml(document: dict) -> str:
    """Serialise the simple TOML containers.conf uses (tables of scalars and string lists)."""

    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + "}"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = []
    for section, values in document.items():
        if not isinstance(values, dict):
            lines.insert(0, f"{section} = {value(values)}")
            continue
        lines.append(f"[{section}]")
        lines.extend(f"{k} = {value(v)}" for k, v in values.items())
        lines.append("")
    return "\n".join(lines)


def _prepare_store() -> None:
    """The store and its parent directory must be traversable by every user (podman
    itself creates missing parents with mode 0700)."""
    STORE.mkdir(parents=True, exist_ok=True)
    for directory in (STORE.parent, STORE):
        if directory.stat().st_mode & 0o055 != 0o055:
            directory.chmod(0o755)


def user_storage_conf() -> Path:
    """The storage.conf rootless users point ``CONTAINERS_STORAGE_CONF`` at.

    Their own containers go to their default rootless store; images come read-only from
    :data:`GRAPH_ROOT`, mounted through fuse-overlayfs (which maps the layers' root
    ownership into the user namespace without copying).
    """
    path = STORE / "storage.conf"
    text = (
        "# Written by tests/services/podman.py: rootless users read the shared image store.\n"
        "[storage]\n"
        'driver = "overlay"\n'
        "[storage.options]\n"
        f'additionalimagestores = ["{GRAPH_ROOT}"]\n'
        "[storage.options.overlay]\n"
        'mount_program = "/usr/bin/fuse-overlayfs"\n'
    )
    _prepare_store()
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    path.chmod(0o644)
    return path


def podman(*args: str, check: bool = True, capture: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run podman as root against the shared store."""
    command = [podman_binary(), "--root", str(GRAPH_ROOT), "--runroot", str(RUN_ROOT), *args]
    result = subprocess.run(command, text=True, capture_output=capture, **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])}... failed ({result.returncode}):\n"
                           f"{(result.stderr or '')[-3000:]}")
    return result


def image_exists(ref: str) -> bool:
    return podman("image", "exists", ref, check=False).returncode == 0


# --- building --------------------------------------------------------------------------


@contextlib.contextmanager
def _build_lock():
    STORE.mkdir(parents=True, exist_ok=True)
    with open(STORE / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()[:16]


def base_image() -> str:
    """``localhost/beamhub/base:<key>``: Debian minbase from debootstrap, built if missing."""
    key = _digest(SUITE.encode(), b"minbase", MIRROR.encode())
    ref = f"localhost/beamhub/base:{SUITE}-{key}"
    if image_exists(ref):
        return ref
    if not shutil.which("debootstrap"):
        missing("debootstrap", "needed to build the base image (apt-get install debootstrap)")
    with tempfile.TemporaryDirectory(prefix="beamhub-rootfs-", dir="/var/tmp") as tmp:
        rootfs = Path(tmp) / "rootfs"
        result = subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(rootfs), MIRROR],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"debootstrap failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        podman("import", "-", ref, stdin=tar.stdout)
        tar.wait()
    return ref


def _uv_binary() -> str | None:
    """A real uv executable (not pyenv's shell shim) to mount into the build."""
    candidates = [os.environ.get("BEAMHUB_UV", ""), "/opt/beamhub/tools/bin/uv", shutil.which("uv") or ""]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        candidates.append(subprocess.run(["pyenv", "which", "uv"], capture_output=True, text=True).stdout.strip())
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            with open(candidate, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    return candidate
    return None


def _uv_cache() -> Path:
    return Path(os.environ.get("UV_CACHE_DIR", Path.home() / ".cache" / "uv"))


def _requirements() -> str:
    uv = _uv_binary()
    if not uv:
        missing("uv", "needed to export the pinned versions from uv.lock")
    result = subprocess.run([uv, "export", "--frozen", "--no-hashes", "--no-dev", "--no-emit-project",
                             "--no-emit-workspace", "--no-header", "--no-annotate"],
                            cwd=REPO, capture_output=True, text=True, check=True)
    # Local (workspace/path) entries come in as wheels, not as requirements.
    return "\n".join(line for line in result.stdout.splitlines()
                     if line.strip() and not line.startswith(("-e ", "./", "/", "file:"))) + "\n"


def _workspace_members() -> list[Path]:
    """Local packages installed into the image as wheels: beamhub and its uv workspace
    members (the JupyterLab extension under extensions/)."""
    members = [REPO]
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    for pattern in pyproject.get("tool", {}).get("uv", {}).get("workspace", {}).get("members", []):
        members += sorted(p for p in REPO.glob(pattern) if (p / "pyproject.toml").exists())
    return members


def _source_files() -> list[Path]:
    """Every file the image is built from (git's view: tracked and not ignored)."""
    roots = ["hub/beamhub", "kernels", "notebooks", "pyproject.toml", "README.md",
             *(str(m.relative_to(REPO)) for m in _workspace_members()[1:])]
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *roots],
                                cwd=REPO, capture_output=True, text=True, check=True).stdout.split("\n")
        return sorted(REPO / name for name in listed if name and (REPO / name).is_file())
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        skip = {"__pycache__", "node_modules", "lib", "labextension", ".yarn"}
        files = []
        for root in roots:
            path = REPO / root
            files += [path] if path.is_file() else [p for p in sorted(path.rglob("*"))
                                                     if p.is_file() and not skip & set(p.parts)]
        return files


def singleuser_image_inputs() -> tuple[str, str]:
    """(requirements.txt, content hash of every input of the single-user image)."""
    requirements = _requirements()
    parts = [(REPO / "images" / "Containerfile").read_bytes(), requirements.encode()]
    for path in _source_files():
        parts += [str(path.relative_to(REPO)).encode(), path.read_bytes()]
    return requirements, _digest(*parts)


def singleuser_image(log=print) -> str:
    """The single-user image ref, built (and timed) if this machine does not have it yet.

    ``$BEAMHUB_SINGLEUSER_IMAGE`` names an image to use as is (already in the store).
    """
    ensure_engine()
    if os.environ.get("BEAMHUB_SINGLEUSER_IMAGE"):
        _prepare_store()
        _open_store_to_users()
        return os.environ["BEAMHUB_SINGLEUSER_IMAGE"]
    _prepare_store()
    requirements, key = singleuser_image_inputs()
    ref = f"localhost/beamhub/singleuser:{key}"
    if image_exists(ref):
        _open_store_to_users()
        return ref
    with _build_lock():
        if image_exists(ref):
            return ref
        started = time.monotonic()
        base = base_image()
        log(f"podman: base image {base} ready after {time.monotonic() - started:.0f} s")
        with tempfile.TemporaryDirectory(prefix="beamhub-image-", dir="/var/tmp") as tmp:
            context = Path(tmp)
            (context / "requirements.txt").write_text(requirements)
            (context / "wheels").mkdir()
            uv = _uv_binary()
            for member in _workspace_members():
                built = subprocess.run([uv, "build", "--wheel", "--quiet", "--out-dir", str(context / "wheels"),
                                        str(member)], capture_output=True, text=True)
                if built.returncode != 0:
                    raise RuntimeError(f"building the wheel of {member} failed:\n"
                                       f"{built.stdout[-2000:]}\n{built.stderr[-2000:]}")
            shutil.copytree(REPO / "kernels", context / "kernels")
            shutil.copytree(REPO / "notebooks", context / "notebooks",
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            shutil.copy(REPO / "images" / "Containerfile", context / "Containerfile")
            volumes = []
            if uv:
                cache = _uv_cache()
                cache.mkdir(parents=True, exist_ok=True)
                volumes = ["--volume", f"{uv}:/usr/local/bin/uv:ro", "--volume", f"{cache}:/root/.cache/uv"]
            ca_bundle = os.environ.get("SSL_CERT_FILE", "")
            if ca_bundle and Path(ca_bundle).is_file():
                # The host's CA bundle (an egress proxy may re-sign PyPI): build-time only.
                volumes += ["--volume", f"{ca_bundle}:/run/beamhub-build-ca.crt:ro",
                            "--build-arg", "SSL_CERT_FILE=/run/beamhub-build-ca.crt"]
            podman("build", "--network=host", "--layers", "--build-arg", f"BASE={base}", *volumes,
                   "--tag", ref, "--file", str(context / "Containerfile"), str(context), capture=True)
        _prune_older_images(ref)
        _open_store_to_users()
        log(f"podman: single-user image {ref} built in {time.monotonic() - started:.0f} s")
    return ref


def _prune_older_images(keep: str) -> None:
    """Drop earlier single-user images, so the store does not grow by a full image with
    every change of the sources. Untagged intermediate images stay: they are the build
    cache (the pinned dependencies' layer is rebuilt only when uv.lock changes)."""
    listed = podman("images", "--format", "{{.Repository}}:{{.Tag}}", check=False).stdout.split()
    for ref in listed:
        if ref.startswith("localhost/beamhub/singleuser:") and ref != keep:
            podman("rmi", ref, check=False)


def run_as_root(image: str, *command: str) -> subprocess.CompletedProcess:
    """``podman run --rm --network=none IMAGE COMMAND`` as root in the shared store, which
    then stays open to users: root's podman rewrites the store's ``layers.json`` with mode
    0600 when it adds or removes a container layer, and users' podman could no longer
    read the store (their servers failed with "image not known")."""
    try:
        return podman("run", "--rm", "--network=none", image, *command)
    finally:
        _open_store_to_users()


def _open_store_to_users() -> None:
    """Let unprivileged users traverse the store's own structure (not the layers' contents:
    files inside an image keep their modes, so /etc/shadow stays unreadable)."""
    for directory, subdirs, files in os.walk(GRAPH_ROOT):
        path = Path(directory)
        mode = path.stat().st_mode
        if mode & 0o055 != 0o055:
            path.chmod(stat.S_IMODE(mode) | 0o055)
        if path.name == "diff" and path.parent.parent.name == "overlay":
            subdirs[:] = []  # a layer's contents: leave alone
            continue
        for name in files:
            file = path / name
            if file.is_symlink() or not file.is_file():
                continue
            fmode = file.stat().st_mode
            if fmode & 0o044 != 0o044:
                file.chmod(stat.S_IMODE(fmode) | 0o044)


# --- the Docker-compatible API ---------------------------------------------------------


class DockerAPI:
    """``podman system service`` on a Unix socket, as root, for dockerspawner.

    ``base_url`` is what docker-py's ``client_kwargs={"base_url": ...}`` wants.
    Containers on podman's default bridge reach the host at :data:`gateway` (10.88.0.1).
    The service keeps its containers in a store of its own and reads images from the
    shared store as an additional (read-only) image store: the shared store is never
    written to, so rootless users can keep reading it.
    """

    gateway = "10.88.0.1"

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="beamhub-podman-api-")
        root = Path(self._tmp.name)
        self.socket = root / "podman.sock"
        self.base_url = f"unix://{self.socket}"
        self.storage_conf = root / "storage.conf"
        self.storage_conf.write_text(
            "[storage]\n"
            'driver = "overlay"\n'
            f'graphroot = "{root / "graph"}"\n'
            f'runroot = "{root / "run"}"\n'
            "[storage.options]\n"
            f'additionalimagestores = ["{GRAPH_ROOT}"]\n')
        self.process: subprocess.Popen | None = None
        self.log_path = root / "service.log"

    def start(self) -> "DockerAPI":
        ensure_engine()
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [podman_binary(), "system", "service", "--time=0", self.base_url],
            env={**os.environ, "CONTAINERS_STORAGE_CONF": str(self.storage_conf)},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"podman system service did not start:\n{self.log_path.read_text()[-2000:]}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        terminate(self.process)
        subprocess.run([podman_binary(), "system", "prune", "--force"], capture_output=True,
                       env={**os.environ, "CONTAINERS_STORAGE_CONF": str(self.storage_conf)})
        subprocess.run(["umount", "--recursive", "--lazy", str(Path(self._tmp.name) / "graph" / "overlay")],
                       capture_output=True)
        self._tmp.cleanup()

    def __enter__(self) -> "DockerAPI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    for change in ensure_engine():
        print("changed:", change)
    started = time.monotonic()
    print(singleuser_image(), f"({time.monotonic() - started:.0f} s)")
