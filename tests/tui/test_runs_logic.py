"""The pure side of run management: past runs kept, typed parameters, write paths."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from linreg_core.config import TrainConfig
from linreg_core.events import EpochEnded
from linreg_core.history import History
from tui_app.runs import CURVE_POINTS, KEEP_RUNS, DialogError, RunLog, WritePath, parse_params


def history_of(n: int) -> History:
    h = History(1, False)
    h.extend([EpochEnded(i + 1, 1.0 / (i + 1), (0.0,), None, (0.0,), None) for i in range(n)])
    return h


def test_the_last_ten_runs_are_kept_with_bounded_curves() -> None:
    log = RunLog()
    for i in range(KEEP_RUNS + 3):
        log.add(TrainConfig(lr=0.01 * (i + 1)), "seed", "completed", 50, 0.1, history_of(50))
        log.shown.add(i + 1)
    assert [r.number for r in log.runs] == list(range(4, KEEP_RUNS + 4))
    assert log.shown == set(range(4, KEEP_RUNS + 4))  # dropped runs leave the overlay set on the next add
    big = RunLog()
    run = big.add(TrainConfig(), "seed", "completed", 100_000, 0.1, history_of(100_000))
    assert len(run.curve_x) <= CURVE_POINTS + 1 and run.curve_x[-1] == 100_000 and run.curve_y.max() == 1.0


def test_non_finite_losses_never_reach_a_curve() -> None:
    h = History(1, False)
    h.extend([EpochEnded(1, 1.0, (0.0,), None, (0.0,), None), EpochEnded(2, float("inf"), (0.0,), None, (0.0,), None),
              EpochEnded(3, float("nan"), (0.0,), None, (0.0,), None)])
    run = RunLog().add(TrainConfig(), "seed", "diverged", 3, float("inf"), h)
    assert run.curve_x.tolist() == [1.0] and np.isfinite(run.curve_y).all()


@pytest.mark.parametrize("text,d,bias,expected", [
    ("1.5", 1, False, ((1.5,), None)),
    ("2", 3, False, ((2.0, 2.0, 2.0), None)),
    ("1, 2 3; -4", 3, True, ((1.0, 2.0, 3.0), -4.0)),
    ("1e-3;0", 1, True, ((0.001,), 0.0)),
])
def test_parse_params(text: str, d: int, bias: bool, expected: tuple[tuple[float, ...], float | None]) -> None:
    assert parse_params(text, d, bias) == expected


@pytest.mark.parametrize("text,d,bias,message", [
    ("", 1, False, "no numbers"),
    ("1, 2", 3, False, "needs 3 number(s)"),
    ("1; 2", 1, False, "no bias"),
    ("1", 1, True, "has a bias"),
    ("1; 2, 3", 1, True, "has a bias"),
    ("1;2;3", 1, True, "one ';' at most"),
    ("nan", 1, False, "not a finite number"),
    ("1e999", 1, False, "not a finite number"),
])
def test_parse_params_refuses(text: str, d: int, bias: bool, message: str) -> None:
    with pytest.raises(DialogError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_params(text, d, bias)


def test_write_path_asks_once_per_path(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.json"
    a.write_text("old")
    b.write_text("old")
    wp = WritePath((".csv", ".json"))
    written: list[str] = []
    for path in (a, b, a):  # switching paths asks again
        with pytest.raises(DialogError, match="exists — Enter again"):
            wp.write(str(path), written.append)
    assert written == []
    assert wp.write(f" {a} ", written.append) == str(a)  # the same path again: written
    assert written == [str(a)]
    assert WritePath((".csv",)).write(str(tmp_path / "new.csv"), written.append) == str(tmp_path / "new.csv")
    with pytest.raises(DialogError, match="must end in .csv or .json"):
        wp.check(str(tmp_path / "a.txt"))
    with pytest.raises(DialogError, match="type a file path"):
        wp.check("   ")


def test_status_shows_a_dash_until_the_first_loss_arrives() -> None:
    from tui_app.widgets.status_bar import status_text

    for state in ("ready", "running"):  # space pressed before the training process has reported
        assert "loss —" in status_text(state, 0, 40, math.nan, 10.0).plain
    assert "loss nan" in status_text("diverged", 7, 40, math.nan, 10.0).plain  # a NaN loss later is shown as such
    assert "loss 30  " in status_text("running", 0, 40, 30.0, 10.0).plain
