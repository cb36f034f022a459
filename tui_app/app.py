"""The linreg-tui application: panes around one training stream from the core."""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from collections import deque
from typing import Any, Callable, Iterable

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker, WorkerState

from linreg_core import analysis, checkpoint
from linreg_core.config import CASES, TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import EpochBlock, EpochEnded, Event, ParamsSet, RunError, RunFinished, RunReset
from linreg_core.history import History
from linreg_core.scaling import bound_for
from linreg_core.stream import ProcessRunStream, RunStream
from tui_app.fields import LABELS, FieldError, field_text, parse_field
from tui_app.runs import Loaded, RunLog, WritePath, load_for_app, params_label, params_text, parse_params
from tui_app.widgets.case_picker import CasePicker
from tui_app.widgets.help_screen import HelpScreen
from tui_app.widgets.hyperparams import Hyperparams
from tui_app.widgets.inference_box import InferenceBox
from tui_app.widgets.log_pane import MAX_LINES_PER_BATCH, LogPane
from tui_app.widgets.loss_chart import ChartData, LossChart
from tui_app.widgets.plot import preload_plotting
from tui_app.widgets.status_bar import StatusBar, speed_text, status_text

SPEEDS: list[float | None] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, None]
#: Smallest gap between two display updates while epochs stream in (≤ 16 a second). Status, log and chart are
#: updated together: each update costs a composition of the screen, more than drawing any one of them. The gap
#: grows when a chart render is slow.
DISPLAY_GAP = 0.06
REASON_STATE = {"completed": "finished", "converged": "converged", "diverged": "diverged"}


class MainScreen(Screen[Any]):
    """The app's default screen (its widgets come from :meth:`LinregApp.compose`)."""

    # Nothing has the focus at start: keys are the app's until tab, a click or p enters a field.
    AUTO_FOCUS = ""
    _resumed = False

    def on_screen_resume(self, event: ScreenResume) -> None:
        # Runs before Screen's own handler, which restyles every widget when a screen is resumed. The first time,
        # the widgets were styled as they were mounted a moment ago: that pass changes nothing and costs ~50 ms
        # of the first screen. Later resumes (after a dialog) restyle as usual.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False


class LinregApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "linreg-tui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    BINDINGS = [
        Binding("space", "toggle_run", "Run/Pause"),
        Binding("n", "step", "Step"),
        Binding("r", "reset", "Reset"),
        Binding("1", "case(1)", "Case 1", show=False),
        Binding("2", "case(2)", "Case 2", show=False),
        Binding("3", "case(3)", "Case 3", show=False),
        Binding("4", "case(4)", "Case 4", show=False),
        Binding("p", "focus_predict", "Predict"),
        Binding("escape", "leave_input", "Leave input", show=False),
        Binding("plus", "faster", "Faster"),
        Binding("minus", "slower", "Slower"),
        Binding("l", "toggle_log", "log10"),
        Binding("t", "toggle_view", "View"),
        Binding("o", "lr_opt", "lr=η_opt", show=False),
        Binding("c", "compare", "Compare"),
        Binding("g", "gradcheck", "Grad check"),
        Binding("v", "code", "Code"),
        Binding("f", "lr_find", "LR find"),
        Binding("w", "edit_params", "Edit w,b", show=False),
        Binding("h", "history", "History", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("s", "save", "Save", show=False),
        Binding("L", "load", "Load", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit_app", "Quit"),
    ]

    def __init__(self, config: TrainConfig, dataset: Dataset, *, speed: float | None = 10.0,
                 cursor_blink: bool = True,
                 stream_factory: type[RunStream] | type[ProcessRunStream] = ProcessRunStream,
                 on_first_screen: Callable[[], None] | None = None):
        super().__init__()
        self._on_first_screen = on_first_screen
        self.config = config
        self.dataset = dataset
        self.speed = speed
        self.cursor_blink = cursor_blink
        self.state = "ready"
        self.epoch = 0
        self.loss = math.nan
        self.w: tuple[float, ...] = ()
        self.b: float | None = None
        self.run_id = 0
        self.history = History(dataset.d, config.bias)
        self.log_scale = False
        self.message = ""
        self.errors: list[str] = []
        self.contiguity_errors = 0
        # Built here, started on mount: the process stream's semaphores start multiprocessing's resource
        # tracker, which must happen before Textual redirects stderr.
        self.stream: RunStream | ProcessRunStream | None = stream_factory(config, dataset, speed=speed)
        self._bound = bound_for(config, dataset)
        self._bound_unscaled = analysis.lr_bound(dataset.X, config.bias) if config.standardize else self._bound
        self._star = analysis.closed_form(dataset.X, dataset.y, config.bias)
        self.past_runs = RunLog()
        self._display_due = False
        self._display_timer_set = False
        self._last_display = 0.0
        self._display_gap = DISPLAY_GAP
        self.redraws = 0
        self._rate_samples: deque[tuple[float, int]] = deque(maxlen=20)
        self._status = Text()
        self._message_one_row = False

    # -- layout ---------------------------------------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        # The first Resize gives the main screen its breakpoint classes, and a change of classes restyles every
        # widget on it. Given now, from the terminal's size, that first restyle finds nothing to change (a
        # faster first screen); a terminal of another size only costs the restyle it would have cost anyway.
        screen = MainScreen(id="_default")
        try:
            width, height = os.get_terminal_size(sys.__stdout__.fileno() if sys.__stdout__ else 1)
        except (OSError, ValueError):  # not a terminal (headless tests): the Resize sets them
            return screen
        for size, breakpoints in ((width, self.HORIZONTAL_BREAKPOINTS), (height, self.VERTICAL_BREAKPOINTS)):
            screen.add_class(*screen._get_breakpoint_classes(size, list(breakpoints or [])), update=False)
        return screen

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="∇")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                picker = CasePicker(id="cases")
                picker.selected = self.config.case
                yield picker
                yield Hyperparams(self.config, cursor_blink=self.cursor_blink, id="hyperparams")
            with Vertical(id="right"):
                yield LossChart(id="chart")
                with Horizontal(id="bottom"):
                    yield LogPane(id="log")
                    yield InferenceBox(self.dataset.d, id="inference")
        yield Static(id="message")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        # The main screen's widgets, held so that updates reach them while another screen is on top.
        main = self.screen
        self.status_bar = main.query_one(StatusBar)
        self.message_line = main.query_one("#message", Static)
        self.log_pane = main.query_one(LogPane)
        self.hyperparams = main.query_one(Hyperparams)
        self.chart = main.query_one(LossChart)
        self.inference = main.query_one(InferenceBox)
        self.case_picker = main.query_one(CasePicker)
        self.predict_input = main.query_one("#predict-input", Input)
        self.predict_input.cursor_blink = self.cursor_blink
        main.query_one("#predict-error").display = False
        self.case_picker.selected = self.config.case
        self._update_bound()
        self._start_log()
        self._say(f"{self._describe_config()} — space runs, n steps, ? for help")
        self._refresh_status()
        self._schedule_chart()
        # The training process and plotext start once the first screen is drawn: a process starting beside the
        # first layout competes with it for the CPU. Commands sent before then wait in the stream's pipe.
        self.call_after_refresh(self._after_first_screen)

    def _after_first_screen(self) -> None:
        assert self.stream is not None
        self.stream.start()
        self.drain()
        preload_plotting()  # the first screen has no figure to draw
        if self._on_first_screen is not None:
            self._on_first_screen()

    # -- the one worker that drains the core's event queue ------------------------------------------
    @work(exclusive=True, group="drain", exit_on_error=False)
    async def drain(self) -> None:
        stream = self.stream
        assert stream is not None
        while True:
            batch = await stream.get_batch(max_chunks=8, blocks=True)
            self.apply_events(batch)
            # a queue that is never empty never suspends get_batch: let keys and repaints in after each batch
            await asyncio.sleep(0)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and self.is_running:
            err = event.worker.error
            self._error(f"internal error in {event.worker.name}: {type(err).__name__}: {err}")

    def apply_events(self, batch: list[Event]) -> None:
        """Fold a batch of events into the app's state; one status/log/chart update for the whole batch."""
        log = self.log_pane
        every = self.config.log_every
        state = self.state
        last_epoch: EpochEnded | None = None
        epochs: list[EpochEnded] = []  # single epochs not yet in the history
        logged: list[EpochEnded] = []  # the latest logged epochs (one more than are written, for ▼/△)
        n_logged = 0

        def note_logged(ev: EpochEnded) -> None:
            nonlocal n_logged
            n_logged += 1
            logged.append(ev)
            if len(logged) > MAX_LINES_PER_BATCH + 1:
                del logged[0]

        def flush_epochs() -> None:
            """History for every epoch; log lines only for the last few logged ones (the rest are counted)."""
            nonlocal n_logged
            if epochs:
                self.history.extend(epochs)
                epochs.clear()
            if n_logged:
                tail = logged[-MAX_LINES_PER_BATCH:]
                if n_logged > len(tail):
                    log.set_previous(logged[-len(tail) - 1].loss)
                lines = [log.epoch_line(e.epoch, e.w, e.b, e.loss, self._distances(e.w, e.b)) for e in tail]
                log.add_lines(lines, skipped=n_logged - len(tail))
                logged.clear()
                n_logged = 0

        for ev in batch:
            if type(ev) is EpochBlock:
                if ev.run_id != self.run_id:
                    continue
                if ev.first != self.epoch + 1:
                    self.contiguity_errors += 1
                if epochs:
                    self.history.extend(epochs)
                    epochs.clear()
                self.history.extend_block(ev)
                self.epoch = ev.last
                last_epoch = ev.event(len(ev) - 1)
                shown = range((1 - ev.first) % every, len(ev), every)  # epochs e with (e - 1) % every == 0
                keep = shown[-(MAX_LINES_PER_BATCH + 1):]
                n_logged += len(shown) - len(keep)
                for i in keep:
                    note_logged(ev.event(i))
            elif isinstance(ev, EpochEnded):
                if ev.run_id != self.run_id:
                    continue
                if ev.epoch != self.epoch + 1:
                    self.contiguity_errors += 1
                epochs.append(ev)
                self.epoch = ev.epoch
                last_epoch = ev
                if (ev.epoch - 1) % every == 0:
                    note_logged(ev)
            elif isinstance(ev, RunReset):
                if ev.run_id != self.run_id:
                    continue
                self.epoch, self.w, self.b, self.loss = 0, ev.w, ev.b, ev.loss
            elif isinstance(ev, RunFinished):
                if ev.run_id != self.run_id or ev.reason == "stopped":
                    continue
                flush_epochs()
                last_epoch = None
                self._finish(ev, log)
            elif isinstance(ev, ParamsSet):
                if ev.run_id != self.run_id:
                    continue
                flush_epochs()
                last_epoch = None
                self.w, self.b, self.loss = ev.w, ev.b, ev.loss
                log.note(f"epoch {ev.epoch}: set by hand to {params_label(ev.w, ev.b)} (loss there {ev.loss:.6g}); "
                         f"training continues from them", style="bold yellow")
                self._say(f"parameters set at epoch {ev.epoch}: loss there {ev.loss:.6g} — space or n continues")
            elif isinstance(ev, RunError):
                if ev.run_id == self.run_id:
                    self._error(f"core error: {ev.message} — change a setting or press r")
        flush_epochs()
        if last_epoch is not None:
            self.w, self.b, self.loss = last_epoch.w, last_epoch.b, last_epoch.loss
        self._rate_samples.append((time.monotonic(), self.epoch))
        if self.state != state:
            self._refresh_status()  # a run that ended shows it at once
        self._schedule_chart()  # the status and the log's new lines go with it

    def _finish(self, ev: RunFinished, log: LogPane) -> None:
        self.state = REASON_STATE.get(ev.reason, "finished")
        self.past_runs.add(self.config, self.dataset.name, ev.reason, ev.epochs, ev.loss, self.history)
        self.loss = ev.loss
        self.w, self.b = ev.w, ev.b
        dist = analysis.distance(ev.w, ev.b, self._star.w, self._star.b) if math.isfinite(sum(ev.w)) else math.inf
        summary = f"{ev.reason}: {ev.epochs} epochs, loss at final parameters {ev.loss:.6g}, ‖θ−θ*‖ = {dist:.4g}"
        log.note(summary, style="bold red" if ev.reason == "diverged" else "bold")
        if ev.reason == "diverged":
            bound = f"stable bound η_max = {self._bound.eta_max:.4g}" if self.config.plain_gd else \
                f"η_max = {self._bound.eta_max:.4g} for plain full-batch SGD"
            self._say(f"diverged at epoch {ev.epochs}: lr {self.config.lr:g} used, {bound} — r resets, "
                      f"or lower the learning rate (o sets η_opt)", "error")
            log.note(ev.message, style="red")
        elif ev.reason == "converged":
            self._say(ev.message)
        else:
            self._say(f"finished {ev.epochs} epochs — space starts again, r resets")

    def _distances(self, w: tuple[float, ...], b: float | None) -> str:
        """‖θ − θ*‖ (and ‖θ − θ_true‖ for synthetic data) for a log line."""
        star = self._star
        out = f"‖θ−θ*‖={analysis.distance(w, b, star.w, star.b):.3g}"
        ds = self.dataset
        if ds.true_w is not None and ds.name == "synthetic":
            ref_b = ds.true_b if b is not None else None
            out += f" ‖θ−θtrue‖={analysis.distance(w, b, ds.true_w, ref_b):.3g}"
        return out

    # -- state shown --------------------------------------------------------------------------------
    def _rate(self) -> float | None:
        if len(self._rate_samples) < 2:
            return None
        (t0, e0), (t1, e1) = self._rate_samples[0], self._rate_samples[-1]
        return (e1 - e0) / (t1 - t0) if t1 > t0 and e1 > e0 else None

    def status_line(self) -> str:
        """The status bar's text as shown."""
        return self._status.plain

    def _refresh_status(self) -> None:
        self._status = status_text(self.state, self.epoch, self.config.epochs, self.loss, self.speed, self._rate())
        self.status_bar.update(self._status, layout=False)  # one row, always: no layout pass per batch

    def _say(self, text: str, level: str = "info") -> None:
        self.message = text
        msg = self.message_line
        # one row before and after: no layout pass (a key's answer reaches the screen sooner)
        one_row = "\n" not in text and 0 < cell_len(text) <= msg.content_region.width
        msg.update(Text(text), layout=not (one_row and self._message_one_row))
        self._message_one_row = one_row
        msg.set_class(level == "error", "error")
        msg.set_class(level == "warning", "warning")

    def _error(self, text: str) -> None:
        self.errors.append(text)
        self._say(text, "error")

    def _describe_config(self) -> str:
        c = self.config
        return (f"case {c.case} {CASES[c.case]} · lr {c.lr:g} · {c.epochs} epochs · data {self.dataset.name} "
                f"(n={self.dataset.n}, d={self.dataset.d})")

    def _start_log(self) -> None:
        self.log_pane.start(self._describe_config())

    def _update_bound(self) -> None:
        b = self._bound
        text = Text()
        if not self.config.plain_gd:
            text.append("bound n/a: only for full-batch MSE + plain SGD", style="dim")
        else:
            text.append(f"η_max {b.eta_max:.4g} (stable below)\nη_opt {b.eta_opt:.4g} (fastest; o sets)\n"
                        f"κ(H) {b.condition:.4g} (condition number)", style="dim")
            if self.config.standardize:
                u = self._bound_unscaled
                text.append(f"\nunscaled: κ(H) {u.condition:.3g}\n          η_max {u.eta_max:.3g}", style="dim")
            if self.config.lr >= b.eta_max:
                text.append("\n⚠ lr ≥ η_max: will diverge", style="bold red")
        self.hyperparams.set_bound(text)

    # -- status, log and chart, updated together and throttled -------------------------------------------
    def _schedule_chart(self) -> None:
        """Redraw the chart, and show the status and the log's waiting lines, at the next display update."""
        self._display_due = True
        if self._display_timer_set:
            return
        wait = max(0.0, self._last_display + self._display_gap - time.monotonic())
        self._display_timer_set = True
        if wait <= 0.001:
            self.call_later(self._update_display)
        else:
            self.set_timer(wait, self._update_display)

    def _update_display(self) -> None:
        self._display_timer_set = False
        if not self._display_due:
            return
        self._display_due = False
        chart = self.chart
        if not self.is_running or not chart.is_attached or not chart.children:
            return  # shutting down
        self._last_display = time.monotonic()
        self.log_pane.flush()
        self._refresh_status()
        chart.redraw(ChartData(self.history, self.dataset, self.w or (0.0,) * self.dataset.d, self.b,
                               self._star.loss if self.config.loss == "mse" else None, self.log_scale,
                               self.past_runs.overlays()))
        self.redraws += 1
        # a slow render (big terminal) spaces the next update out: the UI stays responsive
        self._display_gap = max(DISPLAY_GAP, 2.0 * chart.last_render_seconds())

    # -- configuration changes ----------------------------------------------------------------------
    def apply_config(self, config: TrainConfig, dataset: Dataset | None = None, why: str = "") -> None:
        """Take a new configuration (and data): reset the run to epoch 0."""
        data_changed = dataset is not None
        if dataset is not None:
            self.dataset = dataset
        bias_changed = config.bias != self.config.bias
        scaling_changed = config.standardize != self.config.standardize
        self.config = config
        if data_changed or bias_changed or scaling_changed:
            self._bound = bound_for(config, self.dataset)
            self._bound_unscaled = analysis.lr_bound(self.dataset.X, config.bias) if config.standardize \
                else self._bound
        if data_changed or bias_changed:
            self._star = analysis.closed_form(self.dataset.X, self.dataset.y, config.bias)
        if data_changed:
            self.inference.set_features(self.dataset.d)
        self.hyperparams.load(config)
        self.case_picker.selected = config.case
        self._update_bound()
        self._reset_run(dataset=self.dataset if data_changed else None)
        self._say(f"{why + ': ' if why else ''}run reset to epoch 0 · {self._describe_config()}")

    def _reset_run(self, dataset: Dataset | None = None) -> None:
        assert self.stream is not None
        self.run_id = self.stream.reset(self.config, dataset)
        self.state = "ready"
        self.epoch = 0
        self.history = History(self.dataset.d, self.config.bias)
        self._rate_samples.clear()
        self._start_log()
        self._refresh_status()
        self._schedule_chart()

    @on(Hyperparams.Submitted)
    def on_field(self, event: Hyperparams.Submitted) -> None:
        pane = self.hyperparams
        try:
            config, dataset = parse_field(self.config, self.dataset, event.key, event.text)
        except FieldError as exc:
            keep = field_text(self.config, event.key) or "default"
            pane.show_error(event.key, f"{exc} — keeping {keep}")
            self._say(f"{LABELS[event.key]}: not changed", "warning")
            return
        except Exception as exc:  # noqa: BLE001 - never a dead screen
            pane.show_error(event.key, f"{type(exc).__name__}: {exc}")
            return
        pane.clear_error(event.key)
        if config == self.config and dataset is None:
            pane.load(config)
            return
        self.apply_config(config, dataset, why=f"{LABELS[event.key]} set to {field_text(config, event.key)}")

    @on(CasePicker.Chosen)
    def on_case_chosen(self, event: CasePicker.Chosen) -> None:
        self.action_case(event.case)

    @on(Input.Submitted, "#predict-input")
    def on_predict(self, event: Input.Submitted) -> None:
        w = self.w or (0.0,) * self.dataset.d
        self.inference.show(event.value, w, self.b)

    # -- actions (keys and the command palette) ------------------------------------------------------
    def action_toggle_run(self) -> None:
        assert self.stream is not None
        if self.state == "running":
            self.stream.pause()
            self.state = "paused"
            self._say("paused — space continues, n steps one epoch")
        elif self.state in ("ready", "paused"):
            if self.config.plain_gd and self.config.lr >= self._bound.eta_max and self.epoch == 0:
                self._say(f"warning: lr {self.config.lr:g} ≥ η_max {self._bound.eta_max:.4g}: expect divergence",
                          "warning")
            else:
                self._say(f"running at {speed_text(self.speed)} — space pauses")
            self.stream.run()
            self.state = "running"
        else:
            self._reset_run()
            self.stream.run()
            self.state = "running"
            self._say("started again from epoch 0")
        self._refresh_status()

    def action_step(self) -> None:
        assert self.stream is not None
        if self.state in ("finished", "converged", "diverged"):
            self._say(f"the run has {self.state} — r resets, space starts again")
            return
        self.stream.step(1)
        self.state = "paused"
        self._refresh_status()

    def action_reset(self) -> None:
        self._reset_run()
        self._say(f"reset to epoch 0 · {self._describe_config()}")

    def action_case(self, case: int) -> None:
        if case == self.config.case:
            self._reset_run()
            self._say(f"case {case} {CASES[case]} · run reset to epoch 0")
            return
        self.apply_config(self.config.with_case(case),
                          why=f"case {case} {CASES[case]} with its notebook preset")

    def action_focus_predict(self) -> None:
        self.predict_input.focus()

    def action_leave_input(self) -> None:
        self.screen.set_focus(None)

    def _set_speed(self, speed: float | None) -> None:
        assert self.stream is not None
        self.speed = speed
        self.stream.set_speed(speed)
        self._say(f"speed {speed_text(speed)}")
        self._refresh_status()

    def action_faster(self) -> None:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else 3
        self._set_speed(SPEEDS[min(i + 1, len(SPEEDS) - 1)])

    def action_slower(self) -> None:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else len(SPEEDS) - 1
        self._set_speed(SPEEDS[max(i - 1, 0)])

    def action_toggle_log(self) -> None:
        self.log_scale = not self.log_scale
        self._say("loss chart: log10(loss)" if self.log_scale else "loss chart: loss")
        self._schedule_chart()

    def action_toggle_view(self) -> None:
        view = self.chart.toggle_view()
        self._say("chart: w, b and the fitted line" if view == "param-view" else "chart: loss")
        self._schedule_chart()

    def action_lr_opt(self) -> None:
        if not self.config.plain_gd or not math.isfinite(self._bound.eta_opt):
            self._say("η_opt applies only to full-batch MSE with plain SGD", "warning")
            return
        lr = float(f"{self._bound.eta_opt:.4g}")
        self.apply_config(self.config.replace(lr=lr), why=f"lr set to η_opt = {lr:g}")

    def action_compare(self) -> None:
        from tui_app.widgets.instruments import CompareScreen  # imported on first use: a faster start

        if not isinstance(self.screen, CompareScreen):
            self.push_screen(CompareScreen(self.config, self.dataset))

    def action_gradcheck(self) -> None:
        w = self.w or (0.0,) * self.dataset.d
        if not math.isfinite(sum(w)) or (self.b is not None and not math.isfinite(self.b)):
            self._say("gradient check needs finite parameters — press r to reset", "warning")
            return
        from tui_app.widgets.instruments import GradcheckScreen

        self.push_screen(GradcheckScreen(self.dataset, w, self.b, self.epoch))

    def action_lr_find(self) -> None:
        from tui_app.widgets.instruments import LrFindScreen

        def use(lr: float | None) -> None:
            if lr is not None:
                self.apply_config(self.config.replace(lr=lr), why=f"lr set to the range test's suggestion {lr:g}")

        self.push_screen(LrFindScreen(self.config, self.dataset), use)

    def action_code(self) -> None:
        from tui_app.widgets.instruments import CodeScreen

        try:
            screen = CodeScreen(self.config.case)
        except (OSError, TypeError) as exc:
            self._error(f"source not available: {exc}")
            return
        self.push_screen(screen)

    # -- run management: edit, save, load, export, history -------------------------------------------
    def _prompt(self, title: str, hint: str, value: str, check: Callable[[str], Any],
                done: Callable[[Any], None]) -> None:
        from tui_app.widgets.dialogs import PromptScreen

        self.push_screen(PromptScreen(title, hint, value, check, blink=self.cursor_blink), done)

    def _finite_params(self) -> bool:
        return bool(self.w) and math.isfinite(sum(self.w)) and (self.b is None or math.isfinite(self.b))

    def action_edit_params(self) -> None:
        if self.state in ("finished", "converged", "diverged"):
            self._say(f"the run has {self.state}: r resets (Initial w and b in the pane set where it starts)",
                      "warning")
            return
        if self.state == "running":
            self.action_toggle_run()  # parameters are set between two epochs, so pause first
        d, bias, run_id = self.dataset.d, self.config.bias, self.run_id
        hint = f"w: {d} number(s), one per feature" + ("; then ';' and b" if bias else "")
        if self.config.standardize:
            hint += " — in original units"

        def done(result: tuple[tuple[float, ...], float | None] | None) -> None:
            if result is None:
                self._say("parameters unchanged")
            elif run_id != self.run_id or self.state in ("finished", "converged", "diverged"):
                self._say("the run changed meanwhile: parameters not set", "warning")
            else:
                assert self.stream is not None
                self.stream.set_params(*result)

        self._prompt(f"Set the parameters by hand at epoch {self.epoch}", hint,
                     params_text(self.w or (0.0,) * d, self.b), lambda text: parse_params(text, d, bias), done)

    def action_save(self) -> None:
        if not self._finite_params():
            self._say("nothing to save: the parameters are not finite — r resets", "warning")
            return
        cfg, epoch, w, b = self.config, self.epoch, self.w, self.b
        target = WritePath((".json",))

        def check(text: str) -> str:
            return target.write(text, lambda path: checkpoint.save(path, cfg, epoch, w, b))

        def done(path: str | None) -> None:
            if path is not None:
                self._say(f"saved {path}: epoch {epoch}, {params_label(w, b)} (L loads it, or --load)")

        self._prompt("Save a checkpoint", f"a .json path: weights at epoch {epoch} and the configuration, "
                     f"written atomically", "linreg-checkpoint.json", check, done)

    def action_load(self) -> None:
        from linreg_core.options import dataset_for

        def check(text: str) -> Loaded:
            return load_for_app(text, self.config, self.dataset, dataset_for)

        def done(loaded: Loaded | None) -> None:
            if loaded is not None:
                self.apply_config(loaded.config, loaded.dataset,
                                  why=f"loaded {loaded.path} (saved at epoch {loaded.checkpoint.epoch}; "
                                      f"its weights are the initial values)")

        self._prompt("Load a checkpoint", "path of a checkpoint saved with s or linreg --save (JSON only: "
                     "loading never runs code)", "linreg-checkpoint.json", check, done)

    def action_export(self) -> None:
        history = self.history
        if not len(history):
            self._say("nothing to export yet: run some epochs first (n or space)", "warning")
            return
        extra = {"config": self.config.to_dict(), "data": self.dataset.name, "state": self.state}
        target = WritePath((".csv", ".json"))

        def check(text: str) -> str:
            return target.write(text, lambda path: history.export(path, extra=extra))

        def done(path: str | None) -> None:
            if path is not None:
                self._say(f"exported {len(history)} epochs to {path}")

        self._prompt("Export this run's history", "a .csv or .json path (every epoch: loss, w, b, gradients), "
                     "written atomically", "linreg-history.csv", check, done)

    def action_history(self) -> None:
        from tui_app.widgets.dialogs import HistoryScreen

        def done(selected: set[int] | None) -> None:
            if selected is None:
                return
            self.past_runs.shown = selected
            if self.chart.view != "loss-view":
                self.chart.toggle_view()
            self._say(f"{len(selected)} past run(s) overlaid on the loss chart" if selected else
                      "no past runs overlaid")
            self._schedule_chart()

        self.push_screen(HistoryScreen(list(self.past_runs.runs), self.past_runs.shown), done)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit_app(self) -> None:
        if self.stream is not None:
            self.stream.stop(timeout=1.0)
        self.exit(0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a dialog is open, keys belong to it: none of the app's bindings fire (a typed path must never
        run commands, even in the instant before the dialog's input has focus)."""
        from tui_app.widgets.dialogs import HistoryScreen, PromptScreen

        if isinstance(self.screen, (PromptScreen, HistoryScreen)) and action in APP_ACTIONS:
            return False
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:  # type: ignore[type-arg]
        yield from super().get_system_commands(screen)
        yield SystemCommand("Run / pause", "Start or pause training (space)", self.action_toggle_run)
        yield SystemCommand("Step one epoch", "Run exactly one epoch (n)", self.action_step)
        yield SystemCommand("Reset", "Back to epoch 0 (r)", self.action_reset)
        for case, name in CASES.items():
            yield SystemCommand(f"Case {case}: {name}", f"Select case {case} ({case})",
                                lambda c=case: self.action_case(c))
        yield SystemCommand("Predict", "Focus the inference box (p)", self.action_focus_predict)
        yield SystemCommand("Faster", "More epochs per second (+)", self.action_faster)
        yield SystemCommand("Slower", "Fewer epochs per second (-)", self.action_slower)
        yield SystemCommand("Toggle log10 loss", "Chart log10 of the loss (l)", self.action_toggle_log)
        yield SystemCommand("Switch chart view", "Loss / parameters and fit (t)", self.action_toggle_view)
        yield SystemCommand("Learning rate to η_opt", "Fastest stable rate (o)", self.action_lr_opt)
        yield SystemCommand("Compare the four cases", "Lockstep run of cases 1-4 (c)", self.action_compare)
        yield SystemCommand("Gradient check", "Hand vs autograd vs finite differences (g)", self.action_gradcheck)
        yield SystemCommand("Show the code", "The selected case's training step (v)", self.action_code)
        yield SystemCommand("Learning-rate range test", "Sweep lr and suggest one (f)", self.action_lr_find)
        yield SystemCommand("Edit parameters", "Set w and b by hand (w)", self.action_edit_params)
        yield SystemCommand("Run history", "Overlay past runs on the loss chart (h)", self.action_history)
        yield SystemCommand("Export history", "This run's epochs to CSV or JSON (e)", self.action_export)
        yield SystemCommand("Save checkpoint", "Weights + configuration to JSON (s)", self.action_save)
        yield SystemCommand("Load checkpoint", "Restore weights + configuration (L)", self.action_load)
        yield SystemCommand("Help", "Every key (?)", self.action_help)

    def on_unmount(self) -> None:
        if self.stream is not None:
            self.stream.stop(timeout=1.0)

    # -- for tests and diagnostics ------------------------------------------------------------------
    def predictions(self, text: str) -> list[str]:
        from tui_app.widgets.inference_box import predict

        return predict(text, self.w or (0.0,) * self.dataset.d, self.b)


#: The actions of the app's own key bindings (switched off while a dialog is open).
APP_ACTIONS = frozenset(b.action.split("(")[0] for b in LinregApp.BINDINGS if isinstance(b, Binding))
