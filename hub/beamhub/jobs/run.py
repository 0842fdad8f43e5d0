"""The job's entry point: ``python -m beamhub.jobs.run JOB_DIR``.

Runs as the selection's owner, with no catalogue access: it reads ``JOB_DIR/job.json``,
processes each input (one failing input does not stop the others), writes the outputs
under ``JOB_DIR/outputs/`` and, last, ``JOB_DIR/manifest.json``. Exit status 0 when at
least one input was processed and none failed, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from .spec import MANIFEST_FILE, OUTPUT_DIR, SPEC_FILE, InputFailure, JobSpec, Manifest, write_json_atomically
from .steps import get_step


def run(job_dir: Path) -> Manifest:
    spec = JobSpec.model_validate(json.loads((job_dir / SPEC_FILE).read_text()))
    step = get_step(spec.step)
    params = step.check_parameters(spec.parameters)
    output_dir = job_dir / OUTPUT_DIR
    output_dir.mkdir(exist_ok=True)
    outputs, failures = [], []
    print(f"{step.name}: {len(spec.inputs)} dataset(s) of selection {spec.selection_id} for {spec.owner}",
          flush=True)
    for index, item in enumerate(spec.inputs):
        started = time.monotonic()
        try:
            outputs.append(step.process(item, params, output_dir, index))
            print(f"  {item.pid}: done in {time.monotonic() - started:.2f} s", flush=True)
        except Exception as exc:  # one bad input must not stop the others
            traceback.print_exc()
            failures.append(InputFailure(pid=item.pid, message=f"{type(exc).__name__}: {exc}"[:2000]))
            print(f"  {item.pid}: FAILED: {exc}", flush=True)
    ok = bool(outputs) and not failures
    message = "" if ok else "; ".join(f"{f.pid}: {f.message}" for f in failures)[:10_000] or "no inputs"
    manifest = Manifest(status="ok" if ok else "failed", message=message, step=step.name, outputs=outputs,
                        failures=failures, finished=datetime.now(timezone.utc))
    write_json_atomically(job_dir / MANIFEST_FILE, manifest.model_dump_json(indent=1))
    return manifest


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m beamhub.jobs.run JOB_DIR", file=sys.stderr)
        return 2
    job_dir = Path(argv[0])
    try:
        manifest = run(job_dir)
    except Exception as exc:  # a bad spec or parameters: still leave a report
        traceback.print_exc()
        manifest = Manifest(status="failed", message=f"{type(exc).__name__}: {exc}"[:10_000], step="unknown",
                            finished=datetime.now(timezone.utc))
        write_json_atomically(job_dir / MANIFEST_FILE, manifest.model_dump_json(indent=1))
    print(f"status: {manifest.status} {manifest.message}", flush=True)
    return 0 if manifest.status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
