"""SVG snapshots of the stable screens (fixed seed, no cursor blink, fixed terminal size).

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.conftest import make_app, settle, wait_for
from tui_app.app import LinregApp

SIZE = (120, 40)


def steps(n: int) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, LinregApp)
        await settle(pilot, app)
        for _ in range(n):
            await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == n)
        await settle(pilot, app)
    return run_before


def until(state: str, *keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, LinregApp)
        await settle(pilot, app)
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == state)
        for key in keys:
            await pilot.press(key)
        await settle(pilot, app)
        app.query_one("#status").update(app.main.status_line())  # drop the run's rate-dependent ETA, if any
    return run_before


def test_first_screen(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=steps(0))


def test_after_five_steps(snap_compare: Any) -> None:
    assert snap_compare(make_app(case=2), terminal_size=SIZE, run_before=steps(5))


def test_finished(snap_compare: Any) -> None:
    assert snap_compare(make_app(case=3, speed=None), terminal_size=SIZE, run_before=until("finished"))


def test_diverged(snap_compare: Any) -> None:
    assert snap_compare(make_app(case=4, lr=0.5, speed=None), terminal_size=SIZE, run_before=until("diverged"))


def test_second_chart_view(snap_compare: Any) -> None:
    assert snap_compare(make_app(case=4, speed=None), terminal_size=SIZE, run_before=until("finished", "t"))


def test_help_screen(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await steps(0)(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.1)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_small_terminal(snap_compare: Any) -> None:
    assert snap_compare(make_app(case=1, speed=None), terminal_size=(80, 24), run_before=until("finished"))


def test_compare_mode(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        from tui_app.screens.compare import CompareScreen

        await steps(0)(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CompareScreen) and pilot.app.screen.done)
        await pilot.pause(0.2)
    assert snap_compare(make_app(case=1, bias=True, epochs=60, lr=0.05), terminal_size=SIZE, run_before=run_before)


def test_gradient_check(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        from tui_app.screens.gradcheck import GradcheckScreen

        await steps(3)(pilot)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, GradcheckScreen)
                       and pilot.app.screen.result is not None)
        await pilot.pause(0.2)
    assert snap_compare(make_app(case=1), terminal_size=SIZE, run_before=run_before)


def test_code_pane(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await steps(0)(pilot)
        await pilot.press("v")
        await pilot.pause(0.2)
    assert snap_compare(make_app(case=2), terminal_size=SIZE, run_before=run_before)


def lesson_app(name: str) -> LinregApp:
    from linreg_core import lesson
    from linreg_core.config import TrainConfig
    from linreg_core.data import seed

    return LinregApp(TrainConfig.for_case(1), seed(), speed=None, cursor_blink=False, lesson=lesson.load(name))


def test_lesson_pane(snap_compare: Any) -> None:
    assert snap_compare(lesson_app("notebook"), terminal_size=SIZE, run_before=steps(0))


def test_lesson_pane_small_terminal_with_its_hint(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await steps(0)(pilot)
        await pilot.press("H")
        await pilot.pause(0.1)

    assert snap_compare(lesson_app("learning-rate"), terminal_size=(80, 24), run_before=run_before)
