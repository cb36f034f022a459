"""`linreg-tui --serve` in a real headless Chromium (Debian's chromium, driven by Playwright): each visitor gets
their own app, keys work, and Ctrl+C leaves no process behind. Never skipped: .ci/run installs chromium."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tui_app.serve import descendants, running

TUI = Path(sys.executable).parent / "linreg-tui"
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Page:
    """A browser page on the served app; what the app sends is read from the websocket's frames."""

    def __init__(self, browser: Any, url: str):
        self.frames: list[str] = []
        self.page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.page.goto(url)

    def _frame(self, frame: Any) -> None:
        self.frames.append(frame if isinstance(frame, str) else bytes(frame).decode("utf-8", "replace"))

    def seen(self, text: str) -> bool:
        return any(text in f for f in self.frames)

    def wait(self, text: str, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while not self.seen(text):
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} not seen in {len(self.frames)} frames")
            self.page.wait_for_timeout(100)  # Playwright delivers events only while it is called

    def key(self, key: str) -> None:
        self.page.mouse.click(600, 400)  # the terminal takes the keys once it has the focus
        self.page.keyboard.press(key)


def test_chromium_is_installed() -> None:
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), "chromium is not installed (.ci/run installs it)"


def test_bad_launch_options_exit_2_before_serving() -> None:
    port = free_port()
    proc = subprocess.run([str(TUI), "--serve", "--port", str(port), "--lr", "-1"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "lr" in proc.stderr
    assert proc.stdout == ""
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # nothing was served


def test_served_app_in_headless_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen([str(TUI), "--case", "2", "--serve", "--port", str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env={**os.environ, "COLUMNS": "200"})
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert f"serving on http://127.0.0.1:{port}/" in first
        url = f"http://127.0.0.1:{port}/"
        end = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0 and time.monotonic() < end:
            time.sleep(0.1)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            one = Page(browser, url)
            one.wait("2 Autograd")  # the case pane, as the terminal draws it
            one.wait("ready")
            one.key("n")
            one.wait("epoch 1: w=0.300, loss=30.000")
            two = Page(browser, url)  # a second visitor, at the same time: an app of their own
            two.wait("2 Autograd")
            two.wait("epoch 0/20")
            one.key("n")
            one.wait("epoch 2/20")
            assert not two.seen("epoch 1: w=")  # the first visitor's steps are not the second's
            two.key("n")
            two.wait("epoch 1: w=0.300, loss=30.000")
            shot = tmp_path / "served.png"
            one.page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            print(f"screenshot: {shot}")
            started = descendants(server.pid)
            assert len(started) >= 4  # two apps, each with its training process
            server.send_signal(signal.SIGINT)  # Ctrl+C
            server.wait(timeout=30)
            browser.close()
        end = time.monotonic() + 10
        while running(started) and time.monotonic() < end:
            time.sleep(0.1)
        assert not running(started), f"left behind: {running(started)}"
    finally:
        if server.poll() is None:
            server.kill()
