"""The run the app shows, without any UI: configuration, data, the state word, parameters, history, past runs,
the learning-rate bound and the closed form; run control through the core's stream; and the folding of the
stream's event blocks. What the folding has to say goes to a :class:`Sink` (the main screen), so all of this is
tested without Textual."""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any, Protocol

from linreg_core.config import CASES, STEP_TIMES_N, TrainConfig, mistakes_for
from linreg_core.data import Dataset, DataShape
from linreg_core.events import (
    BlockStepped,
    EpochEnded,
    EpochSpan,
    Event,
    Held,
    ParamsSet,
    RunError,
    RunFinished,
    RunReset,
    RunState,
    Warned,
)
from linreg_core.history import History
from linreg_core.stream import StreamBase
from tui_app import palette
from tui_app.runs import RunLog, params_label

#: At most this many logged epochs become log lines in one fold; the others are counted in one line.
MAX_LOG_LINES = 25
SPEEDS: list[float | None] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, None]


if TYPE_CHECKING:
    from linreg_core import analysis
    from linreg_core.lesson import Lesson


REASON_STATE = {"completed": RunState.FINISHED, "converged": RunState.CONVERGED, "diverged": RunState.DIVERGED,
                "failed": RunState.FAILED}


class Sink(Protocol):
    """Where a fold's words go (the main screen: the log and the message line)."""

    def log_lines(self, lines: list[EpochEnded], skipped: int, previous: float | None) -> None:
        """Logged epochs to write; ``skipped`` logged epochs before them are only counted; ``previous`` is the
        loss the first line compares with when some were skipped."""

    def log_note(self, text: str, style: str) -> None: ...
    def say(self, text: str, level: str = "info") -> None: ...
    def error(self, text: str) -> None: ...

    def block_stepped(self, ev: BlockStepped) -> None: ...  # a block of the epoch ran on its own (`.`)


def shape_of(dataset: Dataset) -> DataShape:
    return DataShape(dataset.name, dataset.n, dataset.d)


def generated_data_shape(config: TrainConfig) -> DataShape:
    from linreg_core.options import generated_data_shape as shape_of_config

    shape = shape_of_config(config)
    if shape is None:
        raise ValueError(f"{config.data.source}: a data file is read before the session starts")
    return shape


def speed_text(speed: float | None) -> str:
    return "max" if speed is None else f"{speed:g}/s"


class Session:
    """One app's run and its surroundings. ``stream`` is the core's training stream (thread or process)."""

    def __init__(self, config: TrainConfig, dataset: Dataset | None, stream: StreamBase, speed: float | None,
                 lesson: Lesson | None = None):
        """``dataset``: None for generated data (seed, synthetic), made from ``config`` at its first use."""
        self.config = config
        self._dataset = dataset
        #: The data's name and size (before generated data is made: the first screen shows them)
        self.shape = shape_of(dataset) if dataset is not None else generated_data_shape(config)
        self.stream = stream
        self.speed = speed
        self.state = RunState.READY
        self.run_id = 0
        self.epoch = 0
        self.loss = math.nan
        self.w: tuple[float, ...] = ()
        self.b: float | None = None
        self.history = History(self.shape.d, config.bias)
        self.past_runs = RunLog()
        self.contiguity_errors = 0
        #: The last block run on its own (`.`), and the block `.` runs next (None: the next epoch's prediction)
        self.last_block: BlockStepped | None = None
        #: The run's initial parameters (its RunReset): epoch 0 of the landscape's path
        self.initial: tuple[tuple[float, ...], float | None] | None = None
        #: With a mistake on: the losses of the same run without it (set by the main screen once computed)
        self.reference: Any = None
        self.next_block: str | None = None
        #: True once the training process has reported the current run's start (its RunReset)
        self.started = False
        self._bound: analysis.LrBound | None = None
        self._bound_unscaled: analysis.LrBound | None = None
        self._star: analysis.ClosedForm | None = None
        self._star_bias: bool | None = None
        #: The lesson the app walks through (--lesson), and how many predictions the inference box made
        self.lesson = lesson
        self.predictions = 0
        #: The screens opened over the main one, in order (a lesson's `screen` condition reads it)
        self.opened: list[str] = []

    # -- the data and what is derived from it (at first use: the first screen is drawn before) ---------
    @property
    def has_data(self) -> bool:
        """The data exists (read or made); generated data is made at its first use."""
        return self._dataset is not None

    @property
    def dataset(self) -> Dataset:
        if self._dataset is None:
            from linreg_core.options import dataset_for

            self._dataset = dataset_for(self.config)
        return self._dataset

    def start_stream(self) -> None:
        """Start the training process, with the data (made now if it is generated)."""
        self.stream.dataset = self.dataset
        self.stream.start()

    @property
    def bound(self) -> analysis.LrBound:
        """The learning-rate bound of this configuration on this data (scaled, with --standardize)."""
        if self._bound is None:
            from linreg_core.scaling import bound_for

            self._bound = bound_for(self.config, self.dataset)
        return self._bound

    @property
    def bound_unscaled(self) -> analysis.LrBound:
        if not self.config.standardize:
            return self.bound
        if self._bound_unscaled is None:
            from linreg_core.analysis import lr_bound

            self._bound_unscaled = lr_bound(self.dataset.X, self.config.bias)
        return self._bound_unscaled

    @property
    def star(self) -> analysis.ClosedForm:
        """The closed-form optimum (least squares) of this data, with or without a bias."""
        if self._star is None or self._star_bias != self.config.bias:
            from linreg_core.analysis import closed_form

            self._star = closed_form(self.dataset.X, self.dataset.y, self.config.bias)
            self._star_bias = self.config.bias
        return self._star

    def describe_config(self) -> str:
        c, ds = self.config, self.shape
        return f"case {c.case} {CASES[c.case]} · lr {c.lr:g} · {c.epochs} epochs · data {ds.name} (n={ds.n}, d={ds.d})"

    def params(self) -> tuple[tuple[float, ...], float | None]:
        """w (zeros before the first report) and b."""
        return self.w or (0.0,) * self.shape.d, self.b

    def finite_params(self) -> bool:
        return bool(self.w) and math.isfinite(sum(self.w)) and (self.b is None or math.isfinite(self.b))

    def distances(self, w: tuple[float, ...], b: float | None) -> str:
        """‖θ − θ*‖ (and ‖θ − θ_true‖ for synthetic data) for a log line."""
        from linreg_core.analysis import distance

        star, ds = self.star, self.dataset
        out = f"‖θ−θ*‖={distance(w, b, star.w, star.b):.3g}"
        if ds.true_w is not None and ds.name == "synthetic":
            out += f" ‖θ−θtrue‖={distance(w, b, ds.true_w, ds.true_b if b is not None else None):.3g}"
        return out

    def unstable(self) -> bool:
        """True when plain full-batch gradient descent at this lr will diverge."""
        return self.config.plain_gd and self.config.lr >= self.bound.eta_max

    # -- run control ------------------------------------------------------------------------------------
    def set_config(self, config: TrainConfig, dataset: Dataset | None = None) -> None:
        """Take a new configuration (and data) and reset the run to epoch 0."""
        if dataset is not None:
            self._dataset, self.shape, self._star = dataset, shape_of(dataset), None
        self.config = config
        self._bound = self._bound_unscaled = None
        self.reset(dataset)

    def reset(self, dataset: Dataset | None = None) -> None:
        self.run_id = self.stream.reset(self.config, dataset)
        self.started = False
        self.initial = None  # until the new run reports its start
        self.state = RunState.READY
        self.last_block, self.next_block = None, None
        self.epoch = 0
        self.history = History(self.shape.d, self.config.bias)

    def toggle_run(self) -> tuple[str, str]:
        """Space: run, pause, or start a finished run again. Returns the message to show and its level."""
        if self.state is RunState.RUNNING:
            self.stream.pause()
            self.state = RunState.PAUSED
            return "paused — space continues, n steps one epoch", "info"
        if self.state.ended:
            self.reset()
            self.stream.run()
            self.state = RunState.RUNNING
            return "started again from epoch 0", "info"
        self.stream.run()
        self.state = RunState.RUNNING
        if self.unstable() and self.epoch == 0:
            return (f"warning: lr {self.config.lr:g} ≥ η_max {self.bound.eta_max:.4g}: expect divergence",
                    "warning")
        return f"running at {speed_text(self.speed)} — space pauses", "info"

    def step(self, mid_epoch: bool = False) -> tuple[str, str]:
        """n: one epoch (a running run pauses first; in the middle of an epoch, its rest). The message to show
        and its level."""
        if self.state.ended:
            return f"the run has {self.state} — r resets, space starts again", "warning"
        was = self.state
        self.stream.step(1)
        self.state = RunState.PAUSED
        if was is RunState.RUNNING:
            return "paused, and one more epoch — space runs on, n steps another", "info"
        if mid_epoch:
            return "the rest of the epoch ran — n steps another, . steps inside the next", "info"
        return "one epoch — n steps another, space runs", "info"

    def run_next_block(self) -> str | None:
        """`.`: the next block of the next epoch on its own; a message when it cannot run."""
        if self.state.ended:
            return f"the run has {self.state} — r resets, space starts again"
        if self.config.batch_size is not None and self.config.batch_size < self.shape.n:
            return "stepping inside an epoch steps a full-batch epoch: clear Batch size first"
        if self.state is RunState.RUNNING:
            self.stream.pause()
        self.stream.run_next_block()
        self.state = RunState.PAUSED
        return None

    def mistakes(self) -> list[str | None]:
        """No mistake, then the mistakes the selected case can make (what `m` cycles through)."""
        return [None, *mistakes_for(self.config.case)]

    def set_speed(self, speed: float | None) -> None:
        self.speed = speed
        self.stream.set_speed(speed)

    def change_speed(self, faster: bool) -> float | None:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else (3 if faster else len(SPEEDS) - 1)
        self.set_speed(SPEEDS[min(i + 1, len(SPEEDS) - 1)] if faster else SPEEDS[max(i - 1, 0)])
        return self.speed

    # -- folding the stream's events --------------------------------------------------------------------
    def fold(self, batch: list[Event], sink: Sink) -> bool:
        """Fold a batch of events into the state; True when the state word changed (a run ended)."""
        state = self.state
        folding = _Folding(self, sink)
        for ev in batch:
            if ev.run_id != self.run_id:
                continue  # from a run that was reset meanwhile
            if type(ev) is EpochSpan:
                if len(ev):
                    folding.block(ev)
            elif isinstance(ev, EpochEnded):
                folding.epoch(ev)
            elif isinstance(ev, RunReset):
                self.epoch, self.w, self.b, self.loss = 0, ev.w, ev.b, ev.loss
                self.initial = (ev.w, ev.b)
                self.started = True
            elif isinstance(ev, RunFinished) and ev.reason != "stopped":
                folding.flush()
                self._finish(ev, sink)
            elif isinstance(ev, ParamsSet):
                folding.flush()
                self._params_set(ev, sink)
            elif isinstance(ev, BlockStepped):
                folding.flush()
                self.last_block, self.next_block = ev, ev.next_block
                sink.block_stepped(ev)
            elif isinstance(ev, (Warned, Held)):  # torch's warning; a mistake's memory (logged when the run ends)
                folding.flush()
                text = f"{'torch warned at ' if isinstance(ev, Warned) else ''}epoch {ev.epoch}: {ev.message}"
                sink.say(text, "warning")
                if isinstance(ev, Warned) or self.state.ended:
                    sink.log_note(f"⚠ {text}", palette.NOTE)
            elif isinstance(ev, RunError):
                sink.error(f"core error: {ev.message} — change a setting or press r")
        folding.flush()
        return self.state != state

    def _finish(self, ev: RunFinished, sink: Sink) -> None:
        self.state = REASON_STATE.get(ev.reason, RunState.FINISHED)
        self.past_runs.add(self.config, self.dataset.name, ev.reason, ev.epochs, ev.loss, self.history)
        self.loss, self.w, self.b = ev.loss, ev.w, ev.b
        from linreg_core.analysis import distance

        star = self.star
        dist = distance(ev.w, ev.b, star.w, star.b) if math.isfinite(sum(ev.w)) else math.inf
        summary = f"{ev.reason}: {ev.epochs} epochs, loss at final parameters {ev.loss:.6g}, ‖θ−θ*‖ = {dist:.4g}"
        sink.log_note(summary, palette.ALARM if ev.reason == "diverged" else "bold")
        if ev.reason == "failed":  # torch refused a step (a mistake): its own words
            sink.say(f"failed at epoch {ev.epochs + 1}: {ev.message} — r resets, m changes the mistake", "error")
            sink.log_note(ev.message, palette.BAD)
        elif ev.reason == "diverged":
            sink.say(self._diverged_text(ev.epochs), "error")
            sink.log_note(ev.message, palette.BAD)
        elif ev.reason == "converged":
            sink.say(ev.message)
        else:
            sink.say(f"finished {ev.epochs} epochs — space starts again, r resets")

    def _diverged_text(self, epochs: int) -> str:
        c, eta_max = self.config, self.bound.eta_max
        if c.mistake in STEP_TIMES_N:
            n = self.dataset.n
            sign = ">" if n * c.lr > eta_max else "≤"
            return (f"diverged at epoch {epochs}: the summed gradient makes each step N = {n} times larger — "
                    f"effective rate {n} × {c.lr:g} = {n * c.lr:.4g} {sign} η_max = {eta_max:.4g} — r resets")
        bound = (f"stable bound η_max = {eta_max:.4g}" if c.plain_gd else
                 f"η_max = {eta_max:.4g} for plain full-batch SGD")
        return (f"diverged at epoch {epochs}: lr {c.lr:g} used, {bound} — r resets, or lower the learning rate "
                f"(o sets η_opt)")

    def _params_set(self, ev: ParamsSet, sink: Sink) -> None:
        self.w, self.b, self.loss = ev.w, ev.b, ev.loss
        sink.log_note(f"epoch {ev.epoch}: set by hand to {params_label(ev.w, ev.b)} (loss there {ev.loss:.6g}); "
                      f"training continues from them", "bold yellow")
        sink.say(f"parameters set at epoch {ev.epoch}: loss there {ev.loss:.6g} — space or n continues")


class _Folding:
    """One batch being folded: epochs go to the history in runs, the latest logged ones to the log."""

    def __init__(self, session: Session, sink: Sink):
        self.s, self.sink = session, sink
        self.every = session.config.log_every
        self.singles: list[EpochEnded] = []  # single epochs not yet in the history
        self.logged: deque[EpochEnded] = deque(maxlen=MAX_LOG_LINES + 1)  # one more than are written, for ▼/△
        self.n_logged = 0
        self.last: EpochEnded | None = None

    def _check(self, first: int) -> None:
        if first != self.s.epoch + 1:
            self.s.contiguity_errors += 1

    def block(self, ev: EpochSpan) -> None:
        self.s.next_block = None
        self._check(ev.first)
        self._history()
        self.s.history.extend_block(ev)
        self.s.epoch = ev.last
        self.last = ev.event(len(ev) - 1)
        shown = range((1 - ev.first) % self.every, len(ev), self.every)  # epochs e with (e - 1) % every == 0
        keep = shown[-(MAX_LOG_LINES + 1):]
        self.n_logged += len(shown) - len(keep)
        for i in keep:
            self._logged(ev.event(i))

    def epoch(self, ev: EpochEnded) -> None:
        self.s.next_block = None  # an epoch ended: the next block `.` runs is the next epoch's prediction
        self._check(ev.epoch)
        self.singles.append(ev)
        self.s.epoch = ev.epoch
        self.last = ev
        if (ev.epoch - 1) % self.every == 0:
            self._logged(ev)

    def _logged(self, ev: EpochEnded) -> None:
        self.n_logged += 1
        self.logged.append(ev)

    def _history(self) -> None:
        if self.singles:
            self.s.history.extend(self.singles)
            self.singles.clear()

    def flush(self) -> None:
        """History for every epoch so far; log lines for the last few logged ones (the rest are counted)."""
        self._history()
        if self.last is not None:
            self.s.w, self.s.b, self.s.loss = self.last.w, self.last.b, self.last.loss
            self.last = None
        if self.n_logged:
            tail = list(self.logged)[-MAX_LOG_LINES:]
            previous = self.logged[0].loss if self.n_logged > len(tail) and len(self.logged) > len(tail) else None
            self.sink.log_lines(tail, self.n_logged - len(tail), previous)
            self.logged.clear()
            self.n_logged = 0
