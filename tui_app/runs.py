"""Run management behind the app's dialogs, without UI imports: finished runs kept for overlays, typed
parameters, and save / export / load paths checked before anything is written."""

from __future__ import annotations

import math
import os
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from linreg_core.checkpoint import Checkpoint, CheckpointError
from linreg_core.checkpoint import load as load_checkpoint
from linreg_core.config import TrainConfig
from linreg_core.data import DataError, Dataset
from linreg_core.history import History
from linreg_core.parse import InputError, parse_numbers
from tui_app.plotting import decimate, finite_xy

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Finished runs kept (oldest dropped first) and points kept of each loss curve.
KEEP_RUNS = 10
CURVE_POINTS = 2000


class DialogError(ValueError):
    """Shown in the dialog, which stays open with the text the user typed."""


@dataclass(frozen=True)
class PastRun:
    """A finished run: what it was, how it ended, and its loss curve (decimated, finite points only)."""

    number: int
    config: TrainConfig
    data_name: str
    reason: str
    epochs: int
    loss: float
    curve_x: npt.NDArray[np.float64]
    curve_y: npt.NDArray[np.float64]

    @property
    def label(self) -> str:
        mistake = f" ✗{self.config.mistake}" if self.config.mistake else ""
        return f"#{self.number} c{self.config.case} lr {self.config.lr:g}{mistake}"

    def describe(self) -> str:
        c = self.config
        extra = []
        if c.optimizer != "sgd":
            extra.append(c.optimizer)
        if c.loss != "mse":
            extra.append(c.loss)
        if c.batch_size:
            extra.append(f"batch {c.batch_size}")
        if c.bias:
            extra.append("bias")
        if c.standardize:
            extra.append("standardized")
        if c.mistake:
            extra.append(f"mistake {c.mistake}")
        more = f" · {', '.join(extra)}" if extra else ""
        return (f"#{self.number} case {c.case} · lr {c.lr:g}{more} · {self.data_name} — {self.reason}, "
                f"{self.epochs} epochs, loss {self.loss:.6g}")


class RunLog:
    """The last :data:`KEEP_RUNS` finished runs and which of them are overlaid on the loss chart."""

    def __init__(self, keep: int = KEEP_RUNS):
        self.runs: deque[PastRun] = deque(maxlen=keep)
        self.shown: set[int] = set()
        self._count = 0
        #: Told of every run added (a class's store records it)
        self.listeners: list[Callable[[PastRun], None]] = []

    def add(self, config: TrainConfig, data_name: str, reason: str, epochs: int, loss: float,
            history: History) -> PastRun:
        self._count += 1
        x, y = decimate(*finite_xy(history.epochs, history.loss), CURVE_POINTS)
        run = PastRun(self._count, config, data_name, reason, epochs, loss, x.copy(), y.copy())
        self.runs.append(run)
        kept = {r.number for r in self.runs}
        self.shown &= kept
        for listener in self.listeners:
            listener(run)
        return run

    def overlays(self) -> list[PastRun]:
        return [r for r in self.runs if r.number in self.shown]


def parse_params(text: str, d: int, bias: bool) -> tuple[tuple[float, ...], float | None]:
    """``w1, w2, …`` then, with a bias, ``; b``. One w for several features is used for each of them."""
    parts = text.split(";")
    if len(parts) > 2:
        raise DialogError("one ';' at most: w values, then ; and b")
    try:
        ws = parse_numbers(parts[0], "w")
        bs = parse_numbers(parts[1], "b") if len(parts) == 2 else []
    except InputError as exc:
        raise DialogError(str(exc)) from None
    if len(ws) == 1 and d > 1:
        ws = ws * d
    if len(ws) != d:
        raise DialogError(f"w: needs {d} number(s), one per feature (got {len(ws)})")
    if not all(math.isfinite(v) for v in ws + bs):
        raise DialogError("every value must be finite")
    if bias:
        if len(bs) != 1:
            raise DialogError("b: the run has a bias — type w values, then ; and one number for b")
        return tuple(ws), bs[0]
    if bs:
        raise DialogError("this run has no bias: type only the w values (turn Bias on for a b)")
    return tuple(ws), None


def params_text(w: tuple[float, ...], b: float | None) -> str:
    out = ", ".join(f"{v:.6g}" for v in w)
    return out if b is None else f"{out}; {b:.6g}"


def params_label(w: tuple[float, ...], b: float | None) -> str:
    ws = f"{w[0]:.6g}" if len(w) == 1 else "[" + ", ".join(f"{v:.6g}" for v in w) + "]"
    return f"w={ws}" + ("" if b is None else f", b={b:.6g}")


class WritePath:
    """A path to write to (one per dialog): checked, and an existing file is overwritten only when the same path
    is submitted twice in a row."""

    def __init__(self, suffixes: tuple[str, ...]):
        self.suffixes = suffixes
        self._confirmed: str | None = None

    def check(self, text: str) -> str:
        path = os.path.expanduser(text.strip())
        if not path:
            raise DialogError("type a file path")
        if os.path.isdir(path):
            raise DialogError(f"{path}: is a directory")
        if not path.lower().endswith(self.suffixes):
            raise DialogError(f"{path}: the name must end in {' or '.join(self.suffixes)}")
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise DialogError(f"{path}: folder {folder} does not exist")
        if os.path.exists(path) and self._confirmed != path:
            self._confirmed = path
            raise DialogError(f"{path} exists — Enter again to overwrite it, or type another path")
        return path

    def write(self, text: str, action: Callable[[str], None]) -> str:
        """Check the path, then run ``action(path)``; a failed write is a :class:`DialogError` (the previous
        file is intact: writes are atomic)."""
        path = self.check(text)
        try:
            action(path)
        except (OSError, ValueError) as exc:  # CheckpointError is a ValueError
            reason = getattr(exc, "strerror", None) or str(exc)
            raise DialogError(f"not written: {reason} — any previous {os.path.basename(path)} is unchanged") from None
        return path


class DownloadName:
    """A file name for a file sent to a served visitor's browser: a name only, never a folder of the server."""

    def __init__(self, suffixes: tuple[str, ...]):
        self.suffixes = suffixes

    def check(self, text: str) -> str:
        name = text.strip()
        if not name:
            raise DialogError("type a file name")
        if "/" in name or "\\" in name or name.startswith("~"):
            raise DialogError("a file name only, no folders: the file goes to your browser's downloads")
        if name.startswith(".") or not name.isprintable() or len(name) > 100:
            raise DialogError("a name of at most 100 printable characters, not starting with '.'")
        if not name.lower().endswith(self.suffixes):
            raise DialogError(f"{name}: the name must end in {' or '.join(self.suffixes)}")
        return name


@dataclass(frozen=True)
class Loaded:
    path: str
    checkpoint: Checkpoint
    config: TrainConfig
    dataset: Dataset | None  # None: the current data is kept


def load_for_app(text: str, current: TrainConfig, dataset: Dataset,
                 dataset_for: Callable[[TrainConfig], Dataset]) -> Loaded:
    """Read the checkpoint at the typed path and the data it needs; every problem is a :class:`DialogError`."""
    path = os.path.expanduser(text.strip())
    if not path:
        raise DialogError("type the path of a checkpoint (.json)")
    try:
        ckpt = load_checkpoint(path)
    except CheckpointError as exc:
        raise DialogError(str(exc)) from None
    return continue_from(path, ckpt, current, dataset, dataset_for)


def continue_from(name: str, ckpt: Checkpoint, current: TrainConfig, dataset: Dataset,
                  dataset_for: Callable[[TrainConfig], Dataset]) -> Loaded:
    """The configuration to continue from ``ckpt`` and the data it needs (None: the current data)."""
    config = ckpt.config_to_continue()
    new_data: Dataset | None = None
    if config.data != current.data:
        try:
            new_data = dataset_for(config)
        except (DataError, OSError, ValueError) as exc:
            raise DialogError(f"the checkpoint's data cannot be loaded: {exc}") from None
    d = (new_data or dataset).d
    if len(ckpt.w) != d:
        raise DialogError(f"the checkpoint has {len(ckpt.w)} weight(s) but the data has {d} feature(s)")
    return Loaded(name, ckpt, config, new_data)
