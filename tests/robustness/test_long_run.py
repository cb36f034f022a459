"""10⁶ epochs in the app at --speed max: memory stays bounded and keys are still answered."""

from __future__ import annotations

import math
import time

from tests.tui.conftest import make_app, settle, wait_for

EPOCHS = 1_000_000
#: What the app may add to its peak resident memory over the whole run: the history's compact arrays for 10⁶
#: epochs are 12 MB (d = 1, no bias), 19 MB while they grow; kept event objects would be ~200 MB.
RSS_BUDGET = 96 * 2**20


def peak_rss() -> int:
    """This process's peak resident set size (VmHWM), in bytes."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc/self/status")


async def test_a_million_epochs_keep_memory_bounded_and_keys_answered() -> None:
    app = make_app(case=1, speed=None, epochs=EPOCHS, log_every=1)  # every epoch logged: the log must cope too
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        before = peak_rss()
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.epoch >= EPOCHS // 3, timeout=200)
        # a key mid-run: the state word changes at once and the epochs stop
        t0 = time.perf_counter()
        await pilot.press("space")
        answered = time.perf_counter() - t0
        assert app.session.state == "paused" and app.main.status_line().startswith("paused")
        await pilot.pause(0.3)
        stopped_at = app.session.epoch
        await pilot.pause(0.5)
        assert app.session.epoch == stopped_at
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state != "running", timeout=250)
        await settle(pilot, app)
        grown = peak_rss() - before
        print(f"key answered in {answered * 1e3:.1f} ms; peak RSS grew {grown / 2**20:.1f} MB; "
              f"history {app.session.history.nbytes / 2**20:.1f} MB; chart redraws {app.main.redraws}")
        assert app.session.state == "finished" and app.session.epoch == EPOCHS and app.session.contiguity_errors == 0
        assert len(app.session.history) == EPOCHS and app.session.history.nbytes <= 64 * 2**20
        assert math.isfinite(float(app.session.history.loss[-1]))
        assert len(app.main.log_pane.lines) <= 2100  # the log keeps its last lines only
        assert grown <= RSS_BUDGET, f"peak RSS grew by {grown / 2**20:.0f} MB"
        assert app.main.redraws >= 10  # the chart kept being drawn during the run
