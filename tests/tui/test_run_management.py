"""Run management in the app: edit w and b (w), save (s), load (L), export (e), history overlays (h), the
standardize switch. Each through its key and dialog, with what ends up on disk and in the core checked."""

from __future__ import annotations

import csv
import errno
import json
import os
from pathlib import Path

import pytest
from textual.widgets import Input

from linreg_core import checkpoint
from linreg_core.config import TrainConfig
from tui_app.screens.history import HistoryScreen
from tui_app.screens.prompts import PromptScreen
from tui_app.widgets.inference_box import predict

from .helpers import make_app, screen_text, settle, wait_for

SEED_X = (1.0, 2.0, 3.0, 4.0)


def seed_loss(w: float, b: float = 0.0) -> float:
    return sum((w * x + b - 2 * x) ** 2 for x in SEED_X) / 4


async def type_into_prompt(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+u", *text, "enter")
    await pilot.pause(0.05)


async def test_edit_parameters_while_paused_and_continue() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n")
        await settle(pilot, app)
        await pilot.press("w")
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one("#prompt-input").value == f"{app.session.w[0]:.6g}"  # type: ignore[attr-defined]
        await type_into_prompt(pilot, "1.5")
        await wait_for(pilot, lambda: app.session.w == (1.5,))
        assert not isinstance(app.screen, PromptScreen)
        assert app.session.loss == pytest.approx(seed_loss(1.5))
        assert "epoch 2: set by hand to w=1.5 (loss there 1.875)" in " ".join(s.text for s in app.main.log_pane.lines)
        await pilot.press("n")
        await settle(pilot, app)
        assert app.session.epoch == 3 and app.session.contiguity_errors == 0
        assert float(app.session.history.loss[-1]) == pytest.approx(seed_loss(1.5))  # epoch 3 starts where we put it
        # lr 0.02 from w=1.5: w ← w − lr·(2/N)Σx(wx − 2x) = 1.5 + 0.02·2·7.5·0.5
        assert app.session.w[0] == pytest.approx(1.5 + 0.02 * 2 * 7.5 * 0.5, rel=1e-6)


@pytest.mark.slow
async def test_edit_with_bias_bad_text_keeps_dialog_and_state() -> None:
    app = make_app(bias=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await settle(pilot, app)
        before = (app.session.w, app.session.b, app.session.epoch)
        await pilot.press("w")
        screen = app.screen
        assert isinstance(screen, PromptScreen)
        for bad, expected in [("1.0", "the run has a bias"), ("1; 2; 3", "one ';' at most"), ("x; 1", "not a number"),
                              ("1, 2; 0", "needs 1 number"), ("inf; 0", "not a finite number")]:
            await type_into_prompt(pilot, bad)
            assert app.screen is screen and expected in screen.error_text, (bad, screen.error_text)
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, PromptScreen)
        assert (app.session.w, app.session.b, app.session.epoch) == before
        assert app.main.message_line.text == "parameters unchanged"
        await pilot.press("w")
        await type_into_prompt(pilot, "2; 0.5")
        await wait_for(pilot, lambda: app.session.b == 0.5)
        assert app.session.w == (2.0,) and app.session.loss == pytest.approx(0.25)


@pytest.mark.slow
async def test_edit_pauses_a_running_run_and_is_refused_after_it_ended() -> None:
    app = make_app(speed=20.0, epochs=1000)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.epoch >= 2)
        await pilot.press("w")
        assert app.session.state == "paused" and isinstance(app.screen, PromptScreen)
        await type_into_prompt(pilot, "0")
        await wait_for(pilot, lambda: app.session.w == (0.0,))
        epoch = app.session.epoch
        await pilot.pause(0.3)
        assert app.session.epoch == epoch  # still paused
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.state == "finished")
        await pilot.press("w")
        assert not isinstance(app.screen, PromptScreen) and "r resets" in app.main.message_line.text


@pytest.mark.slow
async def test_save_asks_before_overwriting_and_reports_a_failed_write(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "run.json"
    app = make_app(bias=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "n")
        await settle(pilot, app)
        await pilot.press("s")
        await type_into_prompt(pilot, str(target))
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        saved = checkpoint.load(target)
        assert (saved.epoch, saved.w, saved.b) == (3, app.session.w, app.session.b)
        assert saved.config.bias and saved.config.lr == app.session.config.lr
        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press("s")
        await type_into_prompt(pilot, str(target))
        screen = app.screen
        assert isinstance(screen, PromptScreen) and "exists — Enter again to overwrite" in screen.error_text
        assert checkpoint.load(target).epoch == 3  # not yet
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        assert checkpoint.load(target).epoch == 4
        # a disk that is full: the message says so, the dialog stays, the old file is intact
        def full(fd: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press("s")
        monkeypatch.setattr(os, "fsync", full)
        await type_into_prompt(pilot, str(target))
        assert "exists" in app.screen.error_text  # a new dialog asks again
        await pilot.press("enter")  # confirm the overwrite
        await pilot.pause(0.05)
        monkeypatch.undo()
        assert isinstance(app.screen, PromptScreen)
        assert "not written: No space left on device" in app.screen.error_text
        assert "unchanged" in app.screen.error_text
        assert checkpoint.load(target).epoch == 4 and os.listdir(tmp_path) == ["run.json"]
        for bad, expected in [("run.txt", "must end in .json"), (str(tmp_path), "is a directory"),
                              (str(tmp_path / "nope" / "a.json"), "does not exist")]:
            await type_into_prompt(pilot, bad)
            assert expected in app.screen.error_text
        await pilot.press("escape")
        assert app.session.state == "paused" and app.session.epoch == 5 and app.main.errors == []


@pytest.mark.slow
async def test_load_restores_configuration_and_weights_and_refuses_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    cfg = TrainConfig.for_case(3, lr=0.003, epochs=77, bias=True, optimizer="adam")
    checkpoint.save(good, cfg, 12, (1.25,), -0.75)
    tampered = tmp_path / "tampered.json"
    doc = json.loads(good.read_text())
    doc["config"]["lr"] = -1
    tampered.write_text(json.dumps(doc))
    pickle_file = tmp_path / "model.json"
    pickle_file.write_bytes(b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94.")
    two = tmp_path / "two.json"
    checkpoint.save(two, TrainConfig.for_case(1), 1, (1.0, 2.0), None)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        before = app.session.config
        await pilot.press("L")
        screen = app.screen
        assert isinstance(screen, PromptScreen)
        for path, expected in [(tampered, "invalid config"), (pickle_file, "not a linreg-tui checkpoint"),
                               (tmp_path / "missing.json", "no such file"), (two, "2 weight(s) but the data has 1")]:
            await type_into_prompt(pilot, str(path))
            assert app.screen is screen and expected in screen.error_text, (path, screen.error_text)
        assert app.session.config == before
        await type_into_prompt(pilot, str(good))
        await wait_for(pilot, lambda: app.session.config.case == 3 and app.session.w == (1.25,), timeout=30)
        assert (app.session.config.lr, app.session.config.epochs, app.session.config.optimizer) == (0.003, 77, "adam")
        assert app.session.w == (1.25,) and app.session.b == -0.75 and app.session.epoch == 0
        assert app.session.loss == pytest.approx(sum((1.25 * x - 0.75 - 2 * x) ** 2 for x in SEED_X) / 4)
        assert "loaded" in app.main.message_line.text and "epoch 12" in app.main.message_line.text


@pytest.mark.slow
async def test_export_writes_every_epoch_and_never_overwrites_unasked(tmp_path: Path) -> None:
    app = make_app(bias=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        assert not isinstance(app.screen, PromptScreen) and "nothing to export" in app.main.message_line.text
        await pilot.press("n", "n", "n")
        await settle(pilot, app)
        out = tmp_path / "h.csv"
        await pilot.press("e")
        await type_into_prompt(pilot, str(out))
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        rows = list(csv.reader(out.open()))
        assert rows[0] == ["epoch", "loss", "w", "b", "grad_w", "grad_b"]
        assert [r[0] for r in rows[1:]] == ["1", "2", "3"] and float(rows[1][1]) == pytest.approx(30.0)
        assert "exported " in app.main.message_line.text and ": 3 epochs" in app.main.message_line.text
        out.write_text("keep me")
        await pilot.press("e")
        await type_into_prompt(pilot, str(out))
        assert isinstance(app.screen, PromptScreen) and "exists" in app.screen.error_text
        await type_into_prompt(pilot, str(tmp_path / "h.json"))  # another path: written at once
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        assert out.read_text() == "keep me"
        doc = json.loads((tmp_path / "h.json").read_text())
        assert len(doc["history"]) == 3 and doc["config"]["bias"] is True


@pytest.mark.slow
async def test_history_keeps_finished_runs_and_overlays_the_chosen_ones() -> None:
    app = make_app(epochs=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen) and "No finished runs yet" in screen_text(app)
        await pilot.press("escape")
        for lr in ("0.02", "0.05"):
            await pilot.click("#hp-editor")  # on Learning rate
            await pilot.press("ctrl+a", "ctrl+k", *lr, "enter", "escape", "space")
            await wait_for(pilot, lambda: app.session.state == "finished")
        assert [r.config.lr for r in app.session.past_runs.runs] == [0.02, 0.05]
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        text = screen_text(app)
        assert "#2 case 1 · lr 0.05" in text and "#1 case 1 · lr 0.02" in text
        await pilot.press("down", "space", "enter")  # the list is newest first: mark #1
        await wait_for(pilot, lambda: not isinstance(app.screen, HistoryScreen))
        assert app.session.past_runs.shown == {1}
        await settle(pilot, app)
        assert "h: past runs" in screen_text(app) and "#1 c1 lr 0.02" in screen_text(app)
        await pilot.press("h", "escape")  # escape keeps the choice
        assert app.session.past_runs.shown == {1}


async def test_standardize_switch_changes_the_bound_and_keeps_original_units() -> None:
    app = make_app(bias=True, lr=0.5, epochs=50)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert app.session.bound.condition > 50
        app.main.hyperparams.edit("standardize")
        await pilot.press("space")
        await wait_for(pilot, lambda: app.session.config.standardize)
        assert app.session.bound.condition == pytest.approx(1.0)
        assert "unscaled: κ(H) 55.8" in screen_text(app)
        await pilot.press("escape", "space")
        await wait_for(pilot, lambda: app.session.state == "finished")
        assert app.session.w[0] == pytest.approx(2.0, abs=1e-3) and app.session.b == pytest.approx(0.0, abs=1e-3)
        assert predict("5", *app.session.params()) == ["f(5) = 10.000"]


@pytest.mark.slow
async def test_app_keys_are_off_while_a_dialog_is_open() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, PromptScreen)
        screen.set_focus(None)  # even with the input not focused, a typed key is no command
        await pilot.press("r", "space", "q", "e", "h", "1")
        await pilot.pause(0.1)
        assert app.is_running and app.screen is screen
        assert app.session.epoch == 1 and app.session.state == "paused" and app.session.config.case == 1
        inp = screen.query_one("#prompt-input", Input)  # they went to the input, none lost
        assert inp.value.endswith("r qeh1") and inp.has_focus
        screen.set_focus(None)
        await pilot.press("ctrl+u", "a", "b", "backspace", "c")
        assert inp.value == "ac" and inp.has_focus
        await pilot.press("escape")
        assert not isinstance(app.screen, PromptScreen)
        await pilot.press("r")
        await settle(pilot, app)
        assert app.session.epoch == 0  # and back on the main screen they work again


@pytest.mark.slow
async def test_x_exports_the_run_as_a_program_that_prints_the_same_lines(tmp_path: Path) -> None:
    import subprocess
    import sys

    target = tmp_path / "run.py"
    app = make_app(case=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("x")
        await type_into_prompt(pilot, str(tmp_path / "run.txt"))  # refused: not .py or .ipynb
        screen = app.screen
        assert isinstance(screen, PromptScreen) and ".py or .ipynb" in screen.error_text
        await pilot.press("ctrl+u", *str(target), "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        assert f"wrote {target}" in app.main.message_line.text
    out = subprocess.run([sys.executable, "-I", str(target)], capture_output=True, text=True, timeout=120)
    assert out.stdout.splitlines()[0] == "epoch 1: w=0.300, loss=30.000"  # case 2's first notebook line


@pytest.mark.slow
async def test_save_and_export_right_after_n_hold_the_epoch_n_ran(tmp_path: Path) -> None:
    """`n` then `s` (or `e`) typed back to back: the epoch n asked for is in what is saved, not the one before."""
    target, table = tmp_path / "now.json", tmp_path / "now.csv"
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("n", "n", "s")
        await type_into_prompt(pilot, str(target))
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        saved = checkpoint.load(target)
        assert saved.epoch == 2 and saved.w == app.session.w
        await pilot.press("n", "e")
        await type_into_prompt(pilot, str(table))
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        with open(table, newline="") as f:
            rows = list(csv.DictReader(f))
        assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
