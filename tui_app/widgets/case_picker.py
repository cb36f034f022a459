"""The four cases, the selected one marked, and which steps it does by hand and which torch does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Click
from textual.reactive import reactive
from textual.widgets import Static

from linreg_core.config import CASES, STEPS
from tui_app.messages import CaseChosen

MANUAL = "manual"
MANUAL_STYLE = "bold yellow"
AUTO_STYLE = "bold green"


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
    next_phase: reactive[str | None] = reactive(None)

    def compose(self) -> ComposeResult:
        for case in CASES:
            item = CaseItem(case)
            item.set_class(case == self.selected, "selected")  # before mount: no restyle when shown
            yield item
        yield Static(id="case-steps")

    def on_mount(self) -> None:
        self.border_title = "Case  [1-4]"
        self._show(self.selected)

    def watch_selected(self, case: int) -> None:
        if self.children:
            self._show(case)

    def watch_next_phase(self, phase: str | None) -> None:
        if self.children:
            self._show(self.selected)

    def _show(self, case: int) -> None:
        for c, name in CASES.items():
            item = self.query_one(f"#case-{c}", CaseItem)
            mark = "▶" if c == case else " "
            item.update(Text(f"{mark} {c} {name}", style="bold" if c == case else ""))
            item.set_class(c == case, "selected")
        self.query_one("#case-steps", Static).update(steps_text(case, self.next_phase))


def steps_text(case: int, next_phase: str | None = None) -> Text:
    """The notebook's four bullets: manual steps in yellow, automatic ones in green; ▸ marks the block `.` runs
    next."""
    text = Text()
    for i, (step, how) in enumerate(STEPS[case].items()):
        if i:
            text.append("\n")
        mine = step == next_phase
        text.append(f"{'▸' if mine else ' '} {step:<10} ", style="bold reverse" if mine else "")
        text.append(how, style=MANUAL_STYLE if how == MANUAL else AUTO_STYLE)
        if mine:
            text.append("  ← next (.)", style="dim")
    return text
