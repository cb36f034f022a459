"""Learning-rate range test: an exponential sweep of lr, each from the same initial parameters."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from linreg_core.analysis import LrBound
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.engine import Run
from linreg_core.scaling import bound_for


@dataclass
class LrFindResult:
    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    stopped_at: float | None = None
    """The lr at which the sweep stopped because the loss diverged: it grew above the loss where the run started,
    or turned non-finite (None: it reached the end)."""
    suggested: float | None = None
    bound: LrBound | None = None
    """The analytic bound, when it applies (full-batch MSE with plain SGD)."""


def bound_row(lrs: list[float], eta_max: float) -> int | None:
    """Where η_max falls among the rows of ``lrs``: the index of the first row above it (len(lrs): after the last
    row), or None when it lies outside the rates swept."""
    if not lrs or not math.isfinite(eta_max) or eta_max < lrs[0]:
        return None
    above = [i for i, lr in enumerate(lrs) if lr > eta_max]
    return above[0] if above else len(lrs)


def sweep(start: float, end: float, steps: int) -> list[float]:
    if not (0 < start < end and math.isfinite(end)) or steps < 2:
        raise ValueError(f"lr-find: need 0 < start < end and steps ≥ 2 (got {start:g}, {end:g}, {steps})")
    return [float(v) for v in np.geomspace(start, end, steps)]


def lr_find(config: TrainConfig, dataset: Dataset, start: float = 1e-5, end: float = 10.0, steps: int = 40,
            epochs: int = 10, progress: Callable[[int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> LrFindResult:
    """For each lr of the sweep, ``epochs`` epochs from the configuration's initial parameters; the loss after
    them (at the final parameters). Stops at divergence: a loss above the one at the initial parameters (on data
    with an exact fit the best loss is 0, so a loss merely above the best is no sign of it), or not finite.
    Suggests the lr with the lowest loss, or η_opt where the analytic bound applies and lies inside the sweep."""
    lrs = sweep(start, end, steps)
    result = LrFindResult(bound=bound_for(config, dataset) if config.plain_gd else None)
    base = config.replace(epochs=epochs, tol=None, patience=None)
    with np.errstate(all="ignore"):
        for i, lr in enumerate(lrs):
            if cancelled is not None and cancelled():
                break
            run = Run(base.replace(lr=lr), dataset)
            first, _ = run.advance()  # its loss is the loss at the initial parameters, the same for every lr
            while run.finished is None:
                run.advance()
            loss = run.finished.loss
            result.lrs.append(lr)
            result.losses.append(loss)
            if progress is not None:
                progress(i + 1, len(lrs))
            if run.finished.reason == "diverged" or not math.isfinite(loss) or loss > first.loss:
                result.stopped_at = lr
                break
    finite = [(loss, lr) for lr, loss in zip(result.lrs, result.losses, strict=True) if math.isfinite(loss)]
    if finite:
        result.suggested = min(finite)[1]
    b = result.bound
    if b is not None and math.isfinite(b.eta_opt) and start <= b.eta_opt <= end:
        result.suggested = b.eta_opt
    return result
