"""Independent math on a dataset: closed-form optimum, stable learning-rate bound, gradient check.

All in float64 NumPy (torch only for the autograd column of the gradient check).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    F64 = npt.NDArray[np.float64]
else:
    from linreg_core.lazy import np


def design(X: npt.ArrayLike, bias: bool) -> F64:
    """X as float64, with a column of ones appended when the model has a bias."""
    A = np.asarray(X, dtype=np.float64)
    if bias:
        A = np.hstack([A, np.ones((A.shape[0], 1))])
    return np.asarray(A, dtype=np.float64)


def hessian(X: npt.ArrayLike, bias: bool) -> F64:
    """H = (2/N)·AᵀA, the Hessian of the full-batch MSE (A = X with a ones column when bias is on)."""
    A = design(X, bias)
    return np.asarray((2.0 / A.shape[0]) * (A.T @ A), dtype=np.float64)


@dataclass(frozen=True)
class LrBound:
    """Gradient descent on full-batch MSE is stable for lr < eta_max; eta_opt is the fastest rate."""

    eta_max: float
    eta_opt: float
    lam_min: float
    lam_max: float

    @property
    def condition(self) -> float:
        return self.lam_max / self.lam_min if self.lam_min > 0 else math.inf


def lr_bound(X: npt.ArrayLike, bias: bool) -> LrBound:
    """η_max = 2/λmax(H) and η_opt = 2/(λmin + λmax) for H = (2/N)·AᵀA."""
    lam = np.linalg.eigvalsh(hessian(X, bias))
    lam_min, lam_max = max(float(lam[0]), 0.0), float(lam[-1])
    if lam_max <= 0:
        return LrBound(math.inf, math.inf, lam_min, lam_max)
    return LrBound(2.0 / lam_max, 2.0 / (lam_min + lam_max), lam_min, lam_max)


@dataclass(frozen=True)
class ClosedForm:
    w: tuple[float, ...]
    b: float | None
    loss: float


def closed_form(X: npt.ArrayLike, y: npt.ArrayLike, bias: bool) -> ClosedForm:
    """The least-squares optimum θ* = argmin ‖Aθ − y‖² (minimum-norm when A is rank-deficient)."""
    A = design(X, bias)
    yv = np.asarray(y, dtype=np.float64).reshape(-1)
    theta, *_ = np.linalg.lstsq(A, yv, rcond=None)
    loss = float(np.mean((A @ theta - yv) ** 2))
    if bias:
        return ClosedForm(tuple(theta[:-1].tolist()), float(theta[-1]), loss)
    return ClosedForm(tuple(theta.tolist()), None, loss)


def distance(w: tuple[float, ...], b: float | None, w_ref: tuple[float, ...], b_ref: float | None) -> float:
    """‖θ − θ_ref‖ over w and (when both have one) b."""
    s = sum((a - r) ** 2 for a, r in zip(w, w_ref, strict=True))
    if b is not None and b_ref is not None:
        s += (b - b_ref) ** 2
    return math.sqrt(s)


def mse(X: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike, b: float | None) -> float:
    """Full-batch MSE in float64."""
    A = np.asarray(X, dtype=np.float64)
    pred = A @ np.asarray(w, dtype=np.float64).reshape(-1, 1) + (b or 0.0)
    return float(np.mean((pred - np.asarray(y, dtype=np.float64).reshape(-1, 1)) ** 2))


def hand_gradient(X: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike, b: float | None) -> F64:
    """Case 1's formula in float64: [(2/N)·Xᵀ(ŷ − y), (2/N)·Σ(ŷ − y)] (the b entry only with bias)."""
    A = np.asarray(X, dtype=np.float64)
    err = A @ np.asarray(w, dtype=np.float64).reshape(-1, 1) + (b or 0.0) - np.asarray(
        y, dtype=np.float64).reshape(-1, 1)
    g = (2.0 / A.shape[0]) * (A.T @ err).ravel()
    if b is not None:
        g = np.append(g, (2.0 / A.shape[0]) * err.sum())
    return np.asarray(g, dtype=np.float64)


def notebook_gradient(X: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike, b: float | None) -> F64:
    """The notebook's ``np.dot(2*x, y_pred - y).mean()``: a sum, N times the true gradient of w."""
    A = np.asarray(X, dtype=np.float64)
    err = A @ np.asarray(w, dtype=np.float64).reshape(-1, 1) + (b or 0.0) - np.asarray(
        y, dtype=np.float64).reshape(-1, 1)
    return np.asarray((2.0 * A.T @ err).ravel(), dtype=np.float64)


def autograd_gradient(X: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike, b: float | None) -> F64:
    """The gradient of the MSE by torch autograd in float64."""
    import torch

    Xt = torch.as_tensor(np.asarray(X, dtype=np.float64))
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64).reshape(-1, 1))
    wt = torch.tensor(np.asarray(w, dtype=np.float64).reshape(-1, 1), requires_grad=True)
    bt = torch.tensor(float(b or 0.0), dtype=torch.float64, requires_grad=b is not None)
    loss = ((Xt @ wt + bt - yt) ** 2).mean()
    loss.backward()
    assert wt.grad is not None
    g = wt.grad.numpy().ravel()
    if b is not None:
        assert bt.grad is not None
        g = np.append(g, float(bt.grad))
    return np.asarray(g, dtype=np.float64)


def finite_difference_gradient(X: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike, b: float | None,
                               h: float = 1e-6) -> F64:
    """Central differences of the float64 MSE, one parameter at a time."""
    theta = np.append(np.asarray(w, dtype=np.float64).ravel(), [] if b is None else [b])
    d = len(theta) - (0 if b is None else 1)
    g = np.empty_like(theta)
    for i in range(len(theta)):
        step = h * max(1.0, abs(theta[i]))
        up, down = theta.copy(), theta.copy()
        up[i] += step
        down[i] -= step
        f_up = mse(X, y, up[:d], None if b is None else float(up[d]))
        f_down = mse(X, y, down[:d], None if b is None else float(down[d]))
        g[i] = (f_up - f_down) / (2 * step)
    return g


def relative_error(a: F64, b: F64) -> float:
    """max |a − b| / max(|a|, |b|, 1e-12), over the entries."""
    denom = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), 1e-12)
    return float(np.max(np.abs(a - b))) / denom


@dataclass(frozen=True)
class GradCheck:
    names: tuple[str, ...]
    hand: tuple[float, ...]
    autograd: tuple[float, ...]
    finite_diff: tuple[float, ...]
    notebook: tuple[float, ...]
    err_hand: float
    err_autograd: float
    ratio_notebook: float


def gradcheck(X: npt.ArrayLike, y: npt.ArrayLike, w: npt.ArrayLike, b: float | None) -> GradCheck:
    """Hand-derived, autograd and finite-difference gradients at (w, b), with relative errors."""
    hand = hand_gradient(X, y, w, b)
    auto = autograd_gradient(X, y, w, b)
    fd = finite_difference_gradient(X, y, w, b)
    nb = notebook_gradient(X, y, w, b)
    d = len(nb)
    names = tuple(f"w{i + 1}" if d > 1 else "w" for i in range(d)) + (() if b is None else ("b",))
    hw = hand[:d]
    ratio = float(np.linalg.norm(nb) / np.linalg.norm(hw)) if np.linalg.norm(hw) > 0 else math.nan
    return GradCheck(
        names=names, hand=tuple(hand.tolist()), autograd=tuple(auto.tolist()), finite_diff=tuple(fd.tolist()),
        notebook=tuple(nb.tolist()), err_hand=relative_error(hand, fd), err_autograd=relative_error(auto, fd),
        ratio_notebook=ratio,
    )
