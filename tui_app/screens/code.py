"""The code view (v): the selected case's training step from the source that runs."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from linreg_core.code import step_blocks, step_source, swapped_blocks
from linreg_core.config import CASES
from tui_app import palette
from tui_app.widgets.lesson_pane import beside as lesson_beside


class CodeScreen(ModalScreen[None]):
    """The selected case's training step, from the source that runs: each line marked hand or torch (and coloured
    so, tui_app/palette.py)."""
    #: The name a lesson's `screen` condition gives this screen.
    LESSON_NAME = "code"

    BINDINGS = [Binding("escape,v", "close", "Close"), Binding("d", "diff", "Beside the previous case")]

    def __init__(self, case: int, mistake: str | None = None):
        super().__init__()
        self.case, self.mistake = case, mistake
        self.where, self.lines = step_source(case, mistake)
        self.diff = False
        # with a mistake on: the lines that differ from the case's own step
        correct = {line.text.strip() for line in step_source(case)[1]}
        self.changed = {line.text.strip() for line in self.lines if mistake and line.text.strip() not in correct
                        and line.text.strip() and not line.text.strip().startswith("#")}

    def compose(self) -> ComposeResult:
        yield from lesson_beside(self.app)  # the lesson stays in sight (a lesson open)
        with VerticalScroll(id="code-box"):
            yield Static(self.render_code(), id="code-body")

    def on_mount(self) -> None:
        self._title()

    def _title(self) -> None:
        what = "beside the previous level" if self.diff else "one training step"
        if self.mistake:
            what = f"mistake {self.mistake}" + (", beside the correct step" if self.diff else "")
        self.query_one("#code-box").border_title = (f"Case {self.case} {CASES[self.case]}: {what}  "
                                                    f"[d {'one step' if self.diff else 'diff'} · v/escape close]")

    def syntax_theme(self) -> str:
        """The code's colours for the app's theme: a dark or a light one."""
        return "monokai" if self.app.current_theme.dark else "default"

    def action_diff(self) -> None:
        self.diff = not self.diff
        self.query_one("#code-body", Static).update(self.render_diff() if self.diff else self.render_code())
        self._title()

    def render_diff(self) -> Any:
        other, changed, note = swapped_blocks(self.case)
        left, right = step_blocks(other), step_blocks(self.case)
        if self.mistake:  # the mistake beside the case's own step
            from linreg_core.cases.mistakes import EFFECTS

            other, left, right = self.case, step_blocks(self.case), step_blocks(self.case, self.mistake)
            changed = {p for p in right if [t.strip() for t in right[p] if not t.strip().startswith("#")]
                       != [t.strip() for t in left[p] if not t.strip().startswith("#")]}
            note = f"{self.mistake}: {EFFECTS[self.mistake]}"
        grid = Table.grid(padding=(0, 2))
        grid.add_column(width=12)
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        name = "the notebook's case 1" if other == 0 else f"case {other} {CASES[other]}"
        mine = f"case {self.case} {CASES[self.case]}" + (f", mistake {self.mistake}" if self.mistake else "")
        grid.add_row(Text(""), Text(name, style="bold"), Text(mine, style="bold"))
        for block, lines in right.items():
            swapped = block in changed
            mark = Text(f"{'◆ ' if swapped else '  '}{block}", style=palette.SWAPPED if swapped else "dim")
            grid.add_row(mark, Text(""), Text(""))
            before = left[block]
            for i in range(max(len(before), len(lines))):
                a = before[i] if i < len(before) else ""
                b = lines[i] if i < len(lines) else ""
                theme = self.syntax_theme()
                grid.add_row(Text(""), _code(a, not swapped, theme), _code(b, not swapped, theme))
        legend = Text("\n◆ swapped", style=palette.SWAPPED)
        legend.append(f": {note}", style="dim")
        return Group(grid, legend)

    def render_code(self) -> Any:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=9)
        grid.add_column()
        header = Text()
        header.append("▌ hand: by hand", style=palette.HAND)
        header.append("   ")
        header.append("▌ torch: by torch", style=palette.TORCH)
        header.append(f"     source: {self.where}", style="dim")
        grid.add_row(Text(""), header)
        for line in self.lines:
            if line.text.strip() in self.changed:
                gutter = Text("✗ mistake", style=palette.ALARM)
            elif line.manual is None:
                gutter = Text("")
            elif line.manual:
                gutter = Text("▌ hand", style=palette.HAND)
            else:
                gutter = Text("▌ torch", style=palette.TORCH)
            code = Syntax(line.text or " ", "python", theme=self.syntax_theme(), background_color="default",
                          word_wrap=False).highlight(line.text or " ")
            code.rstrip()
            grid.add_row(gutter, code)
        return grid

    def action_close(self) -> None:
        self.dismiss(None)


def _code(line: str, dim: bool, theme: str) -> Text:
    code = Syntax(line or " ", "python", theme=theme, background_color="default",
                  word_wrap=False).highlight(line or " ")
    code.rstrip()
    if dim:
        code.stylize("dim")
    return code
