"""The notebook's four cases (facts.py: what each one is). Torch is imported only when a torch case is built."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from linreg_core.cases.facts import CASE, Case

if TYPE_CHECKING:
    from linreg_core.cases.base import Trainer
    from linreg_core.config import TrainConfig
    from linreg_core.data import Dataset

MODULES = {n: c.module for n, c in CASE.items()}


def trainer_class(case: int, mistake: str | None = None) -> type[Trainer]:
    """The class whose ``train_step`` runs for ``case`` (imports torch for cases 2–4), or its ``mistake``'s."""
    if mistake is not None:
        from linreg_core.cases.mistakes import VARIANTS

        return VARIANTS[(mistake, case)]
    facts = CASE[case]
    cls: type[Trainer] = getattr(import_module(f"linreg_core.cases.{facts.module}"), facts.trainer)
    return cls


def make_trainer(config: TrainConfig, dataset: Dataset) -> Trainer:
    """Build the trainer for ``config.case`` (importing torch only for cases 2–4)."""
    config.validate()
    if config.standardize:
        from linreg_core.scaling import Standardized

        return Standardized(config, dataset, make_trainer)
    return trainer_class(config.case, config.mistake)(config, dataset)


__all__ = ["CASE", "MODULES", "Case", "make_trainer", "trainer_class"]
