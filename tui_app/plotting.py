"""Pure helpers for the charts: only finite values, and long series decimated (no UI imports)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def finite_xy(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[Array, Array]:
    """Drop every point whose x or y is NaN or ±inf (plotext raises on inf inside render())."""
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    keep = np.isfinite(xa) & np.isfinite(ya)
    return xa[keep], ya[keep]


def decimate(x: Array, y: Array, max_points: int) -> tuple[Array, Array]:
    """At most about ``max_points`` points: per bucket its min and max (so spikes survive), last point kept."""
    n = len(x)
    if n <= max_points or max_points < 4:
        return x, y
    buckets = max_points // 2
    edges = np.linspace(0, n, buckets + 1).astype(np.int64)
    idx: list[int] = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if hi <= lo:
            continue
        seg = y[lo:hi]
        a, b = lo + int(np.argmin(seg)), lo + int(np.argmax(seg))
        idx.extend(sorted({a, b}))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    sel = np.asarray(idx, dtype=np.int64)
    return x[sel], y[sel]


def log10_loss(loss: npt.ArrayLike) -> Array:
    """log10 of the loss; zero or negative losses become NaN (and are then dropped by :func:`finite_xy`)."""
    arr = np.asarray(loss, dtype=np.float64)
    out = np.full(arr.shape, np.nan)
    pos = arr > 0
    out[pos] = np.log10(arr[pos])
    return out


def plottable(x: npt.ArrayLike, y: npt.ArrayLike, max_points: int) -> tuple[list[float], list[float]]:
    """Finite points only, decimated to about ``max_points``, as lists for plotext."""
    xa, ya = decimate(*finite_xy(x, y), max_points)
    return xa.tolist(), ya.tolist()
