"""The four cases agree with one another and with the least-squares solution."""

from __future__ import annotations

import numpy as np
import pytest

from linreg_core import analysis
from linreg_core.cases import make_trainer
from linreg_core.config import ConfigError, TrainConfig
from linreg_core.data import seed, synthetic


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("d", [1, 4])
def test_all_cases_share_one_trajectory(bias: bool, d: int) -> None:
    ds = synthetic(n=64, d=d, noise=0.2, true_w=[1.0 + i for i in range(d)], true_b=0.3, seed=11)
    trajectories = []
    for case in (1, 2, 3, 4):
        cfg = TrainConfig.for_case(case, bias=bias, lr=0.03, epochs=200, init_w=(0.5,), init_b=-0.25)
        t = make_trainer(cfg, ds)
        trajectories.append(np.array([t.step().w for _ in range(200)]))
    for other in trajectories[1:]:
        np.testing.assert_allclose(other, trajectories[0], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", [1, 2, 3, 4])
def test_learned_parameters_approach_least_squares(case: int) -> None:
    ds = synthetic(n=200, d=3, noise=0.5, true_w=[2.0, -1.0, 0.5], true_b=1.5, seed=5)
    star = analysis.closed_form(ds.X, ds.y, bias=True)
    cfg = TrainConfig.for_case(case, bias=True, lr=0.1, epochs=500)
    t = make_trainer(cfg, ds)
    for _ in range(500):
        t.step()
    w, b = t.parameters()
    assert b is not None and star.b is not None
    assert analysis.distance(w, b, star.w, star.b) < 1e-3
    assert t.evaluate() == pytest.approx(star.loss, rel=1e-3)


def test_case4_default_init_is_nn_linear_after_manual_seed() -> None:
    import torch

    torch.manual_seed(0)
    ref = torch.nn.Linear(1, 1)
    t = make_trainer(TrainConfig.for_case(4), seed())
    w, b = t.parameters()
    assert w == pytest.approx((ref.weight.item(),))
    assert b == pytest.approx(ref.bias.item())


def test_deterministic_for_a_seed() -> None:
    ds = synthetic(n=30, d=2, seed=2)
    runs = []
    for _ in range(2):
        t = make_trainer(TrainConfig.for_case(4, seed=9, batch_size=7, epochs=10), ds)
        runs.append([t.step() for _ in range(10)])
    assert runs[0] == runs[1]


def test_init_w_length_must_match_features() -> None:
    ds = synthetic(n=10, d=3)
    with pytest.raises(ConfigError, match="init_w"):
        make_trainer(TrainConfig.for_case(1, init_w=(1.0, 2.0)), ds)


@pytest.mark.parametrize("case", [1, 2, 3, 4])
def test_predict_uses_current_parameters(case: int) -> None:
    ds = synthetic(n=20, d=2, seed=1)
    t = make_trainer(TrainConfig.for_case(case, bias=True, init_w=(2.0, -1.0), init_b=0.5), ds)
    X = np.array([[1.0, 1.0], [0.0, 3.0]], dtype=np.float32)
    np.testing.assert_allclose(t.predict(X).ravel(), [1.5, -2.5], rtol=1e-6)


def test_float32_everywhere() -> None:
    t = make_trainer(TrainConfig.for_case(1), seed())
    assert t.w.dtype == np.float32  # type: ignore[attr-defined]
    t.step()
    assert t.w.dtype == np.float32  # type: ignore[attr-defined]
