"""The main screen: the panes around one training run. It drains the core's stream into the session, shows what
the session says, and owns the run-control keys (so a dialog on top blocks them by being on top)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import ScreenResume
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Header, Input, Select

from linreg_core.config import CASES, TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import BlockStepped, EpochEnded, Event
from tui_app import keymap
from tui_app.messages import CaseChosen, ReferenceCurve
from tui_app.session import Session
from tui_app.widgets.case_picker import CasePicker
from tui_app.widgets.hyperparams import Hyperparams
from tui_app.widgets.inference_box import InferenceBox
from tui_app.widgets.log_start import LogStart
from tui_app.widgets.loss_chart import ChartData, LossChart
from tui_app.widgets.message_line import MessageLine
from tui_app.widgets.status_bar import StatusBar
from tui_app.widgets.step_view import StepView

if TYPE_CHECKING:
    from tui_app.lesson_guide import LessonGuide
    from tui_app.visitor import Served
    from tui_app.widgets.lesson_pane import LessonPane
    from tui_app.widgets.log_pane import LogPane

#: Smallest gap between two display updates (status, log, chart: each a composition of the screen) while epochs
#: stream in: ≤ 16 a second, more when a chart render is slow. A served app's (its output goes over the network,
#: thirty share the cores): once a second, the chart (the costliest part) every other time; the epochs count up live.
DISPLAY_GAP, SERVED_DISPLAY_GAP, SERVED_CHART_EVERY = 0.06, 1.0, 2


class MainCore(Screen[Any]):
    """The main screen's panes, the events of the run shown on them, the run's own keys and a lesson's guide; the
    commands that act on the chart, open another screen or write a file are ``MainScreen``'s (screens/main.py)."""
    #: The name a lesson's `screen` condition gives this screen.
    LESSON_NAME = "main"

    # Nothing has the focus at start: keys are the screen's until tab, a click or p enters a field.
    AUTO_FOCUS = ""
    #: Keys typed before the log is mounted and the data shown wait (tui_app/typeahead.py), then come in order.
    ready_for_keys = var(False, init=False)
    log_pane: LogPane
    BINDINGS = keymap.bindings()

    def __init__(self, session: Session, *, cursor_blink: bool = True,
                 on_first_screen: Callable[[], None] | None = None, served: Served | None = None):
        super().__init__(id="_default")
        self.session = session
        self.served = served  # None: a local app (tui_app/visitor.py)
        self.cursor_blink = cursor_blink
        self.on_first_screen = on_first_screen
        self._resumed = False
        self.errors: list[str] = []
        self.pair = 0  # which pair of parameters the landscape view draws
        self.display_due, self.redraws, self.updates = False, 0, 0
        self.min_gap = self.display_gap = DISPLAY_GAP if served is None else SERVED_DISPLAY_GAP
        self.chart_every = 1 if served is None else SERVED_CHART_EVERY
        self.guide: LessonGuide | None = None

    def compose(self) -> ComposeResult:
        s = self.session
        yield Header(show_clock=False, icon="∇")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                picker = CasePicker(id="cases")
                picker.selected = s.config.case
                yield picker
                offered = tuple(self.served.names(self.served.data)) if self.served else ()
                yield Hyperparams(s.config, cursor_blink=self.cursor_blink, id="hyperparams", data_choices=offered)
            with Vertical(id="right"):
                yield LossChart(id="chart")
                step = StepView(id="step-view")
                step.display = False
                yield step
                with Horizontal(id="bottom"):
                    yield LogStart(s.describe_config(), id="log-start")
                    yield InferenceBox(s.shape.d, id="inference")
            if s.lesson is not None:
                from tui_app.widgets.lesson_pane import LessonPane  # Textual's Markdown: only with a lesson

                yield LessonPane(id="lesson")
        yield MessageLine(id="message")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.display_timer = self.set_interval(self.min_gap, self._update_display, pause=True)
        self.status_bar = self.query_one(StatusBar)
        self.message_line = self.query_one(MessageLine)
        self.hyperparams = self.query_one(Hyperparams)
        self.chart = self.query_one(LossChart)
        self.inference = self.query_one(InferenceBox)
        self.case_picker = self.query_one(CasePicker)
        self.predict_input = self.query_one("#predict-input", Input)
        self.predict_input.cursor_blink = self.cursor_blink
        self.query_one("#predict-error").display = False
        if self.session.lesson is not None:
            from tui_app.lesson_guide import LessonGuide  # the lesson's parser: only with a lesson

            self.guide = LessonGuide(self, self.session.lesson, getattr(self.app, "recorder", None))
            self.set_class(True, "-with-lesson")
        self.say(f"{self.session.describe_config()} — space runs, n steps, ? for help")
        self.refresh_status()
        if self.session.has_data:  # read before the start (a file): the log and what the data gives, at once
            self.start_log()
            self.show_data()
        # Once the first screen is drawn: generated data (NumPy), the training process, plotext (commands wait)
        self.call_after_refresh(self.after_first_screen)

    def on_screen_resume(self, event: ScreenResume) -> None:
        # Before Screen's handler, which restyles every widget: the first time, as they were mounted.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
        elif self.guide is not None:
            self.guide.resume()  # a lesson step that waited for the main screen opens

    # -- the one worker that drains the core's event queue ------------------------------------------
    @work(exclusive=True, group="drain", exit_on_error=False)
    async def drain(self) -> None:
        stream = self.session.stream
        while True:
            batch = await stream.get_batch(max_chunks=8, blocks=True)
            self.apply_events(batch)
            # a queue that is never empty never suspends get_batch: let keys and repaints in after each batch
            await asyncio.sleep(0)

    def apply_events(self, batch: list[Event]) -> None:
        """Fold a batch into the session; one status/log/chart update for the whole batch."""
        ended = self.session.fold(batch, self)
        self.status_bar.sample(self.session.epoch)
        if self.guide is not None:
            self.guide.check()
        self.schedule_display()  # the status and the log's new lines go with it
        if ended:  # a run that ended shows it at once: its last epochs, the state word and the chart together
            self._update_display(final=True)

    # -- the session's sink ---------------------------------------------------------------------------
    def log_lines(self, lines: list[EpochEnded], skipped: int, previous: float | None) -> None:
        log = self.log_pane
        if previous is not None:
            log.set_previous(previous)
        log.add_lines([log.epoch_line(e.epoch, e.w, e.b, e.loss, self.session.distances(e.w, e.b)) for e in lines],
                      skipped=skipped)

    def log_note(self, text: str, style: str) -> None:
        self.log_pane.note(text, style=style)

    @property
    def on_top(self) -> bool:
        """No view or dialog is open over this screen."""
        return self.app.screen is self

    def lesson_pane(self) -> LessonPane:
        from tui_app.widgets.lesson_pane import LessonPane

        return self.query_one("#lesson", LessonPane)

    def say(self, text: str, level: str = "info") -> None:
        self.message_line.say(text, level)

    def error(self, text: str) -> None:
        self.errors.append(text)
        self.say(text, "error")

    def block_stepped(self, ev: BlockStepped) -> None:
        s = self.session
        self.show_step(True)
        self.query_one(StepView).show(ev, s.config.case, s.config.mistake)
        self.case_picker.next_block = None if ev.next_block is None else ev.next_block.capitalize()
        if not ev.error:
            self.say(f"epoch {ev.epoch}: {ev.block} ran — . runs the next block, n the rest of the epoch, "
                     f"t back to the chart")

    def show_step(self, on: bool) -> None:
        """The step view in the chart's place (on), or the chart again."""
        self.query_one(StepView).display = on
        self.chart.display = not on
        if not on:
            self.case_picker.next_block = None

    # -- status, log and chart, updated together and throttled -------------------------------------------
    def refresh_status(self) -> None:
        s = self.session
        self.status_bar.show(s.state, s.epoch, s.config.epochs, s.loss, s.speed)

    def status_line(self) -> str:
        return self.status_bar.plain

    def schedule_display(self) -> None:
        """The status, the log's waiting lines and the chart at the display timer's next tick: at once when it was
        resting, then at most every ``display_gap`` seconds while events keep coming."""
        self.display_due = True
        self.display_timer.resume()

    def _update_display(self, final: bool = False) -> None:
        if not self.display_due:
            return self.display_timer.pause()  # nothing new since the last tick: rest until schedule_display
        self.display_due = False
        chart, s = self.chart, self.session
        if not self.app.is_running or not chart.is_attached or not chart.children:
            return  # shutting down
        self.log_pane.flush()
        self.refresh_status()
        w, b = s.params()
        self.inference.follow(w, b, s.epoch)
        self.updates += 1
        if self.updates % self.chart_every and not final:
            self.display_due = True  # the chart at the next tick
            return
        land = None
        if chart.view == "landscape-view":
            from tui_app.widgets.landscape_view import LandscapeData  # and the landscape's math, once drawn

            land = LandscapeData(s.config, s.dataset, s.history, s.initial, self.pair)
        chart.redraw(ChartData(s.history, s.dataset, w, b, s.star.loss if s.config.loss == "mse" else None,
                               chart.log_scale, s.past_runs.overlays(), s.reference, land))
        self.redraws += 1
        # a slow render (big terminal) spaces the next update out: the UI stays responsive
        gap = max(self.min_gap, 2.0 * chart.last_render_seconds())
        if abs(gap - self.display_gap) > 0.25 * self.display_gap:
            self.display_gap = gap
            self.display_timer.stop()
            self.display_timer = self.set_interval(gap, self._update_display)

    # -- configuration changes ----------------------------------------------------------------------
    def apply_config(self, config: TrainConfig, dataset: Dataset | None = None, why: str = "") -> None:
        """Take a new configuration (and data): reset the run to epoch 0."""
        self.session.set_config(config, dataset)
        if dataset is not None:
            self.inference.set_features(dataset.d)
        self.hyperparams.load(config)
        self.case_picker.selected = config.case
        self.hyperparams.show_bound(self.session)
        self.after_reset()
        self.reference_curve()
        self.say(f"{why + ': ' if why else ''}run reset to epoch 0 · {self.session.describe_config()}")

    def after_reset(self) -> None:
        self.show_step(False)
        self.status_bar.restart()
        self.inference.clear()  # predictions of the parameters before the reset
        self.log_pane.start(self.session.describe_config())
        self.refresh_status()
        self.schedule_display()

    @on(CaseChosen)
    def on_case_chosen(self, event: CaseChosen) -> None:
        self.action_case(event.case)

    @on(Input.Submitted, "#predict-input")
    def on_predict(self, event: Input.Submitted) -> None:
        event.input.select_all()  # the next inputs typed replace these
        if self.inference.show(event.value, *self.session.params(), self.session.epoch):
            self.session.predictions += 1

    # -- run control --------------------------------------------------------------------------------
    def action_toggle_run(self) -> None:
        self.show_step(False)
        restart = self.session.state.ended  # space on an ended run starts a new one
        text, level = self.session.toggle_run()
        if restart:
            self.after_reset()
        self.say(text, level)
        self.refresh_status()

    def action_block(self) -> None:
        problem = self.session.run_next_block()
        if problem is not None:
            self.say(problem, "warning")
            return
        self.refresh_status()

    def action_step(self) -> None:
        mid_epoch = self.case_picker.next_block is not None
        self.show_step(False)
        self.say(*self.session.step(mid_epoch))
        self.refresh_status()

    def action_reset(self) -> None:
        self.session.reset()
        self.after_reset()
        self.say(f"reset to epoch 0 · {self.session.describe_config()}")

    def action_case(self, case: int) -> None:
        if case != self.session.config.case:
            self.apply_config(self.session.config.with_case(case),
                              why=f"case {case} {CASES[case]} with its notebook preset")
            return
        self.action_reset()
        self.say(f"case {case} {CASES[case]} · run reset to epoch 0")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys are priority bindings (tui_app/typeahead.py): while a field has the focus they are typed into
        it instead (escape still leaves it; tab moves into the fields only from nowhere)."""
        focused = self.focused
        if action == "lesson" and self.guide is None:
            return False  # no lesson: its keys do nothing and the footer does not show them
        if action == "leave_input" or focused is None:
            return True
        if action == "fields":
            return False  # Textual's own tab (focus_next) moves on from a focused widget
        if isinstance(focused, Input) or isinstance(focused.parent, Select):  # typed into the field, or a menu's
            # search; PageDown / PageUp scroll the lesson while a question's answer is typed
            return True if focused.id == "lesson-answer" and parameters in (("down",), ("up",)) else None
        if isinstance(focused, (Checkbox, Select)) and action == "toggle_run":
            return None  # space flips the switch or opens the menu
        return True

    def on_key(self, event: events.Key) -> None:
        # without a lesson its keys are not bound (nor in the footer): they still say why they do nothing
        if self.guide is None and self.focused is None and event.key in keymap.LESSON_KEYS:
            event.stop()
            self.say("no lesson is open: start one with linreg-tui --lesson NAME (linreg lessons lists them)",
                     "warning")

    # -- once the first screen is drawn, and what the data gives ------------------------------------------
    def after_first_screen(self) -> None:
        """Once the first screen is drawn: generated data made and what it gives shown, the training process started
        (beside the first layout it would compete with it for the CPU; commands sent before wait in its pipe), plotext
        loaded; then the keys typed meanwhile, in order."""
        from tui_app.widgets.plot import preload_plotting

        if not self.session.has_data:
            try:
                self.session.dataset  # noqa: B018 - made now
            except (MemoryError, ValueError) as exc:  # --n and --features beyond this machine's memory
                msg = " ".join(str(exc).split())
                self.app.exit(2, return_code=2, message=f"linreg-tui: error: the data could not be made: {msg}")
                return
            self.start_log()
            self.show_data()
        try:
            self.session.start_stream()
        except (OSError, RuntimeError) as exc:  # e.g. no process can be started on this machine now
            self.error(f"the training process could not start: {exc}")
        self.drain()
        if self.guide is not None:
            self.guide.start()
        preload_plotting()  # the first screen has no figure to draw
        self.call_next(self.take_keys)

    async def take_keys(self) -> None:
        """The fields' switch and menu mounted, then the keys typed meanwhile, in order."""
        await self.hyperparams.add_editors()
        self.ready_for_keys = True
        if self.on_first_screen is not None:
            self.on_first_screen()


    def start_log(self) -> None:
        """The log pane (Textual's RichLog, imported now) in the place of the lines drawn for the first screen."""
        from tui_app.widgets.log_pane import LogPane

        start = self.query_one(LogStart)
        self.log_pane = LogPane(id="log")
        self.log_pane.start(self.session.describe_config())
        self.query_one("#bottom").mount(self.log_pane, before=start)
        start.remove()

    def show_data(self) -> None:
        """What the data gives: the learning-rate bound, the reference curve of a mistake, the chart."""
        self.hyperparams.show_bound(self.session)
        self.reference_curve()
        self.schedule_display()


    @work(thread=True, exclusive=True, group="reference", exit_on_error=False)
    def reference_curve(self) -> None:
        """With a mistake on: the same run without it, in a separate process (torch stays out of this one)."""
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        from linreg_core.engine import loss_curve

        config, dataset = self.session.config, self.session.dataset
        self.session.reference = None
        if config.mistake is None:
            return
        with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
            losses = pool.submit(loss_curve, config.replace(mistake=None), dataset).result()
        self.post_message(ReferenceCurve(config, losses))


    def on_reference_curve(self, message: ReferenceCurve) -> None:
        if message.config == self.session.config:  # not for a configuration changed meanwhile
            self.session.reference = message.losses
            self.schedule_display()
