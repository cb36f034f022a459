"""The plot widget of every chart: a plotext figure that never fails a render, imported only when first drawn."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from rich.align import Align
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from tui_app.plotting import set_ticks

if TYPE_CHECKING:
    from textual_plotext.plot import Plot

PLOT_MODULE = "textual_plotext.plot"


def preload_plotting() -> threading.Thread:
    """Import plotext in a background thread, so that the first drawing finds it loaded (the first screen, which
    shows no data, is drawn without it)."""
    import importlib

    thread = threading.Thread(target=importlib.import_module, args=(PLOT_MODULE,), name="import-plotext",
                              daemon=True)
    thread.start()
    return thread


class SafePlot(Widget):
    """A plotext figure sized to the widget and coloured after the app's theme.

    Draw through :attr:`plt` (plotext's API; the first access imports plotext), or call :meth:`show_empty` to show a
    line of text instead of axes while there is nothing to draw. A render never raises: a plotext failure shows a
    one-line note. ``renders`` and ``last_render_seconds`` count and time the renders.
    """

    DEFAULT_CSS = """
    SafePlot {
        width: 1fr;
        height: 1fr;
    }
    """

    last_render_seconds: float = 0.0
    renders: int = 0

    def __init__(self, *, id: str | None = None, classes: str | None = None):  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._plot: Plot | None = None
        self._empty: Text | None = None
        self._ticks: tuple[list[list[float]], list[list[float]], bool] | None = None

    def ticks_for(self, xs: list[list[float]], ys: list[list[float]], whole_x: bool = False) -> None:
        """Round ticks for the series drawn (x and y values), placed at each render for the plot's size then."""
        self._ticks = (xs, ys, whole_x)

    @property
    def plt(self) -> Plot:
        """The figure to draw on (leaves the empty state of :meth:`show_empty`; plotext's ticks until
        :meth:`ticks_for`)."""
        self._empty = None
        self._ticks = None
        if self._plot is None:
            from textual_plotext.plot import Plot

            self._plot = Plot()
        return self._plot

    @property
    def drawn_empty(self) -> bool:
        return self._empty is not None

    def show_empty(self, text: Text) -> None:
        """Show ``text`` in the middle instead of a figure."""
        self._empty = text
        self.refresh()

    def render(self) -> RenderResult:
        if self._empty is not None:
            return Align.center(self._empty, vertical="middle")
        if self.size.width < 12 or self.size.height < 5 or self._plot is None:
            return Text("")
        t0 = time.perf_counter()
        try:
            out: RenderResult = self._build(self._plot)
        except Exception as exc:  # plotext edge cases must never kill the app
            out = Text(f"(chart unavailable: {type(exc).__name__})", style="dim")
        self.last_render_seconds = time.perf_counter() - t0
        self.renders += 1
        return out

    def _build(self, plot: Plot) -> Text:
        width, height = self.size
        plot.plotsize(width, height)
        plot._set_size(width, height)  # plotsize alone does not always resize the figure
        if self._ticks is not None:
            xs, ys, whole_x = self._ticks
            set_ticks(plot, xs, ys, width, height, whole_x)
        plot.theme(self._theme_name())
        return Text.from_ansi(plot.build())

    def _theme_name(self) -> str:
        """A plotext theme with the app theme's background and foreground (registered on first use)."""
        from plotext._dict import themes
        from textual.color import Color
        from textual_plotext.plot import _rgbify_theme, _sequence

        name = f"linreg-auto-{self.app.theme}"
        if name not in themes:
            variables = self.app.theme_variables
            surface = Color.parse(variables.get("surface", "black")).rgb
            foreground = Color.parse(variables.get("foreground", "white")).rgb
            themes[name] = _rgbify_theme(surface, surface, foreground, "default", list(_sequence))
        return name
