"""The loss landscape against independent math: contour points lie on their levels (the loss recomputed from the
data), the path is the run's parameters epoch by epoch, θ* is least squares, the one-parameter curve is the loss."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from linreg_core.cli import main
from linreg_core.config import TrainConfig
from linreg_core.data import seed, synthetic
from linreg_core.engine import Run
from linreg_core.landscape import landscape, marching_squares


def cli_json(*args: str) -> dict:  # type: ignore[type-arg]
    out, err = io.StringIO(), io.StringIO()
    assert main(["landscape", *args, "--json"], out, err) == 0, err.getvalue()
    doc = json.loads(out.getvalue())
    assert doc["event"] == "landscape"
    return doc  # type: ignore[no-any-return]


def test_seed_with_bias_contours_lie_on_their_levels_and_the_path_is_the_run() -> None:
    doc = cli_json("--bias", "--epochs", "30")
    assert doc["axes"] == ["w", "b"] and doc["fixed"] == {}
    X = np.array([1.0, 2, 3, 4]); y = 2 * X  # noqa: E702
    A = np.c_[X, np.ones(4)]
    np.testing.assert_allclose(doc["theta_star"], np.linalg.lstsq(A, y, rcond=None)[0], atol=1e-9)
    assert len(doc["levels"]) >= 3 and len(doc["contours"]) == len(doc["levels"])
    for c in doc["contours"]:
        pts = np.asarray(c["points"])
        assert len(pts) >= 20
        np.testing.assert_allclose(np.mean((pts @ A.T - y) ** 2, axis=1), c["level"], rtol=1e-9)
    run = Run(TrainConfig.for_case(1, bias=True, epochs=30), seed())
    path = [[0.0, 0.0]] + [[float(b.w[i, 0]), float(b.b[i])] for b, _ in run.blocks() for i in range(len(b))]
    assert doc["path"] == path and len(path) == 31  # epochs 0…30


def test_one_parameter_curve_is_the_loss() -> None:
    doc = cli_json()
    assert doc["axes"] == ["w"] and "contours" not in doc
    w = np.asarray([p[0] for p in doc["curve"]])
    losses = np.asarray([p[1] for p in doc["curve"]])
    X = np.array([1.0, 2, 3, 4])
    np.testing.assert_allclose(losses, [np.mean((v * X - 2 * X) ** 2) for v in w], rtol=1e-12)
    assert w.min() <= 0.0 and w.max() >= 2.0  # it covers θ0 and θ*
    assert doc["theta_star"] == [pytest.approx(2.0)]


def test_more_parameters_slice_through_the_current_point_and_name_the_held_ones() -> None:
    doc = cli_json("--data", "synthetic", "--features", "3", "--bias", "--lr", "0.1", "--params", "w1,b")
    assert doc["axes"] == ["w1", "b"] and set(doc["fixed"]) == {"w2", "w3"}
    ds = synthetic(n=100, d=3)
    A = np.c_[ds.X.astype(np.float64), np.ones(100)]
    y = ds.y.astype(np.float64).ravel()
    for c in doc["contours"]:
        for u0, u1 in c["points"][::9]:
            theta = np.array([u0, doc["fixed"]["w2"], doc["fixed"]["w3"], u1])
            assert np.mean((A @ theta - y) ** 2) == pytest.approx(c["level"], rel=1e-8)


def test_l1_contours_by_marching_squares_are_on_their_levels() -> None:
    cfg = TrainConfig.for_case(3, bias=True, loss="l1", lr=0.05, epochs=30)
    run = Run(cfg, seed())
    path = [[0.0, 0.0]] + [[float(b.w[i, 0]), float(b.b[i])] for b, _ in run.blocks() for i in range(len(b))]
    land = landscape(cfg, seed(), path)
    X = np.array([1.0, 2, 3, 4])
    for level, pts in land.contours:
        got = np.array([np.mean(np.abs(u0 * X + u1 - 2 * X)) for u0, u1 in pts])
        rel = np.abs(got - level) / level
        # linear interpolation along grid edges: exact where |·| is linear, a few % where an edge crosses a kink
        assert len(pts) >= 20 and rel.max() < 0.1 and np.quantile(rel, 0.95) < 0.05


def test_marching_squares_on_a_known_circle() -> None:
    xs = ys = np.linspace(-2, 2, 101)
    X, Y = np.meshgrid(xs, ys)
    pts = np.asarray(marching_squares(xs, ys, X**2 + Y**2, 1.0))
    np.testing.assert_allclose(np.hypot(pts[:, 0], pts[:, 1]), 1.0, atol=2e-3)


def test_a_diverging_run_keeps_only_finite_points_and_still_draws() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["landscape", "--lr", "1", "--bias", "--width", "60", "--height", "15"], out, err) == 0
    assert "loss landscape" in out.getvalue()
    doc = cli_json("--lr", "1", "--bias")
    assert any(v is None for p in doc["path"] for v in p) or len(doc["path"]) < 21


@pytest.mark.parametrize("params", ["w,w", "x", "w,b,w", "w1"])
def test_unknown_or_repeated_parameters_exit_2(params: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["landscape", "--bias", "--params", params], out, err) == 2 and "--params" in err.getvalue()


def test_a_standardized_run_is_drawn_in_the_space_it_moves_in() -> None:
    doc = cli_json("--data", "synthetic", "--bias", "--standardize", "--lr", "0.5", "--epochs", "10")
    out, _ = io.StringIO(), io.StringIO()
    main(["landscape", "--data", "synthetic", "--bias", "--standardize", "--lr", "0.5", "--epochs", "10"], out,
         io.StringIO())
    assert "standardized space" in out.getvalue()
    assert doc["theta_star"][1] == pytest.approx(0.0, abs=1e-6)  # the centred target: b* = 0 in that space


def test_one_parameter_path_carries_the_exact_loss_and_grows_above_eta_max() -> None:
    run = Run(TrainConfig.for_case(1, lr=0.14, epochs=8), seed())  # η_max = 2/15 ≈ 0.133: it bounces and grows
    path = [[0.0]] + [[float(b.w[i, 0])] for b, _ in run.blocks() for i in range(len(b))]
    land = landscape(TrainConfig.for_case(1, lr=0.14, epochs=8), seed(), path)
    X = np.array([1.0, 2, 3, 4])
    np.testing.assert_allclose(land.path_loss, [np.mean((p[0] * X - 2 * X) ** 2) for p in path], rtol=1e-12)
    assert land.path_loss[-1] > land.path_loss[1]  # above η_max the loss grows along the path
