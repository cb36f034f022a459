"""Inside one step (`.`): the case's four blocks with the one just run highlighted, and the values beside them."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from linreg_core.code import PHASES, step_blocks
from linreg_core.events import PhaseStepped

MAX_VALUE = 60


def value_text(value: Any) -> str:
    import json  # when a step is shown: not on the app's start path

    if value is None:
        return "None"
    text = json.dumps(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


class StepView(Static):
    """Shown in the chart's place while an epoch is stepped block by block."""

    def on_mount(self) -> None:
        self.border_title = "Inside the step  [. next block · n rest of the epoch · t chart]"

    def show(self, ev: PhaseStepped, case: int, mistake: str | None) -> None:
        # narrow (the right column of an 80-column terminal): the values above the code rather than beside it
        self.update(render_step(ev, case, mistake, side_by_side=self.app.size.width >= 110))


def render_step(ev: PhaseStepped, case: int, mistake: str | None, side_by_side: bool = True) -> Any:
    blocks = step_blocks(case, mistake)
    code = Text()
    for phase, title in PHASES.items():
        here = phase == ev.phase
        for line in blocks[title]:
            style = "bold reverse" if here and not line.strip().startswith("#") else ("dim" if not here else "bold")
            code.append(("▶ " if here else "  ") + line + "\n", style=style)
    values = Table.grid(padding=(0, 1))
    values.add_column(justify="right")
    values.add_column()
    for name, value in ev.values.items():
        mark = "*" if name in ev.changed else " "
        shape = ev.shapes.get(name)
        label = Text(f"{mark} {name} =", style="bold yellow" if name in ev.changed else "")
        values.add_row(label, Text(value_text(value) + (f"  {shape}" if shape else ""),
                                   style="yellow" if name in ev.changed else ""))
    grid = Table.grid(padding=(0, 2), expand=True)
    if side_by_side:
        grid.add_column(ratio=3)
        grid.add_column(ratio=2)
        grid.add_row(code, values)
    else:
        grid.add_column()
        grid.add_row(values)
        grid.add_row(code)
    head = Text(f"epoch {ev.epoch} · {ev.phase}", style="bold")
    head.append("   * changed by this block", style="dim yellow")
    nxt = f"   next: {ev.next_phase} (.)" if ev.next_phase else "   epoch done: . begins the next one, n runs one"
    head.append(nxt, style="dim")
    parts: list[Any] = [head, grid]
    if ev.note:
        parts.append(Text(ev.note, style="dim"))
    if ev.error:
        parts.append(Text(f"✗ {ev.error}", style="bold red"))
    return Group(*parts)
