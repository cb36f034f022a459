"""The session model without any UI: folding the core's real event blocks, run control, the state word."""

from __future__ import annotations

from typing import Any

import pytest

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset, seed
from linreg_core.engine import Run
from linreg_core.events import EpochEnded, Event, RunReset, RunState
from linreg_core.stream import StreamBase
from tui_app.session import MAX_LOG_LINES, Session


class Commands(StreamBase):
    """A stream that records the commands it is sent (no worker: the tests feed the events themselves)."""

    def __init__(self, config: TrainConfig, dataset: Dataset):
        super().__init__(config, dataset, None, 8, None)
        self.log: list[str] = []

    def _send(self, cmd: Any) -> None:
        self.log.append(type(cmd).__name__)

    def _interrupt(self) -> None:
        self.log.append("interrupt")


class Sink:
    def __init__(self) -> None:
        self.lines: list[tuple[list[int], int, float | None]] = []
        self.notes: list[str] = []
        self.said: list[tuple[str, str]] = []
        self.errors: list[str] = []

    def log_lines(self, lines: list[EpochEnded], skipped: int, previous: float | None) -> None:
        self.lines.append(([e.epoch for e in lines], skipped, previous))

    def log_note(self, text: str, style: str) -> None:
        self.notes.append(text)

    def say(self, text: str, level: str = "info") -> None:
        self.said.append((text, level))

    def error(self, text: str) -> None:
        self.errors.append(text)


def session(**overrides: Any) -> Session:
    cfg = TrainConfig.for_case(1, **overrides)
    return Session(cfg, seed(), Commands(cfg, seed()), 10.0)


def events_of(cfg: TrainConfig, run_id: int = 0) -> list[Event]:
    run = Run(cfg, seed(), run_id=run_id)
    out: list[Event] = [RunReset(run_id, *run.trainer.parameters(), run.loss_now())]
    for block, fin in run.blocks():
        out.append(block)
        if fin is not None:
            out.append(fin)
    return out


def test_a_whole_run_folds_into_the_seed_trace() -> None:
    s, sink = session(), Sink()
    assert s.fold(events_of(s.config), sink)  # the state word changed: the run ended
    assert s.state is RunState.FINISHED and s.epoch == 20 and len(s.history) == 20
    assert s.w[0] == pytest.approx(1.998, abs=1e-3)  # the notebook's last line: epoch 20: w=1.998
    assert s.history.loss[0] == pytest.approx(30.0)
    assert [lines for lines, _, _ in sink.lines] == [list(range(1, 21))]
    assert sink.notes[0].startswith("completed: 20 epochs")
    assert sink.said[-1] == ("finished 20 epochs — space starts again, r resets", "info")
    assert s.contiguity_errors == 0 and len(s.past_runs.runs) == 1


def test_a_flood_writes_the_latest_lines_and_counts_the_rest() -> None:
    s, sink = session(epochs=300), Sink()
    s.fold(events_of(s.config), sink)
    lines, skipped, previous = sink.lines[-1]
    assert lines == list(range(300 - MAX_LOG_LINES + 1, 301)) and skipped == 300 - MAX_LOG_LINES
    assert previous == pytest.approx(float(s.history.loss[300 - MAX_LOG_LINES - 1]))  # ▼/△ of the first line shown


def test_events_of_an_earlier_run_are_ignored_and_gaps_counted() -> None:
    s, sink = session(), Sink()
    s.fold(events_of(s.config, run_id=7), sink)
    assert s.epoch == 0 and s.state is RunState.READY and not sink.lines
    blocks = [ev for ev in events_of(s.config) if type(ev).__name__ == "EpochSpan"]
    s.fold([blocks[-1]], sink)  # not epoch 1: a gap
    assert s.contiguity_errors == 1


def test_run_control_moves_the_state_word_and_sends_commands() -> None:
    s = session()
    stream = s.stream
    assert isinstance(stream, Commands)
    assert s.toggle_run() == ("running at 10/s — space pauses", "info") and s.state is RunState.RUNNING
    assert s.toggle_run()[0].startswith("paused") and s.state is RunState.PAUSED
    assert s.step() == ("one epoch — n steps another, space runs", "info") and s.state is RunState.PAUSED
    assert stream.log == ["RunCmd", "PauseCmd", "StepCmd"]
    s.toggle_run()
    assert s.step()[0].startswith("paused, and one more epoch") and s.state is RunState.PAUSED
    s.fold(events_of(s.config), Sink())
    assert s.step() == ("the run has finished — r resets, space starts again", "warning")
    assert s.toggle_run()[0] == "started again from epoch 0" and s.state is RunState.RUNNING and s.epoch == 0
    assert stream.log[-3:] == ["interrupt", "ResetCmd", "RunCmd"] and s.run_id == 1


def test_an_unstable_learning_rate_warns_before_running() -> None:
    s = session(lr=1.0)  # η_max = 2/λmax(H) = 2/15 on the seed data
    assert s.unstable()
    text, level = s.toggle_run()
    assert level == "warning" and "η_max 0.1333" in text


def test_speed_steps_through_the_table_and_reaches_max() -> None:
    s = session()
    assert s.change_speed(faster=True) == 20
    for _ in range(20):
        s.change_speed(faster=True)
    assert s.speed is None
    assert s.change_speed(faster=False) == 5000


def test_phase_steps_only_full_batch_runs_that_have_not_ended() -> None:
    s = session()
    stream = s.stream
    assert isinstance(stream, Commands)
    assert s.run_next_block() is None and s.state is RunState.PAUSED and stream.log[-1] == "BlockCmd"
    s = session(batch_size=2)
    assert "full-batch" in (s.run_next_block() or "")
    s = session()
    s.fold(events_of(s.config), Sink())
    assert "r resets" in (s.run_next_block() or "")


def test_mistakes_offered_are_those_of_the_case() -> None:
    assert session().mistakes() == [None, "summed-gradient"]
    cfg = TrainConfig.for_case(2)
    two = Session(cfg, seed(), Commands(cfg, seed()), 10.0)
    assert two.mistakes() == [None, "no-zero-grad", "update-in-graph", "rebind-param", "non-leaf",
                              "loss-history-graph"]


def test_a_failed_run_is_its_own_state_with_torchs_words() -> None:
    cfg = TrainConfig.for_case(2, mistake="update-in-graph")
    s, sink = Session(cfg, seed(), Commands(cfg, seed()), 10.0), Sink()
    assert s.fold(events_of(cfg), sink)
    assert s.state is RunState.FAILED and s.state.ended and s.epoch == 0
    text, level = sink.said[-1]
    assert level == "error" and text.startswith("failed at epoch 1: RuntimeError: a leaf Variable")


def test_a_new_configuration_forgets_the_old_runs_start_until_the_new_one_reports() -> None:
    from tui_app.widgets.landscape_view import LandscapeData, path_of

    s = session()
    s.fold(events_of(s.config), Sink())
    assert s.initial == ((0.0,), None)
    s.set_config(s.config.replace(bias=True))
    assert s.initial is None  # the landscape must not draw a start of the other shape (found by the key storm)
    stale = LandscapeData(s.config, s.dataset, s.history, ((0.0,), None), 0)
    assert path_of(stale) == []  # a row of an earlier configuration is left out, never reshaped
