"""SVG snapshots of a few whole screens (fixed seed, no cursor blink, fixed terminal size); the other screens are
checked by their text (test_screens_text.py).

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.helpers import make_app, settle, wait_for
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



def test_finished(snap_compare: Any) -> None:
    assert snap_compare(make_app(case=3, speed=None), terminal_size=SIZE, run_before=until("finished"))





def test_small_terminal(snap_compare: Any) -> None:
    assert snap_compare(make_app(case=1, speed=None), terminal_size=(80, 24), run_before=until("finished"))





def lesson_app(name: str) -> LinregApp:
    from linreg_core import lesson
    from linreg_core.config import TrainConfig
    from linreg_core.data import seed

    return LinregApp(TrainConfig.for_case(1), seed(), speed=None, cursor_blink=False, lesson=lesson.load(name))


def test_lesson_pane(snap_compare: Any) -> None:
    """The first step's question, its answer field waiting with the focus."""
    assert snap_compare(lesson_app("notebook"), terminal_size=SIZE, run_before=steps(0))


def test_lesson_question_answered(snap_compare: Any) -> None:
    """A wrong answer, then the right one: ✓ and the explanation, and the keys are the app's again."""
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, LinregApp)
        await settle(pilot, app)
        await pilot.press("2", "0", "enter", "0", "full_stop", "6", "enter")
        await wait_for(pilot, lambda: app.focused is None)
        await settle(pilot, app)
    assert snap_compare(lesson_app("predict"), terminal_size=SIZE, run_before=run_before)
