"""Pure helpers for the charts: only finite values, and long series decimated (no UI imports)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

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


def nice_ticks(lo: float, hi: float, most: int) -> list[float]:
    """At most ``most`` (≥ 2) round values from about ``lo`` to about ``hi``: multiples of 1, 2, 2.5 or 5 × 10^k
    (the first and last may lie a little outside: the axis is widened to them). A chart given these puts
    each label on the row (column) nearest its value; plotext's own ticks, on a short chart, are equally spaced rows
    labelled with values that are not theirs."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    most = max(2, most)
    power = 10.0 ** math.floor(math.log10((hi - lo) / (most - 1)))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0, 20.0):
        step = factor * power
        first, last = math.ceil(lo / step - 0.25), math.floor(hi / step + 0.25)
        if last - first + 1 <= most:
            break
    return [round(k * step, 12) + 0.0 for k in range(first, last + 1)]


def tick_labels(ticks: list[float]) -> list[str]:
    """The labels of ``ticks``: whole numbers as such, others with the decimals their spacing needs."""
    if not ticks:
        return []
    big = max(abs(t) for t in ticks)
    step = min((b - a for a, b in zip(ticks, ticks[1:], strict=False)), default=big) or big or 1.0
    if big >= 1e6 or (big and big < 1e-3):
        return [f"{t:.3g}" for t in ticks]
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    while decimals < 12 and any(abs(t * 10 ** decimals - round(t * 10 ** decimals)) > 1e-6 for t in ticks):
        decimals += 1  # a step of 2.5, 0.25 …, or a single tick (-1.25)
    return [f"{t:.{decimals}f}" for t in ticks]


def set_ticks(plt: object, xs: list[list[float]], ys: list[list[float]], width: int, height: int,
              whole_x: bool = False) -> None:
    """Round ticks on a plotext figure of ``width`` × ``height`` cells drawing the series ``xs`` and ``ys``:
    a label every second row at most, every 12 columns; ``whole_x``: integers only on x (epochs)."""
    p: Any = plt
    flat_y = [v for s in ys for v in s if math.isfinite(v)]
    if flat_y:
        lo, hi = min(flat_y), max(flat_y)
        yt = nice_ticks(lo, hi, max(2, (height - 3) // 2 + 1))
        if yt:
            p.ylim(min(lo, yt[0]), max(hi, yt[-1]))
            p.yticks(yt, tick_labels(yt))
    flat_x = [v for s in xs for v in s if math.isfinite(v)]
    if flat_x:
        lo, hi = min(flat_x), max(flat_x)
        xt = [t for t in nice_ticks(lo, hi, max(2, width // 12)) if lo <= t <= hi]
        if whole_x:
            xt = [t for t in xt if t == round(t)]
        if xt:
            p.xticks(xt, tick_labels(xt))

