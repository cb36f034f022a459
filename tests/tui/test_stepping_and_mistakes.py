"""Inside the step (.) and the mistakes (m, the Mistake field) in the app, with Pilot."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from linreg_core.config import mistakes_for
from tests.tui.helpers import make_app, screen_text, settle, wait_for
from tui_app.widgets.step_view import StepView

SIZE = (120, 40)


async def test_dot_runs_one_block_at_a_time_and_the_epoch_lands_in_the_log() -> None:
    app = make_app(case=2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        view = app.main.query_one(StepView)
        await pilot.press("full_stop")
        await wait_for(pilot, lambda: app.session.last_block is not None)
        ev = app.session.last_block
        assert ev is not None and ev.block == "prediction" and ev.values["y_pred"] == [[0.0]] * 4
        assert view.display and not app.main.chart.display
        assert app.main.case_picker.next_block == "Loss" and "▸ Loss" in screen_text(app)
        await pilot.press("full_stop", "full_stop")
        await wait_for(pilot, lambda: app.session.last_block is not None and app.session.last_block.block == "gradient")
        assert app.session.last_block.values["w.grad"] == [[-30.0]]  # type: ignore[union-attr]
        assert app.session.epoch == 0 and "w.grad = [[-30]]" in screen_text(app)
        await pilot.press("full_stop")  # the update: the epoch is complete and recorded as any other
        await wait_for(pilot, lambda: app.session.epoch == 1)
        await settle(pilot, app)
        assert app.session.w[0] == 0.29999998211860657 and app.session.history.loss[0] == 30.0
        assert "epoch 1: w=0.300, loss=30.000" in screen_text(app)
        await pilot.press("full_stop", "n")  # n finishes the epoch begun block by block
        await wait_for(pilot, lambda: app.session.epoch == 2)
        await settle(pilot, app)
        assert not view.display and app.main.chart.display and app.session.contiguity_errors == 0
        # epoch 2's loss from w = 0.3: mean((0.3x - 2x)²) = 2.89 · mean(x²) = 2.89 · 7.5
        assert app.session.history.loss[1] == pytest.approx(21.675, rel=1e-6)


async def test_on_a_small_terminal_the_block_just_run_and_what_it_changed_come_first() -> None:
    """80×24 gives the step view a few rows: the changed values and the block's code are at its top, unscrolled."""
    app = make_app(case=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("full_stop", "full_stop", "full_stop", "full_stop")  # through the update
        await wait_for(pilot, lambda: app.session.epoch == 1)
        await settle(pilot, app)
        view = app.main.query_one(StepView)
        lines = screen_text(app).splitlines()
        top = next(i for i, line in enumerate(lines) if "Inside the step" in line)  # the view's top border
        rows = lines[top + 1:top + view.region.height - 1]

        def row_of(text: str) -> int:
            found = [i for i, row in enumerate(rows) if text in row]
            assert found, f"{text!r} is not in the step view's visible rows: {rows}"
            return found[0]

        assert row_of("epoch 1 · update") == 0
        assert row_of("* w = [[0.3]]") < row_of("* w.grad = [[0]]") < row_of("▶ # update") < \
            row_of("▶ with torch.no_grad():")
        assert view.scroll_y == 0 and view.max_scroll_y > 0  # the rest (other values, the whole step) below


@pytest.mark.slow
async def test_m_cycles_the_cases_mistakes_and_a_refused_step_fails_the_run() -> None:
    app = make_app(case=2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("m")
        assert app.session.config.mistake == "no-zero-grad"
        await pilot.press("m")
        assert app.session.config.mistake == "update-in-graph" and app.main.hyperparams.text("mistake") == \
            "update-in-graph"
        await settle(pilot, app)
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "failed")
        assert app.main.status_line().startswith("failed")
        assert "RuntimeError: a leaf Variable that requires grad" in app.main.message_line.text
        await pilot.press("m", "m", "m", "m")  # rebind-param, non-leaf, loss-history-graph, then none again
        assert app.session.config.mistake is None and app.session.state == "ready"


async def test_the_mistake_menu_offers_only_the_cases_mistakes() -> None:
    app = make_app(case=1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        menu = app.main.hyperparams.edit("mistake")
        await pilot.press("enter")  # opens the menu
        await pilot.pause()
        options = menu.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown == ["none", *mistakes_for(1)] and "no-zero-grad" not in shown
        await pilot.press(*"summ", "enter")  # typing picks the option that starts so
        await wait_for(pilot, lambda: app.session.config.mistake == "summed-gradient")
        assert app.main.hyperparams.error("mistake") is None and not menu.expanded
        await pilot.press("escape", "2")  # case 2 has other mistakes: its menu lists them
        await settle(pilot, app)
        menu = app.main.hyperparams.edit("mistake")
        await pilot.press("enter")
        await pilot.pause()
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown == ["none", *mistakes_for(2)]


def test_step_view_snapshot(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await settle(pilot, app)
        await pilot.press("full_stop", "full_stop", "full_stop")
        await wait_for(pilot, lambda: app.session.last_block is not None and app.session.last_block.block == "gradient")
        await settle(pilot, app)

    assert snap_compare(make_app(case=2), terminal_size=SIZE, run_before=run_before)


async def test_a_mistake_is_shown_beside_the_correct_step() -> None:
    app = make_app(case=3, mistake="zero-grad-before-step")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("v", "d")
        await pilot.pause(0.3)
        text = " ".join(screen_text(app).split())
        assert "mistake zero-grad-before-step, beside the correct step" in text
        assert "self.optimizer.step() self.optimizer.zero_grad()" in text  # the correct order, then the mistake's
        assert "self.optimizer.zero_grad() self.optimizer.step()" in text
        assert "◆ Update" in text and "◆ swapped: zero-grad-before-step: the gradients are emptied before" in text


@pytest.mark.slow
async def test_t_cycles_to_the_landscape_and_brackets_choose_the_pair() -> None:
    from linreg_core.data import synthetic

    app = make_app(case=1, bias=True, lr=0.1, epochs=30, speed=None, dataset=synthetic(n=50, d=2))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "finished")
        await pilot.press("t", "t")
        await settle(pilot, app)
        assert app.main.chart.view == "landscape-view"
        assert "loss landscape: L(w1, w2) with b=" in screen_text(app)
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert "loss landscape: L(w1, b) with w2=" in screen_text(app)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot, app)
        assert "loss landscape: L(w2, b) with w1=" in screen_text(app)
        await pilot.press("t")
        assert app.main.chart.view == "loss-view"


async def test_a_diverging_run_in_the_landscape_view_keeps_its_state_and_the_view() -> None:
    app = make_app(case=1, bias=True, lr=1.0, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("t", "t", "space")
        await wait_for(pilot, lambda: app.session.state == "diverged")
        await settle(pilot, app)
        assert app.main.chart.view == "landscape-view" and "loss landscape" in screen_text(app)
        assert app.main.status_line().startswith("diverged") and not app.main.errors


async def test_torchs_warning_reaches_the_message_line_and_the_log() -> None:
    """target-shape: nn.MSELoss warns of the broadcast in the training process; the app says torch's words."""
    app = make_app(3, mistake="target-shape")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await wait_for(pilot, lambda: "torch warned" in app.main.message_line.text)
        assert app.main.message_line.text.startswith(
            "torch warned at epoch 1: Using a target size (torch.Size([4])) that is different to the input size")
        await settle(pilot, app)
        assert "⚠ torch warned at epoch 1" in screen_text(app)
        await pilot.press("n")  # said once, not at every epoch
        await wait_for(pilot, lambda: app.session.epoch == 2)
        await settle(pilot, app)
        assert screen_text(app).count("torch warned") == 1


async def test_the_memory_a_kept_loss_list_holds_is_said_as_it_grows() -> None:
    app = make_app(2, speed=None, mistake="loss-history-graph", epochs=400)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state.ended)
        await wait_for(pilot, lambda: "self.losses holds" in app.main.message_line.text)
        assert app.main.message_line.text.startswith("epoch 400: self.losses holds 400 loss tensors with their graphs")
        assert "the correct step keeps none" in app.main.message_line.text
