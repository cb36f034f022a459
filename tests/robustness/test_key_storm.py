"""A seeded storm of 2,000 keys and clicks: no exception, and the invariants hold afterwards."""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from linreg_core import lesson
from tests.tui.helpers import make_app, settle, wait_for
from tui_app.app import LinregApp
from tui_app.widgets.status_bar import STATES

KEYS = ["space", "n", "r", "1", "2", "3", "4", "p", "escape", "plus", "minus", "l", "t", "o", "question_mark",
        "c", "g", "v", "enter", "tab", "shift+tab", "a", "x", "0", "5", "9", "comma", "full_stop", "minus",
        "backspace", "semicolon", "up", "down", "left", "right", "ctrl+a", "ctrl+k", "home", "end",
        "w", "h", "e", "s", "L", "m", "d", "left_square_bracket", "right_square_bracket",
        "greater_than_sign", "less_than_sign", "H", "i"]
CLICKABLE = ["#case-1", "#case-2", "#case-3", "#case-4", "#hp-editor", "#hp-toggle", "#hp-menu", "#hp-above",
             "#hp-below", "#predict-input", "#log", "#chart"]


def stream_diag(app: LinregApp) -> dict[str, object]:
    s: Any = app.session.stream
    return {"interrupted": s._interrupted.is_set(), "credits": s._credits.get_value(),
            "alive": s._proc.is_alive() if getattr(s, "_proc", None) else None, "queued": s.queue.qsize(),
            "app_run": app.session.run_id, "stream_run": s.run_id, "drain": [w.state for w in app.workers]}


def check_invariants(app: LinregApp) -> None:
    assert app.session.state in STATES
    words = app.main.status_line().split()
    assert words[0] == app.session.state and [w for w in words if w in STATES] == [app.session.state]
    assert f"epoch {app.session.epoch}/{app.session.config.epochs}" in app.main.status_line()
    assert app.session.contiguity_errors == 0
    assert len(app.session.history) == app.session.epoch
    if app.session.epoch:
        assert int(app.session.history.epochs[-1]) == app.session.epoch
    assert not [e for e in app.main.errors if "internal error" in e]


@pytest.mark.storm
@pytest.mark.timeout(1200)
async def test_two_thousand_random_keys_and_clicks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # s and e write their default file names into the working folder
    rng = random.Random(20261130)
    app = make_app(case=1, speed=None, epochs=300)
    # with a lesson: its steps' setups reset the run under the keys, its pane comes and goes
    app.session.lesson = lesson.load("mistakes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        stalls: list[tuple[int, str]] = []
        for i in range(2000):
            if rng.random() < 0.06:
                target = rng.choice(CLICKABLE)
                if os.environ.get("STORM_TRACE"):
                    print("click", target, type(app.screen).__name__, flush=True)
                try:
                    await asyncio.wait_for(pilot.click(target), 10)
                except TimeoutError:
                    stalls.append((i, target))
                except Exception as exc:  # a click target hidden under another screen is fine
                    assert "OutOfBounds" in type(exc).__name__ or "NoMatches" in type(exc).__name__, exc
            else:
                key = rng.choice(KEYS)
                if key == "q":
                    continue
                try:
                    await asyncio.wait_for(pilot.press(key), 10)
                except TimeoutError:
                    stalls.append((i, key))
            if os.environ.get("STORM_TRACE"):
                print(i, key if "key" in dir() else "", type(app.screen).__name__, flush=True)
            if i % 200 == 199:
                await pilot.pause(0.05)
        # Back to the main screen, out of any input, and let everything settle.
        for _ in range(4):
            if app.screen is not app.screen_stack[0]:
                await pilot.press("escape")
        app.screen.set_focus(None)
        await pilot.pause(0.2)
        await settle(pilot, app)
        assert app.is_running
        print("pilot stalls:", stalls)
        assert not stalls, f"the app stopped answering: {stalls}"  # every key and click answered in 10 s
        check_invariants(app)
        # The app still works: reset and step give the expected first epoch of the current case.
        await pilot.press("r")
        await settle(pilot, app)
        assert app.session.state == "ready" and app.session.epoch == 0
        await pilot.press("n")
        try:
            await wait_for(pilot, lambda: app.session.epoch == 1)
        except AssertionError:
            raise AssertionError(f"no epoch after n: screens {app.screen_stack}, state {app.session.state}, "
                                 f"message {app.main.message_line.text!r}, errors {app.main.errors[-3:]}, worker "
                                 f"{app.session.stream.worker_state}, focus {app.focused}, "
                                 f"diag {stream_diag(app)}") from None
        await settle(pilot, app)
        check_invariants(app)
        assert isinstance(app.main.predict_input, Input)
        # status and log agree with the core: a clean run of the same configuration gives the same epoch 1
        from linreg_core.engine import Run

        direct = Run(app.session.config, app.session.dataset).advance()[0]
        assert app.session.w == direct.w and app.session.loss == direct.loss
        assert float(app.session.history.loss[0]) == direct.loss
