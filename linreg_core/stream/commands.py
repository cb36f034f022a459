"""The commands a stream sends its worker, and the worker's state reports (typed, handled with ``match``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset


@dataclass(frozen=True)
class RunCmd:
    """Run until paused or finished (paced by the speed)."""


@dataclass(frozen=True)
class PauseCmd:
    """Stop running; steps still owed are dropped."""


@dataclass(frozen=True)
class StepCmd:
    """Run ``n`` more epochs, then wait."""

    n: int = 1


@dataclass(frozen=True)
class BlockCmd:
    """Run the next block of the next epoch (prediction, loss, gradient or update) on its own."""


@dataclass(frozen=True)
class ResetCmd:
    """Start afresh at epoch 0 as run ``run_id``, with a new configuration and/or data when given."""

    run_id: int
    config: TrainConfig | None = None
    dataset: Dataset | None = None


@dataclass(frozen=True)
class SetParamsCmd:
    """Overwrite run ``run_id``'s parameters (original units); ignored for any other run."""

    run_id: int
    w: tuple[float, ...]
    b: float | None


@dataclass(frozen=True)
class SpeedCmd:
    """Epochs per second in run mode; None: as fast as possible."""

    speed: float | None


@dataclass(frozen=True)
class StopCmd:
    """End the run (reason ``stopped``) and the worker."""


Command = RunCmd | PauseCmd | StepCmd | BlockCmd | ResetCmd | SetParamsCmd | SpeedCmd | StopCmd


class WorkerState(enum.StrEnum):
    """What the worker reports, in order with its events."""

    STARTING = "starting"
    IDLE = "idle"
    RUNNING = "running"
    STOPPED = "stopped"


@dataclass(frozen=True)
class WorkerStatus:
    """The worker's state and how many commands it has handled, reported in order with its events."""

    state: WorkerState
    handled: int
