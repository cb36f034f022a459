"""The notebook's four cases. Torch is imported only when a torch case is built."""

from __future__ import annotations

from linreg_core.cases.base import Trainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset

MODULES = {1: "manual", 2: "autograd", 3: "torch_optim", 4: "module"}


def make_trainer(config: TrainConfig, dataset: Dataset) -> Trainer:
    """Build the trainer for ``config.case`` (importing torch only for cases 2–4)."""
    config.validate()
    if config.standardize:
        from linreg_core.scaling import Standardized

        return Standardized(config, dataset, make_trainer)
    if config.mistake is not None:
        from linreg_core.cases.mistakes import VARIANTS

        return VARIANTS[(config.mistake, config.case)](config, dataset)
    if config.case == 1:
        from linreg_core.cases.manual import ManualTrainer

        return ManualTrainer(config, dataset)
    if config.case == 2:
        from linreg_core.cases.autograd import AutogradTrainer

        return AutogradTrainer(config, dataset)
    if config.case == 3:
        from linreg_core.cases.torch_optim import TorchOptimTrainer

        return TorchOptimTrainer(config, dataset)
    from linreg_core.cases.module import ModuleTrainer

    return ModuleTrainer(config, dataset)


__all__ = ["MODULES", "Trainer", "make_trainer"]
