"""The installed console scripts in a real terminal (tmux): launch, step, run, predict, quit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest

from tests.machine import need
from tui_app.serve import descendants, running

BIN = Path(sys.executable).parent
TUI = BIN / "linreg-tui"



class Tmux:
    def __init__(self, command: str, width: int = 120, height: int = 40):
        need("tmux")  # skipped without it (a failure under .ci/run)
        self.name = f"linreg-e2e-{uuid.uuid4().hex[:8]}"
        self.socket = ["-L", self.name]
        env = {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
        subprocess.run(["tmux", *self.socket, "new-session", "-d", "-s", self.name, "-x", str(width), "-y",
                        str(height), *[a for k, v in env.items() for a in ("-e", f"{k}={v}")],
                        f"env -u COLUMNS -u LINES sh -c '{command}'"],
                       check=True)

    def screen(self) -> str:
        out = subprocess.run(["tmux", *self.socket, "capture-pane", "-p", "-t", self.name], capture_output=True,
                             text=True)
        return out.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", *self.socket, "send-keys", "-t", self.name, *keys], check=True)

    def wait(self, cond: Callable[[str], bool], timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.screen()
            if cond(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out; screen:\n{self.screen()}")

    def kill(self) -> None:
        subprocess.run(["tmux", *self.socket, "kill-server"], capture_output=True)


def exit_status(exit_file: Path, timeout: float = 15.0) -> str:
    """The exit status the session's shell wrote to ``exit_file`` once the app ended."""
    end = time.monotonic() + timeout
    while not exit_file.exists() and time.monotonic() < end:
        time.sleep(0.1)
    return exit_file.read_text().strip()


def status_of(screen: str) -> str:
    lines = [line for line in screen.splitlines() if "epoch " in line and "speed" in line]
    return lines[-1].strip() if lines else ""


def test_linreg_tui_end_to_end(tmp_path: Path) -> None:
    exit_file = tmp_path / "exit"
    t = Tmux(f"{TUI} --speed max; echo $? > {exit_file}; sleep 5")
    try:
        first = t.wait(lambda s: status_of(s).startswith("ready"))
        assert "linreg-tui" in first and "1 Manual (NumPy)" in first and "Learning rate" in first
        t.keys("n")
        t.wait(lambda s: status_of(s).startswith("paused  epoch 1/20"))
        assert "epoch 1: w=0.600, loss=30.000" in t.screen()
        t.keys("Space")
        t.wait(lambda s: status_of(s).startswith("finished  epoch 20/20"))
        done = t.wait(lambda s: "epoch 20: w=1.998, loss=0.000" in s, timeout=5)
        # the loss curve: plotext's braille dots (the plots arrive after the first screen, plotext imported then)
        assert any("\u2800" <= ch <= "\u28ff" for ch in done)
        t.keys("p")
        t.keys("5, 3, 4", "Enter")
        shown = t.wait(lambda s: "f(4) = 7.994" in s)
        assert "f(5) = 9.992" in shown and "f(3) = 5.995" in shown
        t.keys("Escape")
        time.sleep(0.3)  # a terminal reads a key within milliseconds after Escape as Alt+key: a person's pause
        t.keys("q")
        assert exit_status(exit_file) == "0"
    finally:
        t.kill()


def test_keys_typed_back_to_back_reach_where_the_previous_key_moved_the_focus(tmp_path: Path) -> None:
    t = Tmux(f"cd {tmp_path} && {TUI}; sleep 5")
    try:
        t.wait(lambda s: status_of(s).startswith("ready"))
        t.keys("p", "7", "BSpace", "5", "Enter")  # into the inference box, a correction, Enter
        t.wait(lambda s: "f(5) = 0.000" in s)
        t.keys("Escape")
        time.sleep(0.3)  # Escape then a key at once reads as Alt+key in a terminal
        t.keys("Tab", "C-u", "0.05", "Down", "C-u", "35", "Enter")  # the learning rate, then down to Epochs
        screen = t.wait(lambda s: "Epochs set to 35" in s)
        assert "lr 0.05 · 35 epochs" in screen.replace("\n", " ")
        t.keys("Escape")
        time.sleep(0.3)
        t.keys("s", "C-u", "typed.json", "Enter", "n")  # a dialog opened, typed into, confirmed; then a step
        # the message line then says what n did; the file is there, under the name typed into the dialog
        t.wait(lambda s: "epoch 1/35" in status_of(s) and "one epoch" in s)
        assert (tmp_path / "typed.json").exists()
    finally:
        t.kill()


def test_python_m_tui_app_bad_option_exits_2_before_drawing() -> None:
    proc = subprocess.run([sys.executable, "-m", "tui_app", "--lr", "-1"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == "linreg-tui: error: lr: must be > 0 and finite (got -1.0)\n"
    assert proc.stdout == ""
    proc = subprocess.run([str(TUI), "--speed", "fast"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--speed" in proc.stderr


@pytest.mark.parametrize(("argv", "error"), [
    (["--data", "synthetic", "--n", "0"], "synthetic: n must be in 1…50000000 (got 0)"),
    (["--data", "synthetic", "--features", "2", "--true-w", "1,2,3"], "synthetic: true-w needs 1 or 2 values (got 3)"),
    (["--init-w", "1,2"], "init_w: needs 1 or 1 values for 1 features (got 2)"),
    (["--data", "synthetic", "--features", "3", "--init-w", "1,2"],
     "init_w: needs 1 or 3 values for 3 features (got 2)"),
])
def test_generated_data_made_after_the_first_screen_is_still_checked_before_it(argv: list[str], error: str) -> None:
    """The seed and synthetic data are made once the first screen is drawn; their options are checked before."""
    proc = subprocess.run([str(TUI), *argv], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == f"linreg-tui: error: {error}\n"


def test_the_first_screen_imports_neither_numpy_nor_the_engine() -> None:
    """Everything the first screen needs, imported and built as ``linreg-tui`` does, in a fresh interpreter."""
    code = """
import sys
from tui_app.__main__ import build_parser
from linreg_core.options import setup_for_app
from tui_app.app import LinregApp
config, dataset = setup_for_app(build_parser().parse_args(["--data", "synthetic", "--features", "2"]))
app = LinregApp(config, dataset)
screen = app.get_default_screen()
imported = sorted(m for m in ("numpy", "torch", "linreg_core.engine") if m in sys.modules)
print(dataset, app.session.describe_config(), imported)
app.session.stream.stop()
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split(" case ")[0] == "None"
    assert "data synthetic (n=100, d=2) []" in proc.stdout


def test_linreg_console_script_in_a_terminal_shows_progress() -> None:
    t = Tmux(f"{BIN / 'linreg'} run --epochs 3000000 --log-every 10000000; sleep 5", width=100, height=10)
    try:
        screen = t.wait(lambda s: "epoch" in s and "/3000000" in s.replace(",", ""), timeout=30)
        assert "ETA" in screen or "eta" in screen.lower() or "━" in screen
    finally:
        t.kill()


def test_lines_printed_during_the_progress_bar_stay_whole_and_single() -> None:
    """stdout and the bar (stderr) share the terminal: the run's lines go above the bar, each once, unbroken."""
    t = Tmux(f"{BIN / 'linreg'} run --epochs 600000 --log-every 200000; echo DONE; sleep 30", width=80, height=24)
    try:
        screen = t.wait(lambda s: "DONE" in s, timeout=60)
        lines = [line for line in screen.splitlines() if line.strip()]
        assert lines[:3] == ["epoch 1: w=0.600, loss=30.000", "epoch 200001: w=2.000, loss=0.000",
                             "epoch 400001: w=2.000, loss=0.000"], screen
        assert lines[3].startswith("completed: 600000 epochs") and lines[-1] == "DONE", screen
        assert "━" not in screen, screen
    finally:
        t.kill()


def test_help_is_true_to_the_options() -> None:
    out = subprocess.run([str(TUI), "--help"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert out.returncode == 0
    for opt in ("--case", "--lr", "--epochs", "--log-every", "--init-w", "--init-b", "--bias", "--seed", "--data",
                "--x-cols", "--y-col", "--batch-size", "--tol", "--load", "--speed", "--standardize"):
        assert opt in out.stdout


def test_save_edit_and_load_in_a_real_terminal(tmp_path: Path) -> None:
    """s saves a checkpoint, w sets w by hand, L loads the checkpoint back: all through the installed script."""
    ckpt = tmp_path / "ckpt.json"

    # every dialog's keys are sent back to back with the key that opens it: none may be lost
    t = Tmux(f"cd {tmp_path} && {TUI} --bias --standardize --lr 0.5; sleep 5")
    try:
        t.wait(lambda s: status_of(s).startswith("ready"))
        t.keys("n", "n", "n")
        t.wait(lambda s: "epoch 3/20" in status_of(s))
        t.keys("s", "C-u")
        t.keys("-l", str(ckpt))
        t.keys("Enter")
        screen = t.wait(lambda s: f"saved {ckpt}" in s)
        assert "epoch 3" in screen and ckpt.exists()
        t.keys("w", "C-u")
        t.keys("-l", "1.5; 0.5")
        t.keys("Enter")
        screen = t.wait(lambda s: "set by hand to w=1.5, b=0.5" in s)
        assert "loss there 0.875" in screen.replace("\n", " ")  # mean((1.5x + 0.5 − 2x)²) on x = 1…4
        t.keys("L", "C-u")
        t.keys("-l", str(ckpt))
        t.keys("Enter")
        screen = t.wait(lambda s: "loaded" in s and status_of(s).startswith("ready"))
        assert "epoch 0/20" in status_of(screen)
        t.keys("q")
    finally:
        t.kill()


def test_q_during_a_max_speed_run_quits_at_once_and_leaves_no_process() -> None:
    import pexpect

    child = pexpect.spawn(str(TUI), ["--speed", "max", "--epochs", "100000000"], dimensions=(40, 120),
                          env={**os.environ, "TERM": "xterm"})
    try:
        child.expect("ready", timeout=30)
        child.send(" ")
        child.expect("running", timeout=30)
        below = set(descendants(child.pid))
        assert below, "the training process runs below the app"
        started = time.monotonic()
        child.send("q")
        child.expect(pexpect.EOF, timeout=10)
        quit_seconds = time.monotonic() - started
        child.wait()
        end = time.monotonic() + 5
        while running(below) and time.monotonic() < end:
            time.sleep(0.05)
        assert not running(below), f"left behind: {running(below)}"
        print(f"q to exit: {quit_seconds:.3f} s")  # the figure for the README; CI machines differ in speed
        assert child.exitstatus == 0
    finally:
        child.terminate(force=True)


def test_a_two_step_lesson_in_a_real_terminal(tmp_path: Path) -> None:
    """linreg-tui --lesson FILE at 80×24: the first step's setup applied, n moves it on, > ends the lesson; a
    broken file exits 2 with its line before anything is drawn; linreg lesson check says the same."""
    lesson = tmp_path / "two.toml"
    lesson.write_text('title = "Two steps"\n[[step]]\ntext = "Press **n** twice."\nsetup = { case = 2, epochs = 9 }\n'
                      'expect = { epoch_at_least = 2 }\nhint = "n runs one epoch."\n\n[[step]]\n'
                      'text = "Well done: press > to finish."\n')
    exit_file = tmp_path / "exit"
    t = Tmux(f"{TUI} --lesson {lesson}; echo $? > {exit_file}; sleep 5", width=80, height=24)
    try:
        first = t.wait(lambda s: "Press n twice." in s and status_of(s).startswith("ready  epoch 0/9"))
        assert "Lesson: Two steps" in first and "step 1 of 2" in first and "To go on: epoch ≥ 2" in first
        assert "case 2 Autograd" in first  # the setup's case: the log's first line names the run
        t.keys("n", "n")  # back to back
        second = t.wait(lambda s: "Well done: press > to finish." in s and status_of(s).startswith("paused  epoch 2/9"))
        assert "step 2 of 2" in second
        t.keys(">")
        t.wait(lambda s: "Lesson complete" in s)
        t.keys("q")
        assert exit_status(exit_file) == "0"
    finally:
        t.kill()
    broken = tmp_path / "broken.toml"
    broken.write_text('title = "x"\n[[step]]\ntext = "a"\nexpect = { case = 5 }\n')
    out = subprocess.run([str(TUI), "--lesson", str(broken)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == f"linreg-tui: error: {broken}:4: step 1: expect: case = 5 can never hold (case is one of " \
                         f"1, 2, 3, 4)\n"
    check = subprocess.run([str(BIN / "linreg"), "lesson", "check", str(broken)], capture_output=True, text=True)
    assert check.returncode == 2 and out.stderr.removeprefix("linreg-tui: error: ") in check.stderr
