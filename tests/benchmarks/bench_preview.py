"""Preview of one frame of a multi-gigabyte NeXus stack: bytes read and latency.

Run (from the repository root; the first run writes the 2.3 GB stack, about a minute)::

    PYTHONPATH=hub:. /opt/beamhub/venv/bin/python tests/benchmarks/bench_preview.py \
        [--dir /tmp/beamhub-bench/large] [--size large|small|huge] [--previews 50]

It prints, for previews of different frames of the demo's big MX sweep (bitshuffle/LZ4,
one chunk per frame):

- bytes HDF5 read per preview, counted by a Python file object handed to h5py (its
  "fileobj" driver), against the compressed bytes of the frame's chunks (goal <= 2x),
  with and without opening the file; and the kernel's ``rchar`` counter
  (/proc/self/io) around ``render_preview`` with HDF5's default driver, as a
  cross-check (the page cache cannot be dropped unprivileged, so disk reads are not
  measured: the figures are bytes asked of the file system);
- p50/p95 latency of ``render_preview`` (open, read one frame, draw, PNG), uncached and
  cached (goal p95 < 200 ms), and the Pillow image path against matplotlib's imshow on
  the same frame (why 2-D previews use Pillow).

It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

from beamhub.catalogue.preview import DEFAULT_SIZE, read_view, render_from_h5, render_preview
from beamhub.demo.data import PROFILES, write_demo_data
from tests.benchmarks.measure import percentile
from tests.catalogue.nexus_builders import CountingFile, frame_chunk_bytes

SIGNAL = "/entry/data/data"


def ensure_stack(directory: Path, size: str) -> Path:
    stack = directory / "i03/p1001/lysozyme/lysozyme_0001.nxs"
    frames = PROFILES[size].big_mx_frames
    if stack.exists():
        with h5py.File(stack) as f:
            if f[SIGNAL].shape[0] == frames:
                return stack
    print(f"writing the {size} demo data under {directory} ...", flush=True)
    started = time.perf_counter()
    demo = write_demo_data(directory, size=size)
    print(f"  {demo.bytes / 1e9:.2f} GB in {time.perf_counter() - started:.0f} s")
    return demo.benchmark_stack


def rchar() -> int:
    with open("/proc/self/io") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("rchar:"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "beamhub-bench" / "large")
    parser.add_argument("--size", default="large", choices=sorted(PROFILES))
    parser.add_argument("--previews", type=int, default=50)
    parser.add_argument("--preview-size", type=int, default=DEFAULT_SIZE)
    args = parser.parse_args()

    stack = ensure_stack(args.dir, args.size)
    with h5py.File(stack) as f:
        data = f[SIGNAL]
        frames, shape = data.shape[0], data.shape
        frame_list = [int(i) for i in np.linspace(0, frames - 1, args.previews)]
        needed = {i: frame_chunk_bytes(data, i) for i in frame_list}
    print(f"stack: {stack}  {stack.stat().st_size / 1e9:.2f} GB, shape {shape}, uint32, chunks of one frame")
    print(f"frame chunks: mean {statistics.mean(needed.values()) / 1e6:.2f} MB compressed, "
          f"{shape[1] * shape[2] * 4 / 1e6:.1f} MB raw")

    render_preview(stack, size=args.preview_size)  # warm up imports, fonts, colour table

    # bytes read per preview, counted at the file-object level
    during, with_open = [], []
    for index in frame_list:
        with CountingFile(stack) as counting:
            with h5py.File(counting, "r") as f:
                opened = counting.bytes_read
                render_from_h5(f, SIGNAL, args.preview_size, index)
            during.append((counting.bytes_read - opened) / needed[index])
            with_open.append(counting.bytes_read / needed[index])
    print(f"bytes read / frame chunk bytes (file object counter, {len(frame_list)} frames):")
    print(f"  preview only:       mean {statistics.mean(during):.3f}  max {max(during):.3f}")
    print(f"  with opening file:  mean {statistics.mean(with_open):.3f}  max {max(with_open):.3f}   (goal <= 2)")

    # the kernel's view: rchar around the real call (sec2 driver)
    ratios = []
    for index in frame_list[:10]:
        before = rchar()
        render_preview(stack, size=args.preview_size, frame=index)
        ratios.append((rchar() - before) / needed[index])
    print(f"  /proc/self/io rchar per render_preview: mean {statistics.mean(ratios):.3f}  max {max(ratios):.3f}")

    # latency, uncached
    latencies = []
    for index in frame_list:
        started = time.perf_counter()
        render_preview(stack, size=args.preview_size, frame=index)
        latencies.append((time.perf_counter() - started) * 1000)
    print(f"render_preview latency, {len(latencies)} different frames, no cache "
          f"(page cache warm): p50 {percentile(latencies, .50):.1f} ms  p95 {percentile(latencies, .95):.1f} ms"
          f"  max {max(latencies):.1f} ms   (goal p95 < 200 ms)")

    with tempfile.TemporaryDirectory() as cache:
        for index in frame_list:
            render_preview(stack, size=args.preview_size, frame=index, cache_dir=cache)
        cached = []
        for index in frame_list:
            started = time.perf_counter()
            render_preview(stack, size=args.preview_size, frame=index, cache_dir=cache)
            cached.append((time.perf_counter() - started) * 1000)
    print(f"render_preview latency, cached: p50 {percentile(cached, .50):.2f} ms  p95 {percentile(cached, .95):.2f} ms")

    # where the time goes, and Pillow against matplotlib for the image
    with h5py.File(stack) as f:
        node = f[SIGNAL]
        reads, pillow, matplotlib_times = [], [], []
        for index in frame_list[:20]:
            started = time.perf_counter()
            frame, _ = read_view(node, index)
            reads.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            render_from_h5(f, SIGNAL, args.preview_size, index)
            pillow.append((time.perf_counter() - started) * 1000 - reads[-1])
            started = time.perf_counter()
            imshow_png(frame, args.preview_size)
            matplotlib_times.append((time.perf_counter() - started) * 1000)
    print(f"per frame: read+decompress p50 {percentile(reads, .50):.1f} ms; drawing p50: Pillow "
          f"{percentile(pillow, .50):.1f} ms, matplotlib imshow {percentile(matplotlib_times, .50):.1f} ms")


def imshow_png(frame: np.ndarray, size: int) -> bytes:
    """The matplotlib alternative for a 2-D frame (object-oriented API, Agg)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure

    figure = Figure(figsize=(size / 100, size / 100), dpi=100)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    image = frame.astype(np.float32)
    image[frame == np.iinfo(frame.dtype).max] = np.nan
    axes.imshow(image + 1, norm=LogNorm(), interpolation="antialiased")
    out = io.BytesIO()
    canvas.print_png(out)
    return out.getvalue()


if __name__ == "__main__":
    main()
