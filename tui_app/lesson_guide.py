"""A lesson on the main screen: opens each step (applying its setup), asks its question and grades the answers,
watches what the app shows and moves on when the step's expectation holds; the keys > < H i a go back and forth,
show the hint, hide the pane, go into the answer field, PageDown / PageUp scroll its text. A step whose setup
changes the run opens only on the main screen, never under an open view."""

from __future__ import annotations

import time
from dataclasses import fields
from typing import Any, Callable, Protocol

from rich.text import Text
from textual.app import App
from textual.timer import Timer

from linreg_core import lesson as lessons
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.options import BAD_INPUT, UsageError
from linreg_core.questions import Records, Unanswerable, answer_of, grade, recorded
from tui_app import palette
from tui_app.session import Session
from tui_app.widgets.lesson_pane import LessonPane
from tui_app.widgets.loss_chart import LossChart


class Host(Protocol):
    """What the guide needs of the screen it walks a lesson on (the main screen)."""

    session: Session
    chart: LossChart

    @property
    def app(self) -> App[Any]: ...

    def say(self, text: str, level: str = "info") -> None: ...

    def error(self, text: str) -> None: ...

    def apply_config(self, config: TrainConfig, dataset: Dataset | None = None, why: str = "") -> None: ...

    def set_class(self, add: bool, *class_names: str, update: bool = True) -> Any: ...

    @property
    def on_top(self) -> bool: ...

    def set_interval(self, interval: float, callback: Callable[[], Any] | None = None, *, name: str | None = None,
                     repeat: int = 0, pause: bool = False) -> Timer: ...

    def lesson_pane(self) -> LessonPane: ...

#: The hint shows by itself after this many seconds on a step (H shows it at once).
HINT_AFTER = 30.0
#: How often the expectation is checked (seconds).
CHECK_EVERY = 0.2
VIEWS = {"loss-view": "loss", "param-view": "params", "landscape-view": "landscape"}


class LessonGuide:
    def __init__(self, screen: Host, lesson: lessons.Lesson, recorder: Records | None = None):
        self.screen = screen
        self.walk = lessons.Walk(lesson)
        self.opened_at = time.monotonic()
        self.checking = False
        self.waiting: int | None = None  # a step done on a view: the next one's setup waits for the main screen
        self.recorder = recorder
        #: The open step's question: its right answer (computed when it opens), the answers given, what they got.
        self.expected: float | None = None
        self.tries = 0
        self.feedback: Text | None = None

    @property
    def pane(self) -> LessonPane:
        return self.screen.lesson_pane()

    @property
    def on_view(self) -> bool:
        """Another screen (a view, a dialog) is open over the main one."""
        return not self.screen.on_top

    def start(self) -> None:
        self.open(0)
        self.screen.set_interval(CHECK_EVERY, self.check)

    def facts(self) -> lessons.Facts:
        s = self.screen.session
        return lessons.Facts(epoch=s.epoch, state=s.state.value, case=s.config.case,
                             view=VIEWS.get(self.screen.chart.view, "loss"), block=s.next_block or "prediction",
                             mistake=s.config.mistake or "none",
                             screen=getattr(self.screen.app.screen, "LESSON_NAME", "main"), loss=s.loss,
                             predicted=s.predictions, opened=tuple(s.opened))

    def open(self, index: int, announce: bool = True) -> None:
        """Open step ``index``: its setup applied (the run reset, said on the message line), its text shown. A step
        the lesson moved on to by itself without a setup leaves the message line to the app's answer to what the
        learner just did (torch's error, the divergence); the pane says where the lesson is."""
        walk = self.walk
        index = max(0, min(index, len(walk.lesson.steps) - 1))
        if walk.lesson.steps[index].setup and self.on_view:
            self.waiting = index  # opened when the learner is back (resume)
            self.show()
            return
        self.waiting = None
        walk.index = index
        step, where = walk.step, f"lesson step {walk.index + 1} of {len(walk.lesson.steps)}"
        if step.setup:
            self.apply(step, where)
        elif announce:
            self.screen.say(f"{where} — to go on: {step.goal()}")
        walk.open(walk.index, self.facts())
        self.opened_at = time.monotonic()
        if self.recorder is not None:
            self.recorder.write(step=walk.index + 1, reached=True)
        self.ask(step)
        self.show()
        if step.question is not None and not walk.answered and self.pane.display:
            self.pane.focus_answer()

    # -- the step's question ----------------------------------------------------------------------------
    def ask(self, step: lessons.Step) -> None:
        """Work out the open step's answer from a run of a copy of the configuration it asks about, from epoch 0
        (the run on screen, of the same configuration, goes through the same epochs)."""
        self.expected, self.tries, self.feedback = None, 0, None
        q = step.question
        if q is None:
            return
        s = self.screen.session
        try:
            self.expected = answer_of(q, s.config, s.dataset)
        except Unanswerable as exc:
            self.feedback = Text.styled(f"This question has no answer on this run: {exc}", palette.BAD)
            self.walk.answer(self.facts())

    def submit(self, text: str) -> None:
        """Grade an answer typed into the pane: right, not quite (attempts left), or the answer after the last."""
        walk, q, expected = self.walk, self.walk.step.question, self.expected
        if q is None or expected is None or walk.answered:
            return
        got = grade(q, expected, text)
        if got.given is None:
            self.screen.say(got.message, "warning")
            return
        self.tries += 1
        if self.recorder is not None:
            self.recorder.write(step=walk.index + 1, ask=q.ask, given=int(got.given) if q.is_choice else got.given,
                                expected=int(expected) if q.is_choice else recorded(expected), correct=got.correct,
                                attempt=self.tries, hints=walk.hints,
                                seconds=round(time.monotonic() - self.opened_at, 1))
        left = q.attempts - self.tries
        if got.correct:
            self.feedback = Text.styled(f"✓ right: {q.shown(expected)}", palette.GOOD)
            self.screen.say(f"✓ right: {q.ask}: {q.shown(expected)}", "info")
        elif left > 0:
            self.feedback = Text.styled(f"✗ not quite — {left} attempt{'s' * (left > 1)} left", palette.BAD)
            self.screen.say(f"✗ not quite — {left} attempt{'s' * (left > 1)} left", "warning")
        else:
            self.feedback = Text.styled(f"✗ not quite. The answer: {q.shown(expected)}", palette.BAD)
            self.screen.say(f"✗ not quite — the answer: {q.shown(expected)}", "warning")
        if got.correct or left <= 0:
            if q.explain:
                self.feedback.append(f"\n{q.explain}")
            walk.answer(self.facts())
        self.show(reveal=True)

    def apply(self, step: lessons.Step, where: str) -> None:
        s = self.screen.session
        try:
            config, dataset, args = lessons.apply(step.setup, self.walk.lesson.path.parent, s.config, s.dataset)
        except (*BAD_INPUT, UsageError, OSError) as exc:
            self.screen.error(f"{where}: setup not applied: {' '.join(str(exc).split())}")
            return
        if "speed" in step.setup:
            s.set_speed(args.speed)
        changed = changes(s.config, config)
        self.screen.apply_config(config, dataset if dataset is not s.dataset else None,
                                 why=f"{where}: {changed}" if changed else where)

    def check(self) -> None:
        """Move on when the open step's expectation holds; show the hint after a while. Called after each key,
        each batch of the run's events, and every CHECK_EVERY seconds."""
        walk = self.walk
        if walk.finished or self.checking or self.waiting is not None:
            return
        if walk.done(self.facts()):
            self.checking = True  # opening the next step applies its setup, which reports back here
            try:
                self.advance()
            finally:
                self.checking = False
        elif not walk.hint_shown and walk.step.hint and time.monotonic() - self.opened_at > HINT_AFTER:
            walk.hint_shown = True
            self.show()

    def resume(self) -> None:
        """Back on the main screen: the step that waited opens (its setup applied now)."""
        if self.waiting is not None:
            self.open(self.waiting)
        elif self.walk.step.question is not None and not self.walk.answered and self.pane.display:
            self.pane.focus_answer()  # a question asked while a view was open

    def advance(self, announce: bool = False) -> None:
        walk = self.walk
        if walk.index + 1 < len(walk.lesson.steps):
            self.open(walk.index + 1, announce)
            return
        walk.finished = True
        self.screen.say(f"lesson complete: {walk.lesson.title}", "info")
        self.show()

    def command(self, what: str) -> None:
        """The lesson keys: next, back, hint, pane."""
        walk = self.walk
        if what == "next":
            if walk.finished:
                self.screen.say("the lesson is complete: < goes back")
            else:
                self.advance(announce=True)
        elif what == "back":
            if walk.index == 0 and not walk.finished:
                self.screen.say("this is the lesson's first step")
            else:
                self.open(walk.index - 1 if not walk.finished else walk.index)
        elif what == "answer":
            if walk.step.question is None:
                self.screen.say("this step asks no question")
            elif walk.answered:
                self.screen.say("this step's question is answered")
            elif not self.pane.display:
                self.screen.say("the lesson pane is hidden: i shows it")
            else:
                self.pane.focus_answer()
        elif what == "hint":
            if walk.step.hint:
                walk.hints = 1  # the step's hint, asked for: used (shown by itself after a while, it is not)
            walk.hint_shown = True
            self.screen.say(f"hint: {walk.step.hint}" if walk.step.hint else "this step has no hint")
            self.show()
        elif what in ("down", "up"):
            if not self.pane.display:
                self.screen.say("the lesson pane is hidden: i shows it")
            elif not self.pane.page(what == "down"):
                self.screen.say("the end of this step's text" if what == "down" else "the start of this step's text")
        elif what == "pane":
            self.pane.display = not self.pane.display
            self.screen.set_class(self.pane.display, "-with-lesson")
            self.screen.say("lesson pane shown" if self.pane.display else "lesson pane hidden: i shows it again")

    def show(self, reveal: bool = False) -> None:
        """Every lesson pane open: the main screen's, and the one beside a view (``reveal``: an answer's feedback)."""
        for screen in self.screen.app.screen_stack:
            for pane in screen.query(LessonPane):
                pane.show(self.walk, waiting=self.waiting is not None, feedback=self.feedback, reveal=reveal)


def changes(old: TrainConfig, new: TrainConfig) -> str:
    """What a setup changed, in words: ``case 1 → 2, lr 0.02 → 0.01``."""
    out = []
    for f in fields(TrainConfig):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a != b:
            if f.name == "data":
                a, b = a.source, b.source
            out.append(f"{f.name} {_text(a)} → {_text(b)}")
    return ", ".join(out)


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return ",".join(_text(v) for v in value)
    return "none" if value is None else str(value)
