"""The teaching instruments in the app: compare (c), gradient check (g), code pane (v)."""

from __future__ import annotations

import inspect

import pytest

from linreg_core.cases import make_trainer
from linreg_core.code import step_source
from linreg_core.config import TrainConfig
from linreg_core.data import seed
from tests.tui.helpers import make_app, screen_text, settle, wait_for
from tui_app.screens.code import CodeScreen
from tui_app.screens.compare import CompareScreen
from tui_app.screens.gradcheck import GradcheckScreen

SIZE = (120, 40)


def test_code_pane_source_is_the_code_that_runs() -> None:
    for case in (1, 2, 3, 4):
        trainer = make_trainer(TrainConfig.for_case(case), seed())
        running = inspect.getsource(type(trainer).train_step)
        _, lines = step_source(case)
        assert [line.text.strip() for line in lines] == [raw.strip() for raw in running.splitlines()]


def test_code_pane_marks_hand_and_torch_lines_as_the_notebook_does() -> None:
    def marks(case: int) -> dict[str, bool | None]:
        return {line.text.strip(): line.manual for line in step_source(case)[1]}

    m1 = marks(1)
    assert m1["dw = 2 * X.T @ (y_pred - y) / len(X)"] is True and m1["self.w -= self.lr * dw"] is True
    m2 = marks(2)
    assert m2["loss.backward()"] is False and m2["self.w -= self.lr * self.w.grad"] is True
    assert m2["loss = ((y_pred - y) ** 2).mean()"] is True and m2["self.w.grad.zero_()"] is True
    m3 = marks(3)
    assert m3["loss = self.loss_fn(y_pred, y)"] is False and m3["self.optimizer.step()"] is False
    assert m3["y_pred = self.forward(X)"] is True
    m4 = marks(4)
    assert m4["y_pred = self.model(X)"] is False
    assert m2["return loss"] is None  # what the step hands to the engine: no phase


async def test_v_shows_the_selected_case_code() -> None:
    app = make_app(case=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen))
        screen = app.screen
        assert isinstance(screen, CodeScreen) and screen.case == 3
        assert "torch_optim.py" in screen.where
        await pilot.press("escape")
        assert not isinstance(app.screen, CodeScreen)


async def test_d_sets_the_step_beside_the_previous_level_with_the_swapped_blocks_marked() -> None:
    app = make_app(case=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen) and app.screen.diff)
        text = screen_text(app)
        assert "case 1 Manual (NumPy)" in text and "case 2 Autograd" in text
        assert "◆ Gradient" in text and "◆ Update" in text and "◆ Loss" not in text and "◆ Prediction" not in text
        row = next(line for line in text.splitlines() if "dw = 2 * X.T @ (y_pred - y) / len(X)" in line)
        assert "loss.backward()" in row  # the hand-derived gradient beside the line that replaces it
        await pilot.press("d")
        assert not app.screen.diff and "◆" not in screen_text(app)


async def test_case_1_is_set_beside_the_notebooks_summed_gradient() -> None:
    app = make_app(case=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen) and app.screen.diff)
        text = screen_text(app)
        assert "the notebook's case 1" in text and "np.dot(2*x, y_predicted-y).mean()" in text
        assert "◆ Gradient" in text and "◆ Update" not in text


async def test_g_checks_the_gradient_at_the_current_parameters() -> None:
    app = make_app(case=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        await settle(pilot, app)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GradcheckScreen) and app.screen.result is not None)
        gc = app.screen.result  # type: ignore[attr-defined]
        # at w = 0.6 on the seed data: dL/dw = mean(2x(0.6x - 2x)) = -2.8·mean(x²) = -21
        assert gc.hand[0] == gc.autograd[0] and abs(gc.hand[0] + 21.0) < 1e-5
        assert abs(gc.finite_diff[0] + 21.0) < 1e-5 and gc.ratio_notebook == 4.0
        await pilot.pause(0.1)
        body = " ".join(screen_text(app).split())
        assert "they agree" in body and "4× the true gradient" in body and "-21" in body
        await pilot.press("g")
        assert not isinstance(app.screen, GradcheckScreen)


async def test_c_runs_the_four_cases_in_lockstep() -> None:
    app = make_app(case=1, epochs=50)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.done)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await pilot.pause(0.1)
        assert all(len(v) == 50 for v in screen.losses.values())
        assert screen.last is not None and screen.last.at_roundoff
        assert screen.reasons == {1: "completed", 2: "completed", 3: "completed", 4: "completed"}
        await pilot.press("l")
        assert screen.log_scale
        await pilot.press("c")
        assert not isinstance(app.screen, CompareScreen)
        assert app.session.state == "ready" and app.session.epoch == 0  # the main run is untouched


async def test_f_runs_the_range_test_and_enter_uses_the_suggestion() -> None:
    from tui_app.screens.lr_find import LrFindScreen

    app = make_app(case=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, LrFindScreen) and app.screen.result is not None)
        await pilot.pause(0.1)
        assert app.session.epoch == 1  # the sweep leaves the current run untouched
        assert "Suggested lr 0.06667" in " ".join(screen_text(app).split())
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.session.config.lr == 0.06667 and app.session.epoch == 0
        assert "range test" in app.main.message_line.text


@pytest.mark.slow
async def test_closing_compare_cancels_its_thread() -> None:
    """Compare's lockstep run is a Textual worker: closing the view cancels it, and the thread stops (the LR
    finder's sweep is cancelled the same way, but ends too soon to be caught running)."""
    app = make_app(case=1, epochs=200_000)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen))
        await wait_for(pilot, lambda: any(w.group == "compare" for w in app.workers))
        workers = [w for w in app.workers if w.group == "compare"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: all(w.is_finished for w in workers), timeout=30)
        assert all(w.is_cancelled for w in workers)
        assert app.screen is app.main
