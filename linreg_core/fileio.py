"""Atomic file writes: a temporary file in the same folder, fsync, then rename over the target."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class FileExistsNoOverwrite(FileExistsError):
    pass


def atomic_write(path: str | os.PathLike[str], data: str | bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a torn one.

    On failure the previous file is left intact and an :class:`OSError` says why.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"{target}: is a directory")
    if not overwrite and target.exists():
        raise FileExistsNoOverwrite(f"{target}: already exists")
    folder = target.parent if str(target.parent) else Path(".")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file 0600: give it the mode a plain open() would (0666 less the umask), or the mode of
        # the file it replaces
        os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if not overwrite and target.exists():
            raise FileExistsNoOverwrite(f"{target}: already exists")
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
