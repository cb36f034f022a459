"""Case 2: as case 1, but ``loss.backward()`` gives the gradient (autograd)."""

from __future__ import annotations

import torch

from linreg_core.cases._torch import TorchTrainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset


class AutogradTrainer(TorchTrainer):
    case = 2

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        self.w = torch.tensor(self.w0, requires_grad=True)
        self.b = torch.tensor(self.b0, requires_grad=self.bias)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        y_pred = X @ self.w
        if self.bias:
            y_pred = y_pred + self.b
        return y_pred

    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: by hand, the mean squared error
        loss = ((y_pred - y) ** 2).mean()
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: by hand, outside the graph; then empty the gradients
        with torch.no_grad():
            self.w -= self.lr * self.w.grad
            if self.bias:
                self.b -= self.lr * self.b.grad
        self.w.grad.zero_()
        if self.bias:
            self.b.grad.zero_()
        return loss
