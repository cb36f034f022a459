"""The training step of each case, taken from the source that runs, with each line's phase and who does it."""

from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import linreg_core
from linreg_core.cases.base import Trainer
from linreg_core.config import STEPS

PHASES = {"prediction": "Prediction", "loss": "Loss", "gradient": "Gradient", "update": "Update"}
_PHASE_COMMENT = re.compile(r"^\s*#\s*(prediction|loss|gradient|update)\b", re.IGNORECASE)


def trainer_class(case: int) -> type[Trainer]:
    """The class whose ``train_step`` runs for ``case`` (imports torch for cases 2–4)."""
    if case == 1:
        from linreg_core.cases.manual import ManualTrainer

        return ManualTrainer
    if case == 2:
        from linreg_core.cases.autograd import AutogradTrainer

        return AutogradTrainer
    if case == 3:
        from linreg_core.cases.torch_optim import TorchOptimTrainer

        return TorchOptimTrainer
    from linreg_core.cases.module import ModuleTrainer

    return ModuleTrainer


@dataclass(frozen=True)
class CodeLine:
    text: str
    phase: str | None
    manual: bool | None
    """True: written by hand; False: done by torch; None: not part of a phase."""


def step_source(case: int) -> tuple[str, list[CodeLine]]:
    """(file:line, lines) of ``train_step`` for ``case`` as it runs, each line tagged with its phase."""
    fn = trainer_class(case).train_step  # type: ignore[attr-defined]
    source = textwrap.dedent(inspect.getsource(fn))
    path = Path(inspect.getsourcefile(fn) or "?")
    root = Path(linreg_core.__file__).resolve().parent.parent
    shown = path.resolve().relative_to(root) if path.resolve().is_relative_to(root) else path
    where = f"{shown}:{inspect.getsourcelines(fn)[1]}"
    lines: list[CodeLine] = []
    phase: str | None = None
    for raw in source.splitlines():
        m = _PHASE_COMMENT.match(raw)
        if m:
            phase = PHASES[m.group(1).lower()]
        if raw.strip().startswith("return "):
            phase = None
        manual = None if phase is None else STEPS[case][phase] == "manual"
        lines.append(CodeLine(raw, phase, manual))
    return where, lines
