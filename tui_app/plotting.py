"""Pure helpers for the charts: only finite values, and long series decimated (no UI imports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Array = npt.NDArray[np.float64]
else:
    from linreg_core.lazy import np


def finite_xy(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[Array, Array]:
    """Drop every point whose x or y is NaN or ±inf (plotext raises on inf inside render())."""
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    keep = np.isfinite(xa) & np.isfinite(ya)
    return xa[keep], ya[keep]


def decimate_index(y: Array, max_points: int) -> npt.NDArray[np.int64]:
    """Indices of at most about ``max_points`` points of ``y`` (finite values): per bucket of consecutive points
    its min and max (so spikes survive), in order, and the last point. Two array passes, whatever the length."""
    n = len(y)
    if n <= max_points or max_points < 4:
        return np.arange(n, dtype=np.int64)
    buckets = max_points // 2
    size = -(-n // buckets)  # ceil: full buckets of ``size`` points, then one shorter bucket for the rest
    full = n // size
    rows = y[:full * size].reshape(full, size)
    starts = np.arange(full, dtype=np.int64) * size
    lo, hi = starts + rows.argmin(axis=1), starts + rows.argmax(axis=1)
    if full * size < n:
        rest = y[full * size:]
        lo = np.append(lo, full * size + int(rest.argmin()))
        hi = np.append(hi, full * size + int(rest.argmax()))
    pairs = np.sort(np.stack([lo, hi], axis=1), axis=1).ravel()
    keep = np.ones(len(pairs), dtype=bool)
    keep[1::2] = pairs[1::2] != pairs[0::2]  # a bucket whose min and max are one point gives it once
    idx = pairs[keep]
    if idx[-1] != n - 1:
        idx = np.append(idx, n - 1)
    return idx


def decimate(x: Array, y: Array, max_points: int) -> tuple[Array, Array]:
    """At most about ``max_points`` points (finite values): see :func:`decimate_index`."""
    if len(x) <= max_points:
        return x, y
    sel = decimate_index(y, max_points)
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
    xa, ya = np.asarray(x), np.asarray(y)
    if ya.dtype.kind != "f":
        ya = ya.astype(np.float64)
    if len(ya) > max_points and np.isfinite(ya).all() and (xa.dtype.kind in "iu" or np.isfinite(xa).all()):
        # a long series with nothing to drop (the usual case): pick the points first, convert only those
        sel = decimate_index(ya, max_points)
        return xa[sel].astype(np.float64).tolist(), ya[sel].astype(np.float64).tolist()
    xa, ya = decimate(*finite_xy(xa, ya), max_points)
    return xa.tolist(), ya.tolist()
