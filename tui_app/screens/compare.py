"""Compare mode (c): the four cases in lockstep from the same start, overlaid loss curves and a table of w, b, loss and
the largest |Δθ| between cases."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import numpy.typing as npt
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from linreg_core.compare import ROUNDOFF, Compare, CompareStep
from linreg_core.config import CASES, TrainConfig
from linreg_core.data import Dataset
from tui_app import palette
from tui_app.messages import CompareProgress
from tui_app.plotting import log10_loss, plottable
from tui_app.widgets.lesson_pane import beside as lesson_beside
from tui_app.widgets.loss_chart import points_for
from tui_app.widgets.plot import SafePlot

#: Compare mode stops after this many epochs even when the configuration asks for more.
COMPARE_MAX_EPOCHS = 200_000


class CompareScreen(Screen[None]):
    """The four cases in lockstep: overlaid loss curves and a table of parameters and |Δθ|."""
    #: The name a lesson's `screen` condition gives this screen.
    LESSON_NAME = "compare"

    BINDINGS = [Binding("escape,c", "close", "Close"), Binding("l", "toggle_log", "log10")]

    def __init__(self, config: TrainConfig, dataset: Dataset, without: str | None = None):
        super().__init__()
        self.without = without  # the mistake the main run makes, left out here
        self.config = config
        self.dataset = dataset
        self.losses: dict[int, npt.NDArray[np.float64]] = {}
        self.last: CompareStep | None = None
        self.reasons: dict[int, str] = {}
        self.done = False
        self.log_scale = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="∇")
        yield from lesson_beside(self.app)  # the lesson stays in sight (a lesson open)
        with Vertical(id="compare-box"):
            # shown from the first frame: the four runs start after torch has loaded (a few seconds the first time)
            yield Static(Text(f"starting the four cases in lockstep (loading torch for cases 2–4)… "
                              f"lr {self.config.lr:g}, up to {min(self.config.epochs, COMPARE_MAX_EPOCHS)} epochs",
                              style=palette.MARKED), id="compare-title")
            yield SafePlot(id="compare-plot")
            yield Static(id="compare-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#compare-box").border_title = "Compare: the four cases in lockstep  [c/escape close · l log10]"
        self.run_compare()

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def run_compare(self) -> None:
        """The lockstep run, in a thread: it posts snapshots (copies), never touching the screen's state."""
        worker = get_current_worker()  # cancelled when the screen closes
        cmp = Compare(self.config, self.dataset)
        total = min(self.config.epochs, COMPARE_MAX_EPOCHS)
        losses: dict[int, list[float]] = {c: [] for c in CASES}
        step: CompareStep | None = None
        last_post = 0.0

        def post(done: bool) -> None:
            snapshot = {c: np.asarray(v, dtype=np.float64) for c, v in losses.items()}
            self.post_message(CompareProgress(snapshot, step, cmp.reasons() if done else {}, done))

        with np.errstate(all="ignore"):
            while not cmp.finished and cmp.epoch < total and not worker.is_cancelled:
                step = cmp.step()
                for c, ev in step.events.items():
                    losses[c].append(ev.loss)
                now = time.monotonic()
                if now - last_post > 0.1:
                    last_post = now
                    post(False)
        if not worker.is_cancelled:
            post(True)

    def on_compare_progress(self, message: CompareProgress) -> None:
        self.losses, self.last, self.reasons, self.done = message.losses, message.step, message.reasons, message.done
        self.refresh_view()

    def recolor(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        step = self.last
        epochs = step.epoch if step else 0
        total = min(self.config.epochs, COMPARE_MAX_EPOCHS)
        title = Text(f"lr {self.config.lr:g} · bias {'on' if self.config.bias else 'off'} · same data and initial "
                     f"parameters · epoch {epochs}/{total}", style="bold")
        if self.without:
            title.append(f"  (each case's own step: the main run's mistake {self.without} is left out)",
                         style=palette.NOTE)
        if self.done:
            title.append("  done", style="bold")
        # the legend above the plot, never over its curves
        title.append("\n" + ("log10(loss)" if self.log_scale else "loss (the curves coincide)"), style="bold")
        for c in CASES:
            title.append("   ━ ", style=palette.case_style(c))
            title.append(f"case {c}")
        self.query_one("#compare-title", Static).update(title)
        plot = self.query_one("#compare-plot", SafePlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("epoch")
        plt.title("")
        xs: list[list[float]] = []
        ys: list[list[float]] = []
        for c, series in self.losses.items():
            n = len(series)
            if not n:
                continue
            y = log10_loss(series) if self.log_scale else series
            x, yv = plottable(np.arange(1, len(y) + 1), y, points_for(plot))
            if x:
                plt.plot(x, yv, color=palette.plot_color(self.app.theme_variables, palette.CASE[c]), marker="braille")
                xs.append(x)
                ys.append(yv)
        plot.ticks_for(xs, ys, whole_x=True)
        plot.refresh()
        self.query_one("#compare-table", Static).update(self.table())

    def table(self) -> Any:
        step = self.last
        t = Table(expand=True, show_edge=False)
        for col in ("case", "w", "b", "loss", "status"):
            t.add_column(col)
        if step is None:
            return t
        for c, ev in step.events.items():
            ws = ", ".join(f"{v:.6g}" for v in ev.w)
            t.add_row(Text(f"{c} {CASES[c]}", style=palette.case_style(c)), ws, "—" if ev.b is None else f"{ev.b:.6g}",
                      f"{ev.loss:.6g}", self.reasons.get(c, "running"))
        ok = step.at_roundoff
        # within the round-off bound the digits are the machine's arithmetic: the bound is shown instead
        dtheta = f"< {ROUNDOFF:g}·max(1, |θ|)" if ok else f"{step.max_dtheta_so_far:.3g}"
        verdict = Text(f"largest |Δθ| between any two cases so far: {dtheta} — ")
        verdict.append("float32 round-off: the four levels of automation compute the same thing" if ok else
                       f"NOT float32 round-off (> {ROUNDOFF:g}·max(1, |θ|)): the cases disagree",
                       style=palette.PASS if ok else palette.ALARM)
        grid = Table.grid()
        grid.add_row(t)
        grid.add_row(verdict)
        return grid

    def action_toggle_log(self) -> None:
        self.log_scale = not self.log_scale
        self.refresh_view()

    def action_close(self) -> None:
        self.workers.cancel_group(self, "compare")  # the thread stops at its next look
        self.dismiss(None)
