"""Hand-derived gradient = autograd gradient = central finite differences (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from linreg_core import analysis
from linreg_core.cases import make_trainer
from linreg_core.config import TrainConfig
from linreg_core.data import synthetic
from linreg_core.engine import Run


@pytest.mark.parametrize("d", [1, 3])
@pytest.mark.parametrize("bias", [False, True])
def test_three_gradients_agree(d: int, bias: bool) -> None:
    ds = synthetic(n=50, d=d, noise=0.5, true_w=[1.5] * d, true_b=-0.7, seed=3)
    rng = np.random.default_rng(1)
    w = rng.standard_normal(d)
    b = float(rng.standard_normal()) if bias else None
    hand = analysis.hand_gradient(ds.X, ds.y, w, b)
    auto = analysis.autograd_gradient(ds.X, ds.y, w, b)
    fd = analysis.finite_difference_gradient(ds.X, ds.y, w, b)
    assert hand.shape == (d + (1 if bias else 0),)
    np.testing.assert_allclose(hand, auto, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hand, fd, rtol=1e-6, atol=1e-7)
    gc = analysis.gradcheck(ds.X, ds.y, w, b)
    assert gc.err_hand < 1e-6 and gc.err_autograd < 1e-6
    assert gc.ratio_notebook == pytest.approx(50, rel=1e-9)


@pytest.mark.parametrize("case", [1, 2, 3, 4])
@pytest.mark.parametrize("bias", [False, True])
def test_event_gradient_is_the_true_gradient_at_the_previous_parameters(case: int, bias: bool) -> None:
    ds = synthetic(n=40, d=2, noise=0.3, true_w=[2.0, -1.0], true_b=0.5, seed=7)
    cfg = TrainConfig.for_case(case, bias=bias, lr=0.05, init_w=(0.3, -0.2), init_b=0.1)
    t = make_trainer(cfg, ds)
    for _ in range(5):
        w0, b0 = t.parameters()
        ev = t.step()
        expected = analysis.hand_gradient(ds.X, ds.y, w0, b0)
        got = np.array(ev.grad_w + ((ev.grad_b,) if bias else ()))
        np.testing.assert_allclose(got, expected, rtol=2e-5, atol=2e-5)
        # The update used that gradient: θ1 = θ0 − lr·g (float32 round-off).
        np.testing.assert_allclose(np.array(ev.w), np.array(w0) - 0.05 * np.array(ev.grad_w), rtol=1e-5, atol=1e-6)
        # The loss is the loss before the update.
        assert ev.loss == pytest.approx(analysis.mse(ds.X, ds.y, w0, b0), rel=1e-5)


@pytest.mark.parametrize("d", [1, 2])
@pytest.mark.parametrize(("case", "mistake"), [(2, None), (2, "no-zero-grad"), (3, None), (3, "no-zero-grad")])
def test_a_block_records_the_gradient_each_update_used(d: int, case: int, mistake: str | None) -> None:
    """Recorded in blocks (a .grad zeroed in place is read through a NumPy view after its first epoch; one set to
    None by zero_grad() is read anew): the hand gradient at the parameters before the epoch, or, when the gradients
    are never emptied, the sum of all of them so far."""
    ds = synthetic(n=30, d=d, noise=0.3, true_w=[1.5, -0.5][:d], seed=5)
    cfg = TrainConfig.for_case(case, lr=0.01, epochs=12, mistake=mistake)
    run = Run(cfg, ds)
    params = [np.zeros(d)]
    grads = []
    fin = None
    while fin is None:
        block, fin = run.advance_span(5)
        params.extend(block.w)
        grads.extend(block.grad_w)
    assert len(grads) == 12
    hand = [analysis.hand_gradient(ds.X, ds.y, w, None) for w in params[:-1]]
    want = np.cumsum(hand, axis=0) if mistake else np.array(hand)
    np.testing.assert_allclose(np.array(grads), want, rtol=1e-5, atol=1e-5)


def test_notebook_summed_gradient_is_n_times_too_large() -> None:
    x = np.array([[1.0], [2.0], [3.0], [4.0]])
    y = 2 * x
    nb = analysis.notebook_gradient(x, y, [0.0], None)
    true = analysis.hand_gradient(x, y, [0.0], None)
    assert nb[0] == pytest.approx(-120.0)
    assert true[0] == pytest.approx(-30.0)
