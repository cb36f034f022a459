"""The one-line message under the panes: what the last key did, a warning, or an error."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static


class MessageLine(Static):
    def __init__(self, **kwargs: str | None):
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.text = ""
        self._one_row = False

    def say(self, text: str, level: str = "info") -> None:
        """Show ``text`` (level ``info``, ``warning`` or ``error``)."""
        self.text = text
        # one row before and after: no layout pass (a key's answer reaches the screen sooner)
        one_row = "\n" not in text and 0 < cell_len(text) <= self.content_region.width
        self.update(Text(text), layout=not (one_row and self._one_row))
        self._one_row = one_row
        self.set_class(level == "error", "error")
        self.set_class(level == "warning", "warning")
