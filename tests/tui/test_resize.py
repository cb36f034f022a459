"""Resizes from 300×100 down to 20×10 and back, during a run: no crash, the layout recovers."""

from __future__ import annotations

import pytest

from tests.tui.helpers import make_app, settle, wait_for
from tui_app.widgets.plot import SafePlot

SIZES = [(300, 100), (200, 60), (120, 40), (100, 30), (80, 24), (60, 20), (40, 15), (30, 12), (20, 10),
         (25, 11), (80, 24), (120, 40), (300, 100)]


@pytest.mark.slow
async def test_resizes_during_a_run() -> None:
    app = make_app(case=2, speed=200, epochs=100_000)
    async with app.run_test(size=(300, 100)) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.epoch > 5)
        for w, h in SIZES:
            await pilot.resize_terminal(w, h)
            await pilot.pause(0.08)
            assert app.size == (w, h)
            assert app.is_running
        await pilot.press("space")
        await settle(pilot, app)
        assert app.session.state == "paused" and app.session.contiguity_errors == 0 and not app.main.errors
        plot = app.query_one("#loss-view", SafePlot)
        before = plot.renders
        await pilot.press("l")
        await settle(pilot, app)
        assert plot.renders > before  # the chart draws again at the final size
        assert plot.size.width > 100


async def test_tiny_terminal_from_the_start() -> None:
    app = make_app(speed=None)
    async with app.run_test(size=(20, 10)) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "finished")
        await pilot.press("t", "l", "question_mark", "escape", "r")
        await settle(pilot, app)
        assert app.session.state == "ready" and app.is_running
