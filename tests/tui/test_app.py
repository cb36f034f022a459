"""Pilot tests: every key, every pane, every state word, the inference box before and after training."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from linreg_core import analysis
from linreg_core.config import DataSpec, TrainConfig
from linreg_core.data import seed, synthetic
from tests.tui.helpers import make_app, screen_text, settle, wait_for
from tui_app.app import LinregApp
from tui_app.fields import FIELDS
from tui_app.keymap import help_rows
from tui_app.screens.help import HelpScreen
from tui_app.widgets.case_picker import CasePicker
from tui_app.widgets.hyperparams import Hyperparams
from tui_app.widgets.log_pane import LogPane
from tui_app.widgets.loss_chart import POINTS_PER_CELL, LossChart
from tui_app.widgets.plot import SafePlot

SIZE = (120, 40)


def log_text(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [strip.text for strip in app.query_one(LogPane).lines]


def static_text(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.query_one(selector, Static).render())


async def test_first_screen_shows_every_pane_and_ready() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.title == "linreg-tui"
        assert app.main.status_line().split()[0] == "ready"
        assert "epoch 0/20" in app.main.status_line() and "loss 30  " in app.main.status_line()
        names = [static_text(app, f"#case-{c}") for c in (1, 2, 3, 4)]
        assert names == ["▶ 1 Manual (NumPy)", "  2 Autograd", "  3 Loss + optimizer", "  4 nn.Module"]
        steps = static_text(app, "#case-steps")
        assert "Gradient   hand" in steps and "Update     hand" in steps
        shown = screen_text(app)
        for label, value in [("Learning rate", "0.02"), ("Epochs", "20"), ("Log every", "1"),
                             ("Initial w", "default (0)"), ("Initial b", "default (0)"), ("Bias", "▐ ▌ off"),
                             ("Standardize", "▐ ▌ off"), ("Batch size", "full batch"), ("Seed", "0"),
                             ("Data", "seed")]:
            assert f"{label.ljust(14)} {value}" in shown
        assert "η_max 0.1333 (stable below)" in shown and "η_max 0.1333" in app.main.hyperparams.hint.plain
        plot = app.query_one("#loss-view", SafePlot)
        assert plot.drawn_empty and plot.renders == 0  # no figure (and no plotext) before there is data
        assert "no epochs yet" in screen_text(app)
        assert any("loss: before each epoch's update" in line for line in log_text(app))
        await pilot.press("n")
        await settle(pilot, app)
        assert not plot.drawn_empty and plot.renders >= 1


async def test_the_first_screen_needs_no_restyle_when_it_is_shown() -> None:
    # MainScreen skips the restyle of every widget at its first resume (the widgets were styled as they were
    # mounted): a full restyle afterwards must not change a single cell or colour.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.screen._resumed
        before = app.export_screenshot()
        app.screen.update_node_styles(animate=False)
        await pilot.pause(0.1)
        assert app.export_screenshot() == before


async def test_n_steps_one_epoch_from_ready_and_paused() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        assert app.session.state == "paused"
        # the status bar follows at the next display update (at most DISPLAY_GAP later)
        await wait_for(pilot, lambda: app.main.status_line().startswith("paused  epoch 1/20"), timeout=1.0)
        await pilot.press("n", "n")
        await wait_for(pilot, lambda: app.session.epoch == 3)
        await settle(pilot, app)
        assert app.session.epoch == 3
        assert [line for line in log_text(app) if line.startswith("epoch")] == [
            "epoch 1: w=0.600, loss=30.000  ‖θ−θ*‖=1.4", "epoch 2: w=1.020, loss=14.700 ▼  ‖θ−θ*‖=0.98",
            "epoch 3: w=1.314, loss=7.203 ▼  ‖θ−θ*‖=0.686"]


async def test_space_runs_to_finished_with_the_notebook_trace() -> None:
    app = make_app(case=2, speed=None, process=True)  # the training process, as linreg-tui runs it
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "finished")
        await settle(pilot, app)
        assert app.main.status_line().startswith("finished  epoch 20/20")
        lines = [line.split("  ‖")[0].rstrip(" ▼△=") for line in log_text(app) if line.startswith("epoch")]
        assert lines[0] == "epoch 1: w=0.300, loss=30.000" and lines[-1] == "epoch 19: w=1.909, loss=0.086"
        assert len(lines) == 10 and len(app.session.history) == 20 and app.session.contiguity_errors == 0
        assert "finished 20 epochs" in app.main.message_line.text


async def test_space_pauses_a_run_and_resumes_it() -> None:
    app = make_app(case=1, speed=20, epochs=10_000)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert app.session.state == "running"
        await wait_for(pilot, lambda: app.session.epoch >= 3)
        await pilot.press("space")
        assert app.session.state == "paused"
        await settle(pilot, app)
        frozen = app.session.epoch
        await pilot.pause(0.3)
        assert app.session.epoch == frozen and app.session.state == "paused"
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.epoch > frozen)
        assert app.session.state == "running" and app.session.contiguity_errors == 0


async def test_r_resets_to_epoch_0() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await wait_for(pilot, lambda: app.session.epoch == 2)
        await pilot.press("r")
        await settle(pilot, app)
        assert app.session.state == "ready" and app.session.epoch == 0 and len(app.session.history) == 0
        assert app.session.loss == 30.0 and app.session.w == (0.0,)
        assert app.main.status_line().startswith("ready  epoch 0/20")


@pytest.mark.parametrize(("key", "lr", "name"), [("2", 0.01, "2 Autograd"), ("3", 0.005, "3 Loss + optimizer"),
                                                 ("4", 0.01, "4 nn.Module"), ("1", 0.02, "1 Manual (NumPy)")])
async def test_digits_select_the_case_and_reset(key: str, lr: float, name: str) -> None:
    app = make_app(case=1 if key != "1" else 3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        await pilot.press(key)
        await settle(pilot, app)
        assert app.session.config.case == int(key) and app.session.config.lr == lr
        assert app.query_one(CasePicker).selected == int(key)
        assert static_text(app, f"#case-{key}") == f"▶ {name}"
        assert app.session.state == "ready" and app.session.epoch == 0
        assert "run reset to epoch 0" in app.main.message_line.text
        assert app.main.hyperparams.text("lr") == f"{lr:g}"
        assert app.main.hyperparams.text("bias") == ("on" if key == "4" else "off")


async def test_clicking_a_case_selects_it() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#case-3")
        await settle(pilot, app)
        assert app.session.config.case == 3


async def test_inference_before_and_after_training() -> None:
    app = make_app(case=2, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("p")
        assert app.focused is app.query_one("#predict-input", Input)
        await pilot.press(*"5, 3, 4", "enter")
        assert static_text(app, "#predict-output") == "at epoch 0:\nf(5) = 0.000\nf(3) = 0.000\nf(4) = 0.000"
        await pilot.press("escape")
        assert app.focused is None
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "finished")
        await pilot.press("p", "enter")
        assert static_text(app, "#predict-output") == "at epoch 20:\nf(5) = 9.612\nf(3) = 5.767\nf(4) = 7.690"


@pytest.mark.slow
async def test_bad_inference_input_changes_nothing_and_leaves_no_stale_results() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        await pilot.press("p", *"5 3", "enter")
        before = static_text(app, "#predict-output")
        state = (app.session.state, app.session.epoch, app.session.config)
        await pilot.press("ctrl+a", "ctrl+k", *"5, x", "enter")
        err = app.query_one("#predict-error", Static)
        assert err.display and "'x' is not a number" in str(err.render())
        assert before and static_text(app, "#predict-output") == ""  # no results of the earlier input under it
        assert (app.session.state, app.session.epoch, app.session.config) == state
        await pilot.press("ctrl+a", "ctrl+k", "4", "enter")
        assert not err.display and static_text(app, "#predict-output") == "at epoch 1:\nf(4) = 2.400"


async def test_keys_are_text_while_an_input_has_focus() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "n", "space", "r", "2", "q")
        await pilot.pause(0.2)
        assert app.query_one("#predict-input", Input).value == "n r2q"
        assert app.session.epoch == 0 and app.session.config.case == 1 and app.session.state == "ready"
        assert app.is_running


@pytest.mark.slow
async def test_plus_minus_change_speed() -> None:
    app = make_app(speed=10)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("plus")
        assert app.session.speed == 20 and "speed 20/s" in app.main.status_line()
        await pilot.press("minus", "minus")
        assert app.session.speed == 5
        for _ in range(20):
            await pilot.press("plus")
        assert app.session.speed is None and "speed max" in app.main.status_line()
        for _ in range(20):
            await pilot.press("minus")
        assert app.session.speed == 1


async def test_l_toggles_log10_and_t_switches_view() -> None:
    app = make_app(speed=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "finished")
        await pilot.press("l")
        await settle(pilot, app)
        assert app.main.chart.log_scale and "log10(loss) against epoch" in static_text(app, "#chart-title")
        await pilot.press("l")
        await settle(pilot, app)
        assert not app.main.chart.log_scale and static_text(app, "#chart-title").startswith("loss against epoch")
        chart = app.query_one(LossChart)
        await pilot.press("t")
        await settle(pilot, app)
        assert chart.view == "param-view" and app.query_one("#fit-plot", SafePlot).renders >= 1
        await pilot.press("t")
        await settle(pilot, app)
        assert chart.view == "landscape-view" and static_text(app, "#chart-title").startswith("loss landscape")
        await pilot.press("t")
        assert chart.view == "loss-view"


def test_readme_and_help_text_come_from_the_key_table() -> None:
    from pathlib import Path

    from tui_app.__main__ import build_parser
    from tui_app.keymap import KEYS, markdown_table

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert markdown_table() in readme
    described = " ".join(build_parser().format_help().split())
    for key in KEYS:
        if key.brief:
            assert key.brief in described, key


async def test_help_lists_every_binding_and_closes() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-keys", Static).render())
        rows = {line.strip() for line in text.splitlines()[1:]}  # after the heading
        names = {"question_mark": "?", "full_stop": ".", "plus": "+ / -", "minus": "+ / -",
                 "left_square_bracket": "[ / ]", "right_square_bracket": "[ / ]",
                 "1": "1 2 3 4", "2": "1 2 3 4", "3": "1 2 3 4", "4": "1 2 3 4",
                 "greater_than_sign": "> / <", "less_than_sign": "> / <",
                 "pagedown": "PageDown / PageUp", "pageup": "PageDown / PageUp"}
        bound = {names.get(b.key, b.key): b.action for b in app.main.BINDINGS}  # type: ignore[union-attr]
        bound.update({names.get(b.key, b.key): b.action for b in app.BINDINGS})  # type: ignore[union-attr]
        # every binding has its row, exactly as the key table has it, and every row is a binding (ctrl+p is
        # Textual's own palette key)
        for key, what in help_rows():
            assert f"{key:<9} {what}".strip() in rows, (key, what)
        assert set(bound) == {key for key, _ in help_rows()} - {"ctrl+p"}, set(bound)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits_with_status_0() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause(0.1)
    assert app.return_value == 0


@pytest.mark.slow
async def test_divergence_then_recovery() -> None:
    app = make_app(lr=1.0, epochs=200, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        assert "lr ≥ η_max: will diverge" in app.main.hyperparams.hint.plain
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "diverged")
        await settle(pilot, app)
        assert app.main.status_line().split()[0] == "diverged"
        assert "lr 1 used" in app.main.message_line.text and "0.1333" in app.main.message_line.text
        assert "chart unavailable" not in static_text(app, "#chart-title")
        await pilot.press("r")
        await settle(pilot, app)
        assert app.session.state == "ready"
        await pilot.click("#hp-editor")  # the editor starts on Learning rate
        await pilot.press("ctrl+a", "ctrl+k", *"0.05", "enter", "escape", "space")
        await wait_for(pilot, lambda: app.session.state == "finished")
        assert app.session.config.lr == 0.05


async def test_warning_before_running_at_an_unstable_lr() -> None:
    app = make_app(lr=0.2, speed=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert app.main.message_line.text.startswith("warning: lr 0.2 ≥ η_max 0.1333: expect divergence")


async def test_tol_gives_converged() -> None:
    app = make_app(tol=1e-3, epochs=100, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "converged")
        assert app.session.epoch == 16 and app.main.status_line().startswith("converged")


async def test_invalid_field_keeps_the_previous_value() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        await pilot.click("#hp-editor")
        await pilot.press("ctrl+a", "ctrl+k", *"-3", "enter")
        await pilot.pause(0.05)
        err = app.main.hyperparams.error("lr")
        assert err is not None and "lr: must be > 0 and finite" in err and "keeping 0.02" in err
        assert "✗ lr: must be > 0 and finite" in screen_text(app)
        assert app.main.hyperparams.editor.has_class("invalid")
        assert app.session.config.lr == 0.02 and app.session.epoch == 1  # nothing changed, not even the run
        await pilot.press("ctrl+a", "ctrl+k", *"0.05", "enter")
        await settle(pilot, app)
        assert app.main.hyperparams.error("lr") is None and "✗" not in screen_text(app)
        assert app.session.config.lr == 0.05 and app.session.epoch == 0
        assert "Learning rate set to 0.05: run reset to epoch 0" in app.main.message_line.text


@pytest.mark.parametrize(("field", "bad", "message"), [
    ("epochs", "0", "epochs: must be an integer in 1…"), ("epochs", "ten", "is not a whole number"),
    ("log_every", "-1", "log every: must be an integer"), ("init_w", "1, 2", "needs 1 or 1 numbers"),
    ("init_b", "nan", "not a finite number"), ("batch_size", "0", "batch size: must be an integer"),
    ("seed", "x", "not a whole number"), ("data", "/no/such/file.csv", "no such file"),
])
@pytest.mark.slow
async def test_each_field_rejects_bad_values_on_blur(field: str, bad: str, message: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        before = app.session.config
        app.main.hyperparams.edit(field)
        await pilot.press("ctrl+a", "ctrl+k", *bad, "tab")
        await pilot.pause(0.05)
        err = app.main.hyperparams.error(field)
        assert err is not None and message in err
        assert app.main.hyperparams.text(field) == bad  # what was typed stays in its row, marked
        assert app.session.config == before and app.is_running


@pytest.mark.slow
async def test_data_field_loads_synthetic_and_bias_toggle() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.main.hyperparams.edit("data")
        await pilot.press("ctrl+a", "ctrl+k", *"synthetic", "enter")
        await settle(pilot, app)
        assert app.session.dataset.name == "synthetic" and app.session.dataset.n == 100 and app.session.state == "ready"
        app.main.hyperparams.edit("bias")
        await pilot.press("space")
        await settle(pilot, app)
        assert app.session.config.bias and app.session.b == 0.0 and "b=" not in app.main.status_line()
        await pilot.press("escape", "n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        assert [line for line in log_text(app) if line.startswith("epoch 1:")][0].count("b=") == 1


@pytest.mark.slow
async def test_multi_feature_inference_rows() -> None:
    app = make_app(dataset=synthetic(n=50, d=2, true_w=[1.0, 2.0]), init_w=(1.0, 2.0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("p", *"1, 1; 2 0", "enter")
        assert static_text(app, "#predict-output") == "at epoch 0:\nf(1, 1) = 3.000\nf(2, 0) = 2.000"
        await pilot.press("ctrl+a", "ctrl+k", *"1 2 3", "enter")
        assert "has 3 numbers, the model has 2 features" in str(app.query_one("#predict-error", Static).render())


async def test_o_sets_lr_to_eta_opt() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await settle(pilot, app)
        assert app.session.config.lr == pytest.approx(1 / 15, rel=1e-3)


async def test_core_error_is_a_message_not_a_crash() -> None:
    app = make_app(init_w=(1.0, 2.0))  # two values for one feature: the core refuses
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.main.errors))
        assert "core error" in app.main.message_line.text and "init_w" in app.main.message_line.text
        await pilot.press("2")  # a new configuration recovers (case switch keeps init_w, so clear it)
        app.main.hyperparams.edit("init_w")
        await pilot.press("ctrl+a", "ctrl+k", "enter", "escape", "n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        assert app.is_running


async def test_command_palette_offers_the_actions() -> None:
    app = make_app()
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for want in ("Run / pause", "Step one epoch", "Reset", "Case 1: Manual (NumPy)", "Case 4: nn.Module",
                     "Predict", "Faster", "Slower", "Toggle log10 loss", "Switch chart view", "Help"):
            assert want in titles
        step = next(c for c in app.get_system_commands(app.screen) if c.title == "Step one epoch")
        step.callback()
        await wait_for_epoch(app, 1)


async def wait_for_epoch(app, n: int) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    for _ in range(500):
        if app.session.epoch == n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("epoch not reached")


@pytest.mark.slow
async def test_hyperparams_pane_exposes_every_field() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(Hyperparams)
        keys = ["lr", "epochs", "log_every", "init_w", "init_b", "bias", "standardize", "batch_size", "seed", "data",
                "optimizer", "loss", "mistake"]
        assert list(pane.fields) == keys
        assert app.focused is None  # at start no field has the focus: keys are the app's
        await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        assert pane.text("lr") == "0.02"
        await pilot.press("tab")  # into the editor, on the field it was left on
        for i, key in enumerate(keys):
            await pilot.pause()
            widget = pane.edited_by(key)
            assert pane.current == key and app.focused is widget, (key, app.focused)
            label = str(pane.query_one("#hp-label").render())
            assert label == dict(FIELDS)[key]
            await pilot.press("tab" if i % 2 else "down")
        await pilot.pause()
        assert app.focused is not None and pane not in app.focused.ancestors_with_self  # past Mistake: next pane
        await pilot.press("shift+tab")
        await pilot.pause()
        assert pane.current == "mistake" and app.focused is pane.menu
        await pilot.press("up", "up", "shift+tab")
        await pilot.pause()
        assert pane.current == "data"
        # every other field is drawn as text; a click on one moves the editor there
        assert "Bias           ▐ ▌ off" in screen_text(app)
        above = pane.query_one("#hp-above")
        row = above.line_keys.index("epochs")
        await pilot.click("#hp-above", offset=(3, row))
        await pilot.pause()
        assert pane.current == "epochs" and app.focused is pane.editor and pane.editor.value == "20"
        await pilot.press("escape")
        assert app.session.epoch == 1  # moving around changed nothing


async def test_typing_after_a_move_replaces_the_fields_text() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "end", "down", *"30", "enter")  # the cursor was at the end of "0.02"
        await settle(pilot, app)
        assert app.session.config.epochs == 30 and app.main.hyperparams.error("epochs") is None


async def test_a_click_on_a_switch_row_flips_it() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.main.hyperparams
        below = pane.query_one("#hp-below")
        await pilot.pause()
        row = below.line_keys.index("bias")
        await pilot.click("#hp-below", offset=(20, row))
        await settle(pilot, app)
        assert app.session.config.bias and pane.current == "bias" and app.focused is pane.toggle
        assert "Bias           ▐X▌ on" in screen_text(app)


@pytest.mark.slow
async def test_an_invalid_text_stays_marked_in_its_row_after_the_editor_moves_on() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.main.hyperparams.edit("epochs")
        await pilot.press("ctrl+a", "ctrl+k", *"lots", "tab")
        await pilot.pause(0.05)
        pane = app.main.hyperparams
        assert pane.current == "log_every" and "is not a whole number" in (pane.error("epochs") or "")
        shown = screen_text(app)
        assert "Epochs         lots" in shown and "✗ Epochs: 'lots' is not a whole" in shown
        await pilot.press("shift+tab")
        await pilot.pause()
        assert pane.editor.value == "lots" and pane.editor.has_class("invalid")
        await pilot.press("ctrl+a", "ctrl+k", *"30", "enter")
        await settle(pilot, app)
        assert app.session.config.epochs == 30 and pane.error("epochs") is None and "✗" not in screen_text(app)


@pytest.mark.slow
async def test_optimizer_and_loss_fields_for_cases_3_and_4_only() -> None:
    app = make_app(case=1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        pane = app.main.hyperparams
        pane.edit("optimizer")
        await pilot.press("enter", *"ad", "enter")  # open the menu, type to find adam, take it
        await pilot.pause(0.05)
        assert "case 1 writes its update by hand" in (pane.error("optimizer") or "")
        assert app.session.config.optimizer == "sgd" and "Optimizer      adam" in screen_text(app)
        await pilot.press("escape", "3")
        await settle(pilot, app)
        assert pane.text("optimizer") == "sgd" and pane.error("optimizer") is None
        pane.edit("optimizer")
        await pilot.press("enter", *"ad", "enter")
        await pilot.press("down")  # the next field, Loss: a menu too
        await pilot.pause()
        assert pane.current == "loss" and app.focused is pane.menu
        await pilot.press("enter", "down", "down", "enter")  # mse → l1 → huber
        await settle(pilot, app)
        assert (app.session.config.optimizer, app.session.config.loss) == ("adam", "huber")
        assert "bound n/a" in pane.hint.plain
        await pilot.press("escape", "n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        await pilot.press("1")  # back to case 1: its hand-written update and MSE
        await settle(pilot, app)
        assert (app.session.config.optimizer, app.session.config.loss) == ("sgd", "mse")


async def test_a_max_speed_run_writes_the_log_once_per_display_update() -> None:
    app = make_app(case=1, speed=None, epochs=30_000, log_every=1)  # every epoch logged
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        writes: list[str] = []
        write = app.main.log_pane.write

        def counting_write(content, *args, **kwargs):  # type: ignore[no-untyped-def]
            writes.append(str(content))
            return write(content, *args, **kwargs)

        app.main.log_pane.write = counting_write  # type: ignore[method-assign]
        redraws = app.main.redraws
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "finished", timeout=60)
        await settle(pilot, app)
        # epoch lines go out with the display updates (plus the final note), never a write per batch
        assert 2 <= len(writes) <= app.main.redraws - redraws + 2
        assert writes[-1].startswith("completed: 30000 epochs")
        lines = [line for line in log_text(app) if line.startswith(("epoch", "…"))]
        assert lines[-1].startswith("epoch 30000: ")  # the newest lines are kept...
        assert any(line.startswith("… ") and "logged epochs not shown" in line for line in lines)  # ...the rest counted
        assert len(app.session.history) == 30_000 and app.session.contiguity_errors == 0


async def test_a_long_series_is_drawn_with_as_many_points_as_the_chart_has_dot_columns() -> None:
    app = make_app(case=1, speed=None, epochs=5_000)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "finished", timeout=60)
        await settle(pilot, app)
        width = app.query_one("#loss-view").size.width
        title = static_text(app, "#chart-title")
        drawn = int(title.split("(5000 epochs, ")[1].split(" points drawn")[0])
        # min and max of each of 2 × width braille dot columns, and the last point
        assert 100 <= drawn <= POINTS_PER_CELL * width + 1 < 5000


async def test_the_first_screen_callback_runs_once_after_the_first_screen() -> None:
    calls: list[tuple[int, int]] = []
    app = LinregApp(TrainConfig.for_case(1), seed(), speed=None, cursor_blink=False,
                    on_first_screen=lambda: calls.append(tuple(app.screen.size)))  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert calls == [SIZE]  # laid out at full size by then
        await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == 1)  # the training process it started answers
    assert len(calls) == 1


def test_the_console_entry_point_turns_the_collector_back_on(capsys: pytest.CaptureFixture[str]) -> None:
    import gc

    from tui_app.__main__ import main

    assert main(["--lr", "-1"]) == 2  # exits before any screen
    assert gc.isenabled() and "linreg-tui: error:" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--help"])
    assert gc.isenabled()


@pytest.mark.slow
async def test_the_editor_stays_in_view_as_it_moves_down_a_short_pane() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.main.hyperparams
        await pilot.press("tab")
        for _ in range(11):  # down to Loss, far below the pane's visible rows
            await pilot.press("down")
        await pilot.pause(0.1)
        assert pane.current == "loss" and pane.scroll_y > 0
        row = pane.query_one("#hp-row").region
        assert pane.scrollable_content_region.contains_region(row), (row, pane.scrollable_content_region)
        for _ in range(11):
            await pilot.press("up")
        await pilot.pause(0.1)
        assert pane.current == "lr" and pane.scroll_y == 0


async def test_generated_data_is_made_after_the_first_screen_and_shown_then() -> None:
    """linreg-tui starts without its seed or synthetic data (made once the first screen is drawn): the bound, the
    closed form's loss and the run come then, the same as with the data given."""
    cfg = TrainConfig.for_case(1, lr=0.2, data=DataSpec(source="synthetic", n=50, features=2))
    app = LinregApp(cfg, None, speed=None, cursor_blink=False)
    assert not app.session.has_data and app.session.describe_config().endswith("data synthetic (n=50, d=2)")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "η_max" in app.main.hyperparams.hint.plain)
        given = synthetic(n=50, d=2, seed=cfg.seed)
        made = app.session.dataset
        assert made.name == "synthetic" and (made.X == given.X).all() and (made.y == given.y).all()
        assert app.session.star == analysis.closed_form(given.X, given.y, False)
        assert f"η_max {app.session.bound.eta_max:.4g}" in app.main.hyperparams.hint.plain
        await wait_for(pilot, lambda: "loss*" in static_text(app, "#chart-title"))  # at the next display update
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state.ended)
        assert app.session.history.w.shape == (len(app.session.history), 2)


async def test_keys_typed_before_the_log_and_data_are_up_wait_and_come_in_order() -> None:
    """Until the main screen has its log and its data (just after the first screen), keys wait and are replayed
    in the order typed: none is lost."""
    app = make_app(speed=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.main.ready_for_keys)
        app.main.ready_for_keys = False  # as during the start
        await pilot.press("n", "n", "plus")
        await pilot.pause(0.1)
        assert app.session.epoch == 0 and len(app.typeahead.held) == 3
        app.main.ready_for_keys = True
        app.typeahead.release()
        await wait_for(pilot, lambda: app.session.epoch == 2)
        await settle(pilot, app)
        assert app.session.epoch == 2 and not app.typeahead.held


async def test_generated_data_too_large_for_the_machine_ends_the_app_with_a_message(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Data too large is made after the first screen: the app ends with exit status 2 and says why."""
    cfg = TrainConfig.for_case(1, data=DataSpec(source="synthetic", n=50_000_000, features=10_000))
    app = LinregApp(cfg, None, speed=None, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 2 and app.return_value == 2
    said = " ".join(capsys.readouterr().err.split())
    assert said.startswith("linreg-tui: error: the data could not be made: Unable to allocate 1.82 TiB")
