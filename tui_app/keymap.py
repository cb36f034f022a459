"""Every key of the app in one table. The main screen's bindings, the footer, the command palette, the help screen
and ``linreg-tui --help`` are all generated from it (no Textual import here: ``--help`` stays fast)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from linreg_core.cases.facts import CASE

if TYPE_CHECKING:
    from textual.binding import Binding


@dataclass(frozen=True)
class Key:
    key: str
    """Textual's key name(s), comma-separated; empty for a row of the help that is not a binding."""
    shown: str
    """How the help, the palette and --help write the key."""
    action: str
    """The main screen's action (``case(2)``), or empty."""
    help: str
    """What it does (the help screen, and the palette's help line)."""
    title: str = ""
    """The command palette's name (empty: not in the palette)."""
    footer: str = ""
    """The footer's label (empty: not in the footer)."""
    brief: str = ""
    """A few words for ``--help`` (empty: not listed there)."""


_CASES = "select the case (resets): " + ", ".join(f"{n} {c.name}" for n, c in CASE.items())

_LESSON = "a lesson (--lesson): "
KEYS: list[Key] = [
    Key("greater_than_sign", "> / <", "lesson('next')", _LESSON + "the next step / the step before (a step moves on "
        "by itself when what it asks for is done)", "Lesson: next step", "Next step", "lesson steps"),
    Key("less_than_sign", "> / <", "lesson('back')", _LESSON + "the next step / the step before (a step moves on "
        "by itself when what it asks for is done)", "Lesson: step back", "Back"),
    Key("H", "H", "lesson('hint')", _LESSON + "show the step's hint", "Lesson: hint", "Hint", "hint"),
    Key("a", "a", "lesson('answer')", _LESSON + "into the answer field of the step's question (Enter grades the "
        "answer; escape leaves the field)", "Lesson: answer the question"),
    Key("i", "i", "lesson('pane')", _LESSON + "hide / show the lesson pane", "Lesson: hide or show the pane",
        "Lesson", "lesson pane"),
    Key("pagedown", "PageDown / PageUp", "lesson('down')", _LESSON + "scroll the step's text (the pane says "
        "PageDown: more when it goes on below)", "Lesson: scroll the text down"),
    Key("pageup", "PageDown / PageUp", "lesson('up')", _LESSON + "scroll the step's text (the pane says "
        "PageDown: more when it goes on below)", "Lesson: scroll the text up"),
    Key("space", "space", "toggle_run", "run / pause (from a finished run: start again)", "Run / pause",
        "Run/Pause", "run/pause"),
    Key("n", "n", "step", "one epoch (a running run pauses first; inside an epoch, the rest of it)",
        "Step one epoch", "Step", "step"),
    Key("r", "r", "reset", "reset to epoch 0", "Reset", "Reset", "reset"),
    Key("full_stop", ".", "block", "inside the step: run the next block of the epoch (prediction, loss, gradient, "
        "update) and show its code and values in the chart's place; n finishes the epoch, t shows the chart",
        "Step one block", "Block", "one block"),
    *[Key(str(c), "1 2 3 4", f"case({c})", _CASES, f"Case {c}: {CASE[c].name}", "", "case" if c == 1 else "")
      for c in (1, 2, 3, 4)],
    Key("p", "p", "focus_predict", "focus the inference box (Enter predicts with the current parameters)",
        "Predict", "Predict", "predict"),
    Key("tab", "tab", "fields", "into the hyperparameters (there tab/shift+tab or ↓/↑ move between the fields)"),
    Key("escape", "escape", "leave_input", "leave an input"),
    Key("plus", "+ / -", "faster", "faster / slower (epochs per second in run mode; up to max)", "Faster",
        "Faster", "speed"),
    Key("minus", "+ / -", "slower", "faster / slower (epochs per second in run mode; up to max)", "Slower",
        "Slower"),
    Key("l", "l", "toggle_log", "log10 of the loss on the chart", "Toggle log10 loss", "log10", "log10 loss"),
    Key("t", "t", "toggle_view", "switch the chart: loss / parameters and fit / the loss landscape with the path",
        "Switch chart view", "View", "chart view"),
    Key("left_square_bracket", "[ / ]", "pair(-1)", "the landscape over the previous / next pair of parameters "
        "(more than two)", "Previous parameter pair", ""),
    Key("right_square_bracket", "[ / ]", "pair(1)", "the landscape over the previous / next pair of parameters "
        "(more than two)", "Next parameter pair", ""),
    Key("m", "m", "mistake", "make a classic mistake: cycle through those the case can make (the step with one "
        "line changed; v shows it), then none", "Cycle mistakes", "", "mistake"),
    Key("o", "o", "lr_opt", "set the learning rate to the fastest stable rate η_opt", "Learning rate to η_opt",
        "", "lr = eta_opt"),
    Key("c", "c", "compare", "compare mode: the four cases in lockstep, overlaid loss curves, largest |Δθ| "
        "between them", "Compare the four cases", "Compare", "compare"),
    Key("g", "g", "gradcheck", "gradient check at the current parameters: hand-derived vs autograd vs finite "
        "differences", "Gradient check", "Grad check", "gradient check"),
    Key("v", "v", "code", "the selected case's training step from the running source, each line marked hand "
        "or torch; d shows it beside the previous case's", "Show the code", "Code", "code"),
    Key("f", "f", "lr_find", "learning-rate range test: loss against lr, the bound marked; Enter uses the "
        "suggested rate", "Learning-rate range test", "LR find", "lr range test"),
    Key("w", "w", "edit_params", "set w (each feature) and b by hand, paused, then continue from there (the log "
        "marks it)", "Edit parameters", "", "edit w/b"),
    Key("h", "h", "history", "run history: the last 10 finished runs; mark some to overlay their loss curves on "
        "the chart", "Run history", "", "run history"),
    Key("e", "e", "export", "export this run's history (every epoch) to a .csv or .json file (served: a download)",
        "Export history", "", "export"),
    Key("x", "x", "export_script", "export the run as a standalone .py program or .ipynb notebook (NumPy and torch "
        "only) that prints the same epoch lines", "Export as a program", "", "export program"),
    Key("s", "s", "save", "save a checkpoint (weights + configuration, JSON) to a file (served: a download)",
        "Save checkpoint", "", "save"),
    Key("L", "L", "load", "load a checkpoint: its configuration, and its weights as the initial values (served: "
        "pasted, or one the teacher named)",
        "Load checkpoint", "", "load"),
    Key("question_mark", "?", "help", "this help", "Help", "Help", "help"),
    Key("", "ctrl+p", "", "command palette: the same actions by name"),
    Key("q", "q", "quit_app", "quit", "", "Quit", "quit"),
]


#: The keys of a lesson (bound only while one is open).
LESSON_KEYS = frozenset(k.key for k in KEYS if k.action.startswith("lesson("))


def bindings() -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """The main screen's bindings (the footer shows those with a label)."""
    from textual.binding import Binding

    # priority: answered in the App's turn, before the next key is read, so a key typed right behind one that
    # moves the focus (p, tab, a dialog's key) reaches the place it moved to (tui_app/typeahead.py)
    # help and quit first: the footer shows the bindings in this order, and cuts what does not fit its width
    first = sorted((k for k in KEYS if k.key and k.action), key=lambda k: k.action not in ("help", "quit_app"))
    return [Binding(k.key, k.action, k.footer or k.title or k.help, show=bool(k.footer), priority=True)
            for k in first]


def help_rows() -> list[tuple[str, str]]:
    """(key, what it does) for the help screen, one row per distinct entry."""
    rows: list[tuple[str, str]] = []
    for k in KEYS:
        if (k.shown, k.help) not in rows:
            rows.append((k.shown, k.help))
    return rows


def brief() -> str:
    """The keys in a sentence, for ``--help``."""
    keys = sorted((k for k in KEYS if k.brief), key=lambda k: k.action.startswith("lesson"))  # a lesson's: last
    return ", ".join(f"{'1-4' if k.brief == 'case' else k.shown} {k.brief}" for k in keys) + "."


def palette() -> list[Key]:
    """The keys offered in the command palette."""
    return [k for k in KEYS if k.title and k.action]


def bound_action(target: Any, action: str) -> Callable[[], Any]:
    """``action`` (e.g. ``case(2)``) as a callable on ``target``'s ``action_*`` method."""
    name, _, args = action.partition("(")
    values = ast.literal_eval(f"({args.rstrip(')')},)") if args.rstrip(")") else ()
    method = getattr(target, f"action_{name}")
    return lambda: method(*values)


def markdown_table() -> str:
    """The README's key table (a test keeps the README's copy equal to it)."""
    rows = ["| key | action |", "|---|---|"]
    for shown, what in help_rows():
        keys = " / ".join(f"`{k}`" for k in shown.split(" / ")) if " / " in shown else \
            ("`1`–`4`" if shown == "1 2 3 4" else f"`{shown}`")
        rows.append(f"| {keys} | {what.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)
