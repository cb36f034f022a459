"""The four cases, the selected one marked, and which steps it does by hand and which torch does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Click
from textual.reactive import reactive
from textual.widgets import Static

from linreg_core.config import CASES, STEPS
from tui_app import palette
from tui_app.messages import CaseChosen

MANUAL = "manual"


class CaseItem(Static):
    def __init__(self, case: int):
        super().__init__(id=f"case-{case}", classes="case-item")
        self.case = case

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(CaseChosen(self.case))


class CasePicker(Vertical):
    """Click a case or press 1–4."""

    selected: reactive[int] = reactive(1)
    #: The block `.` runs next ("Prediction" … "Update"), marked in the steps; None outside a stepped epoch.
    next_block: reactive[str | None] = reactive(None)

    def compose(self) -> ComposeResult:
        for case in CASES:
            item = CaseItem(case)
            item.set_class(self.selected == case, "selected")  # before mount: no restyle when shown
            yield item
        yield Static(id="case-steps")
        yield Static(id="case-steps-short")  # a short terminal's two lines (app.tcss shows one or the other)

    def on_mount(self) -> None:
        self.border_title = "Case  [1-4]"
        self._show(self.selected)

    def watch_selected(self, case: int) -> None:
        if self.children:
            self._show(case)

    def watch_next_block(self, block: str | None) -> None:
        if self.children:
            self._show(self.selected)

    def _show(self, case: int) -> None:
        for c, name in CASES.items():
            item = self.query_one(f"#case-{c}", CaseItem)
            mark = "▶" if c == case else " "
            item.update(Text(f"{mark} {c} {name}", style="bold" if c == case else ""))
            item.set_class(c == case, "selected")
        self.query_one("#case-steps", Static).update(steps_text(case, self.next_block))
        self.query_one("#case-steps-short", Static).update(steps_text(case, self.next_block, short=True))


def who(how: str) -> tuple[str, str]:
    """Who does a block: ``hand`` or ``torch``, and its colour (the word says it without the colour)."""
    return ("hand", palette.HAND) if how == MANUAL else ("torch", palette.TORCH)


def steps_text(case: int, next_block: str | None = None, short: bool = False) -> Text:
    """The notebook's four bullets, each block marked hand or torch (and coloured so); ▸ marks the block `.` runs
    next. ``short``: two blocks a line, the words only (a short terminal's case pane)."""
    text = Text()
    for i, (step, how) in enumerate(STEPS[case].items()):
        word, color = who(how)
        mine = step == next_block
        if short:
            text.append("\n" if i == 2 else "  " if i else "")
            text.append(step, style="bold reverse" if mine else "")
            text.append(f" {word:<5}" if i % 2 == 0 else f" {word}", style=color)
            continue
        if i:
            text.append("\n")
        text.append(f"{'▸ ' if mine else '  '}{step:<10} ", style="bold reverse" if mine else "")
        if how.startswith("torch"):  # its name says torch
            text.append(how, style=color)
        else:
            text.append(f"{word:<5}", style=color)
            text.append("" if how == MANUAL else f" {how}", style=color + "-plain")
        if mine:
            text.append(" ← next (.)", style="dim")
    return text
