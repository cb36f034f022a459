"""The linreg-tui application: a small App around the main screen, the session it shows and the core's stream."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import RunState
from linreg_core.stream import ProcessRunStream, RunStream
from tui_app import keymap, palette
from tui_app.screens.main import MainScreen
from tui_app.session import REASON_STATE, Session
from tui_app.typeahead import TypeAhead
from tui_app.widgets.lesson_pane import LessonPane

if TYPE_CHECKING:
    from linreg_core.classroom import Learner
    from linreg_core.lesson import Lesson
    from linreg_core.questions import Recorder, Records
    from tui_app.visitor import Served


class LinregApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "linreg-tui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (150, "-full")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    # On every screen: help and quit. The run's keys are the main screen's (keymap.py).
    BINDINGS = [Binding("question_mark", "help", "Help", show=False), Binding("q", "quit_app", "Quit", show=False),
                # over a view, a lesson's text beside it scrolls first (then the view's own content)
                Binding("pagedown", "lesson_page(True)", show=False, priority=True),
                Binding("pageup", "lesson_page(False)", show=False, priority=True)]

    def __init__(self, config: TrainConfig, dataset: Dataset | None, *, speed: float | None = 10.0,
                 cursor_blink: bool = True,
                 stream_factory: type[RunStream] | type[ProcessRunStream] = ProcessRunStream,
                 on_first_screen: Callable[[], None] | None = None, lesson: Lesson | None = None,
                 served: Served | None = None, recorder: Recorder | None = None,
                 learner: Learner | None = None):
        """``learner``: a class's visitor (--class), who signs in first; their steps, answers and runs are stored."""
        super().__init__()
        self.served = served
        self.learner = learner
        # --record: a lesson's answers and steps, as JSON lines; in a class, into the class's store
        self.recorder: Records | None = learner if learner is not None else recorder
        self.cursor_blink = cursor_blink
        self._on_first_screen = on_first_screen
        # Built here, started once the first screen is drawn: the process stream starts multiprocessing's
        # resource tracker when it is built, which must happen before Textual redirects stderr.
        self.session = Session(config, dataset, stream_factory(config, dataset, speed=speed), speed, lesson)
        self.typeahead = TypeAhead(self)
        if learner is not None:
            self.session.past_runs.listeners.append(
                lambda run: learner.run(run.config.case, run.config.lr, run.epochs, run.loss,
                                        REASON_STATE.get(run.reason, RunState.FINISHED).value))
        self.console.push_theme(palette.rich_theme(self.theme_variables))

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(palette.VARIABLES)  # tui_app/palette.py

    async def on_event(self, event: events.Event) -> None:
        """Keys one at a time, each where the previous one sent the focus (tui_app/typeahead.py)."""
        if not isinstance(event, events.Key):
            await super().on_event(event)
        elif self.typeahead.hold(event) or self.typeahead.answered(event):
            return  # held for a screen not ready yet (replayed in order), or answered in its turn already
        elif event.is_forwarded:
            await super().on_event(event)
        else:
            target = self.focused or self.screen
            self.typeahead.track(event)
            await super().on_event(event)
            await self.typeahead.settle(event, target)
            guide = getattr(self.screen_stack[0], "guide", None) if self.screen_stack else None
            if guide is not None:
                guide.check()  # what the key did, before the next key can undo it

    @property
    def main(self) -> MainScreen:
        """The main screen (also while another screen is on top)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self.on_screen_change)
        self.theme_changed_signal.subscribe(self, lambda _theme: self.recolor())
        self.typeahead.follow(self.screen)
        if self.learner is not None:
            from tui_app.screens.sign_in import SignInScreen

            lesson = self.session.lesson
            self.push_screen(SignInScreen(self.learner, lesson.title if lesson else None), self.signed_in)

    def signed_in(self, name: str | None) -> None:
        """A class's visitor is in: heard from every few seconds, their name in the header."""
        from linreg_core.classroom import HEARTBEAT_SECONDS

        assert self.learner is not None
        self.set_interval(HEARTBEAT_SECONDS, self.heartbeat)
        self.sub_title = name or ""  # in the header, literally (a name is never markup)

    def heartbeat(self) -> None:
        """The class hears from this visitor; a write the store refused is said (once per failure)."""
        assert self.learner is not None
        self.learner.heartbeat()
        failed, self.learner.failed = self.learner.failed, None
        if failed:
            self.main.error(f"the class's store: {failed} — your work goes on here, but is not recorded")

    def on_screen_change(self, screen: Screen[Any]) -> None:
        """Every view opened over the main one is counted by its name (a lesson's `screen` condition reads the
        list); one shown again when a dialog over it closes counts again, which a lesson's condition never minds."""
        name = getattr(screen, "LESSON_NAME", None)
        if name is not None and screen is not self.screen_stack[0]:
            self.session.opened.append(name)
        self.typeahead.follow(screen)

    def recolor(self) -> None:
        """A new theme: the text's roles take its colours, and every screen draws again what it drew with the old."""
        self.console.pop_theme()
        self.console.push_theme(palette.rich_theme(self.theme_variables))
        for screen in self.screen_stack:
            getattr(screen, "recolor", lambda: None)()

    def get_default_screen(self) -> Screen[Any]:
        # The first Resize gives the main screen its breakpoint classes, and a change of classes restyles every
        # widget on it. Given now, from the terminal's size, that first restyle finds nothing to change (a
        # faster first screen); a terminal of another size only costs the restyle it would have cost anyway.
        screen = MainScreen(self.session, cursor_blink=self.cursor_blink, on_first_screen=self._on_first_screen,
                            served=self.served)
        try:
            width, height = os.get_terminal_size(sys.__stdout__.fileno() if sys.__stdout__ else 1)
        except (OSError, ValueError):  # not a terminal (headless tests): the Resize sets them
            return screen
        for size, breakpoints in ((width, self.HORIZONTAL_BREAKPOINTS), (height, self.VERTICAL_BREAKPOINTS)):
            screen.add_class(*screen._get_breakpoint_classes(size, list(breakpoints or [])), update=False)
        return screen

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for the errors of every worker: a message, and the app keeps running."""
        if event.state == WorkerState.ERROR and self.is_running:
            err = event.worker.error
            self.main.error(f"internal error in {event.worker.name}: {type(err).__name__}: {err}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "lesson_page":  # only where a lesson beside a view has more text that way
            if self.screen is self.main:
                return False
            return any(p.display and p.can_page(bool(parameters[0])) for p in self.screen.query(LessonPane))
        return True

    def action_lesson_page(self, down: bool) -> None:
        self.screen.query_one(LessonPane).page(down)

    def action_help(self) -> None:
        from tui_app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit_app(self) -> None:
        self.session.stream.stop(timeout=1.0)
        self.exit(0)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            for key in keymap.palette():
                yield SystemCommand(key.title, f"{key.help} ({key.shown})", keymap.bound_action(screen, key.action))

    def on_unmount(self) -> None:
        self.session.stream.stop(timeout=1.0)
        if self.learner is not None:
            self.learner.close()
