"""The gradient check (g): hand-derived vs autograd vs central finite differences at the current parameters."""

from __future__ import annotations

import math

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from linreg_core import analysis
from linreg_core.data import Dataset
from tui_app import palette
from tui_app.messages import GradcheckDone
from tui_app.widgets.lesson_pane import beside as lesson_beside


def error_text(err: float) -> str:
    """A relative error as shown: below 1e-8 it is float64 round-off, whose digits depend on the machine."""
    return "< 1e-8" if err < 1e-8 else f"{err:.2e}"


class GradcheckScreen(ModalScreen[None]):
    """Hand-derived, autograd and finite-difference gradients at the current parameters."""
    #: The name a lesson's `screen` condition gives this screen.
    LESSON_NAME = "gradcheck"

    BINDINGS = [Binding("escape,g", "close", "Close")]

    def __init__(self, dataset: Dataset, w: tuple[float, ...], b: float | None, epoch: int):
        super().__init__()
        self.dataset, self.w, self.b, self.epoch = dataset, w, b, epoch
        self.result: analysis.GradCheck | None = None

    def compose(self) -> ComposeResult:
        yield from lesson_beside(self.app)  # the lesson stays in sight (a lesson open)
        with VerticalScroll(id="gradcheck-box"):
            yield Static("computing (torch loads on first use)…", id="gradcheck-body")

    def on_mount(self) -> None:
        self.query_one("#gradcheck-box").border_title = "Gradient check  [g/escape close]"
        self.compute()

    @work(thread=True, exclusive=True, group="gradcheck", exit_on_error=False)
    def compute(self) -> None:
        try:
            result = analysis.gradcheck(self.dataset.X, self.dataset.y, self.w, self.b)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(GradcheckDone(None, f"gradient check failed: {type(exc).__name__}: {exc}"))
            return
        self.post_message(GradcheckDone(result, ""))

    def on_gradcheck_done(self, message: GradcheckDone) -> None:
        if message.result is None:
            self.query_one("#gradcheck-body", Static).update(Text.styled(message.error, palette.BAD))
            return
        self.result = message.result
        self.show()

    def show(self) -> None:
        gc = self.result
        assert gc is not None
        t = Table(expand=True)
        for col in ("param", "hand (case 1 formula)", "autograd", "finite differences", "notebook's sum"):
            t.add_column(col, justify="right")
        for i, name in enumerate(gc.names):
            nb = f"{gc.notebook[i]:.6g}" if i < len(gc.notebook) else "—"
            # 6 digits: the finite differences' last digits are round-off of the machine's arithmetic
            t.add_row(name, f"{gc.hand[i]:.6g}", f"{gc.autograd[i]:.6g}", f"{gc.finite_diff[i]:.6g}", nb)
        text = Text()
        params = ", ".join(f"{v:.4g}" for v in self.w) + ("" if self.b is None else f"; b = {self.b:.4g}")
        text.append(f"at epoch {self.epoch}, w = {params}, on {self.dataset.name} (N = {self.dataset.n}), float64\n\n")
        grid = Table.grid()
        grid.add_row(text)
        grid.add_row(t)
        ok = max(gc.err_hand, gc.err_autograd) < 1e-6
        summary = Text(f"\nrelative error against finite differences: hand {error_text(gc.err_hand)}, "
                       f"autograd {error_text(gc.err_autograd)} — ")
        summary.append("they agree" if ok else "they disagree", style=palette.PASS if ok else palette.ALARM)
        if math.isfinite(gc.ratio_notebook):
            summary.append(f"\n\nThe notebook's np.dot(2*x, y_pred - y).mean() is a sum over the samples: "
                           f"{gc.ratio_notebook:.4g}× the true gradient of w (N = {self.dataset.n}). "
                           "That is why its case-1 trace at lr 0.005 equals the correct gradient at lr 0.02.",
                           style=palette.NOTE)
        grid.add_row(summary)
        self.query_one("#gradcheck-body", Static).update(grid)

    def action_close(self) -> None:
        self.dismiss(None)
