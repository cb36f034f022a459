"""The plot widget of every chart: a plotext figure that never fails a render, imported only when first drawn."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.align import Align
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

if TYPE_CHECKING:
    from textual_plotext.plot import Plot

    from tui_app.widgets.figure import Figure

PLOT_MODULE = "tui_app.widgets.figure"


def preload_plotting() -> threading.Thread:
    """Import plotext in a background thread, so that the first drawing finds it loaded (the first screen, which
    shows no data, is drawn without it)."""
    import importlib

    thread = threading.Thread(target=importlib.import_module, args=(PLOT_MODULE,), name="import-plotext",
                              daemon=True)
    thread.start()
    return thread


class SafePlot(Widget):
    """A chart: a line of text while there is nothing to draw (:meth:`show_empty`), else a plotext figure
    (:class:`~tui_app.widgets.figure.Figure`, textual-plotext's widget, made when first drawn on).

    Draw through :attr:`plt` (plotext's API). A render never raises: a plotext failure shows a one-line note.
    ``renders`` and ``last_render_seconds`` count and time the figure's renders.
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
        self._figure: Figure | None = None
        self._empty: Text | None = None
        #: round ticks for the series drawn (x values, y values, whole numbers on x), placed at each render
        self.ticks: tuple[list[list[float]], list[list[float]], bool] | None = None

    def ticks_for(self, xs: list[list[float]], ys: list[list[float]], whole_x: bool = False) -> None:
        """Round ticks for the series drawn (x and y values), placed at each render for the plot's size then."""
        self.ticks = (xs, ys, whole_x)

    @property
    def plt(self) -> Plot:
        """The figure to draw on (leaves the empty state of :meth:`show_empty`; plotext's ticks until
        :meth:`ticks_for`); it is drawn again once the caller is done."""
        self._empty = None
        self.ticks = None
        if self._figure is None:
            from tui_app.widgets.figure import Figure

            self._figure = Figure(self)
            self.mount(self._figure)
        self._figure.display = True
        self._figure.refresh()
        self.refresh()
        return self._figure.plt

    @property
    def drawn_empty(self) -> bool:
        return self._empty is not None

    def show_empty(self, text: Text) -> None:
        """Show ``text`` in the middle instead of a figure."""
        self._empty = text
        if self._figure is not None:
            self._figure.display = False
        self.refresh()

    def render(self) -> RenderResult:
        if self._empty is not None:
            return Align.center(self._empty, vertical="middle")
        return Text("")
