"""Lessons in the app: the built-in lessons walked to their end under Pilot, each question answered wrong, then right,
and each step's action done by keys as its text says and the lesson seen moving on; the pane's keys; the messages
of setups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Markdown

from linreg_core import lesson
from linreg_core.config import TrainConfig
from linreg_core.data import seed
from linreg_core.questions import answer_of
from tui_app.app import LinregApp
from tui_app.widgets.lesson_pane import LessonPane

from .helpers import keys_to_app, screen_text, settle, wait_for

#: Where in a step's keys the learner answers its question (first, unless the step says where)
ANSWER = "answer"
#: What a learner presses in each step of the built-in lessons, as the step's text says (keys after the one that
#: moved the lesson on are the next step's: `escape` closing a view the step before opened).
WALKS: dict[str, list[list[str]]] = {
    "notebook": [["n"], ["full_stop"] * 4, ["v"], ["d", "escape", ANSWER, "2"], ["v"], ["d", "escape", "3", "space"],
                 ["4", "c"], ["escape", "greater_than_sign"]],
    "learning-rate": [["space"], ["t", "t"], ["greater_than_sign"], ["space"], ["greater_than_sign"], ["space"],
                      ["o", "n", "n"], ["greater_than_sign"]],
    "mistakes": [["n", "n", "n"], ["full_stop"] * 3, ["v", "escape"], ["space"], ["greater_than_sign"], ["n"],
                 ["greater_than_sign"], ["space"], ["m"], ["greater_than_sign"]],
    "predict": [["n"], ["n"], ["p", "5", "enter"], ["escape", "greater_than_sign"], ["space"], ["greater_than_sign"],
                ["n", "n"], ["greater_than_sign"]],
}
KEY_OF = {"-": "minus", ".": "full_stop"}


async def type_answer(pilot: Pilot[Any], text: str) -> None:
    """Typed into the focused answer field, key by key, then Enter."""
    await pilot.press(*(KEY_OF.get(c, c) for c in text), "enter")
    await pilot.pause(0.05)


async def answer_wrong_then_right(pilot: Pilot[Any], app: LinregApp, step: lesson.Step) -> None:
    """A wrong answer first (feedback: not quite, one attempt left), then the key's (feedback: right)."""
    q = step.question
    assert q is not None
    assert isinstance(app.focused, Input) and app.focused.id == "lesson-answer", "the answer field has the focus"
    right = answer_of(q, app.session.config, app.session.dataset)
    wrong = f"{int(right) % len(q.choices) + 1}" if q.is_choice else f"{right * 2 + 1:.6g}"
    await type_answer(pilot, wrong)
    feedback = str(app.main.lesson_pane().query_one("#lesson-feedback").render())
    assert feedback == "✗ not quite — 1 attempt left", "no answer shown yet"
    assert "✗ not quite — 1 attempt left" in screen_text(app)
    app.focused.value = ""  # the field keeps the wrong answer selected: typing replaces it
    await type_answer(pilot, f"{int(right)}" if q.is_choice else f"{right:.6g}")
    assert "✓ right" in screen_text(app)
    assert app.focused is None, "the keys are the app's again"


def lesson_app(name: str, speed: float | None = None) -> LinregApp:
    return LinregApp(TrainConfig.for_case(1), seed(), speed=speed, cursor_blink=False, lesson=lesson.load(name))


def file_lesson_app(folder: Path, text: str) -> LinregApp:
    """The app on a lesson file written in ``folder``."""
    path = folder / "lesson.toml"
    path.write_text(text)
    return lesson_app(str(path))


def test_every_builtin_lesson_has_a_walk() -> None:
    """... and never resets the run the step before asked the learner to make: a step with a setup follows a step
    that moves on by a key (or opens a view), so the learner has looked at the run before it goes."""
    assert set(WALKS) == set(lesson.builtin_names())
    for name, walk in WALKS.items():
        steps = lesson.load(name).steps
        assert len(walk) == len(steps)
        for step, keys in zip(steps, walk, strict=True):
            # a step with an expectation moves on by what it asks for, never by the > key
            assert ("greater_than_sign" in keys) == (not step.expect)
        for before, step in zip(steps, steps[1:], strict=False):
            if step.setup:
                assert not before.expect or set(before.expect) <= {"screen", "view"}, (name, step.line)


@pytest.mark.parametrize("name", sorted(WALKS))
@pytest.mark.slow
async def test_a_builtin_lesson_runs_to_its_end(name: str) -> None:
    app = lesson_app(name)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        guide = app.main.guide
        assert guide is not None
        walk = guide.walk
        steps = walk.lesson.steps
        for i, keys in enumerate(WALKS[name]):
            assert walk.index == i and not walk.finished
            text = app.main.query_one(LessonPane).query_one(Markdown).source
            assert text == steps[i].text, f"step {i + 1}'s text is shown"
            if steps[i].question is not None and ANSWER not in keys:
                await answer_wrong_then_right(pilot, app, steps[i])
            for key in keys:
                if key == ANSWER:
                    await answer_wrong_then_right(pilot, app, steps[i])
                    continue
                await pilot.press(key)
                await pilot.pause(0.05)
            await wait_for(pilot, lambda i=i: walk.finished or walk.index == i + 1, timeout=30)  # type: ignore[misc]
        assert walk.finished
        assert f"lesson complete: {walk.lesson.title}" in app.main.message_line.text
        assert "Lesson complete" in screen_text(app)
        assert app.main.errors == []


@pytest.mark.slow
async def test_the_pane_keys_and_the_setup_message() -> None:
    app = lesson_app("mistakes")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        guide = app.main.guide
        assert guide is not None
        s = app.session
        # step 1's setup was applied, and the message line says what it changed
        assert (s.config.case, s.config.mistake) == (2, "no-zero-grad")
        assert app.main.message_line.text.startswith("lesson step 1 of 10: case 1 → 2, lr 0.02 → 0.01")
        assert "mistake none → no-zero-grad" in app.main.message_line.text
        # step 1 asks a question: its answer field has the focus; escape gives the keys back to the app, a takes
        # them to the field again
        answer = app.main.query_one("#lesson-answer", Input)
        assert app.focused is answer
        await pilot.press("escape", "a")
        assert app.focused is answer
        # > and < go back and forth; a step's setup is applied again when it opens
        await pilot.press("escape", "greater_than_sign", "greater_than_sign", "greater_than_sign")
        await wait_for(pilot, lambda: guide.walk.index == 3)
        assert (s.config.case, s.config.mistake) == (3, "zero-grad-before-step")  # step 4
        await pilot.press("escape", "less_than_sign")
        await wait_for(pilot, lambda: guide.walk.index == 2)
        await pilot.press("a")
        assert app.main.message_line.text == "this step asks no question"
        await pilot.press("less_than_sign", "less_than_sign")
        await wait_for(pilot, lambda: guide.walk.index == 0)
        assert (s.config.case, s.config.mistake, s.epoch) == (2, "no-zero-grad", 0)
        await pilot.press("escape", "n", "less_than_sign")  # < on the first step: a message, the run is kept
        await wait_for(pilot, lambda: s.epoch == 1)
        assert app.main.message_line.text == "this is the lesson's first step" and guide.walk.index == 0
        # H shows the hint, in the pane and on the message line
        await pilot.press("H")
        await pilot.pause(0.1)
        assert "Hint: n runs one epoch." in screen_text(app)
        assert app.main.message_line.text == "hint: n runs one epoch."
        # i hides the pane and shows it again
        pane = app.main.query_one(LessonPane)
        await pilot.press("i")
        await pilot.pause(0.1)
        assert not pane.display and "Lesson: Why zero_grad()" not in screen_text(app)
        await pilot.press("i")
        await pilot.pause(0.1)
        assert pane.display and "Lesson: Why zero_grad()" in screen_text(app)
        # the footer shows the lesson's keys
        assert "Next step" in screen_text(app)


async def test_without_a_lesson_its_keys_do_nothing_and_are_not_in_the_footer() -> None:
    app = LinregApp(TrainConfig.for_case(1), seed(), speed=None, cursor_blink=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        await pilot.press("greater_than_sign", "less_than_sign", "H", "i")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Next step" not in text and "Lesson" not in text
        assert app.main.errors == [] and not app.main.query(LessonPane)


@pytest.mark.slow
async def test_a_setup_that_cannot_apply_now_is_a_message(tmp_path: Path) -> None:
    """A step's setup checked at start can still meet a configuration the learner changed: a message, no crash."""
    app = file_lesson_app(tmp_path, 'title = "t"\n[[step]]\ntext = "one"\n[[step]]\ntext = "two"\n'
                                    'setup = { mistake = "summed-gradient" }\n')
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")  # case 3 cannot make case 1's mistake
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: app.main.guide is not None and app.main.guide.walk.index == 1)
        assert "lesson step 2 of 2: setup not applied: mistake: summed-gradient is not a mistake case 3 can make" \
            in app.main.errors[-1]
        assert app.session.config.case == 3


async def test_a_prediction_moves_a_step_on(tmp_path: Path) -> None:
    app = file_lesson_app(tmp_path, 'title = "t"\n[[step]]\ntext = "Press p, type 5 and Enter."\n'
                                    'expect = { predicted = true }\n[[step]]\ntext = "done"\n')
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        guide = app.main.guide
        assert guide is not None
        await pilot.press("p", "x", "enter")  # a bad input is no prediction
        await pilot.pause(0.3)
        assert guide.walk.index == 0
        await pilot.press("backspace", "5", "enter")
        await wait_for(pilot, lambda: guide.walk.index == 1)


def test_lesson_with_a_broken_file_exits_2_before_drawing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tui_app.__main__ import main

    path = tmp_path / "bad.toml"
    path.write_text('title = "t"\n[[step]]\ntext = "a"\nexpect = { case = 5 }\n\n[[step]]\nsetup = { lr = -1 }\n')
    assert main(["--lesson", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"linreg-tui: error: {path}:4: step 1: expect: case = 5 can never hold (case is one of 1, 2, 3, 4)",
                   f"linreg-tui: error: {path}:6: step 2: text is required (a non-empty Markdown string)",
                   f"linreg-tui: error: {path}:7: step 2: setup: lr: must be > 0 and finite (got -1.0)"]
    assert main(["--lesson", "no-such-lesson"]) == 2
    assert "no-such-lesson: no built-in lesson of that name" in capsys.readouterr().err


async def test_the_hint_shows_by_itself_after_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui_app import lesson_guide

    monkeypatch.setattr(lesson_guide, "HINT_AFTER", 3600.0)
    app = lesson_app("notebook")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        await pilot.pause(0.5)  # several checks, well before the while is up
        assert "Hint:" not in screen_text(app)
        monkeypatch.setattr(lesson_guide, "HINT_AFTER", 0.0)  # the while is up: the next check shows it
        await wait_for(pilot, lambda: "Hint: n runs one epoch." in screen_text(app), timeout=10)
        assert app.main.guide is not None and app.main.guide.walk.index == 0  # a hint does not move the lesson on


async def test_parameters_set_by_hand_move_a_step_on(tmp_path: Path) -> None:
    """The run paused, w set by hand to the optimum (w's dialog, a screen opened): the step sees it."""
    app = file_lesson_app(tmp_path, 'title = "t"\n[[step]]\ntext = "Press n."\nexpect = { epoch_at_least = 1 }\n'
                                    '[[step]]\ntext = "Press w, type 2 and Enter."\nexpect = { loss_below = 1e-6 }\n'
                                    '[[step]]\ntext = "done"\n')
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        guide = app.main.guide
        assert guide is not None
        await pilot.press("n")
        await wait_for(pilot, lambda: guide.walk.index == 1)
        await settle(pilot, app)
        assert app.session.state == "paused"
        await pilot.press("w")
        await wait_for(pilot, lambda: app.screen is not app.main)
        await pilot.press("ctrl+a", "ctrl+k", "2", "enter")
        await wait_for(pilot, lambda: guide.walk.index == 2)
        assert app.session.state == "paused" and app.session.epoch == 1 and app.session.loss < 1e-6


@pytest.mark.slow
async def test_a_step_moved_on_by_itself_leaves_the_apps_answer_on_the_message_line() -> None:
    """The mistakes lesson's update-in-graph step: n, torch refuses, the lesson moves on — and torch's words stay
    on the message line, which the next step's text points at."""
    app = lesson_app("mistakes")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        guide = app.main.guide
        assert guide is not None
        for _ in range(5):
            await keys_to_app(pilot, app)
            await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: guide.walk.index == 5)
        assert app.session.config.mistake == "update-in-graph"
        await settle(pilot, app)
        await pilot.press("2", "enter")  # the step's question first: what will torch do?
        await pilot.press("n")
        await wait_for(pilot, lambda: guide.walk.index == 6)
        assert "leaf Variable that requires grad" in app.main.message_line.text
