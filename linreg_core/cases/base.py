"""What every case shares: epochs over (mini-)batches, parameters, prediction, initial values."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from array import array
from typing import Any, Callable, Sequence, cast

import numpy as np
import numpy.typing as npt

from linreg_core.cases.facts import CASE, Case
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import EpochEnded, EpochSpan

F32 = npt.NDArray[np.float32]
#: Epochs a span runs between two looks at the stop rules (one look costs about what a few epochs cost).
CHECK_EVERY = 256
#: One batch's result as the engine records it: the loss before the update, the gradient of w (d floats) and the
#: gradient of b (None without a bias).
StepResult = tuple[float, Sequence[float], float | None]


def initial_w(config: TrainConfig, d: int) -> F32 | None:
    """``--init-w`` as a float32 column [d, 1]: one number for every feature, or d numbers."""
    if config.init_w is None:
        return None
    values = list(config.init_w)
    if len(values) == 1:
        values = values * d
    if len(values) != d:
        from linreg_core.config import ConfigError

        raise ConfigError([f"init_w: needs 1 or {d} values for {d} features (got {len(config.init_w)})"])
    return np.asarray(values, dtype=np.float32).reshape(d, 1)


class Trainer(ABC):
    """One case of the notebook. A case writes ``train_step`` (the notebook's four blocks on one batch, returning
    what it computed); ``batch_step`` turns that into a :data:`StepResult`, and :meth:`run_span` runs and records
    epochs of it: the one place an epoch runs."""

    case: int = 0
    #: Stamped on every event (a stream numbers its runs).
    run_id: int = 0
    #: The error that stopped the last block (a step torch refused), or None.
    failure: Exception | None = None
    #: The rest of an epoch begun block by block (linreg_core.stepper), which the next epoch runs; None otherwise.
    begun: Callable[[Any, Any], StepResult] | None = None

    @property
    def case_trainer(self) -> Trainer:
        """The trainer whose ``train_step`` runs (a standardized run's is its case, on the scaled data)."""
        return self

    @property
    def facts(self) -> Case:
        """What this case is (linreg_core/cases/facts.py)."""
        return CASE[self.case]

    def __init__(self, config: TrainConfig, dataset: Dataset):
        self.config = config
        self.dataset = dataset
        self.bias = config.bias
        self.lr = config.lr
        self.epoch = 0
        self.n, self.d = dataset.n, dataset.d
        self.batch_size = config.batch_size if config.batch_size and config.batch_size < self.n else None
        self._rng = np.random.default_rng(config.seed)
        self._init_w = initial_w(config, self.d)
        #: The initial values the cases start from: w as float32 [d, 1], b as a number.
        self.w0 = self._init_w if self._init_w is not None else np.zeros((self.d, 1), dtype=np.float32)
        self.b0 = float(config.init_b or 0.0)

    # -- what a case's plumbing writes ----------------------------------------------------------------
    @abstractmethod
    def batch_step(self, X: Any, y: Any) -> StepResult:
        """The case's ``train_step`` on one batch (X, y in the case's array type, see :meth:`data`), as
        (loss, gradient of w, gradient of b)."""

    @abstractmethod
    def named_parameters(self) -> dict[str, Any]:
        """The parameters (and their gradients) as the step's code names them: for the stepper to show."""

    @abstractmethod
    def step_result(self, ns: dict[str, Any]) -> StepResult:
        """What a step run block by block in namespace ``ns`` returned, as :meth:`batch_step` returns it."""

    def data(self) -> tuple[Any, Any]:
        """The whole dataset in the array type ``train_step`` takes (NumPy here, tensors in the torch cases)."""
        return self.dataset.X, self.dataset.y

    def as_batch(self, X: F32, y: F32) -> tuple[Any, Any]:
        """NumPy arrays X, y in the array type ``train_step`` takes."""
        return X, y

    def take(self, X: Any, y: Any, idx: npt.NDArray[np.intp]) -> tuple[Any, Any]:
        """The rows ``idx`` of a batch (a mini-batch)."""
        return X[idx], y[idx]

    @abstractmethod
    def get_params(self) -> tuple[F32, float | None]:
        """w as float32 [d] and b (None without bias)."""

    @abstractmethod
    def set_params(self, w: F32, b: float | None) -> None:
        """Overwrite the parameters (w float32 [d], b)."""

    def live_params(self) -> tuple[F32, F32 | None]:
        """Views of the parameters (w as [d], b as a 0-d array or None) that follow the in-place updates of
        ``train_step``; valid until :meth:`set_params`. :meth:`run_span` reads them after every epoch."""
        raise NotImplementedError

    @abstractmethod
    def predict(self, X: F32) -> F32:
        """Predictions [m, 1] for inputs X [m, d] at the current parameters."""

    @abstractmethod
    def evaluate(self) -> float:
        """The loss on all the data at the current parameters, without changing anything."""

    def holding(self) -> str | None:
        """What the run keeps alive that it should not (a mistake's memory), in words; None for a correct step."""
        return None

    # -- shared ---------------------------------------------------------------------------------------
    def epoch_step(self) -> Callable[[Any, Any], StepResult]:
        """What runs the next epoch on all the data: the rest of an epoch begun block by block, one full batch,
        or a pass over shuffled mini-batches."""
        if self.begun is not None:
            return self.begun
        return self.batch_step if self.batch_size is None else self.minibatch_epoch

    def step(self) -> EpochEnded:
        """One epoch, as an event (a step torch refuses raises)."""
        block = self.run_span(1, -math.inf, math.inf)
        if self.failure is not None:
            raise self.failure
        return block.event(0)

    def run_span(self, k: int, low: float, high: float, watch: Callable[[float], bool] | None = None) -> EpochSpan:
        """Run up to ``k`` epochs and return them as a span; stop after the first epoch whose loss is not in
        (low, high] (NaN included) or for which ``watch(loss)`` is True. The stop rules look at CHECK_EVERY epochs
        at once: the epochs run past a stop are dropped and the parameters put back to those the stop left (a run
        ends at a stop, so the optimizer's state past it is never used). An epoch begun block by block ends the
        block."""
        X, y = self.data()
        epoch = self.epoch_step()
        if self.begun is not None:
            k, self.begun = 1, None
        record = Record(*self.live_params())
        stop, failure = -1, None
        while stop < 0 and failure is None and len(record) < k:
            start = len(record)
            try:
                for _ in range(min(CHECK_EVERY, k - start)):
                    record.add(*epoch(X, y))
            except Exception as exc:  # noqa: BLE001 - a step torch refuses (a mistake): the run fails at this epoch
                failure = exc
                record.keep(record.complete())  # an epoch cut between two of its values is left out
            stop = record.first_stop(start, low, high, watch)
        if stop >= 0 and (failure is not None or stop < len(record) - 1):
            failure = None  # the run stopped before the epochs after ``stop`` (and the one that failed) ran
            record.keep(stop + 1)
            self.set_params(*record.params(stop))
        self.failure = failure
        first = self.epoch + 1
        self.epoch += len(record)
        return record.span(self.run_id, first)

    def rewind(self, epoch: int, w: F32, b: float | None) -> None:
        """Put the parameters back to those recorded at ``epoch`` (a run that ended inside a span)."""
        self.set_params(w, b)
        self.epoch = epoch

    def minibatch_epoch(self, X: Any, y: Any) -> StepResult:
        """One pass over the data in seeded shuffled batches; mean of the batch losses and gradients."""
        order, size = self._rng.permutation(self.n), self.batch_size or self.n
        steps = [self.batch_step(*self.take(X, y, order[start:start + size])) for start in range(0, self.n, size)]
        losses, gws, gbs = zip(*steps, strict=True)
        gb = float(np.mean(gbs)) if self.bias else None
        return float(np.mean(losses)), np.mean(gws, axis=0).tolist(), gb

    def parameters(self) -> tuple[tuple[float, ...], float | None]:
        w, b = self.get_params()
        return tuple(w.tolist()), b


class NumpyTrainer(Trainer):
    """Case 1's plumbing: parameters as float32 NumPy arrays updated in place; ``train_step`` returns
    (loss, dw, db)."""

    w: F32
    b: F32

    @abstractmethod
    def forward(self, X: F32) -> F32: ...

    @abstractmethod
    def train_step(self, X: F32, y: F32) -> tuple[Any, F32, Any]: ...

    def named_parameters(self) -> dict[str, Any]:
        """The parameters as the step's code names them (the stepper shows them)."""
        return {"w": self.w, "b": self.b} if self.bias else {"w": self.w}

    def batch_step(self, X: F32, y: F32) -> StepResult:
        loss, dw, db = self.train_step(X, y)
        return float(loss), dw.ravel().tolist(), None if db is None else float(db)

    def step_result(self, ns: dict[str, Any]) -> StepResult:
        db = ns.get("db")
        return float(ns["loss"]), ns["dw"].ravel().tolist(), None if db is None else float(db)

    def get_params(self) -> tuple[F32, float | None]:
        return self.w.ravel(), float(self.b) if self.bias else None

    def live_params(self) -> tuple[F32, F32 | None]:
        return self.w.reshape(self.d), self.b if self.bias else None

    def set_params(self, w: F32, b: float | None) -> None:
        self.w = np.asarray(w, dtype=np.float32).reshape(self.d, 1).copy()
        self.b = np.array(b or 0.0, dtype=np.float32)

    def predict(self, X: F32) -> F32:
        return self.forward(np.asarray(X, dtype=np.float32))

    def evaluate(self) -> float:
        return float(((self.forward(self.dataset.X) - self.dataset.y) ** 2).mean())


class Record:
    """What :meth:`Trainer.run_span` records of each epoch, as C doubles (``array.array``) while the span runs and
    NumPy arrays once after it: the epoch's loss and gradients as the step returned them, its parameters read from
    views that follow the updates (:meth:`Trainer.live_params`)."""

    def __init__(self, w: F32, b: F32 | None):
        self.w, self.b = w, b
        self.d = w.size
        self.losses, self.ws, self.gws, self.bs, self.gbs = (array("d") for _ in range(5))

    def __len__(self) -> int:
        return len(self.losses)

    def add(self, loss: float, gw: Sequence[float], gb: float | None) -> None:
        """One epoch: its loss and gradients, and the parameters it left."""
        self.losses.append(loss)
        self.ws.extend(self.w.tolist())
        self.gws.extend(gw)
        if self.b is not None:
            self.bs.append(self.b.item())
            self.gbs.append(cast(float, gb))

    def keep(self, n: int) -> None:
        """Only the first ``n`` epochs."""
        d = self.d
        del self.losses[n:], self.ws[n * d:], self.gws[n * d:], self.bs[n:], self.gbs[n:]

    def complete(self) -> int:
        """How many epochs have all their values recorded."""
        series = [len(self.losses), len(self.ws) // self.d, len(self.gws) // self.d]
        if self.b is not None:
            series += [len(self.bs), len(self.gbs)]
        return min(series)

    def params(self, i: int) -> tuple[F32, float | None]:
        """w (float32 [d]) and b after the i-th epoch of the span."""
        w = np.asarray(self.ws[i * self.d:(i + 1) * self.d], dtype=np.float32)
        return w, None if self.b is None else self.bs[i]

    def first_stop(self, start: int, low: float, high: float, watch: Callable[[float], bool] | None) -> int:
        """The first epoch from ``start`` on whose loss is not in (low, high] or that ``watch`` stops, or -1."""
        if watch is not None:  # called epoch by epoch, in order, never past the stop (it keeps a state)
            for i, loss in enumerate(self.losses[start:], start):
                if not low < loss <= high or watch(loss):
                    return i
            return -1
        if start >= len(self.losses):
            return -1
        losses = np.frombuffer(self.losses, dtype=np.float64)[start:]  # a view: gone before the next append
        if low < losses.min() and losses.max() <= high:  # a NaN makes both comparisons False
            return -1
        inside = (losses > low) & (losses <= high)
        return start + int(inside.argmin())

    def span(self, run_id: int, first: int) -> EpochSpan:
        d, with_b = self.d, self.b is not None

        def arr(values: array[float]) -> npt.NDArray[np.float64]:
            return np.array(values, dtype=np.float64)

        return EpochSpan(run_id, first, arr(self.losses), arr(self.ws).reshape(-1, d),
                          arr(self.bs) if with_b else None, arr(self.gws).reshape(-1, d),
                          arr(self.gbs) if with_b else None)
