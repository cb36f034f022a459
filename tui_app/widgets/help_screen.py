"""The help screen: every key."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, str]] = [
    ("space", "run / pause (from a finished run: start again)"),
    ("n", "one epoch (from ready or paused)"),
    ("r", "reset to epoch 0"),
    ("1 2 3 4", "select the case (resets): 1 Manual (NumPy), 2 Autograd, 3 Loss + optimizer, 4 nn.Module"),
    ("p", "focus the inference box (Enter predicts with the current parameters)"),
    ("tab", "into the hyperparameters (there tab/shift+tab or ↓/↑ move between the fields)"),
    ("escape", "leave an input"),
    ("+ / -", "faster / slower (epochs per second in run mode; up to max)"),
    ("l", "log10 of the loss on the chart"),
    ("t", "switch the chart: loss / parameters and fit"),
    ("o", "set the learning rate to the fastest stable rate η_opt"),
    ("c", "compare mode: the four cases in lockstep, overlaid loss curves, largest |Δθ| between them"),
    ("g", "gradient check at the current parameters: hand-derived vs autograd vs finite differences"),
    ("v", "the selected case's training step from the running source: by hand (yellow), by torch (green)"),
    ("f", "learning-rate range test: loss against lr, the bound marked; Enter uses the suggested rate"),
    ("w", "set w (each feature) and b by hand, paused, then continue from there (the log marks it)"),
    ("h", "run history: the last 10 finished runs; mark some to overlay their loss curves on the chart"),
    ("e", "export this run's history (every epoch) to a .csv or .json path you type"),
    ("s", "save a checkpoint (weights + configuration, JSON) to a path you type"),
    ("L", "load a checkpoint: its configuration, and its weights as the initial values"),
    ("?", "this help"),
    ("ctrl+p", "command palette: the same actions by name"),
    ("q", "quit"),
]

HELP = "\n\n".join([
    "[b]linreg-tui[/b] — linear regression by gradient descent at four levels of automation.",
    "Each level replaces one part of the one before: [yellow]yellow[/] steps are written by hand, [green]green[/] "
    "ones are done by torch. The loss in the log is computed in the epoch's forward pass, before its update; ▼/△ "
    "compare it with the previous logged loss.",
    "Hyperparameters: tab or ↓ moves to the next field, shift+tab or ↑ to the previous one, a click to that field. "
    "A value is checked on Enter or when you leave its field: a bad one shows a message under the field and the "
    "previous value stays in force. A change resets the run to epoch 0.",
    "Beside the learning rate: η_max = 2/λmax(H), the largest stable rate for full-batch MSE, and η_opt. "
    "Standardize trains on z-scored features and a centred target (its η_max and κ are for that space); the "
    "parameters, predictions, exports and checkpoints are always in the data's own units.",
    "Files are written atomically, and an existing file is replaced only after you press Enter twice.",
])  # one line per paragraph: the help box wraps them to its width


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(HELP, id="help-intro")
            rows = "\n".join(f"  [b cyan]{key:<9}[/] {what}" for key, what in KEYS)
            yield Static("[b]Keys[/b] (when no text input has focus)\n" + rows, id="help-keys")
            yield Static("[dim]escape, ? or q closes this screen[/]")

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Help"

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
