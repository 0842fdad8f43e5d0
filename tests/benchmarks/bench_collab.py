"""Real-time co-editing: time from an edit in one browser to seeing it in the other.

Run (from the repository root)::

    PYTHONPATH=hub:.:extensions/jupyterlab-beamhub /opt/beamhub/venv/bin/python \
        tests/benchmarks/bench_collab.py [--edits 50]

Set-up: the sharing tests' hub (``tests/sharing/hubsetup.py``: JupyterHub with its proxy,
the catalogue service, beamhub's sharing handlers) with alice's JupyterLab server running
(jupyter-collaboration; proposal p1002 mounted); alice shares it with bob as collaborator.
Debian's chromium runs two browser contexts, alice's and bob's, both on one notebook of
alice's server (bob's through the hub's OAuth, his role checked by the server's
authorizer at each request).

Each edit: alice types a new word at the end of the cell (`` m07``). Measured: from the
keydown of the word's last key in alice's page to the frame in which bob's page shows
the whole word (both pages on one machine, one clock: ``performance.timeOrigin + now``).
The path: CodeMirror -> Yjs update -> alice's websocket -> the proxy -> jupyter_server's
collaboration room -> bob's websocket -> Yjs -> bob's CodeMirror.

Printed: p50/p95/max over ``--edits`` edits (after 3 warm-up edits). It asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "hub"), str(REPO), str(REPO / "extensions" / "jupyterlab-beamhub")]

from tests.services.browser import browser  # noqa: E402
from tests.sharing.hubsetup import Client, notebook, open_server_lab, spawn, start_hub  # noqa: E402

WARM_UP = 3
CELL = ".jp-Notebook .jp-Cell .cm-content"

TYPED = """() => {
  window.__lastKey = null;
  if (!window.__keyListener) {
    window.__keyListener = () => { window.__lastKey = performance.timeOrigin + performance.now(); };
    document.addEventListener('keydown', window.__keyListener, {capture: true});
  }
}"""

WATCH = """word => {
  window.__seen = null;
  const cell = document.querySelector('.jp-Notebook .jp-Cell .cm-content');
  const observer = new MutationObserver(() => {
    if (cell.textContent.includes(word)) {
      observer.disconnect();
      requestAnimationFrame(() => { window.__seen = performance.timeOrigin + performance.now(); });
    }
  });
  observer.observe(cell, {childList: true, subtree: true, characterData: true});
}"""


def take_kernel(page) -> None:
    try:
        page.wait_for_selector(".jp-Dialog:has-text('Select Kernel')", timeout=8000)
    except Exception:
        return
    page.click(".jp-Dialog .jp-mod-accept")
    page.wait_for_selector(".jp-Dialog", state="detached")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-collab-") as tmp:
        hub = start_hub(Path(tmp))
        try:
            spawn(hub, "alice", ["p1002"])
            alice = Client(hub, hub.hub.user_token("alice", note="bench"), "alice")
            assert alice.server("PUT", "/api/contents/bench.ipynb", json=notebook("# bench")).status_code in (200, 201)
            shared = alice.hub_api("POST", "/shares/alice/",
                                   json={"user": "bob", "scopes": ["custom:beamhub:collaborator"]})
            assert shared.status_code == 200, shared.text
            with browser() as chromium:
                _, alice_page = open_server_lab(chromium, hub, "alice", "alice", "bench.ipynb")
                _, bob_page = open_server_lab(chromium, hub, "bob", "alice", "bench.ipynb")
                for page in (alice_page, bob_page):
                    take_kernel(page)
                    page.wait_for_selector(CELL)
                alice_page.locator(CELL).first.click()
                alice_page.keyboard.press("Control+End")
                times = []
                for i in range(WARM_UP + args.edits):
                    word = f" m{i:03d}"
                    alice_page.keyboard.type(word[:-1])
                    bob_page.evaluate(WATCH, word.strip())
                    alice_page.evaluate(TYPED)
                    alice_page.keyboard.type(word[-1])
                    deadline = time.monotonic() + 30
                    seen = None
                    while seen is None and time.monotonic() < deadline:
                        seen = bob_page.evaluate("() => window.__seen")
                        if seen is None:
                            time.sleep(0.005)
                    typed = alice_page.evaluate("() => window.__lastKey")
                    if seen is None or typed is None:
                        raise SystemExit(f"edit {i} was not seen within 30 s")
                    if i >= WARM_UP:
                        times.append(seen - typed)
        finally:
            hub.close()
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"co-editing, edit in alice's browser -> shown in bob's, {len(times)} edits: "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
