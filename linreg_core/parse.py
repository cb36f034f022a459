"""Parsers for numbers typed by people: ``--predict`` rows, ``--init-w`` lists."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    from linreg_core.lazy import np

_SPLIT = re.compile(r"[,\s]+")
MAX_INPUT_CHARS = 100_000


class InputError(ValueError):
    """Text that does not parse; the message says what was expected."""


def _number(token: str, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise InputError(f"{what}: {token[:30]!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{what}: {token[:30]!r} is not a finite number")
    return value


def parse_numbers(text: str, what: str = "value") -> list[float]:
    """Numbers separated by commas and/or spaces; at least one, all finite."""
    if len(text) > MAX_INPUT_CHARS:
        raise InputError(f"{what}: input longer than {MAX_INPUT_CHARS} characters")
    tokens = [t for t in _SPLIT.split(text.strip()) if t]
    if not tokens:
        raise InputError(f"{what}: no numbers given")
    return [_number(t, what) for t in tokens]


def parse_predict(text: str, d: int) -> npt.NDArray[np.float32]:
    """Inputs to predict as float32 [m, d].

    One feature: every number is one input (``"5,3,4"`` or ``"5 3 4"``; ``;`` also separates).
    d features: rows of d numbers separated by ``;`` (``"1, 2; 3, 4"``).
    """
    if len(text) > MAX_INPUT_CHARS:
        raise InputError(f"predict: input longer than {MAX_INPUT_CHARS} characters")
    if d == 1:
        values = parse_numbers(text.replace(";", " "), "predict")
        rows = [[v] for v in values]
    else:
        parts = [p for p in text.split(";") if p.strip()]
        if not parts:
            raise InputError(f"predict: no rows given (rows of {d} numbers separated by ';')")
        rows = []
        for i, part in enumerate(parts, start=1):
            row = parse_numbers(part, f"predict row {i}")
            if len(row) != d:
                raise InputError(f"predict row {i}: has {len(row)} numbers, the model has {d} features "
                                 f"(rows of {d} numbers separated by ';')")
            rows.append(row)
    arr = np.asarray(rows, dtype=np.float64)
    if np.any(np.abs(arr) > np.finfo(np.float32).max):
        raise InputError("predict: a number is too large for float32")
    return arr.astype(np.float32)


def format_prediction(x: npt.NDArray[np.float32], y: float) -> str:
    """``f(5) = 9.992`` / ``f(1, 2) = 3.456``."""
    return f"f({', '.join(f'{float(v):g}' for v in x)}) = {y:.3f}"


def format_epoch(epoch: int, w: Sequence[float], b: float | None, loss: float) -> str:
    """The notebook's line: ``epoch 1: w=0.300, loss=30.000`` (``b=`` with bias, ``w=[…]`` for d > 1)."""
    ws = f"{w[0]:.3f}" if len(w) == 1 else "[" + ", ".join(f"{v:.3f}" for v in w) + "]"
    bs = "" if b is None else f", b={b:.3f}"
    return f"epoch {epoch}: w={ws}{bs}, loss={loss:.3f}"


def value_text(value: object, limit: int = 100) -> str:
    """A step's value for people: numbers to 6 significant digits (enough to tell apart what the log shows to 3
    decimals; full precision is in --json), nested lists as lists, cut with … past ``limit`` characters."""

    def text(v: object) -> str:
        if isinstance(v, list):
            return "[" + ", ".join(text(x) for x in v) + "]"
        if isinstance(v, float):
            return f"{v:.6g}"
        return "None" if v is None else str(v)

    out = text(value)
    return out if len(out) <= limit else out[:limit - 1] + "…"
