"""Divergence everywhere: every case × lr × bias, and data near the float32 limit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset, seed
from linreg_core.engine import Run
from tests.tui.helpers import make_app, settle, wait_for
from tui_app.plotting import decimate, finite_xy, log10_loss

HUGE = Dataset(X=np.array([[1e18], [-2e18], [3e18]], dtype=np.float32),
               y=np.array([[1e19], [2e19], [-1e19]], dtype=np.float32), name="huge")


def finish(run: Run) -> None:
    with np.errstate(all="ignore"):
        while run.finished is None:
            run.advance()


@pytest.mark.parametrize("case", [1, 2, 3, 4])
@pytest.mark.parametrize("lr", [0.2, 1.0, 10.0, 1e6])
@pytest.mark.parametrize("bias", [False, True])
def test_always_diverged(case: int, lr: float, bias: bool) -> None:
    run = Run(TrainConfig.for_case(case, lr=lr, bias=bias, epochs=10_000), seed())
    finish(run)
    assert run.finished is not None and run.finished.reason == "diverged"
    assert f"lr {lr:g} used" in run.finished.message and run.finished.epochs < 10_000


@pytest.mark.parametrize("case", [1, 2, 3, 4])
def test_data_near_the_float32_limit(case: int) -> None:
    run = Run(TrainConfig.for_case(case, lr=0.01, bias=True, epochs=1000), HUGE)
    finish(run)
    assert run.finished is not None and run.finished.reason == "diverged"


@pytest.mark.parametrize("case", [1, 2, 3, 4])
def test_a_run_that_overflows_lets_no_warning_out(case: int) -> None:
    """The epochs run in NumPy's default error state, as the notebook's loop does: what they warn is the engine's
    to keep, and the engine's own last evaluation of an overflowing run (the loss is inf) warns nothing either."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = Run(TrainConfig.for_case(case, lr=0.01, bias=True, epochs=1000), HUGE)
        for _ in run.blocks():
            pass
    assert run.finished is not None and run.finished.reason == "diverged" and run.finished.loss == np.inf
    assert [str(w.message) for w in caught] == []


def test_no_inf_reaches_the_chart() -> None:
    loss = np.array([1.0, 10.0, np.inf, np.nan, -np.inf, 1e38, 3.0], dtype=np.float32)
    for y in (loss, log10_loss(loss)):
        x, yv = finite_xy(np.arange(1, 8), y)
        x, yv = decimate(x, yv, 4)
        assert np.all(np.isfinite(x)) and np.all(np.isfinite(yv)) and len(x) >= 1


@pytest.mark.parametrize("case", [1, 4])
async def test_the_app_survives_a_violent_divergence(case: int) -> None:
    app = make_app(case=case, lr=1e6, epochs=1000, speed=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "diverged")
        await pilot.press("l", "t", "t")
        await settle(pilot, app)
        plot_errors = [p for p in app.main.chart.plots() if "unavailable" in str(p.render())]
        assert not plot_errors and app.main.status_line().startswith("diverged") and not app.main.errors
        await pilot.press("r", "n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
