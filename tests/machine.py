"""The programs the end-to-end tests need from the machine: tmux (a real terminal) and a Chromium (the served app).

Where one is missing, its tests are skipped with a line naming it and how to install it, so ``make test`` passes on
a fresh machine and says what it left out. Under ``.ci/run`` (``LINREG_E2E_REQUIRED=1``) a missing program fails its
tests instead: CI installs both and never skips them.
"""

from __future__ import annotations

import os
import shutil
from functools import cache

import pytest

REQUIRED = os.environ.get("LINREG_E2E_REQUIRED") == "1"
INSTALL = {
    "tmux": "apt-get install tmux, or brew install tmux",
    "chromium": "apt-get install chromium, or `playwright install chromium`",
}


def _runnable(path: str | None) -> str | None:
    """``path`` when it is a file this user can execute (a path that exists but cannot run counts as missing)."""
    return path if path and os.path.isfile(path) and os.access(path, os.X_OK) else None


@cache
def tmux() -> str | None:
    return _runnable(shutil.which("tmux"))


@cache
def chromium() -> str | None:
    """A Chromium to drive: ``chromium`` or ``chromium-browser`` on PATH, Debian's /usr/bin/chromium, or the browser
    Playwright installed for itself."""
    for name in ("chromium", "chromium-browser"):
        found = _runnable(shutil.which(name))
        if found:
            return found
    if _runnable("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            return _runnable(pw.chromium.executable_path)
    except Exception:  # noqa: BLE001 - no Playwright driver or no browser of its own: no Chromium
        return None


def need(program: str) -> str:
    """The path of ``program`` ("tmux" or "chromium"); skips the test without it (fails it under CI)."""
    path = {"tmux": tmux, "chromium": chromium}[program]()
    if path is None:
        why = f"{program} is not installed ({INSTALL[program]})"
        if REQUIRED:
            pytest.fail(f"{why}: LINREG_E2E_REQUIRED=1 (.ci/run) requires it")
        pytest.skip(why)
    return path
