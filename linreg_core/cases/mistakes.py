"""The classic mistakes, each a case's step with one line changed (the code view marks it beside the correct one).

The correct case files stay free of mistake switches: every mistake is its own small subclass whose ``train_step``
is the case's four blocks with that one line changed — or, for a mistake in how a parameter is made (``non-leaf``),
whose ``__init__`` changes that one line (the code view and the export show it above the step).
"""

from __future__ import annotations

import os

import numpy as np
import torch

from linreg_core.cases.autograd import AutogradTrainer
from linreg_core.cases.base import F32, Trainer
from linreg_core.cases.manual import ManualTrainer
from linreg_core.cases.module import ModuleTrainer
from linreg_core.cases.torch_optim import TorchOptimTrainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset

#: What each mistake does, in a sentence.
EFFECTS = {
    "summed-gradient": "the notebook's gradient: np.dot sums over the samples, N× the mean gradient",
    "no-zero-grad": "the gradients are never emptied: each backward() adds to the last, and the steps grow",
    "zero-grad-before-step": "the gradients are emptied before the optimizer reads them: nothing ever moves",
    "update-in-graph": "the update without torch.no_grad(): torch refuses an in-place change of a leaf",
    "rebind-param": "w = w - lr * w.grad makes a new tensor: w stops being a leaf and loses its gradient",
    "target-shape": "the target as [N] against a prediction [N, 1]: nn.MSELoss broadcasts them to [N, N] and fits "
                    "every prediction to every target — the wrong line",
    "non-leaf": "w made as torch.zeros(…, requires_grad=True) * 0.01 is the result of an operation, not a leaf: "
                "backward() leaves w.grad None, and the update fails on it",
    "loss-history-graph": "every epoch's loss kept in a list as the tensor (not loss.item()): each keeps its autograd "
                          "graph alive, and the memory held grows epoch after epoch",
}


class SummedGradient(ManualTrainer):
    def train_step(self, X: F32, y: F32) -> tuple[F32, F32, F32 | None]:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: by hand, the mean squared error
        loss = ((y_pred - y) ** 2).mean()
        # gradient: by hand, as the notebook writes it — np.dot already sums over the samples
        dw = np.dot(2 * X.T, y_pred - y).mean(axis=1, keepdims=True)
        db = 2 * (y_pred - y).mean() if self.bias else None
        # update: by hand
        self.w -= self.lr * dw
        if self.bias:
            self.b -= self.lr * db
        return loss, dw, db


class NoZeroGrad2(AutogradTrainer):
    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: by hand, the mean squared error
        loss = ((y_pred - y) ** 2).mean()
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: by hand, outside the graph — and the gradients are never emptied
        with torch.no_grad():
            self.w -= self.lr * self.w.grad
            if self.bias:
                self.b -= self.lr * self.b.grad
        return loss


class UpdateInGraph(AutogradTrainer):
    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: by hand, the mean squared error
        loss = ((y_pred - y) ** 2).mean()
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: by hand — but inside the graph (no torch.no_grad())
        self.w -= self.lr * self.w.grad
        if self.bias:
            self.b -= self.lr * self.b.grad
        self.w.grad.zero_()
        if self.bias:
            self.b.grad.zero_()
        return loss


class RebindParam(AutogradTrainer):
    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: by hand, the mean squared error
        loss = ((y_pred - y) ** 2).mean()
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: a new tensor bound to w (not an update of w in place)
        self.w = self.w - self.lr * self.w.grad
        if self.bias:
            self.b = self.b - self.lr * self.b.grad
        self.w.grad.zero_()
        if self.bias:
            self.b.grad.zero_()
        return loss


class NonLeaf(AutogradTrainer):
    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        # the parameter made by an operation on a leaf: w itself is no leaf, so backward() fills no w.grad
        self.w = torch.zeros((self.d, 1), requires_grad=True) * 0.01


class NoZeroGrad3(TorchOptimTrainer):
    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: nn.MSELoss (or the configured torch loss)
        loss = self.loss_fn(y_pred, y)
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: torch.optim — and the gradients are never emptied
        self.optimizer.step()
        return loss


class ZeroGradBeforeStep3(TorchOptimTrainer):
    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: nn.MSELoss (or the configured torch loss)
        loss = self.loss_fn(y_pred, y)
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: torch.optim — with the gradients emptied before the step reads them
        self.optimizer.zero_grad()
        self.optimizer.step()
        return loss


class NoZeroGrad4(ModuleTrainer):
    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: the model
        y_pred = self.model(X)
        # loss: nn.MSELoss (or the configured torch loss)
        loss = self.loss_fn(y_pred, y)
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: torch.optim — and the gradients are never emptied
        self.optimizer.step()
        return loss


class ZeroGradBeforeStep4(ModuleTrainer):
    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: the model
        y_pred = self.model(X)
        # loss: nn.MSELoss (or the configured torch loss)
        loss = self.loss_fn(y_pred, y)
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: torch.optim — with the gradients emptied before the step reads them
        self.optimizer.zero_grad()
        self.optimizer.step()
        return loss


class TargetShape3(TorchOptimTrainer):
    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: nn.MSELoss — against the target flattened to [N] (the prediction is [N, 1])
        loss = self.loss_fn(y_pred, y.view(-1))
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: torch.optim, then empty the gradients
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss


class TargetShape4(ModuleTrainer):
    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: the model
        y_pred = self.model(X)
        # loss: nn.MSELoss — against the target flattened to [N] (the prediction is [N, 1])
        loss = self.loss_fn(y_pred, y.view(-1))
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: torch.optim, then empty the gradients
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss


def resident_mb() -> float:
    """The process's resident memory in MB (Linux: /proc/self/statm; elsewhere its peak, from getrusage)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


class KeepsLosses:
    """loss-history-graph: the loss tensors the step keeps, and what they hold alive (walked once each)."""

    losses: list[torch.Tensor]

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)  # type: ignore[call-arg]  # (the case's trainer, next in the MRO)
        self._nodes: set[int] = set()
        self._walked = 0
        self._start_mb = resident_mb()

    def held(self) -> tuple[int, int]:
        """(loss tensors kept, autograd nodes alive through them): every epoch's graph, freed by nothing."""
        for loss in self.losses[self._walked:]:
            todo = [loss.grad_fn]
            while todo:
                node = todo.pop()
                if node is not None and id(node) not in self._nodes:
                    self._nodes.add(id(node))
                    todo += [f for f, _ in node.next_functions]
        self._walked = len(self.losses)
        return len(self.losses), len(self._nodes)

    def holding(self) -> str:
        tensors, nodes = self.held()
        return (f"self.losses holds {tensors:,} loss tensors with their graphs: {nodes:,} autograd nodes alive, "
                f"{resident_mb() - self._start_mb:+.1f} MB resident since the run began (the correct step keeps "
                f"none: it logs loss.item())")


class LossHistoryGraph2(KeepsLosses, AutogradTrainer):
    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        self.losses = []  # the loss of every epoch, to plot later

    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: by hand, the mean squared error — kept as the tensor, with its graph (not loss.item())
        loss = ((y_pred - y) ** 2).mean()
        self.losses.append(loss)
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


class LossHistoryGraph3(KeepsLosses, TorchOptimTrainer):
    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        self.losses = []  # the loss of every epoch, to plot later

    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: by hand
        y_pred = self.forward(X)
        # loss: nn.MSELoss (or the configured torch loss) — kept as the tensor, with its graph (not loss.item())
        loss = self.loss_fn(y_pred, y)
        self.losses.append(loss)
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: torch.optim, then empty the gradients
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss


class LossHistoryGraph4(KeepsLosses, ModuleTrainer):
    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset)
        self.losses = []  # the loss of every epoch, to plot later

    def train_step(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # prediction: the model
        y_pred = self.model(X)
        # loss: nn.MSELoss (or the configured torch loss) — kept as the tensor, with its graph (not loss.item())
        loss = self.loss_fn(y_pred, y)
        self.losses.append(loss)
        # gradient: autograd, dL/dw into w.grad
        loss.backward()
        # update: torch.optim, then empty the gradients
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss


VARIANTS: dict[tuple[str, int], type[Trainer]] = {
    ("summed-gradient", 1): SummedGradient,
    ("no-zero-grad", 2): NoZeroGrad2,
    ("no-zero-grad", 3): NoZeroGrad3,
    ("no-zero-grad", 4): NoZeroGrad4,
    ("zero-grad-before-step", 3): ZeroGradBeforeStep3,
    ("zero-grad-before-step", 4): ZeroGradBeforeStep4,
    ("update-in-graph", 2): UpdateInGraph,
    ("rebind-param", 2): RebindParam,
    ("non-leaf", 2): NonLeaf,
    ("loss-history-graph", 2): LossHistoryGraph2,
    ("loss-history-graph", 3): LossHistoryGraph3,
    ("loss-history-graph", 4): LossHistoryGraph4,
    ("target-shape", 3): TargetShape3,
    ("target-shape", 4): TargetShape4,
}
