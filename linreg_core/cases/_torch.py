"""What cases 2–4 share (imported only when a torch case runs): the data as tensors, parameters read and written
for the engine, the gradients recorded for the log, the configured loss and optimizer."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from linreg_core.cases.base import F32, StepResult, Trainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset


def tensor(a: Any) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))


def make_loss(config: TrainConfig) -> nn.Module:
    if config.loss == "l1":
        return nn.L1Loss()
    if config.loss == "huber":
        return nn.HuberLoss()
    return nn.MSELoss()


def make_optimizer(params: Iterable[torch.Tensor], config: TrainConfig) -> torch.optim.Optimizer:
    # foreach=False: the single-tensor implementation. With one or two parameter tensors the default multi-tensor
    # path only adds its grouping work (same updates).
    lr, opt = config.lr, config.optimizer
    if opt == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=config.momentum, foreach=False)
    if opt == "adam":
        return torch.optim.Adam(params, lr=lr, betas=config.betas, foreach=False)
    if opt == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, foreach=False)
    if opt == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, foreach=False)
    return torch.optim.SGD(params, lr=lr, foreach=False)


class TorchTrainer(Trainer):
    """A torch case: ``train_step`` takes tensors and returns the loss tensor. The gradient each update uses is
    recorded by a hook that runs when backward() has accumulated it into ``.grad`` (``optimizer.zero_grad()`` sets
    ``.grad`` to None before the engine could read it)."""

    w: torch.Tensor
    b: torch.Tensor
    loss_fn: nn.Module
    #: The last step's loss tensor.
    loss: torch.Tensor | None = None

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        self.X, self.y = tensor(dataset.X), tensor(dataset.y)
        self._grad_w: list[float] = [0.0] * self.d
        self._grad_b: float | None = None
        self._hooked = False

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def parameter_tensors(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The weight tensor (d values in any shape) and the bias tensor (None without bias)."""
        return self.w, self.b if self.bias else None

    def named_parameters(self) -> dict[str, Any]:
        """The parameters and their ``.grad`` as the step's code names them (the stepper shows them)."""
        out: dict[str, Any] = {}
        for name, tensor_ in zip(self.facts.params, self.parameter_tensors(), strict=True):
            if tensor_ is not None:
                # a non-leaf's .grad is None (reading it warns: the step's own code reads it, and torch says so)
                out[name], out[f"{name}.grad"] = tensor_, tensor_.grad if tensor_.is_leaf else None
        return out

    def step_result(self, ns: dict[str, Any]) -> StepResult:
        """What a step run block by block in namespace ``ns`` returned, as :meth:`batch_step` returns it."""
        return ns["loss"].item(), self._grad_w, self._grad_b

    def use_given_initial_values(self) -> None:
        """Overwrite the parameters with ``--init-w`` / ``--init-b`` where they were given."""
        weight, bias = self.parameter_tensors()
        with torch.no_grad():
            if self._init_w is not None:
                weight.copy_(tensor(self._init_w).reshape(weight.shape))
            if bias is not None and self.config.init_b is not None:
                bias.fill_(self.config.init_b)

    # -- the engine's side ----------------------------------------------------------------------------
    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        if not self._hooked:
            self._hooked = True
            weight, bias = self.parameter_tensors()
            for param, record in ((weight, self._record_w), (bias, self._record_b)):
                if param is not None and param.is_leaf:  # a non-leaf (a mistake) accumulates no gradient
                    param.register_post_accumulate_grad_hook(record)
        return self.X, self.y

    # the gradient in .grad once backward() has added this pass's to it: the one the update uses
    def _record_w(self, param: torch.Tensor) -> None:
        assert param.grad is not None
        self._grad_w = sum(param.grad.tolist(), [])  # the weight is [d, 1] (cases 2-3) or nn.Linear's [1, d]

    def _record_b(self, param: torch.Tensor) -> None:
        assert param.grad is not None
        self._grad_b = param.grad.item()

    def as_batch(self, X: F32, y: F32) -> tuple[torch.Tensor, torch.Tensor]:
        return tensor(X), tensor(y)

    def take(self, X: Any, y: Any, idx: npt.NDArray[np.intp]) -> tuple[Any, Any]:
        rows = torch.from_numpy(idx)
        return X[rows], y[rows]

    def batch_step(self, X: torch.Tensor, y: torch.Tensor) -> StepResult:
        # the loss (and so its graph) is kept until the next step has run, as the notebook's ``l`` is: autograd
        # then keeps the parameters' gradient accumulators instead of making them anew each epoch
        self.loss = self.train_step(X, y)
        return self.loss.item(), self._grad_w, self._grad_b

    def get_params(self) -> tuple[F32, float | None]:
        weight, bias = self.parameter_tensors()
        return weight.detach().numpy().ravel().copy(), None if bias is None else bias.item()

    def live_params(self) -> tuple[F32, F32 | None]:
        # NumPy views of the tensors' storage, which the updates change in place.
        weight, bias = self.parameter_tensors()
        return weight.detach().numpy().reshape(self.d), None if bias is None else bias.detach().numpy().reshape(())

    def set_params(self, w: F32, b: float | None) -> None:
        weight, bias = self.parameter_tensors()
        with torch.no_grad():
            weight.copy_(tensor(w).reshape(weight.shape))
            if bias is not None:
                bias.fill_(float(b or 0.0))

    def predict(self, X: F32) -> F32:
        with torch.no_grad():
            out: F32 = self.forward(tensor(X)).numpy()
            return out

    def evaluate(self) -> float:
        with torch.no_grad():
            y_pred = self.forward(self.X)
            loss_fn = getattr(self, "loss_fn", None)  # case 2 writes its MSE by hand
            if loss_fn is None:
                return ((y_pred - self.y) ** 2).mean().item()
            return float(loss_fn(y_pred, self.y).item())
