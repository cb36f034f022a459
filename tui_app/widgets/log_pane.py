"""Seed-style log lines, with ▼/△ against the previous logged loss."""

from __future__ import annotations

import math

from rich.text import Text
from textual.widgets import RichLog

from linreg_core.parse import format_epoch

#: Lines kept on screen; the full history stays in the app's compact arrays (export it with the core).
MAX_LINES = 2000
#: At most this many lines are written per batch of events; the rest are summarised in one line.
MAX_LINES_PER_BATCH = 25

INTRO = "loss: before each epoch's update; w, b: after it"


class LogPane(RichLog):
    def __init__(self, **kwargs: object):
        super().__init__(max_lines=MAX_LINES, wrap=True, min_width=20, markup=False, auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self._prev: float | None = None
        self.lines_written = 0

    def on_mount(self) -> None:
        self.border_title = "Log"

    def start(self, header: str) -> None:
        self.clear()
        self._prev = None
        self.lines_written = 0
        self.write(Text(header, style="dim"))
        self.write(Text(INTRO, style="dim"))

    def epoch_line(self, epoch: int, w: tuple[float, ...], b: float | None, loss: float, extra: str = "") -> Text:
        line = Text(format_epoch(epoch, w, b, loss))
        prev = self._prev
        if prev is not None and math.isfinite(loss) and math.isfinite(prev):
            if loss < prev:
                line.append(" ▼", style="green")
            elif loss > prev:
                line.append(" △", style="red")
            else:
                line.append(" =", style="dim")
        self._prev = loss
        if extra:
            line.append(f"  {extra}", style="dim")
        return line

    def set_previous(self, loss: float) -> None:
        """The loss the next line's ▼/△ compares with (when lines in between were not written)."""
        self._prev = loss

    def add_lines(self, lines: list[Text], skipped: int = 0) -> None:
        block = list(lines)
        if skipped:
            block.insert(0, Text(f"… {skipped} logged epochs not shown (too many at this speed)", style="dim"))
        if block:
            self.write(Text("\n").join(block))  # one write a batch: RichLog's cost is per call
        self.lines_written += len(lines)

    def note(self, text: str, style: str = "bold") -> None:
        self.write(Text(text, style=style))
