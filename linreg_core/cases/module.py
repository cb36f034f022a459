"""Case 4: an ``nn.Linear`` inside an ``nn.Module`` subclass; loss and optimizer from torch."""

from __future__ import annotations

import torch
from torch import nn

from linreg_core.cases._torch import make_loss, make_optimizer, tensor
from linreg_core.cases.base import F32, StepResult, Trainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset


class LinearRegression(nn.Module):
    def __init__(self, input_size: int, output_size: int, bias: bool = True):
        super().__init__()
        self.lin = nn.Linear(input_size, output_size, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.lin(x)
        return out


class ModuleTrainer(Trainer):
    case = 4

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        torch.manual_seed(config.seed)
        self.model = LinearRegression(self.d, 1, bias=self.bias)
        with torch.no_grad():
            if self._init_w is not None:
                self.model.lin.weight.copy_(tensor(self._init_w).reshape(1, self.d))
            if self.bias and config.init_b is not None:
                self.model.lin.bias.fill_(config.init_b)
        self.X, self.y = tensor(dataset.X), tensor(dataset.y)
        self.loss_fn = make_loss(config)
        self.optimizer = make_optimizer(self.model.parameters(), config)
        # the parameter tensors, held for recording their gradients (nn.Module's attribute lookup costs ~1 µs each)
        self._weight = self.model.lin.weight
        self._bias = self.model.lin.bias if self.bias else None

    def train_step(self, X: F32, y: F32) -> StepResult:
        Xt, yt = (self.X, self.y) if X is self.dataset.X else (tensor(X), tensor(y))
        # prediction: the model
        y_pred = self.model(Xt)
        # loss: nn.MSELoss
        loss = self.loss_fn(y_pred, yt)
        # gradient: autograd
        loss.backward()
        # (record the gradient this update uses)
        w_grad, b = self._weight.grad, self._bias
        assert w_grad is not None
        dw = w_grad.view(-1).tolist()
        db = b.grad.item() if b is not None and b.grad is not None else None
        # update: torch.optim
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss.item(), dw, db

    def get_params(self) -> tuple[F32, float | None]:
        lin = self.model.lin
        return lin.weight.detach().numpy().ravel().copy(), lin.bias.item() if self.bias else None

    def live_params(self) -> tuple[F32, F32 | None]:
        # NumPy views of the parameters' storage, which the optimizer updates in place.
        lin = self.model.lin
        return lin.weight.detach().numpy().reshape(self.d), lin.bias.detach().numpy().reshape(()) if self.bias else None

    def set_params(self, w: F32, b: float | None) -> None:
        with torch.no_grad():
            self.model.lin.weight.copy_(tensor(w).reshape(1, self.d))
            if self.bias:
                self.model.lin.bias.fill_(float(b or 0.0))

    def predict(self, X: F32) -> F32:
        with torch.no_grad():
            out: F32 = self.model(tensor(X)).numpy()
            return out

    def evaluate(self) -> float:
        with torch.no_grad():
            return float(self.loss_fn(self.model(self.X), self.y).item())
