"""Labelled inputs for the hyperparameters; each checked on Enter or when focus leaves."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.events import Click
from textual.message import Message
from textual.widgets import Input, Label, Static

from linreg_core.config import TrainConfig
from tui_app.fields import FIELDS, field_text, placeholder


class Toggle(Static, can_focus=True):
    """``[x] on`` / ``[ ] off``; space, Enter or a click flips it."""

    BINDINGS = [Binding("space,enter", "flip", "Flip", show=False)]

    class Changed(Message):
        def __init__(self, toggle: Toggle, value: bool):
            super().__init__()
            self.toggle = toggle
            self.value = value

    def __init__(self, value: bool, id: str | None = None):  # noqa: A002
        super().__init__(id=id, classes="toggle")
        self.value = value

    def on_mount(self) -> None:
        self.set_value(self.value)

    def set_value(self, value: bool) -> None:
        self.value = value
        self.update(Text("[x] on" if value else "[ ] off"))

    def action_flip(self) -> None:
        self.set_value(not self.value)
        self.post_message(self.Changed(self, self.value))

    def on_click(self, event: Click) -> None:
        event.stop()
        self.action_flip()


class BiasToggle(Toggle):
    """Learn a bias b."""


class StandardizeToggle(Toggle):
    """Train on standardized features."""


TOGGLES: dict[str, type[Toggle]] = {"bias": BiasToggle, "standardize": StandardizeToggle}


class Hyperparams(VerticalScroll):
    """Posts :class:`Hyperparams.Submitted` for a field whose text changed; the app answers with
    :meth:`show_error` or :meth:`load`."""

    class Submitted(Message):
        def __init__(self, key: str, text: str):
            super().__init__()
            self.key = key
            self.text = text

    def __init__(self, config: TrainConfig, *, cursor_blink: bool = True, id: str | None = None):  # noqa: A002
        super().__init__(id=id)
        self._config = config
        self._blink = cursor_blink

    def compose(self) -> ComposeResult:
        for key, label in FIELDS:
            with Horizontal(classes="field-row", id=f"row-{key}"):
                yield Label(label, classes="field-label")
                if key in TOGGLES:
                    yield TOGGLES[key](bool(getattr(self._config, key)), id=f"field-{key}")
                else:
                    inp = Input(value=field_text(self._config, key), id=f"field-{key}",
                                placeholder=placeholder(key, self._config), classes="field-input")
                    inp.cursor_blink = self._blink
                    yield inp
            if key == "lr":
                yield Static(id="lr-bound", classes="hint")
            yield Static(id=f"error-{key}", classes="error field-error")

    def on_mount(self) -> None:
        self.border_title = "Hyperparameters"
        for key, _ in FIELDS:
            self.query_one(f"#error-{key}", Static).display = False

    def load(self, config: TrainConfig) -> None:
        """Show ``config`` in every field and clear the messages."""
        self._config = config
        for key, _ in FIELDS:
            if key in TOGGLES:
                self.query_one(f"#field-{key}", Toggle).set_value(bool(getattr(config, key)))
            else:
                inp = self.query_one(f"#field-{key}", Input)
                inp.value = field_text(config, key)
                inp.placeholder = placeholder(key, config)
            self.clear_error(key)

    def show_error(self, key: str, message: str) -> None:
        err = self.query_one(f"#error-{key}", Static)
        err.update(Text("✗ " + message))
        err.display = True
        if key not in TOGGLES:
            self.query_one(f"#field-{key}", Input).add_class("invalid")

    def clear_error(self, key: str) -> None:
        self.query_one(f"#error-{key}", Static).display = False
        if key not in TOGGLES:
            self.query_one(f"#field-{key}", Input).remove_class("invalid")

    def set_bound(self, text: Text) -> None:
        self.query_one("#lr-bound", Static).update(text)

    def _submit(self, inp: Input) -> None:
        key = (inp.id or "").removeprefix("field-")
        if inp.value.strip() == field_text(self._config, key) and not inp.has_class("invalid"):
            return
        self.post_message(self.Submitted(key, inp.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id and event.input.id.startswith("field-"):
            event.stop()
            self._submit(event.input)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if event.input.id and event.input.id.startswith("field-"):
            event.stop()
            self._submit(event.input)

    def on_toggle_changed(self, event: Toggle.Changed) -> None:
        event.stop()
        key = (event.toggle.id or "").removeprefix("field-")
        self.post_message(self.Submitted(key, "on" if event.value else "off"))
