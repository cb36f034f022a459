"""The run history (h): the last finished runs; marked ones are overlaid on the loss chart."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import var
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from tui_app.runs import PastRun
from tui_app.widgets.lesson_pane import beside as lesson_beside


class HistoryScreen(ModalScreen[set[int] | None]):
    """The last finished runs; space or a click marks the ones to overlay, Enter applies, escape cancels."""
    #: The name a lesson's `screen` condition gives this screen.
    LESSON_NAME = "history"

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True),
                Binding("enter,h", "apply", "Overlay the marked runs", priority=True)]

    #: False until the list has the focus: the App holds the keys typed meanwhile (tui_app/typeahead.py)
    ready_for_keys = var(False, init=False)

    def __init__(self, runs: list[PastRun], shown: set[int]):
        super().__init__()
        self.runs = runs
        self.shown = set(shown)

    def compose(self) -> ComposeResult:
        yield from lesson_beside(self.app)  # the lesson stays in sight (a lesson open)
        with Vertical(id="history-box"):
            if self.runs:
                items: list[Selection[int]] = [Selection(r.describe(), r.number, r.number in self.shown)
                                               for r in reversed(self.runs)]
                yield SelectionList[int](*items, id="history-list")
                yield Static(Text("space marks a run · Enter overlays the marked runs on the loss chart · "
                                  "escape cancels", style="dim"))
            else:
                yield Static("No finished runs yet: a run is kept here when it finishes, converges or diverges "
                             "(the last 10).", id="history-empty")
                yield Static(Text("escape closes", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#history-box").border_title = "Run history"
        if self.runs:
            self.set_focus(self.query_one(SelectionList))
        self.ready_for_keys = True

    def selected(self) -> set[int]:
        if not self.runs:
            return set()
        values: Any = self.query_one(SelectionList).selected
        return set(values)

    def action_apply(self) -> None:
        self.dismiss(self.selected())

    def action_cancel(self) -> None:
        self.dismiss(None)
