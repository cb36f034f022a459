"""A lesson at 80×24 and 120×40: its pane stays in sight over every view a step can ask for, a step's setup waits for
the main screen, a long step scrolls with PageDown / PageUp, and the step view and the log beside it cut nothing."""

from __future__ import annotations

import re

import pytest
from textual.widget import Widget

from linreg_core import lesson
from linreg_core.config import TrainConfig
from linreg_core.data import seed
from tui_app.app import LinregApp
from tui_app.widgets.lesson_pane import MORE, LessonPane
from tui_app.widgets.step_view import StepView

from .helpers import keys_to_app, screen_text, settle, wait_for

SIZES = [(80, 24), (120, 40)]


def lesson_app(name: str) -> LinregApp:
    return LinregApp(TrainConfig.for_case(1), seed(), speed=None, cursor_blink=False, lesson=lesson.load(name))


def words(text: str) -> str:
    """Markdown's text as the screen shows it: without ** and `, one space between words."""
    text = re.sub(r"\*(\S[^*]*?)\*", r"\1", text.replace("**", "").replace("`", ""))  # bold, code, italics
    return " ".join(text.split())


def on_screen(app: LinregApp, widget: Widget | None = None) -> str:
    """The screen's text, or the text of ``widget``'s place on it, in one line of words (a pane wraps its lines
    anywhere)."""
    rows = screen_text(app).splitlines()
    if widget is not None:
        r = widget.region
        rows = [row[r.x:r.right] for row in rows[r.y:r.bottom]]
    return " ".join(" ".join(re.sub(r"[│╭╮╰╯─▁▂▃▄▅▆▇█]", " ", row) for row in rows).split())


def pane(app: LinregApp) -> str:
    """The lesson pane's text on the screen on top."""
    return on_screen(app, app.screen.query_one(LessonPane))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("key", ["v", "c", "g", "f", "h"])
@pytest.mark.slow
async def test_the_lesson_stays_in_sight_over_every_view(size: tuple[int, int], key: str) -> None:
    app = lesson_app("notebook")
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        await keys_to_app(pilot, app)
        await pilot.press(key)
        await wait_for(pilot, lambda: app.screen is not app.main)
        await pilot.pause(0.2)
        text = pane(app)
        assert "Lesson: The notebook" in text
        first = words(lesson.load("notebook").steps[0].text).split(". ")[0]
        assert first in text, "the step's first sentence"


@pytest.mark.slow
async def test_a_step_done_on_a_view_keeps_its_setup_for_the_main_screen() -> None:
    """The mistakes lesson's step 3 asks for the code view; step 4 switches to case 3: not under the open view."""
    app = lesson_app("mistakes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("minus", "5", "5", "full_stop", "5", "enter")  # step 1's question: w.grad at epoch 2
        guide = app.main.guide
        assert guide is not None
        await pilot.press("n", "n", "n")
        await wait_for(pilot, lambda: guide.walk.index == 1)
        await pilot.press("full_stop", "full_stop", "full_stop")
        await wait_for(pilot, lambda: guide.walk.index == 2)
        await pilot.press("v")
        await pilot.pause(0.5)
        assert guide.walk.index == 2 and guide.waiting == 3
        assert app.session.config.case == 2 and app.session.config.mistake == "no-zero-grad"
        assert app.session.epoch == 3, "the run the view shows is not reset under it"
        assert "Escape: back to the main screen for the next step" in pane(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: guide.walk.index == 3)
        assert app.session.config.case == 3 and app.session.config.mistake == "zero-grad-before-step"
        assert "lesson step 4 of 10" in app.main.message_line.text
        assert words(lesson.load("mistakes").steps[3].text)[:40] in pane(app)


async def test_a_step_without_setup_opens_on_the_view_that_asked_for_it() -> None:
    """The notebook's step 4 talks about the code view step 3 opened: it shows there."""
    app = lesson_app("notebook")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await keys_to_app(pilot, app)
        guide = app.main.guide
        assert guide is not None
        guide.open(2)
        await pilot.press("v")
        await wait_for(pilot, lambda: guide.walk.index == 3)
        await pilot.pause(0.2)
        assert "In the code view, press d: case 1 beside the notebook's own cell." in pane(app)


@pytest.mark.parametrize("name", ["notebook", "learning-rate", "mistakes", "predict"])
@pytest.mark.slow
async def test_a_long_step_scrolls_with_pagedown_and_says_so(name: str) -> None:
    app = lesson_app(name)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await keys_to_app(pilot, app)
        guide = app.main.guide
        assert guide is not None
        for i, step in enumerate(lesson.load(name).steps):
            if i:
                guide.open(i)
            last = words(step.text).rsplit(". ", 1)[-1]

            def laid_out(last: str = last) -> bool:  # the step's end shown, or the mark that more text is below
                shown = pane(app)
                return MORE in shown or last in shown and ("To go on" in shown or "Lesson complete" in shown)

            await wait_for(pilot, laid_out, timeout=3)
            seen = pane(app)
            shown, presses = seen, 0  # what the pages showed, one after the other
            while last not in shown or MORE in seen or "To go on" not in seen and "Lesson complete" not in seen:
                assert MORE in seen, f"step {i + 1}: text below the pane and nothing says so"
                await pilot.press("pagedown")  # (while a question's answer field has the focus too)
                await pilot.pause(0.1)
                seen, presses = pane(app), presses + 1
                shown += " " + seen
                assert presses < 6, f"step {i + 1}: PageDown does not reach the end"
            # the pane's edge follows the laid-out text (Markdown lays a new step out a refresh or two later)
            await wait_for(pilot, lambda: MORE not in pane(app), timeout=3)
            if presses:
                await pilot.press("pageup")
                await wait_for(pilot, lambda: MORE in pane(app), timeout=3)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.slow
async def test_the_step_view_and_the_log_beside_a_lesson_cut_no_value(size: tuple[int, int]) -> None:
    """The mistakes lesson asks to watch w.grad (−78.9488 in epoch 4); the log's words and numbers stay whole."""
    app = lesson_app("mistakes")
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        await keys_to_app(pilot, app)
        await pilot.press("n", "n", "n", "full_stop", "full_stop", "full_stop")
        await wait_for(pilot, lambda: app.main.case_picker.next_block == "Update")
        await pilot.pause(0.2)
        text = on_screen(app, app.main.query_one(StepView))
        assert "w.grad = [[-78.9488]]" in text
        assert "y_pred = [[1.58175], [3.1635], [4.74525], [6.327]]" in text
        await pilot.press("t")  # the chart again: the log has the room it has beside the chart
        await pilot.pause(0.2)
        text = on_screen(app, app.main.log_pane)
        if size == (120, 40):
            assert "lr 0.01 · 20 epochs" in text
            assert "loss: before each epoch's update; w, b: after it" in text
        assert "▉" not in screen_text(app), "no horizontal scroll bar: the log wraps"
