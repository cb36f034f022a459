"""Dialogs: a one-line prompt (save, export, load, edit parameters) and the list of past runs (h)."""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, SelectionList, Static
from textual.widgets.selection_list import Selection

from tui_app.runs import DialogError, PastRun

T = TypeVar("T")


class PromptScreen(ModalScreen[T | None], Generic[T]):
    """Enter hands the text to ``check``: its result closes the dialog, a :class:`DialogError` is shown under
    the input and the dialog stays open with the text as typed. Escape cancels (result ``None``)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, hint: str, value: str, check: Callable[[str], T], *, blink: bool = True):
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.value = value
        self.check = check
        self.blink = blink

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Static(self.hint, id="prompt-hint")
            # no select-all on focus: keys typed in the instant before the focus event would be selected and lost
            inp = Input(value=self.value, id="prompt-input", select_on_focus=False)
            inp.cursor_blink = self.blink
            yield inp
            yield Static(id="prompt-error", classes="error")
            yield Static(Text("Enter confirms · escape cancels · ctrl+u clears", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#prompt-box").border_title = self.title_text
        self.query_one("#prompt-error").display = False
        self.query_one("#prompt-input", Input).focus()

    def on_key(self, event: events.Key) -> None:
        # A key that reaches the dialog itself came before the input had the focus (typed in the instant the
        # dialog opened, or on a loaded machine): it belongs to the input all the same, never lost.
        inp = self.query_one("#prompt-input", Input)
        if inp.has_focus:
            return
        if event.key == "ctrl+u":
            inp.action_delete_left_all()
        elif event.key == "backspace":
            inp.action_delete_left()
        elif event.is_printable and event.character:
            inp.insert_text_at_cursor(event.character)
        else:
            return
        event.stop()
        inp.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            result = self.check(event.value)
        except DialogError as exc:
            self.show_error(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a dialog never takes the app down
            self.show_error(f"{type(exc).__name__}: {exc}")
            return
        self.dismiss(result)

    def show_error(self, text: str) -> None:
        err = self.query_one("#prompt-error", Static)
        err.update(Text("✗ " + text))
        err.display = True

    @property
    def error_text(self) -> str:
        err = self.query_one("#prompt-error", Static)
        return str(err.render()) if err.display else ""

    def action_cancel(self) -> None:
        self.dismiss(None)


class HistoryScreen(ModalScreen[set[int] | None]):
    """The last finished runs; space or a click marks the ones to overlay, Enter applies, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"),
                Binding("enter,h", "apply", "Overlay the marked runs", priority=True)]

    def __init__(self, runs: list[PastRun], shown: set[int]):
        super().__init__()
        self.runs = runs
        self.shown = set(shown)

    def compose(self) -> ComposeResult:
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
            self.query_one(SelectionList).focus()

    def selected(self) -> set[int]:
        if not self.runs:
            return set()
        values: Any = self.query_one(SelectionList).selected
        return set(values)

    def action_apply(self) -> None:
        self.dismiss(self.selected())

    def action_cancel(self) -> None:
        self.dismiss(None)
