"""The sign-in screen of a class's visitor (``linreg-tui --serve --class DIR``): a name, then the class code.

Tab or Enter moves from the name to the code; Enter on the code signs in. A wrong code or a bad name is said under
the fields, nothing is stored, and the visitor tries again with what they typed kept."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Input, Static

from linreg_core.classroom import NAME_MAX, Learner, StoreError, check_name


class SignInScreen(Screen[str]):
    """Dismissed with the learner's name once signed in."""

    #: False until the name field has the focus: the App holds the keys typed meanwhile (tui_app/typeahead.py)
    ready_for_keys = var(False, init=False)

    def __init__(self, learner: Learner, lesson_title: str | None = None):
        super().__init__()
        self.learner = learner
        self.lesson_title = lesson_title

    def compose(self) -> ComposeResult:
        with Vertical(id="signin-box"):
            about = f"Today's lesson: {self.lesson_title}. " if self.lesson_title else ""
            yield Static(Text(f"{about}Your teacher sees the lesson steps you reach, your answers and how your runs "
                              "end — nothing else.", style="dim"), id="signin-about")
            yield Static("Name")
            yield Input(id="signin-name", max_length=NAME_MAX, placeholder="as your teacher knows you",
                        select_on_focus=False)
            yield Static("Class code")
            yield Input(id="signin-code", max_length=12, placeholder="six letters and digits, from your teacher",
                        select_on_focus=False)
            yield Static(id="signin-error", classes="error")
            yield Static(Text("Tab or Enter: the next field · Enter on the code signs in", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#signin-box").border_title = "Sign in to the class"
        self.query_one("#signin-error").display = False
        self.set_focus(self.query_one("#signin-name", Input))
        self.ready_for_keys = True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#signin-name", Input)
        code = self.query_one("#signin-code", Input)
        if event.input is name:
            self.set_focus(code)
            return
        try:
            check_name(name.value)
        except ValueError as exc:
            self.refuse(str(exc), name)
            return
        try:
            self.learner.sign_in(name.value, code.value)
        except (ValueError, StoreError) as exc:
            self.refuse(str(exc), code)
            return
        self.dismiss(self.learner.name)

    def refuse(self, text: str, field: Input) -> None:
        error = self.query_one("#signin-error", Static)
        error.update(Text(text))
        error.display = True
        self.set_focus(field)
        field.select_all()
