"""A class in real headless Chromium: ``linreg-tui --serve --class DIR --lesson predict``; three visitors sign in
(one with a markup-like name) and a fourth with a wrong code is refused; each answers the lesson's first question
and runs an epoch; ``linreg class DIR --json`` and ``--gradescope`` read the store, and the teacher's app shows the
three. Skipped without a Chromium (tests/machine.py); .ci/run installs it."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

from textual.widgets import DataTable

from linreg_core.classroom import Store
from tests.core.test_classroom import valid_gradescope
from tests.e2e.test_serve import Page, start_server
from tests.machine import need
from tui_app.serve import descendants, running
from tui_app.teacher import TeacherApp

LINREG = Path(sys.executable).parent / "linreg"
CODE = "K7P2QX"


def sign_in(page: Page, name: str, code: str) -> None:
    page.wait("Sign in to the class")
    page.page.locator("textarea").first.focus()  # the terminal's keyboard (xterm.js), without a click on the app
    page.type(name)
    page.page.keyboard.press("Tab")
    page.type(code)
    page.page.keyboard.press("Enter")


def answer(page: Page, text: str, said: str) -> None:
    page.frames.clear()
    page.type(text)
    page.page.keyboard.press("Enter")
    page.wait(said)


def teacher_rows(folder: Path) -> list[list[str]]:
    async def read() -> list[list[str]]:
        app = TeacherApp(Store.open(folder), str(folder))
        async with app.run_test(size=(120, 30)):
            table = app.query_one(DataTable)
            return [[str(cell) for cell in table.get_row(key)] for key in table.rows]

    return asyncio.run(read())


def test_a_class_signs_in_answers_and_is_seen_by_the_teacher(tmp_path: Path) -> None:
    browser_path = need("chromium")
    from playwright.sync_api import sync_playwright

    folder = tmp_path / "class"
    server, url = start_server(["--class", str(folder), "--code", CODE, "--lesson", "predict"], tmp_path)
    try:
        assert server.stdout is not None
        assert f"class code {CODE}" in server.stdout.readline()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, headless=True)
            visitors = {name: Page(browser, url) for name in ("ann", "[bold red]x", "bob")}
            for name, page in visitors.items():
                sign_in(page, name, CODE.lower())
            for name, page in visitors.items():
                page.wait("w after epoch 1")  # the lesson's first question, its answer field focused
                if name == "bob":
                    answer(page, "0.3", "not quite")
                answer(page, "0.6", "right")
                page.page.keyboard.press("Escape")
                page.page.wait_for_timeout(300)
                page.page.keyboard.press("n")  # the step's epoch: the lesson moves on
                page.wait("step 2 of 8")
            intruder = Page(browser, url)
            sign_in(intruder, "eve", "WRONG9")
            intruder.wait("not this class's code")
            shot = tmp_path / "signed-in.png"
            visitors["[bold red]x"].page.screenshot(path=str(shot))
            rows = [json.loads(line) for line in subprocess.run(
                [str(LINREG), "class", str(folder), "--json"], capture_output=True, text=True, check=True,
                timeout=60).stdout.splitlines()]
            assert sorted((r["name"], r["step"], r["steps"], r["right"], r["asked"]) for r in rows) == [
                ("[bold red]x", 2, 8, 1, 2), ("ann", 2, 8, 1, 2), ("bob", 2, 8, 1, 2)]
            assert all(r["seen"] < 30 for r in rows)
            for name in visitors:
                out = tmp_path / "results.json"
                subprocess.run([str(LINREG), "class", str(folder), "--gradescope", str(out), "--learner", name],
                               check=True, capture_output=True, timeout=60)
                results = json.loads(out.read_text())
                valid_gradescope(results)
                assert results["tests"][0]["score"] == 1.0 and results["max_score"] == 5.0
            started = descendants(server.pid)
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
            browser.close()
        assert not running(started), f"left behind: {running(started)}"
        teacher = teacher_rows(folder)  # Pilot, after Playwright's own event loop has ended
        assert sorted(row[0] for row in teacher) == ["[bold red]x", "ann", "bob"]
        assert all(row[1:3] == ["2/8", "1/2"] for row in teacher)
    finally:
        if server.poll() is None:
            server.kill()
