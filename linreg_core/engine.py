"""A run: a case's trainer driven epoch by epoch under the stop rules (epochs, tol, patience, divergence)."""

from __future__ import annotations

import math
import time
import warnings
from typing import Iterator

import numpy as np
import numpy.typing as npt

from linreg_core.cases import make_trainer
from linreg_core.cases.base import Trainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import EpochEnded, EpochSpan, RunFinished
from linreg_core.scaling import bound_for

#: A loss this many times its first value (or the zero-predictor loss mean(y²), if larger) means divergence.
DIVERGENCE_FACTOR = 1e4


def divergence_message(config: TrainConfig, dataset: Dataset, epoch: int, why: str) -> str:
    bound = bound_for(config, dataset)
    msg = (f"diverged at epoch {epoch} ({why}): lr {config.lr:g} used; full-batch MSE gradient descent is stable "
           f"for lr < 2/λmax(H) = {bound.eta_max:.4g} (H = (2/N)·XᵀX")
    msg += ", X with a ones column)" if config.bias else ")"
    if config.standardize:
        msg += " on the standardized features"
    if not config.plain_gd:
        msg += "; that bound is for plain full-batch SGD and does not apply exactly here"
    return msg


def failure_message(exc: BaseException, warned: list[str]) -> str:
    """An error inside a step, on one line, with what torch warned before it (a lost gradient, say)."""
    msg = " ".join(f"{type(exc).__name__}: {exc}".split())
    if warned:
        msg += " — torch warned: " + " ".join(warned[0].split())
    return msg


class Run:
    """Advance one epoch at a time; after the last one, ``finished`` holds the final event."""

    def __init__(self, config: TrainConfig, dataset: Dataset, run_id: int = 0, trainer: Trainer | None = None):
        self.config = config
        self.dataset = dataset
        self.run_id = run_id
        self.trainer = trainer if trainer is not None else make_trainer(config, dataset)
        self.trainer.run_id = run_id
        self.finished: RunFinished | None = None
        self._threshold = math.inf
        self._floor = float(np.mean(np.square(dataset.y, dtype=np.float64)))
        self._best = math.inf
        self._since_best = 0
        self._tol = -1.0 if config.tol is None else config.tol  # a loss is never below 0
        self._patience = config.patience or 0
        self._epochs = config.epochs
        #: torch's warnings so far (each once), and how many of them :meth:`take_warnings` has handed out
        self.warned: list[tuple[int, str]] = []
        self._taken = 0

    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    def advance(self) -> tuple[EpochEnded, RunFinished | None]:
        """Run one epoch; return its event and, if the run ended with it, the final event."""
        block, fin = self.advance_span(1)
        return block.event(0), fin

    def advance_span(self, k: int) -> tuple[EpochSpan, RunFinished | None]:
        """Run up to ``k`` epochs (fewer if the run ends first); return them as one block and, if the run ended
        with the block's last epoch, the final event. The same epochs and stop rules as :meth:`advance` called k
        times, recorded straight into arrays: no event object per epoch."""
        if self.finished is not None:
            raise RuntimeError("run already finished")
        trainer = self.trainer
        first = trainer.epoch + 1
        k = max(1, min(k, self._epochs - trainer.epoch))
        # The epochs run in NumPy's error state as the caller left it (the notebook's loop leaves the default:
        # under np.errstate every ufunc call costs more); what they warn is kept here, never shown.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            block = self._epochs_of(first, k)
        failure = trainer.failure
        if failure is None:  # (a failed step's warning goes with its error)
            self._keep_warnings(caught, first)
        if failure is not None:  # a step torch refused: the run fails here, with torch's own words
            return block, self._finish("failed", failure_message(failure, [str(w.message) for w in caught]))
        # Parameters can turn non-finite while the loss is still fine: the run ends at the first such epoch.
        finite = np.isfinite(block.w).all(axis=1)
        if block.b is not None:
            finite &= np.isfinite(block.b)
        bad = -1 if finite.all() else int(np.argmin(finite))
        if 0 <= bad < len(block) - 1:
            block = block.head(bad + 1)
            trainer.rewind(first + bad, block.w[bad].astype(np.float32),
                           None if block.b is None else float(block.b[bad]))
        epoch, loss = block.last, float(block.loss[-1])
        if not (loss <= self._threshold) or bad >= 0:
            if not math.isfinite(loss):
                why = "loss is not finite"
            elif loss > self._threshold:
                why = f"loss {loss:.4g} grew over {DIVERGENCE_FACTOR:g}× its first value"
            else:
                why = "parameters are not finite"
            return block, self._finish("diverged", divergence_message(self.config, self.dataset, epoch, why))
        if loss <= self._tol:
            return block, self._finish("converged", f"converged at epoch {epoch}: loss {loss:.6g} ≤ tol {self._tol:g}")
        if self._patience and self._since_best >= self._patience:
            return block, self._finish(
                "converged", f"converged at epoch {epoch}: no improvement for {self._patience} epochs (patience)")
        if epoch >= self._epochs:
            return block, self._finish("completed", f"completed {epoch} epochs")
        return block, None

    def _keep_warnings(self, caught: list[warnings.WarningMessage], epoch: int) -> None:
        """torch's warnings (UserWarning: a shape broadcast, a non-leaf's .grad), each once; NumPy's overflow
        RuntimeWarnings of a diverging run are not kept (the divergence says it)."""
        seen = {message for _, message in self.warned}
        for w in caught:
            message = " ".join(str(w.message).split())
            if issubclass(w.category, UserWarning) and message not in seen:
                seen.add(message)
                self.warned.append((epoch, message))

    def take_warnings(self) -> list[tuple[int, str]]:
        """The warnings (epoch, torch's words) kept since the last call."""
        new, self._taken = self.warned[self._taken:], len(self.warned)
        return new

    def _epochs_of(self, first: int, k: int) -> EpochSpan:
        trainer = self.trainer
        watch = self._watch if self._patience else None
        if first != 1:
            return trainer.run_span(k, self._tol, self._threshold, watch)
        block = trainer.run_span(1, self._tol, math.inf, watch)  # the first loss sets the divergence threshold
        if not len(block):
            return block
        loss = float(block.loss[0])
        self._threshold = DIVERGENCE_FACTOR * max(loss, self._floor, 1e-30) if math.isfinite(loss) else -1.0
        if k > 1 and self._tol < loss <= self._threshold and not self._since_best >= self._patience > 0:
            block = EpochSpan.concat([block, trainer.run_span(k - 1, self._tol, self._threshold, watch)])
        return block

    def blocks(self, seconds: float = 0.05, most: int = 4096) -> Iterator[tuple[EpochSpan, RunFinished | None]]:
        """Advance to the end in blocks sized to take about ``seconds`` each (at most ``most`` epochs; from one
        epoch on, each at most four times the one before); the last pair carries the final event."""
        size = 1
        fin = self.finished
        while fin is None:
            started = time.perf_counter()
            block, fin = self.advance_span(size)
            took = time.perf_counter() - started
            size = max(1, min(most, int(len(block) * seconds / took) if took > 0 else most, 4 * size))
            yield block, fin

    def _watch(self, loss: float) -> bool:
        """Patience: True once the loss has not improved for ``patience`` epochs."""
        if loss < self._best:
            self._best, self._since_best = loss, 0
            return False
        self._since_best += 1
        return self._since_best >= self._patience

    def set_params(self, w: tuple[float, ...], b: float | None) -> None:
        """Continue from parameters set by hand (w: d values, b: a number when the run has a bias)."""
        d = self.dataset.d
        if len(w) != d:
            raise ValueError(f"w needs {d} value(s), got {len(w)}")
        if not all(math.isfinite(v) for v in w) or (b is not None and not math.isfinite(b)):
            raise ValueError("parameters must be finite")
        if self.config.bias and b is None:
            raise ValueError("b is needed: the run has a bias")
        self.trainer.set_params(np.asarray(w, dtype=np.float32), b if self.config.bias else None)

    def stop(self) -> RunFinished:
        """End the run now (reason ``stopped``)."""
        return self._finish("stopped", f"stopped at epoch {self.epoch}")

    def _finish(self, reason: str, message: str) -> RunFinished:
        w, b = self.trainer.parameters()
        try:
            loss = self.loss_now()
        except (OverflowError, FloatingPointError):
            loss = math.inf
        self.finished = RunFinished(reason, self.epoch, w, b, loss, message, self.run_id)
        return self.finished

    def loss_now(self) -> float:
        """The loss on all the data now; inf, without a warning, when it overflows."""
        with np.errstate(all="ignore"):
            return self.trainer.evaluate()


def loss_curve(config: TrainConfig, dataset: Dataset, most: int = 200_000) -> npt.NDArray[np.float64]:
    """The losses of a run of ``config`` (at most ``most`` epochs): a reference curve, e.g. without a mistake."""
    run = Run(config.replace(epochs=min(config.epochs, most)), dataset)
    with np.errstate(all="ignore"):
        parts = [block.loss for block, _ in run.blocks() if len(block)]
    return np.concatenate(parts) if parts else np.zeros(0)
