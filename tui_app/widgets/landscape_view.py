"""The chart's third view: the loss landscape of the run, with its path (linreg_core.landscape)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from rich.text import Text

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.history import History
from linreg_core.landscape import draw, landscape, legend, param_names, title
from tui_app import palette
from tui_app.widgets.plot import SafePlot

if TYPE_CHECKING:
    import numpy as np
else:
    from linreg_core.lazy import np

#: The most path points drawn (evenly spaced, the last one always kept), as the loss series is decimated.
PATH_POINTS = 400


@dataclass
class LandscapeData:
    config: TrainConfig
    dataset: Dataset
    history: History
    initial: tuple[tuple[float, ...], float | None] | None
    pair: int  # which pair of parameters, for more than two


#: The theme variable of each part the landscape draws (linreg_core/landscape.py), and its role in the legend.
PARTS = {"curve": palette.MUTED, "contour": "primary", "contour-alt": palette.MUTED, "path": "hand",
         "optimum": palette.OPTIMUM}
ROLE = {"curve": "muted", "contour": "series-0", "contour-alt": "muted", "path": "hand", "optimum": "optimum"}

def pairs(d: int, bias: bool) -> list[list[str]]:
    """The parameters a landscape can be drawn over: one, two, or each pair of more."""
    names = param_names(d, bias)
    return [names] if len(names) <= 2 else [list(p) for p in combinations(names, 2)]


def path_of(data: LandscapeData) -> list[list[float]]:
    h = data.history
    rows: list[list[float]] = []
    if data.initial is not None:
        w0, b0 = data.initial
        rows.append([*w0, *([b0] if b0 is not None else [])])
    n = len(h)
    if n:
        idx = np.unique(np.r_[np.linspace(0, n - 1, min(n, PATH_POINTS)).astype(int), n - 1])
        w = h.w[idx].astype(np.float64)
        cols = [w] if h.b is None else [w, h.b[idx].astype(np.float64).reshape(-1, 1)]
        rows += np.hstack(cols).tolist()
    width = data.dataset.d + (1 if data.config.bias else 0)  # a row of an earlier configuration does not belong
    return [r for r in rows if len(r) == width and all(math.isfinite(v) for v in r)]


def draw_landscape(plot: SafePlot, data: LandscapeData) -> Text:
    """Draw on ``plot``; returns the chart's title."""
    choices = pairs(data.dataset.d, data.config.bias)
    axes = choices[data.pair % len(choices)]
    with np.errstate(all="ignore"):
        land = landscape(data.config, data.dataset, path_of(data), axes)
    plt = plot.plt
    plt.clear_data()
    plt.clear_figure()
    variables = plot.app.theme_variables
    draw(plt, land, legend=False, colors={part: palette.plot_color(variables, v) for part, v in PARTS.items()})
    plt.title("")
    path = [p for p in land.path if all(math.isfinite(v) for v in p)]
    if land.curve:
        xs = [[c[0] for c in land.curve], [p[0] for p in path]]
        ys = [[c[1] for c in land.curve], [v for v in land.path_loss if math.isfinite(v)]]
    else:
        points = [q for _, pts in land.contours for q in pts] + path + [land.theta_star]
        xs, ys = [[q[0] for q in points]], [[q[1] for q in points]]
    plot.ticks_for(xs, ys)
    plot.refresh()
    text = Text(title(land), style="bold")
    for part, mark, label in legend(land):
        text.append(f"   {mark} ", style=palette.style_name(ROLE[part]))
        text.append(label)
    if len(choices) > 1:
        text.append("   [ ] other parameters", style="dim")
    return text
