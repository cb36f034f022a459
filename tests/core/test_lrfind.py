"""The learning-rate range test against the analytic bound."""

from __future__ import annotations

import io
import json
import math

import pytest

from linreg_core.cli import main
from linreg_core.config import TrainConfig
from linreg_core.data import seed, synthetic
from linreg_core.lrfind import lr_find, sweep


def test_sweep_is_geometric() -> None:
    lrs = sweep(1e-4, 1.0, 5)
    assert lrs == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    with pytest.raises(ValueError):
        sweep(1.0, 0.1, 5)


def test_stops_just_past_the_analytic_bound() -> None:
    ds = synthetic(n=80, d=2, noise=0.1, seed=3)
    res = lr_find(TrainConfig.for_case(1), ds, start=1e-4, end=100.0, steps=60, epochs=30)
    assert res.bound is not None and res.stopped_at is not None
    assert res.stopped_at >= res.bound.eta_max  # nothing below the bound diverges
    assert res.stopped_at <= res.bound.eta_max * 2.5  # and it is found soon after
    assert res.suggested == pytest.approx(res.bound.eta_opt)
    assert all(math.isfinite(v) for v in res.losses[:-1])


def test_bound_does_not_apply_to_adam() -> None:
    res = lr_find(TrainConfig.for_case(3, optimizer="adam"), seed(), steps=10, epochs=5)
    assert res.bound is None and res.suggested in res.lrs


def test_lr_find_command() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["lr-find", "--steps", "12", "--json"], out, err) == 0
    docs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert docs[-1]["event"] == "suggestion" and docs[-1]["eta_max"] == pytest.approx(2 / 15)
    out = io.StringIO()
    assert main(["lr-find", "--steps", "12"], out, err) == 0
    assert "── η_max = 0.1333 " in out.getvalue()
    assert out.getvalue().splitlines()[-1].startswith("suggested lr: 0.06667")
    err = io.StringIO()
    assert main(["lr-find", "--start", "1", "--end", "0.1"], io.StringIO(), err) == 2
    assert err.getvalue().startswith("linreg: error: lr-find: need 0 < start < end")


def test_an_exact_fit_is_not_divergence_and_eta_max_sits_between_its_rows() -> None:
    """Case 2 on the seed data (an exact fit: the best loss is 0): rates up to η_max = 2/15 shrink the loss from
    30; the first rate above it makes each step multiply w − 2 by 1 − 15·lr < −1, so the loss grows past 30."""
    res = lr_find(TrainConfig.for_case(2), seed())
    assert res.bound is not None and res.stopped_at is not None
    assert res.stopped_at == min(lr for lr in res.lrs if lr > 2 / 15)
    assert all(loss <= 30 for loss in res.losses[:-1]) and res.losses[-1] > 30
    out = io.StringIO()
    assert main(["lr-find", "--case", "2", "--json"], out, io.StringIO()) == 0
    assert json.loads(out.getvalue().splitlines()[-1])["stopped_at"] == pytest.approx(res.stopped_at)
    out = io.StringIO()
    assert main(["lr-find", "--case", "2"], out, io.StringIO()) == 0
    lines = out.getvalue().splitlines()
    at = lines.index(next(line for line in lines if line.startswith("── η_max = 0.1333")))
    assert float(lines[at - 1].split()[1]) < 2 / 15 < float(lines[at + 1].split()[1])
    assert f"stopped at lr {res.stopped_at:.4g}: the loss diverged" in lines
