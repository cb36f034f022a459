"""Compact per-epoch history: growable float32 arrays, exportable as CSV or JSON."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from linreg_core.events import EpochEnded, EpochSpan
from linreg_core.fileio import atomic_write

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    from linreg_core.lazy import np

class History:
    """Loss, parameters and gradients per epoch, about 4·(2 + 2d) bytes an epoch."""

    def __init__(self, d: int, bias: bool, capacity: int = 1024):
        self.d, self.bias = d, bias
        self._n = 0
        self._shape = (capacity, 2 * d + (2 if bias else 0))
        self._arrays: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]] | None = None  # at first use

    @property
    def _loss(self) -> npt.NDArray[np.float32]:
        return self._store()[0]

    @property
    def _params(self) -> npt.NDArray[np.float32]:
        return self._store()[1]

    def _store(self) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        if self._arrays is None:  # made at first use: the app's first screen has a history and no NumPy yet
            self._arrays = np.empty(self._shape[0], dtype=np.float32), np.empty(self._shape, dtype=np.float32)
        return self._arrays

    def __len__(self) -> int:
        return self._n

    def append(self, ev: EpochEnded) -> None:
        if self._n == len(self._loss):
            self._grow()
        i = self._n
        self._loss[i] = ev.loss
        row = self._params[i]
        d = self.d
        row[:d] = ev.w
        row[d:2 * d] = ev.grad_w
        if self.bias:
            row[2 * d] = ev.b if ev.b is not None else math.nan
            row[2 * d + 1] = ev.grad_b if ev.grad_b is not None else math.nan
        self._n = i + 1

    def extend(self, events: list[EpochEnded]) -> None:
        """Append many consecutive epochs at once (packed, then copied as whole arrays)."""
        if events:
            self.extend_block(EpochSpan.pack(events))

    def extend_block(self, block: EpochSpan) -> None:
        """Append a block of epochs (whole-array copies)."""
        k = len(block)
        while self._n + k > len(self._loss):
            self._grow()
        i, d = self._n, self.d
        self._loss[i:i + k] = block.loss
        rows = self._params[i:i + k]
        rows[:, :d] = block.w
        rows[:, d:2 * d] = block.grad_w
        if self.bias:
            rows[:, 2 * d] = np.nan if block.b is None else block.b
            rows[:, 2 * d + 1] = np.nan if block.grad_b is None else block.grad_b
        self._n = i + k

    def _grow(self) -> None:
        cap = max(1024, 2 * len(self._loss))
        loss = np.empty(cap, dtype=np.float32)
        loss[: self._n] = self._loss[: self._n]
        params = np.empty((cap, self._params.shape[1]), dtype=np.float32)
        params[: self._n] = self._params[: self._n]
        self._arrays = loss, params

    def clear(self) -> None:
        self._n = 0

    @property
    def nbytes(self) -> int:
        return int(self._loss.nbytes + self._params.nbytes)

    @property
    def epochs(self) -> npt.NDArray[np.int64]:
        return np.arange(1, self._n + 1, dtype=np.int64)

    @property
    def loss(self) -> npt.NDArray[np.float32]:
        return self._loss[: self._n]

    @property
    def w(self) -> npt.NDArray[np.float32]:
        return self._params[: self._n, : self.d]

    @property
    def grad_w(self) -> npt.NDArray[np.float32]:
        return self._params[: self._n, self.d: 2 * self.d]

    @property
    def b(self) -> npt.NDArray[np.float32] | None:
        return self._params[: self._n, 2 * self.d] if self.bias else None

    @property
    def grad_b(self) -> npt.NDArray[np.float32] | None:
        return self._params[: self._n, 2 * self.d + 1] if self.bias else None

    def columns(self) -> list[str]:
        ws = ["w"] if self.d == 1 else [f"w{i + 1}" for i in range(self.d)]
        gs = ["grad_w"] if self.d == 1 else [f"grad_w{i + 1}" for i in range(self.d)]
        return ["epoch", "loss", *ws, *(["b"] if self.bias else []), *gs, *(["grad_b"] if self.bias else [])]

    def rows(self) -> list[list[float | int | None]]:
        out: list[list[float | int | None]] = []
        b, gb = self.b, self.grad_b
        for i in range(self._n):
            row: list[float | int | None] = [i + 1, _num(self._loss[i])]
            row += [_num(v) for v in self.w[i]]
            if b is not None:
                row.append(_num(b[i]))
            row += [_num(v) for v in self.grad_w[i]]
            if gb is not None:
                row.append(_num(gb[i]))
            out.append(row)
        return out

    def to_csv(self) -> str:
        import csv
        import io

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.columns())
        for row in self.rows():
            writer.writerow(["" if v is None else v for v in row])
        return buf.getvalue()

    def to_json(self, extra: dict[str, Any] | None = None) -> str:
        import json

        cols = self.columns()
        doc: dict[str, Any] = dict(extra or {})
        doc["history"] = [dict(zip(cols, row, strict=True)) for row in self.rows()]
        return json.dumps(doc, allow_nan=False)

    def export(self, path: str, *, overwrite: bool = True, extra: dict[str, Any] | None = None) -> None:
        """Write ``.csv`` or ``.json`` atomically (temporary file, then rename)."""
        atomic_write(path, self.export_text(path, extra), overwrite=overwrite)

    def export_text(self, name: str, extra: dict[str, Any] | None = None) -> str:
        """What :meth:`export` writes to a file named ``name``: CSV or JSON by its suffix."""
        lower = name.lower()
        if lower.endswith(".csv"):
            return self.to_csv()
        if lower.endswith(".json"):
            return self.to_json(extra)
        raise ValueError(f"{name}: export path must end in .csv or .json")


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None
