"""Case 1: everything by hand in NumPy — prediction, MSE loss, hand-derived gradient, update."""

from __future__ import annotations

import numpy as np

from linreg_core.cases.base import F32, StepResult, Trainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset


class ManualTrainer(Trainer):
    case = 1

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        self.w = self._init_w if self._init_w is not None else np.zeros((self.d, 1), dtype=np.float32)
        self.b = np.array(config.init_b or 0.0, dtype=np.float32)  # 0-d: updated in place, like w
        self._lr = np.float32(self.lr)

    def forward(self, X: F32) -> F32:
        y_pred = X @ self.w
        if self.bias:
            y_pred = y_pred + self.b
        return y_pred

    def train_step(self, X: F32, y: F32) -> StepResult:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: by hand (mean squared error, as sum / N: faster than .mean())
        err = y_pred - y
        loss = (err * err).sum() / X.shape[0]
        # gradient: by hand, dL/dw = (2/N) X^T (y_pred - y)
        scale = 2.0 / X.shape[0]  # a Python float: NumPy applies it in float32
        dw = scale * (X.T @ err)
        db = scale * err.sum() if self.bias else None
        # update: by hand
        self.w -= self._lr * dw
        if db is not None:
            self.b -= self._lr * db
        return float(loss), dw.ravel().tolist(), None if db is None else float(db)

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
        err = self.forward(self.dataset.X) - self.dataset.y
        return float((err * err).mean())
