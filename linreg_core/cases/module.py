"""Case 4: an ``nn.Linear`` inside an ``nn.Module`` subclass; loss and optimizer from torch."""

from __future__ import annotations

import torch
from torch import nn

from linreg_core.cases._torch import TorchTrainer, make_loss, make_optimizer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset


class LinearRegression(nn.Module):
    def __init__(self, input_size: int, output_size: int, bias: bool = True):
        super().__init__()
        self.lin = nn.Linear(input_size, output_size, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.lin(x)
        return out


class ModuleTrainer(TorchTrainer):
    case = 4

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        torch.manual_seed(config.seed)
        self.model = LinearRegression(self.d, 1, bias=self.bias)
        self.use_given_initial_values()  # --init-w / --init-b instead of nn.Linear's own initialisation
        self.loss_fn = make_loss(config)
        self.optimizer = make_optimizer(self.model.parameters(), config)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.model(X)

    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: the model
        y_pred = self.model(X)
        # loss: nn.MSELoss (or the configured torch loss)
        loss = self.loss_fn(y_pred, y)
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: torch.optim, then empty the gradients
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss

    def parameter_tensors(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        return self.model.lin.weight, self.model.lin.bias if self.bias else None
