"""Inside one step (`.`): the case's four blocks with the one just run highlighted, and the values beside them."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from linreg_core.code import BLOCKS, step_blocks
from linreg_core.events import BlockStepped
from linreg_core.parse import value_text as number_text
from tui_app import palette

MAX_VALUE = 60
#: Below this many columns (the chart's column: the terminal less the left column and the lesson) the values go
#: above the code rather than beside it.
SIDE_BY_SIDE = 76


def value_text(value: Any) -> str:
    return number_text(value, MAX_VALUE)


class StepView(Static):
    """Shown in the chart's place while an epoch is stepped block by block."""

    shown: tuple[BlockStepped, int, str | None] | None = None

    def on_mount(self) -> None:
        self.border_title = "Inside the step  [. next block · n rest of the epoch · t chart]"

    def show(self, ev: BlockStepped, case: int, mistake: str | None) -> None:
        # narrow (the chart's column at 80 columns, or beside a lesson): the values above the code rather than beside
        # it; and short as well (a few rows to show it in): the block just run and what it changed first, the rest
        # below. The column is the parent's: this view has no size of its own while hidden.
        self.shown = (ev, case, mistake)
        column = self.parent.size.width if isinstance(self.parent, Widget) else self.app.size.width
        narrow = column < SIDE_BY_SIDE
        self.update(render_step(ev, case, mistake, side_by_side=not narrow,
                                focus=narrow and self.app.size.height < 32))
        self.scroll_home(animate=False)

    def on_resize(self) -> None:
        if self.shown is not None and self.display:
            self.show(*self.shown)


def code_text(blocks: dict[str, list[str]], block: str, only_here: bool = False) -> Text:
    """The step's four blocks, the one just run (``block``) marked; ``only_here``: that block alone."""
    code = Text()
    for name, title in BLOCKS.items():
        here = name == block
        if only_here and not here:
            continue
        for line in blocks[title]:
            style = "bold reverse" if here and not line.strip().startswith("#") else ("dim" if not here else "bold")
            code.append(("▶ " if here else "  ") + line + "\n", style=style)
    return code


def values_table(ev: BlockStepped, changed: bool | None = None) -> Table:
    """The step's values, those this block changed marked; ``changed``: only those it changed (True) or did not."""
    values = Table.grid(padding=(0, 1))
    values.add_column(justify="right", min_width=max((len(name) + 4 for name in ev.values), default=0))
    values.add_column()
    for name, value in ev.values.items():
        mark = name in ev.changed
        if changed is not None and mark != changed:
            continue
        shape = ev.shapes.get(name)
        label = Text(f"{'*' if mark else ' '} {name} =", style=palette.MARKED if mark else "")
        values.add_row(label, Text(value_text(value) + (f"  {shape}" if shape else ""),
                                   style=palette.NOTE if mark else "", overflow="fold"))  # never cut
    return values


def render_step(ev: BlockStepped, case: int, mistake: str | None, side_by_side: bool = True,
                focus: bool = False) -> Any:
    blocks = step_blocks(case, mistake)
    code = code_text(blocks, ev.block)
    grid = Table.grid(padding=(0, 2), expand=True)
    if side_by_side:
        grid.add_column(ratio=3)
        grid.add_column(ratio=2)
        grid.add_row(code, values_table(ev))
    elif focus:  # what the block just run changed, its code, the other values, then the whole step
        grid.add_column()
        here = code_text(blocks, ev.block, only_here=True)
        here.rstrip()
        for row in (values_table(ev, changed=True), here, values_table(ev, changed=False),
                    Text("\nthe whole step:", style="dim"), code):
            grid.add_row(row)
    else:
        grid.add_column()
        grid.add_row(values_table(ev))
        grid.add_row(code)
    head = Text(f"epoch {ev.epoch} · {ev.block}", style="bold")
    head.append("   * changed by this block", style="dim yellow")
    nxt = f"   next: {ev.next_block} (.)" if ev.next_block else "   epoch done: . begins the next one, n runs one"
    head.append(nxt, style="dim")
    parts: list[Any] = [head, grid]
    if ev.note:
        parts.append(Text(ev.note, style="dim"))
    if ev.error:
        parts.append(Text(f"✗ {ev.error}", style="bold red"))
    return Group(*parts)
