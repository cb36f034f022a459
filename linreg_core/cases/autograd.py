"""Case 2: as case 1, but ``loss.backward()`` gives the gradient (autograd)."""

from __future__ import annotations

import numpy as np
import torch

from linreg_core.cases._torch import tensor
from linreg_core.cases.base import F32, StepResult, Trainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset


class AutogradTrainer(Trainer):
    case = 2

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        w0 = self._init_w if self._init_w is not None else np.zeros((self.d, 1), dtype=np.float32)
        self.w = tensor(w0).requires_grad_(True)
        self.b = torch.tensor(float(config.init_b or 0.0), requires_grad=self.bias)
        self.X, self.y = tensor(dataset.X), tensor(dataset.y)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        y_pred = X @ self.w
        if self.bias:
            y_pred = y_pred + self.b
        return y_pred

    def train_step(self, X: F32, y: F32) -> StepResult:
        Xt, yt = (self.X, self.y) if X is self.dataset.X else (tensor(X), tensor(y))
        # prediction: by hand
        y_pred = self.forward(Xt)
        # loss: by hand (mean squared error; err * err is cheaper than err ** 2 under autograd)
        err = y_pred - yt
        loss = (err * err).mean()
        # gradient: autograd
        loss.backward()
        # (record the gradient this update uses)
        assert self.w.grad is not None
        dw = self.w.grad.view(-1).tolist()
        db = float(self.b.grad) if self.bias and self.b.grad is not None else None
        # update: by hand, outside the graph
        with torch.no_grad():
            self.w -= self.lr * self.w.grad
            if self.bias and self.b.grad is not None:
                self.b -= self.lr * self.b.grad
        self.w.grad.zero_()
        if self.bias and self.b.grad is not None:
            self.b.grad.zero_()
        return loss.item(), dw, db

    def get_params(self) -> tuple[F32, float | None]:
        return self.w.detach().numpy().ravel().copy(), self.b.item() if self.bias else None

    def live_params(self) -> tuple[F32, F32 | None]:
        # NumPy views of the tensors' storage, which the updates change in place.
        return self.w.detach().numpy().reshape(self.d), self.b.detach().numpy() if self.bias else None

    def set_params(self, w: F32, b: float | None) -> None:
        with torch.no_grad():
            self.w.copy_(tensor(w).reshape(self.d, 1))
            self.b.fill_(float(b or 0.0))

    def predict(self, X: F32) -> F32:
        with torch.no_grad():
            return self.forward(tensor(X)).numpy()

    def evaluate(self) -> float:
        with torch.no_grad():
            return ((self.forward(self.X) - self.y) ** 2).mean().item()
