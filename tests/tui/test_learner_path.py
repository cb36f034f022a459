"""What a learner meets at 80×24 and 120×40: the footer, titles, fields, messages and inference results say what the
screen shows."""

from __future__ import annotations

import pytest

from .helpers import make_app, screen_text, settle, wait_for


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_help_and_quit_are_in_the_footer_at_every_width(size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        footer = screen_text(app).splitlines()[-1]
        assert "? Help" in footer and "q Quit" in footer


async def test_the_inference_box_title_names_its_key() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert "Inference  [p]" in screen_text(app)


async def test_a_blank_typed_into_initial_b_shows_the_default_again() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "down", "down", "down", "down", "space", "enter")
        await pilot.pause(0.1)
        row = next(line for line in screen_text(app).splitlines() if "Initial b" in line)
        assert "default (0)" in row
        assert app.session.config.init_b is None


@pytest.mark.parametrize("key", ["greater_than_sign", "less_than_sign", "H", "i"])
async def test_lesson_keys_without_a_lesson_say_so(key: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press(key)
        assert "no lesson is open" in app.main.message_line.text


async def test_pair_keys_say_why_they_do_nothing_and_name_the_pair_they_choose() -> None:
    from linreg_core.data import synthetic

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("right_square_bracket")
        assert "press t" in app.main.message_line.text
        await pilot.press("t", "t", "right_square_bracket")
        assert app.main.chart.view == "landscape-view"
        assert "this run has 1" in app.main.message_line.text
    app = make_app(dataset=synthetic(n=20, d=3))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("t", "t", "right_square_bracket")
        assert app.main.message_line.text.startswith("landscape over w")


async def test_the_summed_gradients_divergence_names_the_effective_rate() -> None:
    app = make_app(1, speed=None, lr=0.04, epochs=40, mistake="summed-gradient")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "diverged")
        said = app.main.message_line.text
        # seed data: N = 4 samples, η_max = 2 / λ_max(2/N·XᵀX) = 2 / 15 (hand-derived)
        assert "N = 4 times larger" in said and "4 × 0.04 = 0.16 > η_max = 0.1333" in said


@pytest.mark.slow
async def test_predictions_follow_the_parameters_and_errors_go_with_their_input() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("p", "5", "enter")
        await pilot.pause(0.05)
        assert "f(5) = 0.000" in screen_text(app) and "at epoch 0:" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause(0.3)
        await pilot.press("n")
        await settle(pilot, app)
        # case 1 on the seed data: w = 0 − 0.02 · (−30) = 0.6 after one epoch, so f(5) = 3
        assert "f(5) = 3.000" in screen_text(app) and "at epoch 1:" in screen_text(app)
        await pilot.press("p", "ctrl+u", *"1e99", "enter")
        await pilot.pause(0.05)
        box = app.main.inference
        error = box.query_one("#predict-error")
        assert "a number is too large for float32" in str(error.render()) and error.display
        assert error.region.bottom <= box.content_region.bottom  # the whole message in the box at 80×24
        assert "float32" in screen_text(app) and "f(5)" not in screen_text(app)
        await pilot.press("backspace")
        await pilot.pause(0.05)
        assert not error.display  # the message went with the text that caused it
        await pilot.press("enter", "escape")
        await pilot.pause(0.3)
        await pilot.press("r")
        await settle(pilot, app)
        assert "float32" not in screen_text(app) and "f(" not in screen_text(app)


@pytest.mark.slow
async def test_the_message_line_follows_the_state() -> None:
    app = make_app(speed=10.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("e")
        assert "nothing to export yet" in app.main.message_line.text
        await pilot.press("space")
        assert "running at 10/s" in app.main.message_line.text
        await pilot.press("n")
        await settle(pilot, app)
        assert app.session.state == "paused" and "running" not in app.main.message_line.text
        await pilot.press("full_stop")
        await settle(pilot, app)
        assert "prediction ran" in app.main.message_line.text
        await pilot.press("n")
        await settle(pilot, app)
        assert "prediction ran" not in app.main.message_line.text
        assert app.main.message_line.text.startswith("the rest of the epoch ran")
        await pilot.press("e")
        await pilot.pause(0.05)
        assert app.main.message_line.text == ""  # the dialog is open: "nothing to export" no longer holds


@pytest.mark.parametrize("key", ["w", "e", "x", "s", "L"])
async def test_typing_replaces_the_text_a_dialog_offers(key: str) -> None:
    from textual.widgets import Input

    from tui_app.screens.prompts import PromptScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press(key, *"-0.5")
        await pilot.pause(0.05)
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one("#prompt-input", Input).value == "-0.5"


async def test_a_second_input_to_predict_replaces_the_first() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("p", "5", "enter", "1", "0", "enter")
        await pilot.pause(0.05)
        assert "f(10) = 0.000" in screen_text(app) and "f(510)" not in screen_text(app)
