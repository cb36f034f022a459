"""The screens that are not whole-screen snapshots, checked by the text they show (a wording change elsewhere does not
rewrite them). Each is driven as a learner would: keys, then what the screen says."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from linreg_core import lesson
from linreg_core.config import TrainConfig
from linreg_core.data import seed
from tui_app.app import LinregApp
from tui_app.screens.compare import CompareScreen
from tui_app.screens.gradcheck import GradcheckScreen

from .helpers import make_app, screen_text, settle, wait_for

SIZE = (120, 40)


def flat(app: LinregApp) -> str:
    return " ".join(screen_text(app).split())


async def run_to(pilot: Pilot[Any], app: LinregApp, state: str) -> None:
    await settle(pilot, app)
    await pilot.press("space")
    await wait_for(pilot, lambda: app.session.state == state)
    await settle(pilot, app)


async def test_five_steps_of_case_2_show_its_log_and_case_pane() -> None:
    app = make_app(case=2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press(*"nnnnn")
        await wait_for(pilot, lambda: app.session.epoch == 5)
        await settle(pilot, app)
        text = flat(app)
        assert "▶ 2 Autograd" in text and "Gradient torch autograd" in text and "Update hand" in text
        assert "epoch 1: w=0.300, loss=30.000" in text and "epoch 5: w=1.113, loss=8.175" in text
        assert "paused epoch 5/20" in text


async def test_a_diverged_run_says_so_with_the_bound() -> None:
    app = make_app(case=4, lr=0.5, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        await run_to(pilot, app, "diverged")
        text = flat(app)
        assert "⚠ lr ≥ η_max: will diverge" in text and "η_max 0.1198" in text
        assert "diverged epoch" in text and "lr 0.5" in text


async def test_the_parameters_view_shows_w_b_and_the_fit() -> None:
    app = make_app(case=4, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        await run_to(pilot, app, "finished")
        await pilot.press("t")
        await settle(pilot, app)
        text = flat(app)
        assert "parameters against epoch ━ w ━ b" in text and "data and fit • data ━ fit" in text
        assert "w, b against epoch" in text and "data and the current fit" in text


async def test_the_help_screen_explains_hand_and_torch() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        text = flat(app)
        assert "linreg-tui — linear regression by gradient descent at four levels of automation." in text
        assert "η_max = 2/λmax(H)" in text


async def test_compare_mode_shows_four_cases_agreeing() -> None:
    app = make_app(case=1, bias=True, epochs=60, lr=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.done)
        await pilot.pause(0.2)
        text = flat(app)
        assert "epoch 60/60 done" in text and "━ case 1 ━ case 2 ━ case 3 ━ case 4" in text
        for name in ("1 Manual (NumPy)", "2 Autograd", "3 Loss + optimizer", "4 nn.Module"):
            assert f"{name} │ 1.9161 │ 0.246663 │ 0.0104727 │ completed" in text, name


async def test_the_gradient_check_agrees_and_names_the_notebooks_sum() -> None:
    app = make_app(case=1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press(*"nnn")
        await wait_for(pilot, lambda: app.session.epoch == 3)
        await settle(pilot, app)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GradcheckScreen) and app.screen.result is not None)
        await pilot.pause(0.2)
        text = flat(app)
        assert "at epoch 3, w = 1.314, on seed (N = 4), float64" in text
        assert "w │ -10.29 │ -10.29 │ -10.29 │ -41.16" in text
        assert "hand < 1e-8, autograd < 1e-8 — they agree" in text


async def test_the_code_view_marks_each_line_hand_or_torch() -> None:
    app = make_app(case=2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("v")
        await pilot.pause(0.2)
        text = flat(app)
        assert "Case 2 Autograd: one training step" in text and "source: linreg_core/cases/autograd.py" in text
        assert "▌ torch loss.backward()" in text and "▌ hand with torch.no_grad():" in text


async def test_a_lesson_hint_at_80x24_is_shown_whole() -> None:
    app = LinregApp(TrainConfig.for_case(1), seed(), speed=None, cursor_blink=False,
                    lesson=lesson.load("learning-rate"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("escape", "H")  # out of the step's answer field first
        await pilot.pause(0.1)
        text = flat(app)
        assert "hint: space runs; + and - change the speed." in text
        assert "PageDown: more · step 1 of 8" in text
