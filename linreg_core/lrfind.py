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

#: The sweep stops once the loss exceeds this many times the best loss seen (or the run diverges).
STOP_FACTOR = 4.0


@dataclass
class LrFindResult:
    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    stopped_at: float | None = None
    """The lr at which the sweep stopped because the loss diverged (None: it reached the end)."""
    suggested: float | None = None
    bound: LrBound | None = None
    """The analytic bound, when it applies (full-batch MSE with plain SGD)."""


def sweep(start: float, end: float, steps: int) -> list[float]:
    if not (0 < start < end and math.isfinite(end)) or steps < 2:
        raise ValueError(f"lr-find: need 0 < start < end and steps ≥ 2 (got {start:g}, {end:g}, {steps})")
    return [float(v) for v in np.geomspace(start, end, steps)]


def lr_find(config: TrainConfig, dataset: Dataset, start: float = 1e-5, end: float = 10.0, steps: int = 40,
            epochs: int = 10, progress: Callable[[int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> LrFindResult:
    """For each lr of the sweep, ``epochs`` epochs from the configuration's initial parameters; the loss after
    them (at the final parameters). Stops at divergence. Suggests the lr with the lowest loss, or η_opt
    where the analytic bound applies and lies inside the sweep."""
    lrs = sweep(start, end, steps)
    result = LrFindResult(bound=bound_for(config, dataset) if config.plain_gd else None)
    best = math.inf
    base = config.replace(epochs=epochs, tol=None, patience=None)
    with np.errstate(all="ignore"):
        for i, lr in enumerate(lrs):
            if cancelled is not None and cancelled():
                break
            run = Run(base.replace(lr=lr), dataset)
            while run.finished is None:
                run.advance()
            loss = run.finished.loss
            result.lrs.append(lr)
            result.losses.append(loss)
            if progress is not None:
                progress(i + 1, len(lrs))
            if run.finished.reason == "diverged" or not math.isfinite(loss) or loss > STOP_FACTOR * best:
                result.stopped_at = lr
                break
            best = min(best, loss)
    finite = [(loss, lr) for lr, loss in zip(result.lrs, result.losses, strict=True) if math.isfinite(loss)]
    if finite:
        result.suggested = min(finite)[1]
    b = result.bound
    if b is not None and math.isfinite(b.eta_opt) and start <= b.eta_opt <= end:
        result.suggested = b.eta_opt
    return result
