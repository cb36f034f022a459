"""Fast command sequences mid-run, and the memory of long histories."""

from __future__ import annotations

import random

import pytest

from linreg_core.engine import Run
from linreg_core.events import EpochEnded
from linreg_core.history import History
from tests.tui.helpers import make_app, settle, wait_for


def test_a_million_epochs_of_history_stay_compact() -> None:
    h = History(d=1, bias=True)
    ev = [EpochEnded(i + 1, 1.0, (2.0,), 0.5, (0.1,), 0.2) for i in range(10_000)]
    for _ in range(100):
        h.extend(ev)
    assert len(h) == 1_000_000
    assert h.nbytes <= 64 * 1024 * 1024  # 4 bytes × 5 columns an epoch, doubling capacity
    assert float(h.loss[-1]) == 1.0 and float(h.b[-1]) == 0.5  # type: ignore[index]


@pytest.mark.slow
async def test_fast_command_sequences_mid_run_then_a_clean_result() -> None:
    rng = random.Random(7)
    app = make_app(case=1, speed=None, epochs=50_000)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for _ in range(60):
            key = rng.choice(["space", "space", "n", "r", "1", "2", "3", "4", "o", "plus", "minus"])
            await pilot.press(key)
            if rng.random() < 0.2:
                await pilot.pause(0.02)
        await pilot.press("r")
        await settle(pilot, app)
        assert app.session.state == "ready" and app.session.epoch == 0 and app.session.contiguity_errors == 0
        # one training process, still answering
        assert app.session.stream is not None and app.session.stream.worker_state == "idle"
        cfg = app.session.config.replace(epochs=300)
        app.main.apply_config(cfg)
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "finished", timeout=60)
        await settle(pilot, app)
        direct = Run(cfg, app.session.dataset)
        while direct.finished is None:
            direct.advance()
        assert app.session.w == direct.finished.w and app.session.epoch == 300 and len(app.session.history) == 300
        assert app.session.contiguity_errors == 0
