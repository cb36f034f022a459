"""Compare mode: the four cases in lockstep on the same data, initial parameters, bias setting and lr."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

from linreg_core.config import CASES, TrainConfig
from linreg_core.data import Dataset
from linreg_core.engine import Run
from linreg_core.events import EpochEnded

#: Largest |Δθ| between cases still called float32 round-off, relative to max(1, |θ|).
ROUNDOFF = 1e-4


@dataclass(frozen=True)
class CompareStep:
    epoch: int
    events: dict[int, EpochEnded]
    max_dtheta: float
    """Largest |θ_i − θ_j| over parameters and pairs of cases, at this epoch."""
    max_dtheta_so_far: float
    scale: float
    """max(1, largest |θ|) so far, what :data:`ROUNDOFF` is relative to."""

    @property
    def at_roundoff(self) -> bool:
        return self.max_dtheta_so_far <= ROUNDOFF * self.scale


def lockstep_configs(config: TrainConfig) -> dict[int, TrainConfig]:
    """One configuration per case: the given lr, epochs, bias and seed; w = b = 0 unless given (for case 4 too,
    so that all four start from the same point)."""
    init_w = config.init_w if config.init_w is not None else (0.0,)
    init_b = config.init_b if config.init_b is not None else 0.0
    out = {}
    for case in CASES:
        out[case] = TrainConfig.for_case(
            case, lr=config.lr, epochs=config.epochs, log_every=config.log_every, bias=config.bias,
            init_w=init_w, init_b=init_b, seed=config.seed, tol=config.tol, batch_size=config.batch_size,
            data=config.data)
    return out


def max_param_diff(events: dict[int, EpochEnded]) -> tuple[float, float]:
    """(largest |Δθ| between any two cases, largest |θ|)."""
    evs = list(events.values())
    worst, biggest = 0.0, 0.0
    for i, a in enumerate(evs):
        pa = a.w + ((a.b,) if a.b is not None else ())
        biggest = max(biggest, max((abs(v) for v in pa), default=0.0))
        for other in evs[i + 1:]:
            pb = other.w + ((other.b,) if other.b is not None else ())
            for x, y in zip(pa, pb, strict=True):
                d = abs(x - y)
                if not math.isfinite(d):
                    return math.inf, biggest
                worst = max(worst, d)
    return worst, biggest


class Compare:
    """The four cases in lockstep; iterate to get one :class:`CompareStep` per epoch."""

    def __init__(self, config: TrainConfig, dataset: Dataset):
        self.configs = lockstep_configs(config)
        self.runs = {case: Run(cfg, dataset) for case, cfg in self.configs.items()}
        self.epoch = 0
        self.max_dtheta = 0.0
        self.scale = 1.0

    @property
    def finished(self) -> bool:
        return any(r.finished is not None for r in self.runs.values())

    def reasons(self) -> dict[int, str]:
        return {case: (r.finished.reason if r.finished else "running") for case, r in self.runs.items()}

    def step(self) -> CompareStep:
        self.epoch += 1
        events = {case: run.advance()[0] for case, run in self.runs.items()}
        dtheta, biggest = max_param_diff(events)
        self.max_dtheta = max(self.max_dtheta, dtheta)
        self.scale = max(self.scale, biggest)
        return CompareStep(self.epoch, events, dtheta, self.max_dtheta, self.scale)

    def __iter__(self) -> Iterator[CompareStep]:
        while not self.finished:
            yield self.step()
