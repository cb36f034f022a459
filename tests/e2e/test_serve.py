"""`linreg-tui --serve` in a real headless Chromium (driven by Playwright): each visitor gets their own app, keys
work, and Ctrl+C leaves no process behind. Skipped without a Chromium (tests/machine.py); .ci/run installs it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.machine import need
from tui_app.serve import descendants, running

TUI = Path(sys.executable).parent / "linreg-tui"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Page:
    """A browser page on the served app; what the app sends is read from the websocket's frames, and the files it
    delivers arrive as downloads (textual-serve opens each in a new tab)."""

    def __init__(self, browser: Any, url: str):
        self.frames: list[str] = []
        self.downloads: list[Any] = []
        context = browser.new_context(viewport={"width": 1200, "height": 800}, accept_downloads=True)
        context.on("page", lambda page: page.on("download", lambda d: self.downloads.append(d)))
        self.page = context.new_page()
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.page.goto(url)

    def download(self, name: str, timeout: float = 30.0) -> str:
        """The text of the file ``name`` that arrived as a download."""
        end = time.monotonic() + timeout
        while not any(d.suggested_filename == name for d in self.downloads):
            if time.monotonic() > end:
                raise AssertionError(f"no download {name!r}: {[d.suggested_filename for d in self.downloads]}")
            self.page.wait_for_timeout(100)
        found = next(d for d in self.downloads if d.suggested_filename == name)
        return Path(found.path()).read_text()

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def dialog(self, key: str, shown: str, text: str) -> None:
        """``key`` opens a dialog (``shown`` seen in it): ``text`` typed over its text, then Enter."""
        self.page.wait_for_timeout(300)
        self.frames.clear()
        self.key(key)
        self.wait(shown)
        self.page.keyboard.press("Control+u")
        self.type(text)
        self.page.keyboard.press("Enter")

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


def start_server(argv: list[str], cwd: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    server = subprocess.Popen([str(TUI), *argv, "--serve", "--port", str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, cwd=cwd, env={**os.environ, "COLUMNS": "200"})
    assert server.stdout is not None
    assert f"serving on http://127.0.0.1:{port}/" in server.stdout.readline()
    end = time.monotonic() + 30
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0 and time.monotonic() < end:
        time.sleep(0.1)
    return server, f"http://127.0.0.1:{port}/"


def test_bad_launch_options_exit_2_before_serving() -> None:
    port = free_port()
    proc = subprocess.run([str(TUI), "--serve", "--port", str(port), "--lr", "-1"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "lr" in proc.stderr
    assert proc.stdout == ""
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # nothing was served


def test_served_app_in_headless_chromium(tmp_path: Path) -> None:
    browser_path = need("chromium")
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
            browser = pw.chromium.launch(executable_path=browser_path, headless=True)
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


def local_files(folder: Path) -> dict[str, str]:
    """n, then s, e and x in a local terminal (tmux): the files the local commands write, and L reads one back."""
    from tests.e2e.test_console_script import Tmux, status_of

    t = Tmux(f"cd {folder} && {TUI} --case 2; sleep 5")
    try:
        t.wait(lambda s: status_of(s).startswith("ready"))
        t.keys("n")
        t.wait(lambda s: status_of(s).startswith("paused  epoch 1/20"))
        for key, name, said in (("s", "c.json", "saved c.json"), ("e", "h.csv", "exported h.csv"),
                                ("x", "run.py", "wrote run.py")):
            t.keys(key, "C-u", name, "Enter")
            t.wait(lambda s, said=said: said in s)  # type: ignore[misc]
        t.keys("L", "C-u", "c.json", "Enter")
        t.wait(lambda s: "loaded c.json" in s)
    finally:
        t.kill()
    return {name: (folder / name).read_text() for name in ("c.json", "h.csv", "run.py")}


def test_a_served_visitor_gets_downloads_and_never_touches_the_servers_files(tmp_path: Path) -> None:
    browser_path = need("chromium")
    from playwright.sync_api import sync_playwright

    local, served, elsewhere = tmp_path / "local", tmp_path / "server", tmp_path / "elsewhere"
    for folder in (local, served, elsewhere):
        folder.mkdir()
    expected = local_files(local)
    server, url = start_server(["--case", "2"], served)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, headless=True)
            visitor = Page(browser, url)
            visitor.wait("ready")
            visitor.key("n")
            visitor.wait("epoch 1: w=0.300, loss=30.000")
            # a typed path is refused: a file name only
            visitor.dialog("s", "a file name ending in", str(elsewhere / "typed.json"))
            visitor.wait("no folders")
            visitor.page.keyboard.press("Escape")
            for key, name in (("s", "c.json"), ("e", "h.csv"), ("x", "run.py")):
                visitor.dialog(key, "Enter confirms", name)
                visitor.wait(f"sent {name} to your browser")
                assert visitor.download(name) == expected[name], name
            # L with a path on the server: refused, and the app goes on
            visitor.dialog("L", "paste a checkpoint", str(local / "c.json"))
            visitor.wait("cannot be read")
            visitor.page.keyboard.press("Escape")
            visitor.page.wait_for_timeout(300)
            # the Data field with a server path: refused with a message
            visitor.key("Tab")
            for _ in range(9):  # Learning rate … Seed, then Data
                visitor.page.keyboard.press("ArrowDown")
            visitor.page.keyboard.press("Control+u")
            visitor.type("/etc/passwd")
            visitor.page.keyboard.press("Enter")
            visitor.wait("Data: not changed")
            visitor.page.keyboard.press("Escape")
            visitor.page.wait_for_timeout(300)
            visitor.key("n")
            visitor.wait("epoch 2/20")  # still running, the run kept
            shot = tmp_path / "visitor.png"
            visitor.page.screenshot(path=str(shot))
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert os.listdir(served) == [] and os.listdir(elsewhere) == []  # nothing written on the server
