"""What every case shares: epochs over (mini-)batches, parameters, prediction, initial values."""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from array import array
from itertools import repeat
from typing import Any, Callable, cast

import numpy as np
import numpy.typing as npt

from linreg_core.cases.facts import CASE, Case
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import EpochBlock, EpochEnded

F32 = npt.NDArray[np.float32]
#: Epochs a block runs between two looks at the stop rules (one look costs about what a few epochs cost).
CHECK_EVERY = 256
#: One batch's result as the engine records it: loss before the update (a number, or a NumPy scalar), gradient of
#: w (d numbers: an array of any shape, or a list), gradient of b (a number, a NumPy scalar or None).
StepResult = tuple[Any, Any, Any]


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
    what it computed); ``batch_step`` turns that into a :data:`StepResult` for the engine, ``step()`` runs an epoch."""

    case: int = 0
    #: Stamped on every event (a stream numbers its runs).
    run_id: int = 0
    #: The error that stopped the last block (a step torch refused), or None.
    failure: Exception | None = None
    #: An epoch begun block by block (linreg_core.stepper.Stepper): the next epoch is its remaining blocks.
    stepping: Any = None

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

    # -- what a case writes ---------------------------------------------------------------------------
    @abstractmethod
    def batch_step(self, X: Any, y: Any) -> StepResult:
        """The case's ``train_step`` on one batch (X, y in the case's array type, see :meth:`data`), recorded as
        (loss, gradient of w, gradient of b)."""

    @abstractmethod
    def named_parameters(self) -> dict[str, Any]:
        """The parameters (and their gradients) as the step's code names them: for the stepper to show."""

    @abstractmethod
    def step_result(self, ns: dict[str, Any]) -> StepResult:
        """What a step run block by block in namespace ``ns`` returned, as the engine records it."""

    def data(self) -> tuple[Any, Any]:
        """The whole dataset in the array type ``train_step`` takes (NumPy here, tensors in the torch cases)."""
        return self.dataset.X, self.dataset.y

    def epoch_function(self) -> tuple[Callable[[Any, Any], StepResult], Callable[[Any], Any]]:
        """What ``run_block`` calls for a full-batch epoch (``batch_step``, or the case's step when that is the
        same thing: one Python call less an epoch), and what turns the gradient of w it returns into the value a
        block records: a float for one weight, a list of floats otherwise."""
        return self.batch_step, _as_values

    def record_epochs(self, record: Record, X: Any, y: Any, k: int) -> None:
        """``k`` full-batch epochs into ``record`` (what :meth:`epoch_function` gives; a case may have a cheaper
        way)."""
        record.run(self.epoch_function()[0], X, y, k)

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
        ``train_step``; valid until :meth:`set_params`. :meth:`run_block` reads them after every epoch."""
        raise NotImplementedError

    @abstractmethod
    def predict(self, X: F32) -> F32:
        """Predictions [m, 1] for inputs X [m, d] at the current parameters."""

    @abstractmethod
    def evaluate(self) -> float:
        """The loss on all the data at the current parameters, without changing anything."""

    # -- shared ---------------------------------------------------------------------------------------
    def step(self) -> EpochEnded:
        X, y = self.data()
        if self.batch_size is None:
            loss, gw, gb = self.batch_step(X, y)
        else:
            loss, gw, gb = self._minibatch_epoch(X, y, self.batch_size)
        self.epoch = epoch = self.epoch + 1
        w, b = self.get_params()
        return EpochEnded(epoch, float(loss), tuple(w.tolist()), b, tuple(np.ravel(gw).tolist()),
                          None if gb is None else float(gb), self.run_id)

    def run_block(self, k: int, low: float, high: float, watch: Callable[[float], bool] | None = None) -> EpochBlock:
        """Run up to ``k`` epochs and return them as a block; stop after the first epoch whose loss is not in
        (low, high] (NaN included) or for which ``watch(loss)`` is True. The same epochs as ``step()`` one at a
        time, without an event object per epoch. The stop rules look at CHECK_EVERY epochs at once: the epochs run
        past a stop are dropped and the parameters put back to those the stop left (a run ends at a stop, so the
        optimizer's state past it is never used)."""
        X, y = self.data()
        size = self.batch_size
        epoch: Callable[[Any, Any], StepResult] | None = None  # None: the case's own full-batch epochs
        grad_value = self.epoch_function()[1]
        if self.stepping is not None:  # an epoch begun block by block: it ends this block
            k, epoch = 1, self.stepping.finish
        elif size is not None:
            epoch, grad_value = (lambda X, y: self._minibatch_epoch(X, y, size)), array_values(self.d)
        w, b = self.live_params()
        record = Record(w, b, grad_value)
        stop, failure = -1, None
        while stop < 0 and failure is None and len(record) < k:
            start = len(record)
            try:
                if epoch is None:
                    self.record_epochs(record, X, y, min(CHECK_EVERY, k - start))
                else:
                    record.run(epoch, X, y, min(CHECK_EVERY, k - start))
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
        return record.block(self.run_id, first)

    def rewind(self, epoch: int, w: F32, b: float | None) -> None:
        """Put the parameters back to those recorded at ``epoch`` (a run that ended inside a block)."""
        self.set_params(w, b)
        self.epoch = epoch

    def _minibatch_epoch(self, X: Any, y: Any, size: int) -> StepResult:
        """One pass over the data in seeded shuffled batches; mean of the batch losses and gradients."""
        order = self._rng.permutation(self.n)
        losses = 0.0
        gw_sum = np.zeros(self.d, dtype=np.float64)
        gb_sum = 0.0
        count = 0
        for start in range(0, self.n, size):
            loss, gw, gb = self.batch_step(*self.take(X, y, order[start:start + size]))
            losses += loss
            gw_sum += np.ravel(gw)
            gb_sum += gb or 0.0
            count += 1
        return losses / count, (gw_sum / count).astype(np.float32), (gb_sum / count if self.bias else None)

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

    def step_result(self, ns: dict[str, Any]) -> StepResult:
        """What a step run block by block in namespace ``ns`` returned, as the engine records it."""
        return ns["loss"], ns["dw"], ns.get("db")

    def batch_step(self, X: F32, y: F32) -> StepResult:
        return self.train_step(X, y)  # NumPy scalars and arrays: the engine converts a block's values at once

    def epoch_function(self) -> tuple[Callable[[Any, Any], StepResult], Callable[[Any], Any]]:
        return self.train_step, array_values(self.d)

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


#: A gradient of one weight as a NumPy array (any shape) → a float.
ITEM: Callable[[Any], Any] = operator.methodcaller("item")


def array_values(d: int) -> Callable[[Any], Any]:
    """A gradient of w as a NumPy array (any shape) → a float (one weight: one C call) or a list of d floats."""
    return ITEM if d == 1 else _as_values


def _as_values(gw: Any) -> Any:
    values = np.ravel(gw).tolist()
    return values[0] if len(values) == 1 else values


class Record:
    """What :meth:`Trainer.run_block` records of each epoch, as C doubles (``array.array``) while the block runs and
    NumPy arrays once after it. When an epoch takes a few µs it matters: a NumPy scalar, array or even a float kept
    alive per epoch costs more than a double written into an array."""

    def __init__(self, w: F32, b: F32 | None, grad_value: Callable[[Any], Any]):
        self.w, self.b = w, b  # views that follow the updates (Trainer.live_params)
        self.d = d = w.size
        self.grad_value = grad_value  # a gradient of w → a float (d == 1) or a list of d floats
        self.losses, self.ws, self.gws, self.bs, self.gbs = (array("d") for _ in range(5))
        one = d == 1  # one weight: floats appended; d weights: lists of d floats
        self.w_value: Callable[[], Any] = w.item if one else w.tolist
        self.add_w: Callable[[Any], None] = self.ws.append if one else self.ws.extend
        self.add_gw: Callable[[Any], None] = self.gws.append if one else self.gws.extend
        self.add_gb: Callable[[Any], None] = self.gbs.append

    def __len__(self) -> int:
        return len(self.losses)

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
        """w (float32 [d]) and b after the i-th epoch of the block."""
        w = np.asarray(self.ws[i * self.d:(i + 1) * self.d], dtype=np.float32)
        return w, None if self.b is None else self.bs[i]

    def room(self, k: int) -> int:
        """Room for ``k`` more epochs of one weight (zeros, to be written in place); the index of the first."""
        start = len(self.losses)
        zeros = array("d", bytes(8 * k))
        for values in (self.losses, self.ws, self.gws) + (() if self.b is None else (self.bs, self.gbs)):
            values.extend(zeros)
        return start

    @staticmethod
    def view(values: array[float]) -> memoryview[float]:
        """Doubles to write in place (the array cannot grow while the view is open)."""
        return cast("memoryview[float]", memoryview(values))  # its format is "d": floats

    def run(self, epoch: Callable[[Any, Any], StepResult], X: Any, y: Any, k: int) -> None:
        """``k`` epochs, recorded; no stop rule looked at. One weight: each value written in place through a
        memoryview (a third of what ``array.append`` costs, which parses its argument); an epoch that raises is
        left out."""
        if self.d != 1:
            self.run_appending(epoch, X, y, k)
            return
        w_value, grad_value, b = self.w_value, self.grad_value, self.b
        item = grad_value is ITEM  # gw.item() written out: a third of what the call through methodcaller costs
        i = start = self.room(k)
        try:
            with self.view(self.losses) as L, self.view(self.ws) as W, self.view(self.gws) as G, \
                    self.view(self.bs) as B, self.view(self.gbs) as GB:
                if b is None:
                    for i in range(start, start + k):
                        loss, gw, _gb = epoch(X, y)
                        L[i] = float(loss)
                        W[i] = w_value()
                        G[i] = gw.item() if item else grad_value(gw)
                else:
                    for i in range(start, start + k):
                        loss, gw, gb = epoch(X, y)
                        L[i] = float(loss)
                        W[i] = w_value()
                        G[i] = gw.item() if item else grad_value(gw)
                        B[i] = b.item()
                        GB[i] = float(gb)
                i = start + k
        finally:
            self.keep(i)

    def run_appending(self, epoch: Callable[[Any, Any], StepResult], X: Any, y: Any, k: int) -> None:
        """:meth:`run` for d weights: lists of d floats appended."""
        add_loss, add_w, add_gw = self.losses.append, self.add_w, self.add_gw
        w_value, grad_value, b = self.w_value, self.grad_value, self.b
        if b is None:
            for _ in repeat(None, k):
                loss, gw, _gb = epoch(X, y)
                add_loss(float(loss))
                add_w(w_value())
                add_gw(grad_value(gw))
            return
        add_b, add_gb = self.bs.append, self.add_gb
        for _ in repeat(None, k):
            loss, gw, gb = epoch(X, y)
            add_loss(float(loss))
            add_w(w_value())
            add_gw(grad_value(gw))
            add_b(b.item())
            add_gb(float(gb))

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

    def block(self, run_id: int, first: int) -> EpochBlock:
        d, with_b = self.d, self.b is not None

        def arr(values: array[float]) -> npt.NDArray[np.float64]:
            return np.array(values, dtype=np.float64)

        return EpochBlock(run_id, first, arr(self.losses), arr(self.ws).reshape(-1, d),
                          arr(self.bs) if with_b else None, arr(self.gws).reshape(-1, d),
                          arr(self.gbs) if with_b else None)
