"""The app's messages, each a small typed dataclass. Widgets post them to the main screen; the instruments'
thread workers post them to their screens (Textual's post_message is thread-safe), so no list or widget is shared
across threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from linreg_core.compare import CompareStep

@dataclass
class CaseChosen(Message):
    """A case was clicked in the case pane."""

    case: int


@dataclass
class FieldSubmitted(Message):
    """A hyperparameter field's text is to be checked and taken."""

    key: str
    text: str


@dataclass
class CompareProgress(Message):
    """Compare mode's lockstep run so far: each case's losses (copies), the latest step, and how cases ended."""

    losses: dict[int, npt.NDArray[np.float64]]
    step: CompareStep | None
    reasons: dict[int, str]
    done: bool

    def can_replace(self, message: Message) -> bool:
        # a newer snapshot holds everything an older one did: a flood becomes one redraw
        return isinstance(message, CompareProgress)


@dataclass
class LrFindProgress(Message):
    """The range test has tried ``done`` of ``total`` rates."""

    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LrFindProgress)


@dataclass
class LrFindDone(Message):
    """The range test's result (a :class:`linreg_core.lrfind.LrFindResult`)."""

    result: Any


@dataclass
class GradcheckDone(Message):
    """The gradient check's result (a :class:`linreg_core.analysis.GradCheck`), or why it failed."""

    result: Any
    error: str


@dataclass
class ReferenceCurve(Message):
    """The loss curve of the same configuration without its mistake (computed in a separate process)."""

    config: Any
    losses: npt.NDArray[np.float64]
