"""Loss against epoch (optionally log10), and a second view: w and b against epoch and the fitted line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static

from linreg_core.data import Dataset
from linreg_core.history import History
from tui_app import palette
from tui_app.plotting import finite_xy, log10_loss, plottable
from tui_app.runs import PastRun
from tui_app.widgets.plot import SafePlot

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    from linreg_core.lazy import np

#: Points per series at most: a braille chart has 2 dot columns per cell, and decimation keeps 2 points (min and
#: max) per bucket, so 4 per cell of width is all a chart can show (fewer points draw faster).
MAX_POINTS = 600
POINTS_PER_CELL = 4


def points_for(plot: Widget) -> int:
    """How many points a series on ``plot`` needs at its current width (MAX_POINTS before the first layout)."""
    width = plot.size.width
    return MAX_POINTS if width <= 0 else max(100, min(MAX_POINTS, POINTS_PER_CELL * width))


def series_role(i: int) -> str:
    """The role (tui_app/palette.py) of the ``i``-th curve after the run's own (a parameter, a past run)."""
    return f"series-{1 + i % (len(palette.SERIES) - 1)}"


def loss_star_text(star: float, dataset: Dataset) -> str:
    """loss* as shown: an exact fit leaves only round-off (its digits depend on the BLAS and the CPU)."""
    scale = float(np.mean(np.square(dataset.y, dtype=np.float64))) or 1.0
    return "0 (exact fit)" if star <= 1e-12 * scale else f"{star:.4g}"


@dataclass
class ChartData:
    history: History
    dataset: Dataset
    w: tuple[float, ...]
    b: float | None
    loss_star: float | None
    log_scale: bool
    overlays: list[PastRun] = field(default_factory=list)
    #: With a mistake on: the losses of the same run without it, drawn muted beside the run's own.
    reference: npt.NDArray[np.float64] | None = None
    #: What the landscape view needs (tui_app/widgets/landscape_view.py).
    landscape: Any = None


def loss_series(data: ChartData, points: int, notes: Text) -> list[tuple[list[float], list[float], str, str]]:
    """The loss chart's curves (x, y, colour, label): past runs, the run without its mistake, the run itself; notes
    for the title are appended to ``notes``."""
    h = data.history
    series: list[tuple[list[float], list[float], str, str]] = []  # x, y, colour, label
    for i, past in enumerate(data.overlays):
        py = log10_loss(past.curve_y) if data.log_scale else past.curve_y
        px, pyv = plottable(past.curve_x, py, points)
        if px:
            series.append((px, pyv, series_role(i), past.label))
    ref = data.reference
    if ref is not None and len(ref) and len(h):
        shown = ref[:max(len(h), 1)] if len(h) < len(ref) else ref
        ry = log10_loss(shown) if data.log_scale else shown
        rx, ryv = plottable(np.arange(1, len(shown) + 1), ry, points)
        if rx:
            series.append((rx, ryv, "muted", "the same run without the mistake"))
    if len(h):
        y = log10_loss(h.loss) if data.log_scale else h.loss
        x, yv = plottable(h.epochs, y, points)
        if x:
            series.append((x, yv, "series-0", "this run"))
        if len(x) < len(h):
            notes.append(f"   ({len(h)} epochs, {len(x)} points drawn)", style="dim")
    return series


def legend(items: list[tuple[str, str]], mark: str = "━") -> Text:
    """The chart's legend, in the title rows above the plot (never over its data): ``━ label`` in each role's
    colour."""
    text = Text()
    for role, label in items:
        text.append(f"   {mark} ", style=palette.style_name(role))
        text.append(label)
    return text


class LossChart(Vertical):
    """``t`` switches between the loss view and the parameters view; ``l`` the loss to log10."""

    #: Chart log10(loss) instead of the loss.
    log_scale: var[bool] = var(False)

    def compose(self) -> ComposeResult:
        yield Static(id="chart-title")
        with ContentSwitcher(initial="loss-view", id="chart-switcher"):
            yield SafePlot(id="loss-view")
            with Horizontal(id="param-view"):
                yield SafePlot(id="param-plot")
                yield SafePlot(id="fit-plot")
            yield SafePlot(id="landscape-view")

    def on_mount(self) -> None:
        self.border_title = "Chart  [t view · l log10 · [ ] parameters]"

    @property
    def view(self) -> str:
        return self.query_one(ContentSwitcher).current or "loss-view"

    def toggle_view(self) -> str:
        """loss → parameters and fit → loss landscape → loss."""
        sw = self.query_one(ContentSwitcher)
        order = ["loss-view", "param-view", "landscape-view"]
        sw.current = order[(order.index(sw.current or "loss-view") + 1) % len(order)]
        return sw.current

    def plots(self) -> list[SafePlot]:
        return list(self.query(SafePlot))

    def last_render_seconds(self) -> float:
        return max((p.last_render_seconds for p in self.plots()), default=0.0)

    def redraw(self, data: ChartData) -> None:
        if self.view == "loss-view":
            self._draw_loss(data)
        elif self.view == "landscape-view" and data.landscape is not None:
            from tui_app.widgets.landscape_view import draw_landscape

            plot = self.query_one("#landscape-view", SafePlot)
            try:
                title = draw_landscape(plot, data.landscape)
            except Exception as exc:  # noqa: BLE001 - a picture that cannot be drawn is a message, never a crash
                title = Text(f"loss landscape unavailable: {type(exc).__name__}: {exc}", style=palette.BAD)
                plot.show_empty(Text("(no landscape for this run)", style="dim"))
            self.set_title(title)
        else:
            self._draw_params(data)

    def set_title(self, title: Text) -> None:
        """The rows above the plot: what it shows and its legend, wrapped (never cut) at the chart's width."""
        static = self.query_one("#chart-title", Static)
        width = static.size.width - 2 if static.size.width > 2 else self.size.width - 4
        rows = len(title.wrap(self.app.console, max(1, width)))
        static.update(title, layout=rows != static.size.height)  # a new layout only for a new number of rows

    def _draw_loss(self, data: ChartData) -> None:
        plot = self.query_one("#loss-view", SafePlot)
        h = data.history
        ylabel = "log10(loss)" if data.log_scale else "loss"
        title = Text(f"{ylabel} against epoch", style="bold")
        notes = Text()
        series = loss_series(data, points_for(plot), notes)
        items = [(color, label) for _, _, color, label in series]
        star = data.loss_star
        star_y = None
        if star is not None:
            ys = float(np.log10(star)) if data.log_scale and star > 0 else (None if data.log_scale else star)
            ymin = min((min(s[1]) for s in series), default=None)
            # drawn only beside data, and on the log scale only when it would not squash the curve
            if ys is not None and np.isfinite(ys) and ymin is not None and (not data.log_scale or ys >= ymin - 3):
                star_y = ys
            name = f"loss* {loss_star_text(star, data.dataset)} (closed form)"
            if star_y is not None:
                items.append(("optimum", name))
            else:
                notes.append(f"   {name}", style=palette.GOOD)
        title.append_text(legend(items))
        title.append_text(notes)
        if data.overlays:
            title.append("   h: past runs", style="dim")
        if not len(h):
            title.append("   press space to run, n to step", style="dim")
        self.set_title(title)
        if not series:
            plot.show_empty(Text("no epochs yet", style="dim"))
            return
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("epoch")
        variables = self.app.theme_variables
        for x, yv, role, _ in series:
            plt.plot(x, yv, color=palette.role_plot_color(variables, role), marker="braille")
        ys_all = [s[1] for s in series]
        if star_y is not None:
            plt.hline(star_y, palette.role_plot_color(variables, "optimum"))
            ys_all.append([star_y])
        plot.ticks_for([s[0] for s in series], ys_all, whole_x=True)
        plot.refresh()

    def _draw_params(self, data: ChartData) -> None:
        h = data.history
        pplot = self.query_one("#param-plot", SafePlot)
        plt = pplot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("w, b against epoch")
        plt.xlabel("epoch")
        items: list[tuple[str, str]] = []
        if len(h):
            names = ["w"] if h.d == 1 else [f"w{i + 1}" for i in range(h.d)]
            series = [(names[i], h.w[:, i]) for i in range(min(h.d, 5))]
            if h.b is not None:
                series.append(("b", h.b))
            drawn = []
            for i, (name, s) in enumerate(series):
                x, yv = plottable(h.epochs, s, points_for(pplot))
                if x:
                    role = "series-0" if i == 0 else series_role(i - 1)
                    plt.plot(x, yv, color=palette.role_plot_color(self.app.theme_variables, role), marker="braille")
                    items.append((role, name))
                    drawn.append((x, yv))
            pplot.ticks_for([d[0] for d in drawn], [d[1] for d in drawn], whole_x=True)
        pplot.refresh()
        fit = self._draw_fit(data)
        title = Text("parameters against epoch", style="bold") + legend(items)
        if fit is not None:
            title += Text("   ·   data and fit", style="bold") + fit
        self.set_title(title)

    def _draw_fit(self, data: ChartData) -> Text | None:
        """The data and the current fitted line (one feature); the legend for the title, or None."""
        fplot = self.query_one("#fit-plot", SafePlot)
        plt = fplot.plt
        plt.clear_data()
        plt.clear_figure()
        ds = data.dataset
        fit = None
        if ds.d == 1:
            plt.title("data and the current fit")
            xs, ys = finite_xy(ds.X[:, 0], ds.y[:, 0])
            if len(xs) > 2000:
                pick = np.linspace(0, len(xs) - 1, 2000).astype(np.int64)
                xs, ys = xs[pick], ys[pick]
            variables = self.app.theme_variables
            plt.scatter(xs.tolist(), ys.tolist(), color=palette.role_plot_color(variables, "data"), marker="dot")
            lo, hi = float(np.min(ds.X)), float(np.max(ds.X))
            if hi == lo:
                hi = lo + 1.0
            line_x = np.linspace(lo, hi, 50)
            line_y = line_x * data.w[0] + (data.b or 0.0)
            fx, fy = finite_xy(line_x, line_y)
            if len(fx):
                plt.plot(fx.tolist(), fy.tolist(), color=palette.role_plot_color(variables, "series-0"))
            fplot.ticks_for([xs.tolist(), fx.tolist()], [ys.tolist(), fy.tolist()])
            plt.xlabel(ds.feature_names[0])
            fit = legend([("data", "data")], mark="•") + legend([("series-0", "fit")])
        else:
            plt.title(f"{ds.d} features: no single fitted line")
        fplot.refresh()
        return fit
