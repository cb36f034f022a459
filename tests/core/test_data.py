"""CSV loading, synthetic data, and bad files reported with file, line and column."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linreg_core.data import DataError, load_csv, seed, synthetic


def write(tmp_path: Path, text: str, name: str = "d.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_seed_is_the_notebook_data() -> None:
    ds = seed()
    assert ds.X.dtype == np.float32 and ds.y.dtype == np.float32
    assert ds.X.ravel().tolist() == [1, 2, 3, 4] and ds.y.ravel().tolist() == [2, 4, 6, 8]


def test_synthetic_is_reproducible_and_follows_the_model() -> None:
    a = synthetic(n=5000, d=2, noise=0.01, true_w=[3.0, -2.0], true_b=1.0, seed=4)
    b = synthetic(n=5000, d=2, noise=0.01, true_w=[3.0, -2.0], true_b=1.0, seed=4)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    resid = a.y.ravel() - (a.X @ np.array([3.0, -2.0]) + 1.0)
    assert abs(resid.std() - 0.01) < 0.002


def test_csv_with_header_default_columns(tmp_path: Path) -> None:
    ds = load_csv(write(tmp_path, "size,rooms,price\n1,2,3\n4,5,6\n"))
    assert ds.feature_names == ("size", "rooms") and ds.target_name == "price"
    assert ds.X.tolist() == [[1, 2], [4, 5]] and ds.y.ravel().tolist() == [3, 6]


def test_csv_without_header_and_column_selection(tmp_path: Path) -> None:
    p = write(tmp_path, "1,2,3\n4,5,6\n7,8,9\n")
    ds = load_csv(p, x_cols="2", y_col="0")
    assert ds.X.ravel().tolist() == [3, 6, 9] and ds.y.ravel().tolist() == [1, 4, 7]
    named = load_csv(write(tmp_path, "a,b,c\n1,2,3\n", "n.csv"), x_cols="c,a", y_col="b")
    assert named.X.tolist() == [[3, 1]] and named.feature_names == ("c", "a")


@pytest.mark.parametrize(("text", "expect"), [
    ("", "empty"),
    ("\n\n", "empty"),
    ("a,b\n", "no data rows"),
    ("1,2\n3,x\n", r"line 2, column 2: not a number"),
    ("1,2\n3,4,5\n", r"line 2: has 3 columns, expected 2"),
    ("1,2\nnan,4\n", r"line 2, column 1: value is not finite"),
    ("1,2\n3,inf\n", r"line 2, column 2: value is not finite"),
    ("1,2\n1e40,4\n", r"line 2, column 1: \|value\| > 1e\+30"),
    ("1\n2\n", "at least two columns"),
])
def test_bad_csv_names_file_line_column(tmp_path: Path, text: str, expect: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(DataError, match=expect) as info:
        load_csv(p)
    assert str(p) in str(info.value)


def test_bad_sources(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load_csv(tmp_path / "missing.csv")
    with pytest.raises(DataError, match="is a directory"):
        load_csv(tmp_path)
    binary = tmp_path / "b.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DataError, match="binary"):
        load_csv(binary)
    with pytest.raises(DataError, match="not a column name"):
        load_csv(write(tmp_path, "a,b\n1,2\n"), y_col="zzz")
    with pytest.raises(DataError, match="out of range"):
        load_csv(write(tmp_path, "1,2\n"), x_cols="5")
    with pytest.raises(DataError, match="both a feature and the target"):
        load_csv(write(tmp_path, "1,2\n"), x_cols="1", y_col="1")


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False, width=32)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(finite, min_size=2, max_size=2).map(tuple), min_size=1, max_size=20),
       header=st.booleans())
def test_csv_round_trip(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[float, float]],
                        header: bool) -> None:
    p = tmp_path_factory.mktemp("csv") / "r.csv"
    lines = (["x,y"] if header else []) + [f"{a!r},{b!r}" for a, b in rows]
    p.write_text("\n".join(lines) + "\n")
    ds = load_csv(p)
    assert ds.X.ravel().tolist() == [float(np.float32(a)) for a, _ in rows]
    assert ds.y.ravel().tolist() == [float(np.float32(b)) for _, b in rows]


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60))
def test_csv_never_fails_other_than_data_error(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    p = tmp_path_factory.mktemp("fuzz") / "f.csv"
    p.write_text(text)
    try:
        ds = load_csv(p)
    except DataError:
        return
    assert np.all(np.isfinite(ds.X)) and np.all(np.isfinite(ds.y)) and not math.isnan(float(ds.y.sum()))
