"""Learning-rate bound, closed form, mini-batches and optimizers against independent math."""

from __future__ import annotations

import math

import numpy as np
import pytest

from linreg_core import analysis
from linreg_core.cases import make_trainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset, seed, synthetic
from linreg_core.engine import Run


def test_bound_on_seed_data_by_hand() -> None:
    # H = (2/N)·Σx² = (2/4)·30 = 15, so η_max = 2/15.
    b = analysis.lr_bound(seed().X, bias=False)
    assert b.eta_max == pytest.approx(2 / 15) and b.eta_opt == pytest.approx(1 / 15) and b.condition == 1


def test_bound_separates_convergence_from_divergence() -> None:
    ds = synthetic(n=100, d=3, noise=0.1, true_w=[1.0, 2.0, 3.0], true_b=1.0, seed=0)
    bound = analysis.lr_bound(ds.X, bias=True)
    for factor, expected in ((0.95, "completed"), (1.05, "diverged")):
        run = Run(TrainConfig.for_case(1, bias=True, lr=bound.eta_max * factor, epochs=20000), ds)
        with np.errstate(all="ignore"):
            while run.finished is None:
                run.advance()
        assert run.finished.reason == expected


def test_eta_opt_is_the_fastest_rate() -> None:
    base = synthetic(n=200, d=2, noise=0.0, seed=2)
    X = base.X * np.array([1.0, 3.0], dtype=np.float32)  # condition number about 9
    ds = Dataset(X=X, y=X @ np.array([[1.0], [-3.0]], dtype=np.float32))
    bound = analysis.lr_bound(ds.X, bias=False)
    star = analysis.closed_form(ds.X, ds.y, bias=False)

    def dist_after(lr: float) -> float:
        t = make_trainer(TrainConfig.for_case(1, lr=lr), ds)
        for _ in range(30):
            t.step()
        return analysis.distance(t.parameters()[0], None, star.w, None)

    best = dist_after(bound.eta_opt)
    assert best < dist_after(bound.eta_opt * 0.7) and best < dist_after(bound.eta_opt * 1.3)


def test_closed_form_matches_normal_equations() -> None:
    ds = synthetic(n=300, d=4, noise=0.3, true_w=[1, 2, 3, 4], true_b=-2, seed=8)
    cf = analysis.closed_form(ds.X, ds.y, bias=True)
    A = np.hstack([ds.X.astype(np.float64), np.ones((300, 1))])
    theta = np.linalg.solve(A.T @ A, A.T @ ds.y.astype(np.float64)).ravel()
    np.testing.assert_allclose(cf.w, theta[:4], rtol=1e-9)
    assert cf.b == pytest.approx(theta[4])
    assert cf.loss == pytest.approx(float(np.mean((A @ theta - ds.y.ravel()) ** 2)))


@pytest.mark.parametrize("case", [1, 2, 3, 4])
def test_minibatch_epoch_matches_a_manual_shuffle(case: int) -> None:
    ds = synthetic(n=10, d=2, noise=0.2, seed=3)
    lr, bs = 0.05, 4
    t = make_trainer(TrainConfig.for_case(case, bias=True, lr=lr, batch_size=bs, init_w=(0.0,), init_b=0.0,
                                          seed=5), ds)
    rng = np.random.default_rng(5)
    w, b = np.zeros(2), 0.0
    X, y = ds.X.astype(np.float64), ds.y.astype(np.float64).ravel()
    for _ in range(3):
        order = rng.permutation(10)
        losses, grads = [], []
        for s in range(0, 10, bs):
            idx = order[s:s + bs]
            err = X[idx] @ w + b - y[idx]
            losses.append(np.mean(err ** 2))
            g = np.append(2 / len(idx) * X[idx].T @ err, 2 / len(idx) * err.sum())
            grads.append(g)
            w, b = w - lr * g[:2], b - lr * g[2]
        ev = t.step()
        assert ev.loss == pytest.approx(np.mean(losses), rel=1e-5)
        np.testing.assert_allclose(ev.grad_w + (ev.grad_b,), np.mean(grads, axis=0), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(ev.w + (ev.b,), np.append(w, b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("b1,b2", [(0.9, 0.999), (0.5, 0.9)])
def test_adam_first_steps_by_hand(b1: float, b2: float) -> None:
    lr, eps = 0.1, 1e-8
    t = make_trainer(TrainConfig.for_case(3, optimizer="adam", lr=lr, betas=(b1, b2)), seed())
    x, y = np.array([1.0, 2, 3, 4]), np.array([2.0, 4, 6, 8])
    w, m, v = 0.0, 0.0, 0.0
    for k in range(1, 4):
        g = np.mean(2 * x * (w * x - y))
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        w -= lr * (m / (1 - b1**k)) / (math.sqrt(v / (1 - b2**k)) + eps)
        assert t.step().w[0] == pytest.approx(w, rel=1e-5)


def test_momentum_and_losses_are_torch_semantics() -> None:
    t = make_trainer(TrainConfig.for_case(4, optimizer="momentum", momentum=0.5, lr=0.01, init_w=(0.0,),
                                          init_b=0.0, loss="l1"), seed())
    ev1, ev2 = t.step(), t.step()
    assert ev1.loss == pytest.approx(5.0)  # mean |0 - y|
    # L1 gradient wrt w: mean(-sign(err)·x)... = -2.5; momentum buffer v2 = 0.5·v1 + g2.
    assert ev1.grad_w[0] == pytest.approx(-2.5)
    assert ev2.w[0] == pytest.approx(ev1.w[0] - 0.01 * (0.5 * -2.5 + ev2.grad_w[0]), rel=1e-6)


def test_patience_stops_as_converged() -> None:
    run = Run(TrainConfig.for_case(4, optimizer="adam", lr=0.5, epochs=100000, patience=20), seed())
    while run.finished is None:
        run.advance()
    assert run.finished.reason == "converged" and "patience" in run.finished.message
    assert run.finished.epochs < 100000
