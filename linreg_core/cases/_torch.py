"""Torch helpers shared by cases 2–4 (imported only when a torch case runs)."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import torch
from torch import nn

from linreg_core.config import TrainConfig


def tensor(a: Any) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))


def make_loss(config: TrainConfig) -> nn.Module:
    if config.loss == "l1":
        return nn.L1Loss()
    if config.loss == "huber":
        return nn.HuberLoss()
    return nn.MSELoss()


def make_optimizer(params: Iterable[torch.Tensor], config: TrainConfig) -> torch.optim.Optimizer:
    lr, opt = config.lr, config.optimizer
    if opt == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=config.momentum)
    if opt == "adam":
        return torch.optim.Adam(params, lr=lr, betas=config.betas)
    if opt == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    if opt == "adagrad":
        return torch.optim.Adagrad(params, lr=lr)
    return torch.optim.SGD(params, lr=lr)
