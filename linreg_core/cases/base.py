"""What every case shares: epochs over (mini-)batches, parameters, prediction, initial values."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import numpy.typing as npt

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import EpochEnded

F32 = npt.NDArray[np.float32]
#: One batch's result: loss before the update, gradient of w (shape [d]), gradient of b (or None).
StepResult = tuple[float, F32, float | None]


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
    """One case of the notebook. ``step()`` runs one epoch: forward, loss, gradient, update."""

    case: int = 0
    #: Stamped on every event (a stream numbers its runs).
    run_id: int = 0

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

    # -- what a case writes ---------------------------------------------------------------------------
    @abstractmethod
    def train_step(self, X: F32, y: F32) -> StepResult:
        """Forward, loss, gradient and update on one batch (X, y as float32 NumPy arrays)."""

    @abstractmethod
    def get_params(self) -> tuple[F32, float | None]:
        """w as float32 [d] and b (None without bias)."""

    @abstractmethod
    def set_params(self, w: F32, b: float | None) -> None:
        """Overwrite the parameters (w float32 [d], b)."""

    @abstractmethod
    def predict(self, X: F32) -> F32:
        """Predictions [m, 1] for inputs X [m, d] at the current parameters."""

    @abstractmethod
    def evaluate(self) -> float:
        """The loss on all the data at the current parameters, without changing anything."""

    # -- shared ---------------------------------------------------------------------------------------
    def step(self) -> EpochEnded:
        ds = self.dataset
        if self.batch_size is None:
            loss, gw, gb = self.train_step(ds.X, ds.y)
        else:
            loss, gw, gb = self._minibatch_epoch(ds.X, ds.y, self.batch_size)
        self.epoch = epoch = self.epoch + 1
        w, b = self.get_params()
        return EpochEnded(epoch, loss, tuple(w.tolist()), b, tuple(gw.tolist()), gb, self.run_id)

    def _minibatch_epoch(self, X: F32, y: F32, size: int) -> StepResult:
        """One pass over the data in seeded shuffled batches; mean of the batch losses and gradients."""
        order = self._rng.permutation(self.n)
        losses = 0.0
        gw_sum = np.zeros(self.d, dtype=np.float64)
        gb_sum = 0.0
        count = 0
        for start in range(0, self.n, size):
            idx = order[start:start + size]
            loss, gw, gb = self.train_step(X[idx], y[idx])
            losses += loss
            gw_sum += gw
            gb_sum += gb or 0.0
            count += 1
        return losses / count, (gw_sum / count).astype(np.float32), (gb_sum / count if self.bias else None)

    def parameters(self) -> tuple[tuple[float, ...], float | None]:
        w, b = self.get_params()
        return tuple(w.tolist()), b
