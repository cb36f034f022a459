"""The loss landscape a run moves on: the loss as a curve (one parameter) or contour lines over two parameters, the
least-squares optimum θ*, and the run's path.

For the MSE the loss restricted to any two parameters (the others held) is a quadratic, so its level sets are
ellipses, computed exactly: L(u) = L* + (u − u*)ᵀ M (u − u*) with M = BᵀB / N, B the design matrix's two columns.
For L1 and Huber losses a grid is sampled and contoured by marching squares. A standardized run is drawn in the
space its optimizer moves in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from linreg_core.analysis import design
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    F64 = npt.NDArray[np.float64]
else:
    from linreg_core.lazy import np

ELLIPSE_POINTS = 72


def param_names(d: int, bias: bool) -> list[str]:
    """As in the log: ``w`` (one feature) or ``w1``, ``w2``, …, then ``b``."""
    return (["w"] if d == 1 else [f"w{i + 1}" for i in range(d)]) + (["b"] if bias else [])


@dataclass
class Landscape:
    axes: list[str]
    fixed: dict[str, float]
    theta_star: list[float]
    path: list[list[float]]
    levels: list[float] = field(default_factory=list)
    contours: list[tuple[float, list[list[float]]]] = field(default_factory=list)
    curve: list[list[float]] = field(default_factory=list)
    #: One parameter: the loss at each point of the path (the bouncing picture), exact.
    path_loss: list[float] = field(default_factory=list)
    scaled: bool = False
    loss: str = "mse"


def loss_of(residuals: F64, kind: str) -> F64:
    """The loss of residual rows (…, N) → (…): MSE, L1, or torch's Huber (δ = 1)."""
    if kind == "l1":
        return np.asarray(np.mean(np.abs(residuals), axis=-1))
    if kind == "huber":
        a = np.abs(residuals)
        return np.asarray(np.mean(np.where(a < 1.0, 0.5 * residuals**2, a - 0.5), axis=-1))
    return np.asarray(np.mean(residuals**2, axis=-1))


def space(config: TrainConfig, dataset: Dataset, path: F64) -> tuple[F64, F64, F64]:
    """(A, y, path) in the space the optimizer moves in: the standardized one for a standardized run."""
    from linreg_core.scaling import scaler_for  # with the cases: not imported before a landscape is drawn

    scaler = scaler_for(config, dataset)
    if scaler is None:
        return design(dataset.X, config.bias), np.asarray(dataset.y, np.float64).ravel(), path
    ds = scaler.transform(dataset)
    d = dataset.d
    rows: list[list[float]] = []
    for p in path:
        ws, bs = scaler.to_scaled(p[:d], float(p[d]) if config.bias else None)
        rows.append(list(ws) + ([] if bs is None else [bs]))
    moved = np.asarray(rows, dtype=np.float64).reshape(path.shape)
    return design(ds.X, config.bias), np.asarray(ds.y, np.float64).ravel(), moved


def check_axes(axes: list[str] | None, d: int, bias: bool) -> list[str]:
    """The parameters to draw over (default the first two); a ValueError names what is wrong."""
    names = param_names(d, bias)
    axes = axes or names[:2]
    if len(set(axes)) != len(axes) or any(a not in names for a in axes) or not 1 <= len(axes) <= 2:
        raise ValueError(f"--params: one or two of {', '.join(names)}, each once (got {', '.join(axes)})")
    return axes


def landscape(config: TrainConfig, dataset: Dataset, path: npt.ArrayLike, axes: list[str] | None = None,
              levels: int = 6) -> Landscape:
    """The picture for a run whose parameters were ``path`` (rows θ at epochs 0…N, in the log's order)."""
    names = param_names(dataset.d, config.bias)
    raw = np.asarray(path, dtype=np.float64).reshape(-1, len(names))
    A, y, P = space(config, dataset, raw)
    finite = P[np.isfinite(P).all(axis=1)]
    if not len(finite):
        finite = np.zeros((1, len(names)))
    star, *_ = np.linalg.lstsq(A, y, rcond=None)
    axes = check_axes(axes, dataset.d, config.bias)
    idx = [names.index(a) for a in axes]
    current = finite[-1]
    fixed = {n: float(current[i]) for i, n in enumerate(names) if i not in idx}
    out = Landscape(axes, fixed, [float(star[i]) for i in idx], P[:, idx].tolist(), scaled=config.standardize,
                    loss=config.loss)
    rest = [i for i in range(len(names)) if i not in idx]
    r0 = A[:, rest] @ current[rest] - y if rest else -y
    B = A[:, idx]
    if len(idx) == 1:
        out.curve = _curve(B[:, 0], r0, finite[:, idx[0]], float(star[idx[0]]), config.loss)
        u = np.asarray([p[0] for p in out.path], dtype=np.float64)
        out.path_loss = loss_of(r0[None, :] + u[:, None] * B[:, 0][None, :], config.loss).tolist()
        return out
    _contours(out, B, r0, finite[:, idx], config.loss, levels)
    return out


def _curve(col: F64, r0: F64, path: F64, star: float, kind: str) -> list[list[float]]:
    lo, hi = min(path.min(), star), max(path.max(), star)
    pad = max(0.15 * (hi - lo), 0.5 if hi == lo else 0.0)
    u = np.linspace(lo - pad, hi + pad, 200)
    losses = loss_of(r0[None, :] + u[:, None] * col[None, :], kind)
    return [[float(a), float(b)] for a, b in zip(u, losses, strict=True)]


def _contours(out: Landscape, B: F64, r0: F64, path: F64, kind: str, k: int) -> None:
    n = B.shape[0]
    M = B.T @ B / n
    if kind == "mse" and np.linalg.cond(M) < 1e12:
        u_star = -np.linalg.solve(B.T @ B, B.T @ r0)
        l_star = float(np.mean((r0 + B @ u_star) ** 2))
        excess = [float(np.mean((r0 + B @ p) ** 2)) - l_star for p in path]
        top = max([e for e in excess if math.isfinite(e)] + [0.0]) or 1.0
        out.levels = [l_star + float(e) for e in np.geomspace(top * 1e-3, top, max(3, k))]
        lam, Q = np.linalg.eigh(M)
        t = np.linspace(0.0, 2 * math.pi, ELLIPSE_POINTS)
        circle = np.stack([np.cos(t), np.sin(t)])
        for level in out.levels:
            radii = np.sqrt((level - l_star) / lam)
            pts = (u_star[:, None] + Q @ (radii[:, None] * circle)).T
            out.contours.append((level, pts.tolist()))
        return
    lo = np.minimum(path.min(axis=0), np.asarray(out.theta_star))
    hi = np.maximum(path.max(axis=0), np.asarray(out.theta_star))
    pad = np.maximum(0.2 * (hi - lo), 0.5)
    gx, gy = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 121), np.linspace(lo[1] - pad[1], hi[1] + pad[1], 121)
    U0, U1 = np.meshgrid(gx, gy)
    grid = loss_of(r0[None, None, :] + U0[..., None] * B[:, 0] + U1[..., None] * B[:, 1], kind)
    g_min = float(grid.min())
    top = max(float(grid.max()) - g_min, 1e-12)
    out.levels = [g_min + float(e) for e in np.geomspace(top * 0.02, top * 0.5, max(3, k))]
    for level in out.levels:
        out.contours.append((level, marching_squares(gx, gy, grid, level)))


def marching_squares(xs: F64, ys: F64, z: F64, level: float) -> list[list[float]]:
    """Points where the grid ``z[j, i]`` (at ``xs[i]``, ``ys[j]``) crosses ``level``: every cell edge whose two
    corners lie on either side, interpolated linearly (the points of the contour lines, unordered)."""
    pts: list[list[float]] = []
    above = z >= level
    for axis in (0, 1):
        a, b = (z[:-1, :], z[1:, :]) if axis == 0 else (z[:, :-1], z[:, 1:])
        cross = (above[:-1, :] != above[1:, :]) if axis == 0 else (above[:, :-1] != above[:, 1:])
        for j, i in zip(*np.nonzero(cross), strict=True):
            t = (level - a[j, i]) / (b[j, i] - a[j, i])
            if axis == 0:
                pts.append([float(xs[i]), float(ys[j] + t * (ys[j + 1] - ys[j]))])
            else:
                pts.append([float(xs[i] + t * (xs[i + 1] - xs[i])), float(ys[j])])
    return pts


def title(land: Landscape) -> str:
    what = f"L({', '.join(land.axes)})"
    if land.fixed:
        what += " with " + ", ".join(f"{k}={v:.3g}" for k, v in land.fixed.items()) + " held"
    if land.scaled:
        what += ", in the standardized space the optimizer moves in"
    return f"loss landscape: {what}"


#: What :func:`draw` colours, and the plotext colour of each (a program may give its own).
COLORS = {"curve": "gray", "contour": "blue", "contour-alt": "gray", "path": "cyan", "optimum": "green"}


def legend(land: Landscape) -> list[tuple[str, str, str]]:
    """What :func:`draw` draws, as (part, mark, label), a part being a key of :data:`COLORS`: for a legend kept
    off the plot."""
    scale = max(1.0, *(abs(v) for v in land.theta_star))
    star = ", ".join(f"{v if abs(v) > 1e-9 * scale else 0.0:.4g}" for v in land.theta_star)  # round-off shown as 0
    items = [("curve", "━", "loss")] if land.curve else [("contour", "━", "contours of the loss")]
    if any(all(math.isfinite(v) for v in pt) for pt in land.path):
        items.append(("path", "•", "path of the run"))
    items.append(("optimum", "x", f"θ* = ({star})" if len(land.theta_star) > 1 else f"θ* = {star}"))
    return items


def draw(plt: object, land: Landscape, legend: bool = True, colors: Mapping[str, object] = COLORS) -> None:
    """Draw on a plotext-like object (``plot``, ``scatter``, ``title``, ``xlabel``, ``ylabel``): the curve or
    the contours, the path in order, θ* (``legend``: their labels, which a small chart has no room for), each
    part in its colour of ``colors``."""
    p: Any = plt

    def label(text: str) -> str | None:
        return text if legend else None

    p.title(title(land))
    p.xlabel(land.axes[0])
    path = [pt for pt in land.path if all(math.isfinite(v) for v in pt)]
    if land.curve:
        p.ylabel("loss")
        curve_x = np.asarray([c[0] for c in land.curve])
        curve_y = np.asarray([c[1] for c in land.curve])
        p.plot(curve_x.tolist(), curve_y.tolist(), color=colors["curve"], marker="braille",
               label=label("loss"))
        marks = [(pt[0], lv) for pt, lv in zip(land.path, land.path_loss, strict=True)
                 if math.isfinite(pt[0]) and math.isfinite(lv)]
        if marks:
            p.plot([q[0] for q in marks], [q[1] for q in marks], color=colors["path"], marker="dot",
                   label=label("path"))
        p.scatter([land.theta_star[0]], [float(np.interp(land.theta_star[0], curve_x, curve_y))],
                  color=colors["optimum"],
                  marker="x", label=label("θ*"))
        return
    p.ylabel(land.axes[1])
    for i, (_, pts) in enumerate(land.contours):
        if pts:
            style = p.plot if land.loss == "mse" else p.scatter
            style([q[0] for q in pts], [q[1] for q in pts], color=colors["contour-alt" if i % 2 else "contour"],
                  marker="braille")
    if path:
        p.plot([q[0] for q in path], [q[1] for q in path], color=colors["path"], marker="dot", label=label("path"))
    p.scatter([land.theta_star[0]], [land.theta_star[1]], color=colors["optimum"], marker="x", label=label("θ*"))
