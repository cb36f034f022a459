"""Datasets: the notebook's seed data, synthetic data and CSV files.

A :class:`Dataset` always holds ``X`` as float32 ``[n, d]`` and ``y`` as float32 ``[n, 1]``.
Everything here is NumPy only; torch is never imported.
"""

from __future__ import annotations

import io
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    F32 = npt.NDArray[np.float32]
else:
    from linreg_core.lazy import np


#: Largest magnitude accepted in a data file; beyond it float32 arithmetic overflows at once.
MAX_ABS_VALUE = 1e30


class DataError(ValueError):
    """A data source that cannot be used; the message names the file, line and column where it applies."""


@dataclass(frozen=True)
class Dataset:
    X: F32
    y: F32
    name: str = "data"
    feature_names: tuple[str, ...] = ()
    target_name: str = "y"
    true_w: tuple[float, ...] | None = None
    true_b: float | None = None
    meta: dict[str, object] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.y.ndim != 2 or self.y.shape[1] != 1:
            raise DataError(f"{self.name}: X must be [n, d] and y [n, 1], got {self.X.shape} and {self.y.shape}")
        if self.X.shape[0] != self.y.shape[0]:
            raise DataError(f"{self.name}: X has {self.X.shape[0]} rows but y has {self.y.shape[0]}")
        if self.X.shape[0] < 1 or self.X.shape[1] < 1:
            raise DataError(f"{self.name}: needs at least one row and one feature")
        if not self.feature_names:
            names = tuple(f"x{i + 1}" for i in range(self.X.shape[1])) if self.X.shape[1] > 1 else ("x",)
            object.__setattr__(self, "feature_names", names)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])


@dataclass(frozen=True)
class DataShape:
    """A dataset's name and size: known before its arrays are made, for generated data."""

    name: str
    n: int
    d: int


#: The notebook's inputs (y = 2x).
SEED_X = (1.0, 2.0, 3.0, 4.0)


def seed() -> Dataset:
    """The notebook's data: x = [1, 2, 3, 4], y = 2x."""
    x = np.array([[v] for v in SEED_X], dtype=np.float32)
    return Dataset(X=x, y=2.0 * x, name="seed", true_w=(2.0,), true_b=0.0)


def synthetic(
    n: int = 100,
    d: int = 1,
    noise: float = 0.1,
    true_w: float | Sequence[float] = 2.0,
    true_b: float = 0.0,
    seed: int = 0,
) -> Dataset:
    """``y = X @ true_w + true_b + noise * N(0, 1)`` with ``X ~ N(0, 1)``, reproducible for a seed."""
    ws = check_synthetic(n, d, noise, true_w, true_b)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d), dtype=np.float32)
    w = np.asarray(ws, dtype=np.float32).reshape(d, 1)
    y = X @ w + np.float32(true_b) + np.float32(noise) * rng.standard_normal((n, 1), dtype=np.float32)
    return Dataset(
        X=X, y=y.astype(np.float32), name="synthetic", true_w=tuple(ws), true_b=float(true_b),
        meta={"noise": noise, "seed": seed},
    )


def check_synthetic(n: int, d: int, noise: float, true_w: float | Sequence[float], true_b: float) -> list[float]:
    """What :func:`synthetic` checks before it makes the data (no NumPy); the d true weights."""
    if not 1 <= n <= 50_000_000:
        raise DataError(f"synthetic: n must be in 1…50000000 (got {n})")
    if not 1 <= d <= 10_000:
        raise DataError(f"synthetic: features must be in 1…10000 (got {d})")
    if not (math.isfinite(noise) and noise >= 0):
        raise DataError(f"synthetic: noise must be ≥ 0 and finite (got {noise})")
    ws = [float(true_w)] * d if isinstance(true_w, (int, float)) else [float(v) for v in true_w]
    if len(ws) == 1 and d > 1:
        ws = ws * d
    if len(ws) != d:
        raise DataError(f"synthetic: true-w needs 1 or {d} values (got {len(ws)})")
    if not all(math.isfinite(v) for v in ws) or not math.isfinite(true_b):
        raise DataError("synthetic: true-w and true-b must be finite")
    return ws


def _parse_cell(text: str, path: str, line: int, col: int) -> float:
    cell = text.strip()
    try:
        value = float(cell)
    except ValueError:
        raise DataError(f"{path}: line {line}, column {col + 1}: not a number: {cell[:40]!r}") from None
    if not math.isfinite(value):
        raise DataError(f"{path}: line {line}, column {col + 1}: value is not finite: {cell[:40]!r}")
    if abs(value) > MAX_ABS_VALUE:
        raise DataError(
            f"{path}: line {line}, column {col + 1}: |value| > {MAX_ABS_VALUE:g} would overflow float32 training"
        )
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _resolve_column(spec: str, header: list[str] | None, ncols: int, path: str, what: str) -> int:
    spec = spec.strip()
    if header is not None and spec in header:
        return header.index(spec)
    try:
        index = int(spec)
    except ValueError:
        known = ", ".join(header) if header else "no header row"
        raise DataError(f"{path}: {what} {spec!r} is not a column name ({known}) nor a 0-based index") from None
    if not 0 <= index < ncols:
        raise DataError(f"{path}: {what} index {index} is out of range 0…{ncols - 1}")
    return index


def load_csv(path: str | os.PathLike[str], x_cols: str | Sequence[str] | None = None,
             y_col: str | None = None) -> Dataset:
    """Read a numeric CSV file with an optional header row.

    Default target is the last column and the features are all the others; ``x_cols`` (names or 0-based
    indices, comma-separated or a sequence) and ``y_col`` select columns.
    """
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise DataError(f"{name}: no such file")
    if p.is_dir():
        raise DataError(f"{name}: is a directory, not a CSV file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DataError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if b"\x00" in raw[:65536]:
        raise DataError(f"{name}: looks like a binary file, not CSV text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    del raw
    header, values = _parse(text, name)
    ncols = values.shape[1]
    if ncols < 2:
        raise DataError(f"{name}: needs at least two columns (features and a target), found {ncols}")
    y_index = ncols - 1 if y_col is None else _resolve_column(str(y_col), header, ncols, name, "--y-col")
    if x_cols is None:
        x_index = [i for i in range(ncols) if i != y_index]
    else:
        specs = [s for s in (x_cols.split(",") if isinstance(x_cols, str) else x_cols) if s.strip()]
        if not specs:
            raise DataError(f"{name}: --x-cols names no column")
        x_index = [_resolve_column(s, header, ncols, name, "--x-cols") for s in specs]
        if len(set(x_index)) != len(x_index):
            raise DataError(f"{name}: --x-cols names a column twice")
    if y_index in x_index:
        raise DataError(f"{name}: column {y_index} is both a feature and the target")
    X = values[:, x_index].astype(np.float32)
    y = values[:, [y_index]].astype(np.float32)
    names = tuple(header[i] for i in x_index) if header else tuple(f"col{i}" for i in x_index)
    target = header[y_index] if header else f"col{y_index}"
    return Dataset(X=X, y=y, name=p.name, feature_names=names, target_name=target, meta={"path": str(p)})


#: Files up to this size take the exact (slower) path when the fast NumPy parser refuses them.
EXACT_PARSE_MAX_BYTES = 8 * 1024 * 1024
_NUMPY_ROW_COL = re.compile(r"at row (\d+), column (\d+)")
_NUMPY_ROW = re.compile(r"at row (\d+)")


def _parse(text: str, name: str) -> tuple[list[str] | None, npt.NDArray[np.float64]]:
    """(header or None, values [rows, cols] all finite and ≤ MAX_ABS_VALUE)."""
    import csv  # with the file: not on the app's start path

    lines = text.splitlines()
    first_idx = next((i for i, line in enumerate(lines) if line.strip() and line.strip(", \t")), None)
    if first_idx is None:
        raise DataError(f"{name}: file is empty")
    first = next(csv.reader([lines[first_idx]]))
    header = None if all(_is_number(c) for c in first) else [c.strip() for c in first]
    skip = first_idx + (1 if header is not None else 0)
    if header is not None and not any(line.strip() and line.strip(", \t") for line in lines[skip:]):
        raise DataError(f"{name}: has a header row ({', '.join(header)}) but no data rows")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": handled just below
            values = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=skip, dtype=np.float64, ndmin=2,
                                comments=None, encoding=None)
    except ValueError as exc:
        if len(text) <= EXACT_PARSE_MAX_BYTES:
            values = _parse_exact(text, name, header is not None)
        else:
            raise DataError(_numpy_message(name, str(exc), skip)) from None
    if values.size == 0:
        raise DataError(f"{name}: no data rows")
    if header is not None and values.shape[1] != len(header):
        raise DataError(f"{name}: the header has {len(header)} columns but the rows have {values.shape[1]}")
    bad = ~np.isfinite(values) | (np.abs(values) > MAX_ABS_VALUE)
    if bad.any():
        r, c = (int(v) for v in np.argwhere(bad)[0])
        line = _data_line(lines, skip, r)
        v = values[r, c]
        why = "value is not finite" if not np.isfinite(v) else \
            f"|value| > {MAX_ABS_VALUE:g} would overflow float32 training"
        raise DataError(f"{name}: line {line}, column {c + 1}: {why}: {v!r}")
    return header, values


def _data_line(lines: list[str], skip: int, row: int) -> int:
    """1-based file line of data row ``row`` (blank lines are not rows)."""
    seen = -1
    for i in range(skip, len(lines)):
        if lines[i].strip():
            seen += 1
            if seen == row:
                return i + 1
    return skip + row + 1


def _numpy_message(name: str, msg: str, skip: int) -> str:
    m = _NUMPY_ROW_COL.search(msg)
    if m:
        what = msg.split(" at row")[0].replace("could not convert string", "not a number:")
        return f"{name}: data row {int(m.group(1)) + 1} (line {skip + int(m.group(1)) + 1} if no blank lines), " \
               f"column {m.group(2)}: {what.removesuffix(' to float64')}"
    m = _NUMPY_ROW.search(msg)
    if m:
        return f"{name}: data row {int(m.group(1)) + 1}: {msg.split(' at row')[0]}"
    return f"{name}: {msg}"


def _parse_exact(text: str, name: str, has_header: bool) -> npt.NDArray[np.float64]:
    """The csv module, cell by cell: exact line and column for every problem (and quoted numbers)."""
    import csv

    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if row and any(c.strip() for c in row):
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise DataError(f"{name}: line {reader.line_num}: malformed CSV: {exc}") from None
    if has_header:
        rows = rows[1:]
    if not rows:
        raise DataError(f"{name}: no data rows")
    ncols = len(rows[0][1])
    values = np.empty((len(rows), ncols), dtype=np.float64)
    for r, (lineno, row) in enumerate(rows):
        if len(row) != ncols:
            raise DataError(f"{name}: line {lineno}: has {len(row)} columns, expected {ncols}")
        for c, cell in enumerate(row):
            values[r, c] = _parse_cell(cell, name, lineno, c)
    return values


def load(spec: str, *, n: int = 100, features: int = 1, noise: float = 0.1,
         true_w: float | Sequence[float] = 2.0, true_b: float = 0.0, rng_seed: int = 0,
         x_cols: str | None = None, y_col: str | None = None) -> Dataset:
    """Resolve a ``--data`` value: ``seed``, ``synthetic`` or a CSV path."""
    if spec == "seed":
        return seed()
    if spec == "synthetic":
        return synthetic(n=n, d=features, noise=noise, true_w=true_w, true_b=true_b, seed=rng_seed)
    return load_csv(spec, x_cols=x_cols, y_col=y_col)


def generated_shape(spec: str, *, n: int = 100, features: int = 1, noise: float = 0.1,
                    true_w: float | Sequence[float] = 2.0, true_b: float = 0.0) -> DataShape | None:
    """The shape of the data :func:`load` would generate for ``seed`` or ``synthetic``, after the same checks, without
    making it (nor importing NumPy); None for a file, which has to be read."""
    if spec == "seed":
        return DataShape("seed", len(SEED_X), 1)
    if spec == "synthetic":
        check_synthetic(n, features, noise, true_w, true_b)
        return DataShape("synthetic", n, features)
    return None
