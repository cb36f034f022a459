"""A class's visitor signs in, and what they do reaches the store; the teacher's app shows the class (Pilot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Static

from linreg_core.classroom import Learner, Store
from linreg_core.config import TrainConfig
from linreg_core.data import seed
from linreg_core.lesson import load
from linreg_core.stream import RunStream
from tests.tui.helpers import settle, wait_for
from tui_app.__main__ import _lesson_facts
from tui_app.app import LinregApp
from tui_app.screens.sign_in import SignInScreen
from tui_app.teacher import TeacherApp


def visitor(folder: Path, lesson_name: str | None = "predict", **overrides: object) -> LinregApp:
    cfg = TrainConfig.for_case(1, **overrides)  # type: ignore[arg-type]
    lesson = load(lesson_name, cfg, seed()) if lesson_name else None
    facts = _lesson_facts(lesson)
    if not (folder / "class.sqlite").exists():
        Store.create(folder, "K7P2QX", facts).close()
    learner = Learner(Store.open(folder), str(facts.get("name", "")), int(facts.get("steps", 0)))  # type: ignore
    return LinregApp(cfg, seed(), speed=None, cursor_blink=False, stream_factory=RunStream, lesson=lesson,
                     learner=learner)


async def type_in(pilot: object, text: str) -> None:
    for ch in text:
        await pilot.press(ch if ch != " " else "space")  # type: ignore[attr-defined]


async def sign_in(pilot: Any, app: LinregApp, name: str) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
    await type_in(pilot, name)
    await pilot.press("enter")
    await type_in(pilot, "K7P2QX")
    await pilot.press("enter")


@pytest.mark.parametrize("move", ["tab", "enter"])
async def test_a_wrong_code_is_refused_then_the_right_one_signs_in(tmp_path: Path, move: str) -> None:
    app = visitor(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await type_in(pilot, "[bold red]x")
        await pilot.press(move)
        assert app.focused is not None and app.focused.id == "signin-code"
        await type_in(pilot, "WRONG2")
        await pilot.press("enter")
        error = app.screen.query_one("#signin-error", Static)
        assert error.display and "not this class's code" in str(error.render())
        assert Store.open(tmp_path).learners() == []  # nothing stored
        assert app.focused.id == "signin-code" and isinstance(app.focused, Input)
        await pilot.press("ctrl+u")
        await type_in(pilot, "k7p2qx")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SignInScreen))
        assert app.sub_title == "[bold red]x"
    rows = Store.open(tmp_path).learners()
    assert [(r.name, r.step, r.steps) for r in rows] == [("[bold red]x", 1, 8)]  # the lesson's first step


async def test_an_empty_name_is_refused_where_it_is_typed(tmp_path: Path) -> None:
    app = visitor(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press("tab")
        await type_in(pilot, "K7P2QX")
        await pilot.press("enter")
        assert "a name is needed" in str(app.screen.query_one("#signin-error", Static).render())
        assert app.focused is not None and app.focused.id == "signin-name"
    assert Store.open(tmp_path).learners() == []


async def test_answers_and_runs_reach_the_store(tmp_path: Path) -> None:
    app = visitor(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, app, "ann")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "lesson-answer")
        await type_in(pilot, "0.1")  # w after epoch 1 is 0.6 (w ← 0 − 0.02 · (−30))
        await pilot.press("enter")
        await type_in(pilot, "0.6")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.guide is not None and app.main.guide.walk.answered)
        await pilot.press("escape", "space")
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.session.state.ended)
    store = Store.open(tmp_path)
    row = store.learners()[0]
    # the run ended step 1; step 2 asks a question too
    assert (row.name, row.step, row.right, row.asked, row.state) == ("ann", 2, 1, 2, "finished")
    assert row.loss == pytest.approx(app.session.loss)
    assert [(a.given, a.expected, a.correct) for a in store.answers(1)] == [(0.1, 0.6, False)]  # the first try
    assert store.attempts("ann")[1] == [(0.1, False), (0.6, True)]


async def test_the_teacher_sees_the_class_and_its_answers(tmp_path: Path) -> None:
    cfg = TrainConfig.for_case(1)
    facts = _lesson_facts(load("predict", cfg, seed()))
    store = Store.create(tmp_path, "K7P2QX", facts)
    for name, given in [("[bold red]x", 0.3), ("bob", 0.3), ("cy", 0.6)]:
        learner = Learner(store, "predict", 8)
        learner.sign_in(name, "K7P2QX")
        learner.write(step=1, reached=True)
        learner.write(step=1, ask="w after epoch 1", given=given, expected=0.6, correct=given == 0.6, attempt=1)
        learner.close()
    app = TeacherApp(store, str(tmp_path))
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(DataTable)
        assert [str(k.value) for k in table.rows] == ["[bold red]x", "bob", "cy"]
        cells = [str(c) for c in table.get_row("[bold red]x")]
        assert cells[:3] == ["[bold red]x", "1/8", "0/1"]
        question = str(app.query_one("#teacher-question", Static).render())
        assert "w after epoch 1" in question and "Most predicted 0.3; the answer is 0.6" in question
        assert "◀ the answer" in question
        await pilot.press("right")
        assert "Question 2 of 5" in str(app.query_one("#teacher-question", Static).render())
        assert "No answers yet" in str(app.query_one("#teacher-question", Static).render())
        late = Learner(store, "predict", 8)
        late.sign_in("dee", "K7P2QX")
        late.close()
        await pilot.pause(1.3)  # the table is read again every second
        assert [str(k.value) for k in table.rows][-1] == "dee"
        await pilot.press("f")
        assert "following the class" in str(app.query_one("#teacher-question", Static).render())


def test_sign_in_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    """The sign-in screen at 80×24 with a wrong code refused: every line readable, the name kept literally."""
    async def run_before(pilot: Any) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))
        await type_in(pilot, "[bold red]x")
        await pilot.press("tab")
        await type_in(pilot, "WRONG2")
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#signin-error").display)
    assert snap_compare(visitor(tmp_path), terminal_size=(80, 24), run_before=run_before)


async def test_a_store_that_refuses_a_write_is_said_and_the_app_goes_on(tmp_path: Path) -> None:
    app = visitor(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, app, "ann")
        await wait_for(pilot, lambda: not isinstance(app.screen, SignInScreen))
        assert app.learner is not None
        app.learner.store.db.execute("DROP TABLE runs")  # the store changed under the app (a damaged file)
        app.learner.run(1, 0.02, 20, 1.0, "finished")
        await wait_for(pilot, lambda: app.learner is not None and app.learner.failed is not None)
        app.heartbeat()
        assert "the class's store:" in app.main.message_line.text and "no such table" in app.main.message_line.text
        await pilot.press("escape", "n")
        await wait_for(pilot, lambda: app.session.epoch == 1)  # the app goes on


def test_a_damaged_store_stops_the_server_before_it_serves(tmp_path: Path, capsys: Any) -> None:
    from tui_app.__main__ import main

    (tmp_path / "class.sqlite").write_bytes(b"garbage" * 200)
    assert main(["--serve", "--class", str(tmp_path), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("linreg-tui: error:") and "not a database" in err and err.count("\n") == 1
    assert main(["--class", str(tmp_path)]) == 2  # a class is served
    assert "--class needs --serve" in capsys.readouterr().err
