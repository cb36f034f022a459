"""The learning-rate range test (f): loss against log10(lr), η_max marked; Enter takes the suggestion."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import get_current_worker

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from tui_app import palette
from tui_app.messages import LrFindDone, LrFindProgress
from tui_app.plotting import finite_xy, log10_loss
from tui_app.widgets.lesson_pane import beside as lesson_beside
from tui_app.widgets.plot import SafePlot


class LrFindScreen(ModalScreen[float | None]):
    """The learning-rate range test: loss against log10(lr), the analytic bound marked; Enter uses the suggestion."""
    #: The name a lesson's `screen` condition gives this screen.
    LESSON_NAME = "lr-find"

    BINDINGS = [Binding("escape,f", "close", "Close"), Binding("enter", "use", "Use suggested lr")]

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__()
        self.config, self.dataset = config, dataset
        self.result: Any = None
        self.done_steps = 0
        self.total_steps = 0

    def compose(self) -> ComposeResult:
        yield from lesson_beside(self.app)  # the lesson stays in sight (a lesson open)
        with Vertical(id="lrfind-box"):
            yield Static("sweeping…", id="lrfind-title")
            yield SafePlot(id="lrfind-plot")
            yield Static(id="lrfind-summary")

    def on_mount(self) -> None:
        self.query_one("#lrfind-box").border_title = "Learning-rate range test  [enter use suggestion · f/escape close]"
        self.sweep()

    @work(thread=True, exclusive=True, group="lrfind", exit_on_error=False)
    def sweep(self) -> None:
        from linreg_core.lrfind import lr_find

        worker = get_current_worker()  # cancelled when the screen closes

        def progress(done: int, total: int) -> None:
            self.post_message(LrFindProgress(done, total))

        result = lr_find(self.config, self.dataset, progress=progress, cancelled=lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.post_message(LrFindDone(result))

    def on_lr_find_progress(self, message: LrFindProgress) -> None:
        if self.result is None:  # a progress message can arrive after the result: the result stays
            self.done_steps, self.total_steps = message.done, message.total
            self.show_progress()

    def on_lr_find_done(self, message: LrFindDone) -> None:
        self.result = message.result
        self.show()

    def recolor(self) -> None:
        if self.result is not None:
            self.show()

    def show_progress(self) -> None:
        self.query_one("#lrfind-title", Static).update(
            Text(f"sweeping lr from 1e-05 to 10: {self.done_steps}/{self.total_steps} rates, 10 epochs each "
                 f"from the same initial parameters (the current run is untouched)"))

    def show(self) -> None:
        res = self.result
        plot = self.query_one("#lrfind-plot", SafePlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("log10(lr)")
        plt.title("log10(loss after 10 epochs) against log10(lr)")
        x, y = finite_xy(np.log10(res.lrs), log10_loss(res.losses))
        if len(x):
            color = palette.plot_color(self.app.theme_variables, palette.SERIES[0])
            plt.plot(x.tolist(), y.tolist(), marker="braille", color=color)
            plot.ticks_for([x.tolist()], [y.tolist()])
        b = res.bound
        if b is not None and math.isfinite(b.eta_max):
            plt.vline(math.log10(b.eta_max), palette.plot_color(self.app.theme_variables, "hand"))
        if res.suggested:
            plt.vline(math.log10(res.suggested), palette.plot_color(self.app.theme_variables, "torch"))
        plot.refresh()
        text = Text()
        if res.stopped_at is not None:
            text.append(f"stopped at lr {res.stopped_at:.4g}: the loss diverged. ")
        if b is not None:
            text.append(f"η_max = {b.eta_max:.4g} (orange line), ", style=palette.HAND)
            text.append(f"η_opt = {b.eta_opt:.4g}. ")
        else:
            text.append("The analytic bound does not apply here (not full-batch MSE with plain SGD). ", style="dim")
        if res.suggested:
            text.append(f"Suggested lr {res.suggested:.4g} (blue line) — Enter uses it.", style=palette.TORCH)
        self.query_one("#lrfind-title", Static).update(Text(f"{len(res.lrs)} rates tried", style="bold"))
        self.query_one("#lrfind-summary", Static).update(text)

    def action_use(self) -> None:
        if self.result is not None and self.result.suggested:
            self.workers.cancel_group(self, "lrfind")  # the thread stops at its next look
            self.dismiss(float(f"{self.result.suggested:.4g}"))

    def action_close(self) -> None:
        self.workers.cancel_group(self, "lrfind")  # the thread stops at its next look
        self.dismiss(None)
