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

    def _show(self, case: int) -> None:
        for c, name in CASES.items():
            item = self.query_one(f"#case-{c}", CaseItem)
            mark = "▶" if c == case else " "
            item.update(Text(f"{mark} {c} {name}", style="bold" if c == case else ""))
            item.set_class(c == case, "selected")
        self.query_one("#case-steps", Static).update(steps_text(case))


def steps_text(case: int) -> Text:
    """The notebook's four bullets: manual steps in yellow, automatic ones in green."""
    text = Text()
    for i, (step, how) in enumerate(STEPS[case].items()):
        if i:
            text.append("\n")
        text.append(f"  {step:<10} ")
        text.append(how, style=MANUAL_STYLE if how == MANUAL else AUTO_STYLE)
    return text
