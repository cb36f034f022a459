"""Inside one training step: the case's four blocks run one at a time, from the source that runs, with the values
of the arrays and tensors they read or wrote after each.

Each block of ``train_step`` (the lines under ``# prediction``, ``# loss``, ``# gradient``, ``# update``) is
compiled from the case's own source and executed in one namespace holding ``self``, ``X`` and ``y``, so the
locals a block makes (``y_pred``, ``loss``, ``dw``) are there for the next block, as in the method itself.
"""

from __future__ import annotations

import sys
import textwrap
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from linreg_core.cases.base import StepResult, Trainer
from linreg_core.code import BLOCKS, step_blocks
from linreg_core.engine import failure_message

ORDER = tuple(BLOCKS)  # prediction, loss, gradient, update
NONE_NOTE = ("optimizer.zero_grad() sets the gradients to None: torch's default (set_to_none=True), cheaper "
             "than writing zeros")


@dataclass(frozen=True)
class BlockResult:
    epoch: int
    block: str
    code: list[str]
    values: dict[str, Any]
    shapes: dict[str, tuple[int, ...] | None]
    changed: list[str] = field(default_factory=list)
    note: str = ""
    error: str = ""


def plain(value: Any) -> Any:
    """A value as plain Python (nested lists, floats, None), at full precision."""
    if value is None:
        return None
    if hasattr(value, "detach"):
        value = value.detach().numpy()
    arr = np.asarray(value, dtype=np.float64)
    return arr.tolist()


def shape_of(value: Any) -> tuple[int, ...] | None:
    return None if value is None else tuple(int(n) for n in np.shape(value.detach() if hasattr(value, "detach")
                                                                   else value))


def named_values(trainer: Trainer, ns: dict[str, Any]) -> dict[str, Any]:
    """The step's arrays and tensors, named as in the code without ``self.``."""
    out: dict[str, Any] = {k: ns[k] for k in ("y_pred", "loss", "dw", "db") if k in ns}
    return out | trainer.named_parameters()


class Stepper:
    """The next epoch of a run's trainer, one block at a time (full batch). While it lasts, the trainer's next
    epoch is this one's remaining blocks (:meth:`finish`, its ``begun``), recorded as any other."""

    def __init__(self, trainer: Trainer):
        self.inner = trainer.case_trainer  # a standardized run steps its case, scaled
        X, y = self.inner.data()
        self.blocks = step_blocks(self.inner.case, self.inner.config.mistake)
        cls: Any = type(self.inner)
        self.module = vars(sys.modules[cls.train_step.__module__])
        self.ns: dict[str, Any] = {"self": self.inner, "X": X, "y": y}
        self.epoch = trainer.epoch + 1
        self.index = 0
        self.failure: Exception | None = None
        self._before = {k: plain(v) for k, v in named_values(self.inner, self.ns).items()}
        self.inner.begun = self.finish

    @property
    def done(self) -> bool:
        return self.index == len(ORDER) or self.failure is not None

    @property
    def next_block_name(self) -> str | None:
        return None if self.done else ORDER[self.index]

    def next_block(self) -> BlockResult:
        block = ORDER[self.index]
        lines = self.blocks[BLOCKS[block]]
        code = [line for line in lines if line.strip() and not line.strip().startswith("#")]
        error = ""
        with warnings.catch_warnings(record=True) as caught:  # torch's warnings go with the block's error
            warnings.simplefilter("always")
            try:
                exec(compile(textwrap.dedent("\n".join(lines)), f"<{block} of {type(self.inner).__name__}>",
                             "exec"), self.module, self.ns)
            except Exception as exc:  # noqa: BLE001 - a mistake torch refuses: shown, and the epoch fails there
                self.failure = exc
                error = failure_message(exc, [str(w.message) for w in caught if issubclass(w.category, UserWarning)])
            self.index += 1
            now = named_values(self.inner, self.ns)
        values = {k: plain(v) for k, v in now.items()}
        changed = [k for k, v in values.items() if self._before.get(k, object()) != v]
        self._before = values
        none_grads = [k for k in ("w.grad", "lin.weight.grad") if k in now and now[k] is None]
        note = NONE_NOTE if block == "update" and none_grads and self.inner.facts.torch_loss else ""
        return BlockResult(self.epoch, block, code, values, {k: shape_of(v) for k, v in now.items()}, changed,
                           note, error)

    def finish(self, X: Any, y: Any) -> StepResult:
        """The epoch's remaining blocks, then its result as the engine records it (called as the epoch's step)."""
        while not self.done:
            self.next_block()
        if self.failure is not None:
            raise self.failure
        return self.inner.step_result(self.ns)


def step_by_block(trainer: Trainer) -> Iterator[BlockResult]:
    """Run the next epoch of ``trainer`` one block at a time; yield each block's result (the last one carries
    the error when a block raised)."""
    stepper = Stepper(trainer)
    while not stepper.done:
        yield stepper.next_block()
    stepper.inner.begun = None

