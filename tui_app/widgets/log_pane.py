"""Seed-style log lines, with ▼/△ against the previous logged loss."""

from __future__ import annotations

import math
from collections import deque

from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog

from linreg_core.parse import format_epoch
from tui_app import palette
from tui_app.widgets.log_start import header_lines

#: Lines kept on screen; the full history stays in the app's compact arrays (export it with the core).
MAX_LINES = 2000
#: At most this many lines are written at a time; the rest are summarised in one line.
MAX_LINES_PER_BATCH = 25


class LogPane(RichLog):
    def __init__(self, **kwargs: object):
        super().__init__(max_lines=MAX_LINES, wrap=True, min_width=8, markup=False, auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self._written: deque[Text] = deque(maxlen=MAX_LINES)  # wrapped again when the width changes
        self._width = 0
        self._prev: float | None = None
        self._pending: list[Text] = []
        self._skipped = 0

    def on_mount(self) -> None:
        self.border_title = "Log"

    def start(self, header: str) -> None:
        self.clear()
        self._written.clear()
        self._prev = None
        self._pending.clear()
        self._skipped = 0
        for line in header_lines(header):
            self.put(line)

    def put(self, text: Text) -> None:
        """Write ``text``, wrapped at the pane's width (and again at a new width: nothing is ever cut)."""
        self._written.append(text)
        self.write(text)

    def on_resize(self, event: Resize) -> None:
        width = self.scrollable_content_region.width
        if self._size_known and width != self._width and self._width:
            self.rewrite()
        self._width = width

    def rewrite(self) -> None:
        """Everything written, written again (at a new width, in a new theme's colours)."""
        self.clear()
        for text in self._written:
            self.write(text)

    def epoch_line(self, epoch: int, w: tuple[float, ...], b: float | None, loss: float, extra: str = "") -> Text:
        line = Text(format_epoch(epoch, w, b, loss))
        prev = self._prev
        if prev is not None and math.isfinite(loss) and math.isfinite(prev):
            if loss < prev:
                line.append(" ▼", style=palette.GOOD)
            elif loss > prev:
                line.append(" △", style=palette.BAD)
            else:
                line.append(" =", style="dim")
        self._prev = loss
        if extra:
            line.append(f"  {extra}", style="dim")
        return line

    def set_previous(self, loss: float) -> None:
        """The loss the next line's ▼/△ compares with (when lines in between were not written)."""
        self._prev = loss

    @property
    def pending(self) -> bool:
        """True while epoch lines wait for their write."""
        return bool(self._pending or self._skipped)

    def add_lines(self, lines: list[Text], skipped: int = 0) -> None:
        """Epoch lines (``skipped`` logged epochs before them were not made into lines), written at the next
        :meth:`flush`: the app flushes at its display updates, so that a burst of batches costs one write. Only
        the latest MAX_LINES_PER_BATCH wait; the others are counted in one line."""
        self._pending.extend(lines)
        self._skipped += skipped
        over = len(self._pending) - MAX_LINES_PER_BATCH
        if over > 0:
            del self._pending[:over]
            self._skipped += over

    def flush(self) -> None:
        """Write the waiting epoch lines now (one write: RichLog's cost is per call)."""
        if not self.pending:
            return
        block = self._pending
        if self._skipped:
            block.insert(0, Text(f"… {self._skipped} logged epochs not shown (too many at this speed)", style="dim"))
        self._pending, self._skipped = [], 0
        self.put(Text("\n").join(block))

    def note(self, text: str, style: str = "bold") -> None:
        self.flush()  # after the epoch lines it follows
        self.put(Text(text, style=style))
