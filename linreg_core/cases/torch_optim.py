"""Case 3: prediction by hand; the loss from ``nn.MSELoss`` and the update from ``torch.optim``."""

from __future__ import annotations

import torch

from linreg_core.cases._torch import TorchTrainer, make_loss, make_optimizer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset


class TorchOptimTrainer(TorchTrainer):
    case = 3

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        self.w = torch.tensor(self.w0, requires_grad=True)
        self.b = torch.tensor(self.b0, requires_grad=self.bias)
        self.loss_fn = make_loss(config)
        self.optimizer = make_optimizer([self.w, self.b] if self.bias else [self.w], config)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        y_pred = X @ self.w
        if self.bias:
            y_pred = y_pred + self.b
        return y_pred

    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: nn.MSELoss (or the configured torch loss)
        loss = self.loss_fn(y_pred, y)
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: torch.optim, then empty the gradients
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss
