"""Case 1: everything by hand in NumPy — prediction, MSE loss, hand-derived gradient, update."""

from __future__ import annotations

import numpy as np

from linreg_core.cases.base import F32, NumpyTrainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset


class ManualTrainer(NumpyTrainer):
    case = 1

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        self.w = self.w0.copy()
        self.b = np.array(self.b0, dtype=np.float32)

    def forward(self, X: F32) -> F32:
        y_pred = X @ self.w
        if self.bias:
            y_pred = y_pred + self.b
        return y_pred

    def train_step(self, X: F32, y: F32) -> tuple[F32, F32, F32 | None]:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: by hand, the mean squared error
        loss = ((y_pred - y) ** 2).mean()
        # gradient: by hand, dL/dw = 2/N · Xᵀ(y_pred − y) and dL/db = 2/N · Σ(y_pred − y)
        dw = 2 * X.T @ (y_pred - y) / len(X)
        db = 2 * (y_pred - y).mean() if self.bias else None
        # update: by hand
        self.w -= self.lr * dw
        if self.bias:
            self.b -= self.lr * db
        return loss, dw, db
