"""The app's colours: every one is a theme variable, so the app follows the theme it runs in (``ctrl+p`` → theme,
``textual-light``, ``ansi-light`` …) and NO_COLOR. The app adds variables of its own, whose defaults are safe for
colour-blind learners (the Okabe–Ito palette); a colour is never the only cue: what it marks is always said by a word
or a mark as well (hand / torch, ━ • x in legends, ▼ △), so the app reads the same without colour.

Text names its colours by role (``Text("…", style="linreg.bad")``): :func:`rich_theme` gives each role the current
theme's colour, and the App installs it on every theme change. Charts ask :func:`plot_color` when they draw.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.theme import Theme
from textual.color import Color

#: The app's own theme variables and their values in every theme.
VARIABLES = {
    "hand": "#E69F00",  # written by hand (NumPy, or torch tensors updated by hand): orange
    "torch": "#56B4E9",  # done by torch (autograd, nn.MSELoss, torch.optim, nn.Linear): sky blue
    "case-3": "#CC79A7",  # the four cases in compare mode: hand, torch, then reddish purple and bluish green
    "case-4": "#009E73",
    "series-other": "#F0E442",  # the last of a chart's curves (SERIES): yellow
}
#: The four cases' colours (compare mode), as theme variables.
CASE = {1: "hand", 2: "torch", 3: "case-3", 4: "case-4"}
#: The curves of one chart in order (the run, then the parameters w1, w2 … or past runs).
SERIES = ("primary", "hand", "case-3", "torch", "case-4", "series-other")
#: What else a chart draws: a curve for comparison (a past run, the run without its mistake, the landscape's
#: curve and contours), the data's points, the optimum.
MUTED, DATA, OPTIMUM = "foreground-darken-3", "foreground", "success"

#: Each role a text colours by: (theme variable, bold).
ROLES: dict[str, tuple[str, bool]] = {
    "bad": ("error", False),  # loss up, an error's message
    "alarm": ("error", True),  # a diverged run, a failed check, a mistake's changed line
    "good": ("success", False),  # loss down, the optimum loss*
    "pass": ("success", True),  # a check that agrees
    "note": ("warning", False),  # a remark beside a result
    "marked": ("warning", True),  # the value the step view marks, the compare title
    "swapped": ("accent", True),  # the block a case swaps (code view)
    "hand": ("hand", True),
    "torch": ("torch", True),
    "hand-plain": ("hand", False),
    "torch-plain": ("torch", False),
    **{f"case-{c}": (v, False) for c, v in CASE.items()},
    **{f"series-{i}": (v, True) for i, v in enumerate(SERIES)},
    "muted": (MUTED, True),
    "data": (DATA, True),
    "optimum": (OPTIMUM, True),
    # the status bar's state words
    **{f"state-{word}": (variable, True) for word, variable in (
        ("ready", "accent"), ("running", "success"), ("paused", "warning"), ("finished", "primary"),
        ("converged", "success"), ("diverged", "error"), ("failed", "error"))},
}


def style_name(role: str) -> str:
    """The Rich style name of ``role`` (``Text(…, style=style_name("bad"))``)."""
    if role not in ROLES:
        raise KeyError(role)
    return f"linreg.{role}"


BAD, ALARM, GOOD, PASS, NOTE, MARKED, SWAPPED, HAND, TORCH = (
    style_name(r) for r in ("bad", "alarm", "good", "pass", "note", "marked", "swapped", "hand", "torch"))


def case_style(case: int) -> str:
    return style_name(f"case-{case}")


def rich_theme(variables: Mapping[str, str]) -> Theme:
    """Every role's Rich style in the theme whose variables are ``variables``."""
    styles = {}
    for role, (variable, bold) in ROLES.items():
        color = Color.parse(variables.get(variable) or VARIABLES.get(variable, "ansi_default"))
        styles[style_name(role)] = Style(color=color.rich_color, bold=bold)
    return Theme(styles, inherit=True)


def plot_color(variables: Mapping[str, str], variable: str) -> str | int | tuple[int, int, int]:
    """A theme variable as plotext takes a colour: an ANSI colour number, the terminal's own (``default``), or
    (r, g, b)."""
    color = Color.parse(variables.get(variable) or VARIABLES.get(variable, "ansi_default"))
    if color.ansi is None:
        return color.rgb
    return color.ansi if color.ansi >= 0 else "default"


def role_plot_color(variables: Mapping[str, str], role: str) -> str | int | tuple[int, int, int]:
    """The colour of ``role`` (a key of :data:`ROLES`) as plotext takes it."""
    return plot_color(variables, ROLES[role][0])
