"""The log pane's first lines, drawn as a Static until the log itself is mounted: the log is Textual's RichLog, whose
import (rich.pretty and what it brings) slows the app's start, so it comes after the first screen
(``MainCore.start_log`` in tui_app/screens/main_core.py)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

INTRO = "loss: before each epoch's update; w, b: after it"


def header_lines(header: str) -> list[Text]:
    """What the log starts with: the run's configuration and what its columns mean."""
    return [Text(header, style="dim"), Text(INTRO, style="dim")]


class LogStart(Static):
    """Looks as the log pane will (same border and title, same lines); replaced by it once it is mounted."""

    DEFAULT_CSS = """
    LogStart {
        height: 100%;
        padding-right: 2;  /* where the log has its scroll bar: the lines wrap alike */
        background: $surface;
    }
    """

    def __init__(self, header: str, **kwargs: object):
        super().__init__(Text("\n").join(header_lines(header)), **kwargs)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.border_title = "Log"
