"""What the end-to-end tests look for on the machine (tests/machine.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import machine


def test_a_program_is_found_only_when_it_can_run(tmp_path: Path) -> None:
    program = tmp_path / "chromium"
    assert machine._runnable(str(program)) is None  # missing
    program.write_text("#!/bin/sh\n")
    program.chmod(0o644)
    assert machine._runnable(str(program)) is None  # there, but it cannot be executed
    program.chmod(0o755)
    assert machine._runnable(str(program)) == str(program)
    assert machine._runnable(str(tmp_path)) is None  # a directory


def test_chromium_is_looked_for_on_path_under_both_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = tmp_path / "chromium-browser"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    machine.chromium.cache_clear()
    try:
        assert machine.chromium() == str(browser)
    finally:
        machine.chromium.cache_clear()


def test_a_missing_program_skips_its_test_and_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(machine, "tmux", lambda: None)
    monkeypatch.setattr(machine, "REQUIRED", False)
    with pytest.raises(pytest.skip.Exception, match="tmux is not installed .apt-get install tmux"):
        machine.need("tmux")
    monkeypatch.setattr(machine, "REQUIRED", True)
    with pytest.raises(pytest.fail.Exception, match="LINREG_E2E_REQUIRED=1"):
        machine.need("tmux")
