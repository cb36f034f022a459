"""Events a run emits. Plain floats and tuples (NumPy arrays in :class:`EpochSpan`), never tensors."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    F64 = npt.NDArray[np.float64]
else:
    from linreg_core.lazy import np


class RunState(enum.StrEnum):
    """The state word of a run, as the app's status bar shows it and a lesson's ``state`` condition names it."""

    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    CONVERGED = "converged"
    DIVERGED = "diverged"
    FAILED = "failed"

    @property
    def ended(self) -> bool:
        return self in (RunState.FINISHED, RunState.CONVERGED, RunState.DIVERGED, RunState.FAILED)


#: Reasons a run ends. ``stopped`` only comes from a stream that was told to stop mid-run.
REASONS = ("completed", "converged", "diverged", "failed", "stopped")


class EpochEnded(NamedTuple):
    """One epoch: ``loss`` from its forward pass (before the update), parameters after the update,
    and the gradient that update used.

    A NamedTuple rather than a frozen dataclass: just as immutable, and cheaper to build,
    which matters on the hot path (one per epoch, a few µs an epoch for case 1).
    """

    epoch: int
    loss: float
    w: tuple[float, ...]
    b: float | None
    grad_w: tuple[float, ...]
    grad_b: float | None
    run_id: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class EpochSpan:
    """Consecutive epochs ``first … first + len − 1`` of one run, packed into arrays (float64, exact copies of the
    events' floats; ``b`` and ``grad_b`` are None without a bias). A stream packs runs of :class:`EpochEnded` this way
    before they cross to the consumer: one array per field pickles and folds into a history far faster than
    thousands of small tuples. :meth:`events` gives the :class:`EpochEnded` back."""

    run_id: int
    first: int
    loss: F64
    w: F64  # [k, d]
    b: F64 | None  # [k], None without a bias
    grad_w: F64  # [k, d]
    grad_b: F64 | None

    @classmethod
    def pack(cls, events: list[EpochEnded]) -> EpochSpan:
        """``events``: consecutive epochs of one run, at least one."""
        first = events[0]
        has_b = first.b is not None
        return cls(first.run_id, first.epoch, np.array([e.loss for e in events], dtype=np.float64),
                   np.array([e.w for e in events], dtype=np.float64),
                   np.array([e.b for e in events], dtype=np.float64) if has_b else None,
                   np.array([e.grad_w for e in events], dtype=np.float64),
                   np.array([e.grad_b for e in events], dtype=np.float64) if has_b else None)

    @classmethod
    def concat(cls, blocks: list[EpochSpan]) -> EpochSpan:
        """Blocks of one run, each starting where the one before ended, as one block."""
        if len(blocks) == 1:
            return blocks[0]
        first = blocks[0]

        def cat(arrays: list[F64 | None]) -> F64 | None:
            return None if arrays[0] is None else np.concatenate(arrays)  # type: ignore[arg-type]

        return cls(first.run_id, first.first, np.concatenate([b.loss for b in blocks]),
                   np.concatenate([b.w for b in blocks]), cat([b.b for b in blocks]),
                   np.concatenate([b.grad_w for b in blocks]), cat([b.grad_b for b in blocks]))

    def __len__(self) -> int:
        return len(self.loss)

    def head(self, n: int) -> EpochSpan:
        """The first ``n`` epochs of the block."""
        return EpochSpan(self.run_id, self.first, self.loss[:n], self.w[:n],
                          None if self.b is None else self.b[:n], self.grad_w[:n],
                          None if self.grad_b is None else self.grad_b[:n])

    @property
    def last(self) -> int:
        return self.first + len(self.loss) - 1

    def event(self, i: int) -> EpochEnded:
        """The i-th epoch of the block as an event."""
        b = None if self.b is None else float(self.b[i])
        gb = None if self.grad_b is None else float(self.grad_b[i])
        return EpochEnded(self.first + i, float(self.loss[i]), tuple(self.w[i].tolist()), b,
                          tuple(self.grad_w[i].tolist()), gb, self.run_id)

    def events(self) -> list[EpochEnded]:
        return [self.event(i) for i in range(len(self.loss))]


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
class Warned:
    """What torch warned during a run (its own words, once per distinct warning), at the epoch it first did."""

    message: str
    epoch: int
    run_id: int = 0


@dataclass(frozen=True, slots=True)
class Held:
    """What a run keeps alive that it should not (a mistake's memory), in words, as of ``epoch``."""

    message: str
    epoch: int
    run_id: int = 0


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


@dataclass(frozen=True, slots=True)
class BlockStepped:
    """One block of an epoch run on its own (``linreg_core.stepper``): the code it ran and the values after it
    (plain lists and floats; None for a gradient torch set to None); ``error`` when torch refused it."""

    run_id: int
    epoch: int
    block: str
    code: tuple[str, ...]
    values: dict[str, object]
    shapes: dict[str, tuple[int, ...] | None]
    changed: tuple[str, ...]
    note: str
    error: str
    next_block: str | None


Event = EpochEnded | EpochSpan | RunFinished | RunReset | ParamsSet | RunError | BlockStepped | Warned | Held

