"""Teaching instruments as screens: compare mode (c), gradient check (g), code pane (v)."""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import numpy as np
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Static

from linreg_core import analysis
from linreg_core.code import step_source
from linreg_core.compare import ROUNDOFF, Compare, CompareStep
from linreg_core.config import CASES, TrainConfig
from linreg_core.data import Dataset
from tui_app.plotting import finite_xy, log10_loss, plottable
from tui_app.widgets.loss_chart import points_for
from tui_app.widgets.plot import SafePlot

CASE_COLORS = {1: "yellow", 2: "cyan", 3: "magenta", 4: "green"}
#: Compare mode stops after this many epochs even when the configuration asks for more.
COMPARE_MAX_EPOCHS = 200_000


class CompareScreen(Screen[None]):
    """The four cases in lockstep: overlaid loss curves and a table of parameters and |Δθ|."""

    BINDINGS = [Binding("escape,c", "close", "Close"), Binding("l", "toggle_log", "log10")]

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__()
        self.config = config
        self.dataset = dataset
        self.losses: dict[int, list[float]] = {c: [] for c in CASES}
        self.last: CompareStep | None = None
        self.reasons: dict[int, str] = {}
        self.done = False
        self.log_scale = False
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="∇")
        with Vertical(id="compare-box"):
            yield Static(id="compare-title")
            yield SafePlot(id="compare-plot")
            yield Static(id="compare-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#compare-box").border_title = "Compare: the four cases in lockstep  [c/escape close · l log10]"
        self.run_compare()

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def run_compare(self) -> None:
        cmp = Compare(self.config, self.dataset)
        total = min(self.config.epochs, COMPARE_MAX_EPOCHS)
        last_post = 0.0
        with np.errstate(all="ignore"):
            while not cmp.finished and cmp.epoch < total and not self._cancel.is_set():
                step = cmp.step()
                for c, ev in step.events.items():
                    self.losses[c].append(ev.loss)
                self.last = step
                now = time.monotonic()
                if now - last_post > 0.1:
                    last_post = now
                    self.app.call_from_thread(self.refresh_view)
        self.reasons = cmp.reasons()
        self.done = True
        if not self._cancel.is_set():
            self.app.call_from_thread(self.refresh_view)

    def refresh_view(self) -> None:
        step = self.last
        epochs = step.epoch if step else 0
        total = min(self.config.epochs, COMPARE_MAX_EPOCHS)
        title = Text(f"lr {self.config.lr:g} · bias {'on' if self.config.bias else 'off'} · same data and initial "
                     f"parameters · epoch {epochs}/{total}", style="bold")
        if self.done:
            title.append("  done", style="green")
        self.query_one("#compare-title", Static).update(title)
        plot = self.query_one("#compare-plot", SafePlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("epoch")
        plt.title("log10(loss) per case" if self.log_scale else "loss per case (the curves coincide)")
        for c, series in self.losses.items():
            n = len(series)
            if not n:
                continue
            y = np.asarray(series[:n], dtype=np.float64)
            y = log10_loss(y) if self.log_scale else y
            x, yv = plottable(np.arange(1, len(y) + 1), y, points_for(plot))
            if x:
                plt.plot(x, yv, label=f"{c} {CASES[c]}", color=CASE_COLORS[c], marker="braille")
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
            t.add_row(Text(f"{c} {CASES[c]}", style=CASE_COLORS[c]), ws, "—" if ev.b is None else f"{ev.b:.6g}",
                      f"{ev.loss:.6g}", self.reasons.get(c, "running"))
        ok = step.at_roundoff
        verdict = Text(f"largest |Δθ| between any two cases so far: {step.max_dtheta_so_far:.3g} — ")
        verdict.append("float32 round-off: the four levels of automation compute the same thing" if ok else
                       f"NOT float32 round-off (> {ROUNDOFF:g}·max(1, |θ|)): the cases disagree",
                       style="green" if ok else "bold red")
        grid = Table.grid()
        grid.add_row(t)
        grid.add_row(verdict)
        return grid

    def action_toggle_log(self) -> None:
        self.log_scale = not self.log_scale
        self.refresh_view()

    def action_close(self) -> None:
        self._cancel.set()
        self.dismiss(None)


class GradcheckScreen(ModalScreen[None]):
    """Hand-derived, autograd and finite-difference gradients at the current parameters."""

    BINDINGS = [Binding("escape,g", "close", "Close")]

    def __init__(self, dataset: Dataset, w: tuple[float, ...], b: float | None, epoch: int):
        super().__init__()
        self.dataset, self.w, self.b, self.epoch = dataset, w, b, epoch
        self.result: analysis.GradCheck | None = None

    def compose(self) -> ComposeResult:
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
            self.app.call_from_thread(self.query_one("#gradcheck-body", Static).update,
                                      Text(f"gradient check failed: {type(exc).__name__}: {exc}", style="red"))
            return
        self.result = result
        self.app.call_from_thread(self.show)

    def show(self) -> None:
        gc = self.result
        assert gc is not None
        t = Table(expand=True)
        for col in ("param", "hand (case 1 formula)", "autograd", "finite differences", "notebook's sum"):
            t.add_column(col, justify="right")
        for i, name in enumerate(gc.names):
            nb = f"{gc.notebook[i]:.8g}" if i < len(gc.notebook) else "—"
            t.add_row(name, f"{gc.hand[i]:.8g}", f"{gc.autograd[i]:.8g}", f"{gc.finite_diff[i]:.8g}", nb)
        text = Text()
        params = ", ".join(f"{v:.4g}" for v in self.w) + ("" if self.b is None else f"; b = {self.b:.4g}")
        text.append(f"at epoch {self.epoch}, w = {params}, on {self.dataset.name} (N = {self.dataset.n}), float64\n\n")
        grid = Table.grid()
        grid.add_row(text)
        grid.add_row(t)
        ok = max(gc.err_hand, gc.err_autograd) < 1e-6
        summary = Text(f"\nrelative error against finite differences: hand {gc.err_hand:.2e}, "
                       f"autograd {gc.err_autograd:.2e} — ")
        summary.append("they agree" if ok else "they disagree", style="green" if ok else "bold red")
        if math.isfinite(gc.ratio_notebook):
            summary.append(f"\n\nThe notebook's np.dot(2*x, y_pred - y).mean() is a sum over the samples: "
                           f"{gc.ratio_notebook:.4g}× the true gradient of w (N = {self.dataset.n}). "
                           "That is why its case-1 trace at lr 0.005 equals the correct gradient at lr 0.02.",
                           style="yellow")
        grid.add_row(summary)
        self.query_one("#gradcheck-body", Static).update(grid)

    def action_close(self) -> None:
        self.dismiss(None)


class CodeScreen(ModalScreen[None]):
    """The selected case's training step, from the source that runs: hand-written lines yellow, torch green."""

    BINDINGS = [Binding("escape,v", "close", "Close")]

    def __init__(self, case: int):
        super().__init__()
        self.case = case
        self.where, self.lines = step_source(case)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="code-box"):
            yield Static(self.render_code(), id="code-body")

    def on_mount(self) -> None:
        self.query_one("#code-box").border_title = (f"Case {self.case} {CASES[self.case]}: one training step  "
                                                    f"[v/escape close]")

    def render_code(self) -> Any:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=9)
        grid.add_column()
        header = Text()
        header.append("▌ by hand", style="bold yellow")
        header.append("   ")
        header.append("▌ by torch", style="bold green")
        header.append(f"     source: {self.where}", style="dim")
        grid.add_row(Text(""), header)
        for line in self.lines:
            if line.manual is None:
                gutter = Text("")
            elif line.manual:
                gutter = Text("▌ hand", style="bold yellow")
            else:
                gutter = Text("▌ torch", style="bold green")
            code = Syntax(line.text or " ", "python", theme="monokai", background_color="default",
                          word_wrap=False).highlight(line.text or " ")
            code.rstrip()
            grid.add_row(gutter, code)
        return grid

    def action_close(self) -> None:
        self.dismiss(None)


class LrFindScreen(ModalScreen[float | None]):
    """The learning-rate range test: loss against log10(lr), the analytic bound marked; Enter uses the suggestion."""

    BINDINGS = [Binding("escape,f", "close", "Close"), Binding("enter", "use", "Use suggested lr")]

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__()
        self.config, self.dataset = config, dataset
        self.result: Any = None
        self.done_steps = 0
        self.total_steps = 0
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
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

        def progress(done: int, total: int) -> None:
            self.done_steps, self.total_steps = done, total
            self.app.call_from_thread(self.show_progress)

        result = lr_find(self.config, self.dataset, progress=progress, cancelled=self._cancel.is_set)
        self.result = result
        if not self._cancel.is_set():
            self.app.call_from_thread(self.show)

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
            plt.plot(x.tolist(), y.tolist(), marker="braille", color="cyan", label="loss")
        b = res.bound
        if b is not None and math.isfinite(b.eta_max):
            plt.vline(math.log10(b.eta_max), "red")
        if res.suggested:
            plt.vline(math.log10(res.suggested), "green")
        plot.refresh()
        text = Text()
        if res.stopped_at is not None:
            text.append(f"stopped at lr {res.stopped_at:.4g}: the loss diverged. ")
        if b is not None:
            text.append(f"η_max = {b.eta_max:.4g} (red line), ", style="red")
            text.append(f"η_opt = {b.eta_opt:.4g}. ")
        else:
            text.append("The analytic bound does not apply here (not full-batch MSE with plain SGD). ", style="dim")
        if res.suggested:
            text.append(f"Suggested lr {res.suggested:.4g} (green line) — Enter uses it.", style="green")
        self.query_one("#lrfind-title", Static).update(Text(f"{len(res.lrs)} rates tried", style="bold"))
        self.query_one("#lrfind-summary", Static).update(text)

    def action_use(self) -> None:
        if self.result is not None and self.result.suggested:
            self._cancel.set()
            self.dismiss(float(f"{self.result.suggested:.4g}"))

    def action_close(self) -> None:
        self._cancel.set()
        self.dismiss(None)
