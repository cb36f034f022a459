"""The charts' decimation: a long series becomes a few hundred points that keep every bucket's extremes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_app.plotting import decimate, decimate_index, finite_xy, plottable

MAX_POINTS = 600


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 20_000), max_points=st.integers(4, 700), seed=st.integers(0, 2**32 - 1))
def test_each_bucket_keeps_its_min_and_max_and_the_last_point(n: int, max_points: int, seed: int) -> None:
    y = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    idx = decimate_index(y, max_points)
    assert np.all(np.diff(idx) > 0) and idx[-1] == n - 1  # in order, no repeats, the last point kept
    if n <= max_points:
        assert len(idx) == n
        return
    assert len(idx) <= max_points + 1
    # buckets of ceil(n / (max_points // 2)) consecutive points: each one's extremes are among the kept points
    size = -(-n // (max_points // 2))
    kept = set(idx.tolist())
    for start in range(0, n, size):
        seg = y[start:start + size]
        assert start + int(seg.argmin()) in kept and start + int(seg.argmax()) in kept


def test_a_single_spike_survives_a_million_points() -> None:
    y = np.ones(1_000_000, dtype=np.float32)
    y[123_457] = 50.0
    y[765_432] = -3.0
    x, v = plottable(np.arange(1, len(y) + 1), y, MAX_POINTS)
    assert 123_458 in x and 765_433 in x and max(v) == 50.0 and min(v) == -3.0 and len(x) <= MAX_POINTS + 1


def test_the_fast_path_gives_the_points_of_the_general_one() -> None:
    rng = np.random.default_rng(7)
    y = np.cumsum(rng.standard_normal(50_000)).astype(np.float32)
    epochs = np.arange(1, len(y) + 1, dtype=np.int64)
    fast = plottable(epochs, y, MAX_POINTS)  # all finite: points picked first, only they converted
    xs, ys = decimate(*finite_xy(epochs, y), MAX_POINTS)  # the general path: filter, convert all, pick
    assert fast == (xs.tolist(), ys.tolist())


def test_non_finite_points_are_dropped_before_picking() -> None:
    y = np.linspace(10.0, 1.0, 10_000)
    y[::7] = np.nan
    y[5] = np.inf
    x, v = plottable(np.arange(1, len(y) + 1), y, MAX_POINTS)
    assert np.all(np.isfinite(v)) and len(x) <= MAX_POINTS + 1
    assert x[0] == 2 and x[-1] == 10_000  # the first point is NaN (every 7th from the first), the last is not
