"""The help screen: what the app shows, and every key (from the key table, tui_app/keymap.py)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_app.keymap import help_rows

HELP = "\n\n".join([
    "[b]linreg-tui[/b] — linear regression by gradient descent at four levels of automation.",
    "Each level replaces one part of the one before: the blocks marked [b $hand]hand[/] are written by "
    "hand, those marked [b $torch]torch[/] are done by torch. The loss in the log is computed in the "
    "epoch's forward pass, before its update; ▼/△ compare it with the previous logged loss.",
    "Hyperparameters: tab or ↓ moves to the next field, shift+tab or ↑ to the previous one, a click to that field. "
    "Bias and Standardize are checkboxes (space flips one); Optimizer, Loss and Mistake are menus (Enter opens "
    "one, Enter takes a choice). A typed value is checked on Enter or when you leave its field: a bad one shows a "
    "message under the field and the "
    "previous value stays in force. A change resets the run to epoch 0.",
    "Beside the learning rate: η_max = 2/λmax(H), the largest stable rate for full-batch MSE, and η_opt. "
    "Standardize trains on z-scored features and a centred target (its η_max and κ are for that space); the "
    "parameters, predictions, exports and checkpoints are always in the data's own units.",
    "Files are written atomically, and an existing file is replaced only after you press Enter twice.",
])  # one line per paragraph: the help box wraps them to its width


class HelpScreen(ModalScreen[None]):
    #: The name a lesson's `screen` condition gives this screen.
    LESSON_NAME = "help"
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(HELP, id="help-intro")
            rows = "\n".join(f"  [b $accent]{key:<9}[/] {what}" for key, what in help_rows())
            yield Static("[b]Keys[/b] (when no text input has focus)\n" + rows, id="help-keys")
            yield Static("[dim]escape, ? or q closes this screen[/]")

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Help"

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
