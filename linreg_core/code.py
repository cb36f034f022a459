"""The training step of each case, taken from the source that runs, with each line's block and who does it."""

from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import linreg_core
from linreg_core.cases import CASE, trainer_class
from linreg_core.config import STEPS

BLOCKS = {"prediction": "Prediction", "loss": "Loss", "gradient": "Gradient", "update": "Update"}
_BLOCK_COMMENT = re.compile(r"^\s*#\s*(prediction|loss|gradient|update)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CodeLine:
    text: str
    block: str | None
    manual: bool | None
    """True: written by hand; False: done by torch; None: not part of a block."""


def step_source(case: int, mistake: str | None = None) -> tuple[str, list[CodeLine]]:
    """(file:line, lines) of ``train_step`` for ``case`` (or its ``mistake``) as it runs, each line tagged with its
    block."""
    fn = trainer_class(case, mistake).train_step  # type: ignore[attr-defined]
    source = textwrap.dedent(inspect.getsource(fn))
    path = Path(inspect.getsourcefile(fn) or "?")
    root = Path(linreg_core.__file__).resolve().parent.parent
    shown = path.resolve().relative_to(root) if path.resolve().is_relative_to(root) else path
    where = f"{shown}:{inspect.getsourcelines(fn)[1]}"
    lines: list[CodeLine] = []
    made = made_lines(case, mistake)
    if made:  # a mistake in how a parameter is made: that line, above the step it breaks
        indent = re.match(r"\s*", source).group(0)  # type: ignore[union-attr]
        lines += [CodeLine(f"{indent}{text}", None, None) for text in ("# in __init__:", *made, "")]
    block: str | None = None
    for raw in source.splitlines():
        m = _BLOCK_COMMENT.match(raw)
        if m:
            block = BLOCKS[m.group(1).lower()]
        if raw.strip().startswith("return "):
            block = None
        manual = None if block is None else STEPS[case][block] == "manual"
        lines.append(CodeLine(raw, block, manual))
    return where, lines


def made_lines(case: int, mistake: str | None) -> list[str]:
    """The lines a mistake's own ``__init__`` changes in how the case makes its parameters (comment included), as
    in its source; none for a mistake in the step itself."""
    cls = trainer_class(case, mistake)
    if mistake is None or "__init__" not in vars(cls):
        return []
    base = {line.strip() for line in inspect.getsource(trainer_class(case).__init__).splitlines()}
    own = textwrap.dedent(inspect.getsource(cls.__init__)).splitlines()[1:]  # without the def line
    return [line.strip() for line in own if line.strip() and line.strip() not in base]


#: The notebook's own case-1 cell, block by block (its gradient is a sum: N× the mean gradient).
NOTEBOOK_CASE_1: dict[str, list[str]] = {
    "Prediction": ["# prediction (def forward(x): return w*x)", "y_pred=forward(x)"],
    "Loss": ["# loss (def loss(y, y_predicted): return ((y_predicted-y)**2).mean())", "l=loss(y,y_pred)"],
    "Gradient": ["# gradient (def gradient(x, y, y_predicted):", "#   return np.dot(2*x, y_predicted-y).mean())",
                 "#   np.dot is already a sum: N× the mean gradient", "dw=gradient(x,y,y_pred)"],
    "Update": ["# update: go in the negative direction of the gradient", "w-=LR*dw"],
}


def step_blocks(case: int, mistake: str | None = None) -> dict[str, list[str]]:
    """The four blocks of ``case``'s training step (or its ``mistake``'s): block → its lines (dedented, the opening
    comment included); ``case`` 0 is the notebook's own case-1 cell."""
    if case not in CASE:  # 0: the notebook's own cell
        return {block: list(lines) for block, lines in NOTEBOOK_CASE_1.items()}
    _, lines = step_source(case, mistake)
    blocks: dict[str, list[str]] = {block: [] for block in BLOCKS.values()}
    for line in lines:
        if line.block is not None:
            blocks[line.block].append(line.text)
    indent = min((len(t) - len(t.lstrip()) for b in blocks.values() for t in b if t.strip()), default=0)
    return {block: [t[indent:] for t in b] for block, b in blocks.items()}


def _code_only(lines: list[str]) -> list[str]:
    return [re.sub(r"\s+#.*$", "", t).strip() for t in lines if t.strip() and not t.strip().startswith("#")]


def changed_blocks(before: int, after: int) -> set[str]:
    """The blocks whose code (comments aside) differs between two cases' steps (0: the notebook's case 1)."""
    a, b = step_blocks(before), step_blocks(after)
    return {block for block in BLOCKS.values() if _code_only(a[block]) != _code_only(b[block])}


def swapped_blocks(case: int) -> tuple[int, set[str], str]:
    """What the code view's diff sets ``case`` beside: (the other case, 0 for the notebook's own case-1 cell; the
    blocks that changed; a line saying what changed)."""
    if case - 1 not in CASE:  # case 1: beside the notebook's own cell
        return 0, {"Gradient"}, ("the notebook's gradient np.dot(2*x, y_pred-y).mean() is a sum, N× the mean "
                                 "gradient (its lr 0.005 acts like 0.02 here); the other blocks only rename")
    changed = changed_blocks(case - 1, case)
    return case - 1, changed, f"case {case - 1} → {case}: {', '.join(sorted(changed)).lower()} swapped"
