"""Configuration validation and the number parsers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linreg_core.config import PRESETS, ConfigError, TrainConfig
from linreg_core.parse import InputError, format_epoch, format_prediction, parse_numbers, parse_predict


def test_presets_are_the_notebook_hyperparameters() -> None:
    assert [(p.lr, p.epochs, p.log_every, p.bias) for p in PRESETS.values()] == [
        (0.02, 20, 1, False), (0.01, 20, 2, False), (0.005, 40, 2, False), (0.01, 40, 2, True)]
    assert TrainConfig.for_case(3).lr == 0.005


@pytest.mark.parametrize(("field", "value", "message"), [
    ("lr", 0.0, "lr: must be > 0 and finite"),
    ("lr", -1.0, "lr: must be > 0 and finite"),
    ("lr", math.inf, "lr: must be > 0 and finite"),
    ("lr", math.nan, "lr: must be > 0 and finite"),
    ("epochs", 0, "epochs: must be an integer in 1…1000000000"),
    ("epochs", 10**9 + 1, "epochs: must be an integer in 1…1000000000"),
    ("log_every", 0, "log_every: must be an integer in 1…"),
    ("tol", -0.1, "tol: must be ≥ 0 and finite"),
    ("init_w", (math.inf,), "init_w: every value must be finite"),
    ("init_b", math.nan, "init_b: must be finite"),
    ("seed", -1, "seed: must be an integer in 0…4294967295"),
    ("batch_size", 0, "batch_size: must be an integer in 1…"),
    ("optimizer", "adam", "optimizer: case 1 writes its update by hand"),
    ("loss", "l1", "loss: case 1 writes its MSE loss by hand"),
])
def test_each_problem_names_field_and_range(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        TrainConfig.for_case(1, **{field: value})
    assert message in str(info.value)


def test_case3_accepts_other_optimizers_and_switching_case_resets_them() -> None:
    cfg = TrainConfig.for_case(3, optimizer="adam", loss="huber")
    back = cfg.with_case(1)
    assert (back.optimizer, back.loss, back.lr) == ("sgd", "mse", 0.02)


@settings(max_examples=200, deadline=None)
@given(lr=st.floats(allow_nan=True, allow_infinity=True), epochs=st.integers(-5, 2 * 10**9),
       tol=st.one_of(st.none(), st.floats()))
def test_validation_accepts_exactly_the_documented_ranges(lr: float, epochs: int, tol: float | None) -> None:
    ok = math.isfinite(lr) and lr > 0 and 1 <= epochs <= 10**9 and (tol is None or (math.isfinite(tol) and tol >= 0))
    try:
        TrainConfig.for_case(1, lr=lr, epochs=epochs, tol=tol)
    except ConfigError:
        assert not ok
    else:
        assert ok


def test_to_dict_round_trip() -> None:
    cfg = TrainConfig.for_case(4, lr=0.3, init_w=(1.0, 2.0), tol=1e-6)
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg


def test_predict_one_feature_forms() -> None:
    for text in ("5,3,4", "5 3 4", " 5 , 3,4 ", "5;3;4"):
        assert parse_predict(text, 1).ravel().tolist() == [5, 3, 4]


def test_predict_rows_for_d_features() -> None:
    assert parse_predict("1, 2; 3 4", 2).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(InputError, match="row 2: has 3 numbers, the model has 2 features"):
        parse_predict("1,2; 3,4,5", 2)


@pytest.mark.parametrize("bad", ["", "  ", "abc", "1,,x", "nan", "inf", "1e999", "5, 3, four"])
def test_predict_rejects(bad: str) -> None:
    with pytest.raises(InputError):
        parse_predict(bad, 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e30, 1e30, allow_nan=False), min_size=1, max_size=10),
       st.sampled_from([",", " ", ", ", " ,  "]))
def test_predict_parses_what_it_prints(values: list[float], sep: str) -> None:
    got = parse_predict(sep.join(repr(v) for v in values), 1).ravel()
    np.testing.assert_array_equal(got, np.array(values, dtype=np.float32))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.integers(1, 4))
def test_predict_never_raises_anything_but_input_error(text: str, d: int) -> None:
    try:
        out = parse_predict(text, d)
    except InputError:
        return
    assert out.shape[1] == d and np.all(np.isfinite(out))


def test_formats() -> None:
    assert format_epoch(1, (0.3,), None, 30.0) == "epoch 1: w=0.300, loss=30.000"
    assert format_epoch(2, (0.3,), -1.25, 3.0) == "epoch 2: w=0.300, b=-1.250, loss=3.000"
    assert format_epoch(3, (1.0, 2.0), None, 0.5) == "epoch 3: w=[1.000, 2.000], loss=0.500"
    assert format_prediction(np.array([5.0], dtype=np.float32), 9.99202) == "f(5) = 9.992"
    assert format_prediction(np.array([1.0, 2.5], dtype=np.float32), 3.4561) == "f(1, 2.5) = 3.456"
    assert parse_numbers("1, 2 3") == [1.0, 2.0, 3.0]
