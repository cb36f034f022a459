"""Checkpoints: weights plus the configuration needed to continue, as plain JSON.

JSON is read with ``json.loads`` and validated field by field, so loading can never run code
(no pickle is involved at any point).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from linreg_core.config import ConfigError, TrainConfig
from linreg_core.fileio import atomic_write

FORMAT = "linreg-tui checkpoint"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024


class CheckpointError(ValueError):
    """A checkpoint that cannot be read: missing, truncated, foreign or tampered."""


@dataclass(frozen=True)
class Checkpoint:
    config: TrainConfig
    epoch: int
    w: tuple[float, ...]
    b: float | None

    def config_to_continue(self) -> TrainConfig:
        """The saved configuration with the saved weights as initial values."""
        return self.config.replace(init_w=self.w, init_b=self.b)


def dumps(config: TrainConfig, epoch: int, w: tuple[float, ...], b: float | None) -> str:
    """The checkpoint's text, as :func:`save` writes it (and a served app sends to the browser)."""
    if not all(math.isfinite(v) for v in w) or (b is not None and not math.isfinite(b)):
        raise CheckpointError("parameters are not finite; nothing saved")
    doc = {"format": FORMAT, "version": VERSION, "epoch": epoch, "w": list(w), "b": b,
           "config": config.to_dict()}
    import json  # at first use: not on the app's start path

    return json.dumps(doc, indent=1, allow_nan=False) + "\n"


def save(path: str | os.PathLike[str], config: TrainConfig, epoch: int, w: tuple[float, ...],
         b: float | None, *, overwrite: bool = True) -> None:
    atomic_write(path, dumps(config, epoch, w, b), overwrite=overwrite)


def load(path: str | os.PathLike[str]) -> Checkpoint:
    name = str(path)
    try:
        size = os.path.getsize(path)
        if os.path.isdir(path):
            raise CheckpointError(f"{name}: is a directory, not a checkpoint")
        if size > MAX_BYTES:
            raise CheckpointError(f"{name}: {size} bytes is too large for a checkpoint")
        with open(path, "rb") as fh:
            raw = fh.read()
    except CheckpointError:
        raise
    except FileNotFoundError:
        raise CheckpointError(f"{name}: no such file") from None
    except OSError as exc:
        raise CheckpointError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointError(f"{name}: not a linreg-tui checkpoint (not JSON; truncated or foreign file)") from None
    return loads(text, name)


def loads(text: str, name: str = "checkpoint") -> Checkpoint:
    """A checkpoint from its text (``name`` says where it came from in the messages)."""
    import json

    if len(text) > MAX_BYTES:
        raise CheckpointError(f"{name}: {len(text)} characters is too large for a checkpoint")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        raise CheckpointError(f"{name}: not a linreg-tui checkpoint (not JSON; truncated or foreign file)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CheckpointError(f"{name}: not a linreg-tui checkpoint (no format marker)")
    if doc.get("version") != VERSION:
        raise CheckpointError(f"{name}: checkpoint version {doc.get('version')!r} is not supported (need {VERSION})")
    try:
        config = TrainConfig.from_dict(doc.get("config", {}))
    except ConfigError as exc:
        raise CheckpointError(f"{name}: invalid config in checkpoint: {exc}") from None
    w = doc.get("w")
    if not isinstance(w, list) or not w or not all(_is_finite_number(v) for v in w):
        raise CheckpointError(f"{name}: 'w' must be a non-empty list of finite numbers")
    b = doc.get("b")
    if config.bias and not _is_finite_number(b):
        raise CheckpointError(f"{name}: 'b' must be a finite number when bias is on")
    if not config.bias and b is not None:
        raise CheckpointError(f"{name}: 'b' must be null when bias is off")
    epoch = doc.get("epoch")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        raise CheckpointError(f"{name}: 'epoch' must be a non-negative integer")
    return Checkpoint(config=config, epoch=epoch, w=tuple(float(v) for v in w),
                      b=None if b is None else float(b))


def _is_finite_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _reject_constant(token: str) -> Any:
    raise ValueError(f"non-standard JSON constant {token}")
