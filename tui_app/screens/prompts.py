"""A one-line prompt (save, export, load, edit parameters) that keeps the typed text and says what is wrong under
it until it is right or escape is pressed."""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import var
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui_app.runs import DialogError

T = TypeVar("T")


class PasteInput(Input):
    """An input that keeps the whole of a pasted text, its lines joined by spaces (a pasted checkpoint's JSON)."""

    def _on_paste(self, event: events.Paste) -> None:
        if event.text:
            self.insert_text_at_cursor(" ".join(event.text.splitlines()))
        event.stop()
        event.prevent_default()  # Input's own handler would insert the first line again


class PromptScreen(ModalScreen[T | None], Generic[T]):
    """Enter hands the text to ``check``: its result closes the dialog, a :class:`DialogError` is shown under
    the input and the dialog stays open with the text as typed. Escape cancels (result ``None``)."""
    #: The name a lesson's `screen` condition gives this screen (a dialog opened counts as something done).
    LESSON_NAME = "dialog"

    # priority: answered in the App's turn, so the key after Enter or escape reaches the screen below
    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True),
                Binding("enter", "submit", "Confirm", priority=True)]
    #: False until the input has the focus: the App holds the keys typed meanwhile (tui_app/typeahead.py)
    ready_for_keys = var(False, init=False)

    def __init__(self, title: str, hint: str, value: str, check: Callable[[str], T], *, blink: bool = True,
                 paste_lines: bool = False):
        super().__init__()
        self.paste_lines = paste_lines
        self.title_text = title
        self.hint = hint
        self.value = value
        self.check = check
        self.blink = blink

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Static(self.hint, id="prompt-hint")
            # no select-all on focus: keys typed in the instant before the focus event would be selected and lost
            inp = (PasteInput if self.paste_lines else Input)(value=self.value, id="prompt-input",
                                                              select_on_focus=False)
            inp.cursor_blink = self.blink
            yield inp
            yield Static(id="prompt-error", classes="error")
            yield Static(Text("Enter confirms · escape cancels · ctrl+u clears", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#prompt-box").border_title = self.title_text
        self.query_one("#prompt-error").display = False
        inp = self.query_one("#prompt-input", Input)
        self.set_focus(inp)
        inp.select_all()  # typing replaces the text offered (the keys held meanwhile come after this)
        self.ready_for_keys = True

    def on_key(self, event: events.Key) -> None:
        # A key that reaches the dialog itself came while the input had not the focus (a click beside it): it
        # belongs to the input all the same — never a command of the screen below, never lost.
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
        self.set_focus(inp)

    def action_submit(self) -> None:
        # the text typed before this Enter is in the input: the App settles each key before the next one
        inp = self.query_one("#prompt-input", Input)
        try:
            result = self.check(inp.value)
        except DialogError as exc:
            self.show_error(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a dialog never takes the app down
            self.show_error(f"{type(exc).__name__}: {exc}")
            return
        self.ready_for_keys = False  # closing: keys wait for the screen below
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
