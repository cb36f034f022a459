"""Run.advance_span: k epochs recorded into arrays are the epochs of Trainer.step() one at a time, and the run
ends at the same epoch, for the same reason, whatever the block size."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from linreg_core.cases import make_trainer
from linreg_core.cases.base import F32, StepResult, Trainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset, seed, synthetic
from linreg_core.engine import Run
from linreg_core.events import EpochEnded, RunFinished


def by_blocks(cfg: TrainConfig, ds: Dataset, size: int) -> tuple[list[EpochEnded], RunFinished, Run]:
    run = Run(cfg, ds)
    events: list[EpochEnded] = []
    fin = None
    while fin is None:
        block, fin = run.advance_span(size)
        assert 1 <= len(block) <= size and block.first == len(events) + 1
        events.extend(block.events())
    return events, fin, run


CONFIGS = [
    pytest.param(dict(case=c, bias=bias, standardize=std, batch_size=bs), id=f"c{c}-bias{bias:d}-std{std:d}-bs{bs}")
    for c in (1, 2, 3, 4) for bias in (False, True) for std in (False, True) for bs in (None, 3)
    if not (std and bs)
]


@pytest.mark.parametrize("opts", CONFIGS)
def test_blocks_record_exactly_the_epochs_of_step(opts: dict[str, object]) -> None:
    ds = synthetic(n=9, d=2, seed=3)
    cfg = TrainConfig.for_case(opts["case"], epochs=40, lr=0.05, bias=opts["bias"],  # type: ignore[arg-type]
                               standardize=opts["standardize"], batch_size=opts["batch_size"])
    trainer = make_trainer(cfg, ds)
    reference = [trainer.step() for _ in range(40)]
    for size in (1, 7, 1000):
        events, fin, _ = by_blocks(cfg, ds, size)
        assert fin.reason == "completed" and fin.epochs == 40
        assert [e.epoch for e in events] == list(range(1, 41))
        for got, want in zip(events, reference, strict=True):
            assert got.loss == want.loss and got.w == pytest.approx(want.w, rel=1e-12, abs=1e-12)
            assert got.grad_w == pytest.approx(want.grad_w, rel=1e-12, abs=1e-12)
            assert (got.b is None) == (want.b is None) and (got.b is None or got.b == pytest.approx(want.b, abs=1e-12))
            assert (got.grad_b is None or got.grad_b == pytest.approx(want.grad_b, abs=1e-12))


@pytest.mark.parametrize("case", [1, 2, 3, 4])
@pytest.mark.parametrize(("opts", "reason", "epoch"), [
    (dict(lr=0.2), "diverged", None),  # seed data: stable only for lr < 2/15
    (dict(lr=0.01, tol=1e-3), "converged", None),
    (dict(lr=1e-12, patience=3), "converged", 4),  # steps below float32 resolution: no improvement after epoch 1
    (dict(lr=0.01, epochs=123), "completed", 123),
])
def test_every_block_size_ends_the_run_at_the_same_epoch(case: int, opts: dict[str, object], reason: str,
                                                       epoch: int | None) -> None:
    cfg = TrainConfig.for_case(case, **{"epochs": 100_000, **opts})  # type: ignore[arg-type]
    ends = []
    for size in (1, 2, 5, 64, 4096):
        events, fin, run = by_blocks(cfg, seed(), size)
        assert fin.reason == reason and fin.epochs == len(events) == run.epoch
        ends.append((fin.epochs, fin.w, fin.message, events[-1]))
    assert all(e == ends[0] for e in ends)
    if epoch is not None:
        assert ends[0][0] == epoch
    assert 1 < ends[0][0] < 100_000


class Exploding(Trainer):
    """A made-up case: the loss stays 1 while w turns infinite after epoch 5 (a rule no real case exercises
    easily: a run's divergence threshold normally catches the loss first)."""

    case = 1

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        self.w = np.zeros(self.d, dtype=np.float32)
        self.calls = 0

    def batch_step(self, X: F32, y: F32) -> StepResult:
        self.calls += 1
        self.w += np.float32(1.0) if self.calls < 5 else np.float32(np.inf)
        return 1.0, np.zeros(self.d, dtype=np.float32), None

    def live_params(self) -> tuple[F32, F32 | None]:
        return self.w, None

    def get_params(self) -> tuple[F32, float | None]:
        return self.w.copy(), None

    def set_params(self, w: F32, b: float | None) -> None:
        self.w[:] = w

    def predict(self, X: F32) -> F32:
        return X @ self.w.reshape(-1, 1)  # type: ignore[no-any-return]

    def evaluate(self) -> float:
        return 1.0

    def named_parameters(self) -> dict[str, Any]:
        return {"w": self.w}

    def step_result(self, ns: dict[str, Any]) -> StepResult:
        return ns["loss"], ns["dw"], None


@pytest.mark.parametrize("size", [1, 3, 100])
def test_parameters_turning_infinite_end_the_run_at_that_epoch(size: int) -> None:
    cfg = TrainConfig.for_case(1, epochs=50, bias=False)
    run = Run(cfg, seed(), trainer=Exploding(cfg, seed()))
    fin = None
    epochs = 0
    while fin is None:
        block, fin = run.advance_span(size)
        epochs += len(block)
    assert fin.reason == "diverged" and fin.epochs == epochs == run.epoch == 5
    assert "parameters are not finite" in fin.message and math.isinf(fin.w[0])


class Refusing(Exploding):
    """A made-up case whose 7th step raises (as torch refusing a step does)."""

    def batch_step(self, X: F32, y: F32) -> StepResult:
        self.calls += 1
        if self.calls == 7:
            raise RuntimeError("refused")
        self.w += np.float32(1.0)
        return float(self.calls), np.full(self.d, -self.calls, dtype=np.float32), None


def test_a_step_that_raises_ends_the_block_with_the_epochs_before_it() -> None:
    cfg = TrainConfig.for_case(1, epochs=50, bias=False)
    trainer = Refusing(cfg, seed())
    block = trainer.run_span(20, -1.0, math.inf)
    assert isinstance(trainer.failure, RuntimeError) and trainer.epoch == 6
    assert block.loss.tolist() == [1, 2, 3, 4, 5, 6] and block.w[:, 0].tolist() == [1, 2, 3, 4, 5, 6]
    assert block.grad_w[:, 0].tolist() == [-1, -2, -3, -4, -5, -6]


class NoGradient(Refusing):
    """Two weights (values appended): the 4th step's gradient cannot be recorded, after its loss and w were."""

    def batch_step(self, X: F32, y: F32) -> StepResult:
        loss, gw, gb = super().batch_step(X, y)
        return loss, None if self.calls == 4 else gw, gb


def test_an_epoch_cut_between_two_of_its_values_is_left_out() -> None:
    ds = synthetic(n=9, d=2, seed=3)
    trainer = NoGradient(TrainConfig.for_case(1, epochs=50, bias=False), ds)
    block = trainer.run_span(20, -1.0, math.inf)
    assert isinstance(trainer.failure, TypeError) and len(block) == 3 and trainer.epoch == 3
    assert block.loss.tolist() == [1, 2, 3] and block.w.shape == block.grad_w.shape == (3, 2)


def test_a_block_is_cut_at_the_configured_epochs_and_a_finished_run_refuses_more() -> None:
    run = Run(TrainConfig.for_case(1, epochs=10), seed())
    block, fin = run.advance_span(1000)
    assert len(block) == 10 and fin is not None and fin.reason == "completed"
    with pytest.raises(RuntimeError):
        run.advance_span(5)
