"""Events a run emits. Plain floats and tuples only, never tensors or arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

#: Reasons a run ends. ``stopped`` only comes from a stream that was told to stop mid-run.
REASONS = ("completed", "converged", "diverged", "stopped")


class EpochEnded(NamedTuple):
    """One epoch: ``loss`` from its forward pass (before the update), parameters after the update,
    and the gradient that update used.

    A NamedTuple rather than a frozen dataclass: just as immutable, and four times cheaper to build,
    which matters on the hot path (one per epoch, a few µs an epoch for case 1).
    """

    epoch: int
    loss: float
    w: tuple[float, ...]
    b: float | None
    grad_w: tuple[float, ...]
    grad_b: float | None
    run_id: int = 0


@dataclass(frozen=True, slots=True)
class RunFinished:
    """The last event of a run; ``loss`` is evaluated at the final parameters."""

    reason: str
    epochs: int
    w: tuple[float, ...]
    b: float | None
    loss: float
    message: str = ""
    run_id: int = 0


@dataclass(frozen=True, slots=True)
class RunReset:
    """A stream started run ``run_id`` afresh at epoch 0 (after a reset or a new configuration)."""

    run_id: int
    w: tuple[float, ...]
    b: float | None
    loss: float


@dataclass(frozen=True, slots=True)
class ParamsSet:
    """The parameters were set by hand at ``epoch`` (training continues from them); ``loss`` is at the new values."""

    run_id: int
    epoch: int
    w: tuple[float, ...]
    b: float | None
    loss: float


@dataclass(frozen=True, slots=True)
class RunError:
    """Something unexpected failed inside the core; the stream stays usable after a reset."""

    message: str
    run_id: int = 0


Event = EpochEnded | RunFinished | RunReset | ParamsSet | RunError
