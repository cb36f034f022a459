"""Exports and checkpoints are written atomically; a failed write leaves the previous file intact."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest

from linreg_core.cli import main
from linreg_core.fileio import FileExistsNoOverwrite, atomic_write


def test_atomic_write_replaces_whole(tmp_path: Path) -> None:
    p = tmp_path / "h.csv"
    atomic_write(p, "old\n")
    atomic_write(p, "new\n")
    assert p.read_text() == "new\n" and sorted(x.name for x in tmp_path.iterdir()) == ["h.csv"]
    with pytest.raises(FileExistsNoOverwrite):
        atomic_write(p, "newer\n", overwrite=False)
    assert p.read_text() == "new\n"


def test_disk_full_leaves_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "c.json"
    p.write_text("previous")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(p, "x" * 1000)
    assert p.read_text() == "previous" and [x.name for x in tmp_path.iterdir()] == ["c.json"]
    out, err = io.StringIO(), io.StringIO()
    assert main(["run", "--epochs", "2", "--save", str(p)], out, err) == 2
    assert err.getvalue().startswith("linreg: error: ") and "No space left" in err.getvalue()
    assert p.read_text() == "previous"


def test_read_only_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated (tests run as root, which ignores directory permissions).
    import tempfile

    p = tmp_path / "h.csv"
    p.write_text("previous")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(PermissionError):
        atomic_write(p, "new")
    assert p.read_text() == "previous"
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    err = io.StringIO()
    assert main(["run", "--epochs", "2", "--export", str(p)], io.StringIO(), err) == 2
    assert "not writable" in err.getvalue() and p.read_text() == "previous"


def test_written_files_get_the_umask_mode_and_replaced_files_keep_theirs(tmp_path: Path) -> None:
    import stat

    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        atomic_write(fresh, "{}")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # as open(..., "w") gives under umask 022
        kept = tmp_path / "kept.json"
        kept.write_text("old")
        kept.chmod(0o640)
        atomic_write(kept, "new")
        assert kept.read_text() == "new" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    finally:
        os.umask(old)
