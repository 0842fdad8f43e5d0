"""The analysis kernel starts, has the analysis stack, and reads read-only HDF5 data."""

from __future__ import annotations

import os
import stat

import h5py
import numpy as np
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import start_new_kernel


def run(client, code: str) -> str:
    """Execute ``code`` and return its stdout; fail with the traceback on an error."""
    out = []
    reply = client.execute_interactive(code, timeout=120, output_hook=lambda msg: out.append(msg))
    text = "".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream")
    if reply["content"]["status"] != "ok":
        pytest.fail("kernel error: " + "\n".join(reply["content"].get("traceback", [])))
    return text


@pytest.fixture(scope="module")
def kernel():
    try:
        KernelSpecManager().get_kernel_spec("beamhub")
    except NoSuchKernel:
        pytest.fail("the beamhub kernel spec is not installed (hub/scripts/install installs it)")
    manager, client = start_new_kernel(kernel_name="beamhub", startup_timeout=120)
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def test_the_analysis_stack_imports(kernel):
    out = run(kernel, "import beamhub, h5py, hdf5plugin, xarray, hvplot.xarray, ipywidgets; print('ok')")
    assert out.strip() == "ok"


def test_hdf5_reads_from_a_read_only_directory(kernel, tmp_path):
    data = tmp_path / "ro"
    data.mkdir()
    with h5py.File(data / "frames.h5", "w") as f:
        f["data"] = np.arange(12).reshape(3, 4)
    os.chmod(data / "frames.h5", stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    os.chmod(data, stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    try:
        code = (
            "import os, h5py\n"
            f"f = h5py.File({str(data / 'frames.h5')!r}, 'r')\n"
            "print(os.environ['HDF5_USE_FILE_LOCKING'], int(f['data'][2, 3]))\n"
        )
        assert run(kernel, code).split() == ["FALSE", "11"]
    finally:
        os.chmod(data, 0o755)
