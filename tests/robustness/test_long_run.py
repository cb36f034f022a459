"""10⁶ epochs in the app at --speed max: memory stays bounded and keys are still answered.

The run happens in a fresh process, so that its peak memory (VmHWM) is this run's alone and not what earlier
tests in the session (a 50 MB CSV) left behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EPOCHS = 1_000_000
#: What the app may add to its peak resident memory over the whole run: the history's compact arrays for 10⁶
#: epochs are 12 MB (d = 1, no bias), 19 MB while they grow; kept event objects would be ~200 MB.
RSS_BUDGET = 96 * 2**20

SCRIPT = r'''
import asyncio, json, math, time
from tests.tui.helpers import make_app, settle, wait_for

def peak_rss():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024

async def main(epochs):
    app = make_app(case=1, speed=None, epochs=epochs, log_every=1)  # every epoch logged: the log must cope too
    out = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        before = peak_rss()
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.epoch >= epochs // 3, timeout=240)
        t0 = time.perf_counter()
        await pilot.press("space")  # a key mid-run: the state word changes at once and the epochs stop
        out["answered_ms"] = (time.perf_counter() - t0) * 1e3
        out["paused"] = app.session.state == "paused" and app.main.status_line().startswith("paused")
        await pilot.pause(0.3)
        stopped_at = app.session.epoch
        await pilot.pause(0.5)
        out["stayed"] = app.session.epoch == stopped_at
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state != "running", timeout=240)
        await settle(pilot, app)
        s, h = app.session, app.session.history
        out.update(grown=peak_rss() - before, state=str(s.state), epoch=s.epoch, gaps=s.contiguity_errors,
                   history=len(h), history_bytes=h.nbytes, last_finite=math.isfinite(float(h.loss[-1])),
                   log_lines=len(app.main.log_pane.lines), redraws=app.main.redraws)
    print(json.dumps(out))

if __name__ == "__main__":
    import sys
    asyncio.run(main(int(sys.argv[1])))
'''


@pytest.mark.timeout(560)
@pytest.mark.slow
def test_a_million_epochs_keep_memory_bounded_and_keys_answered(tmp_path: Path) -> None:
    script = tmp_path / "long_run.py"
    script.write_text(SCRIPT)
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, str(script), str(EPOCHS)], capture_output=True, text=True, cwd=root,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=540)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"key answered in {r['answered_ms']:.1f} ms; peak RSS grew {r['grown'] / 2**20:.1f} MB; "
          f"history {r['history_bytes'] / 2**20:.1f} MB; chart redraws {r['redraws']}")
    assert r["paused"] and r["stayed"]
    assert r["state"] == "finished" and r["epoch"] == EPOCHS and r["gaps"] == 0
    assert r["history"] == EPOCHS and r["history_bytes"] <= 64 * 2**20 and r["last_finite"]
    assert r["log_lines"] <= 2100  # the log keeps its last lines only
    assert r["grown"] <= RSS_BUDGET, f"peak RSS grew by {r['grown'] / 2**20:.0f} MB"
    assert r["redraws"] >= 10  # the chart kept being drawn during the run
