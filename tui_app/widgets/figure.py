"""A chart's figure: textual-plotext's own widget (sized to the widget, coloured after the app's theme by it), whose
render never raises. Imported when a chart first draws (tui_app/widgets/plot.py)."""

from __future__ import annotations

import time
from typing import Protocol

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from tui_app.plotting import set_ticks


class Chart(Protocol):
    """What a figure reads from and counts on the chart it draws for (tui_app/widgets/plot.py)."""

    ticks: tuple[list[list[float]], list[list[float]], bool] | None
    last_render_seconds: float
    renders: int


class Figure(PlotextPlot):
    DEFAULT_CSS = """
    Figure {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, chart: Chart):
        super().__init__()
        self.chart = chart

    def render(self) -> RenderResult:
        width, height = self.size
        if width < 12 or height < 5:
            return Text("")
        chart = self.chart
        t0 = time.perf_counter()
        try:
            if chart.ticks is not None:
                xs, ys, whole_x = chart.ticks
                set_ticks(self.plt, xs, ys, width, height, whole_x)
            out = super().render()
        except Exception as exc:  # plotext edge cases must never kill the app
            out = Text(f"(chart unavailable: {type(exc).__name__})", style="dim")
        chart.last_render_seconds = time.perf_counter() - t0
        chart.renders += 1
        return out
