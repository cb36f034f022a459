"""The plot widget of every chart: a PlotextPlot that never fails a render."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot


class SafePlot(PlotextPlot):
    """A PlotextPlot that draws nothing when too small and measures how long a render takes."""

    last_render_seconds: float = 0.0
    renders: int = 0

    def render(self) -> RenderResult:
        if self.size.width < 12 or self.size.height < 5:
            return Text("")
        t0 = time.perf_counter()
        try:
            out = super().render()
        except Exception as exc:  # plotext edge cases must never kill the app
            out = Text(f"(chart unavailable: {type(exc).__name__})", style="dim")
        self.last_render_seconds = time.perf_counter() - t0
        self.renders += 1
        return out
