"""The charts: round ticks at their values (a label sits on the row of its value), legends in the title rows where
they cover no data, and the landscape naming θ* and the path at every size."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_app.plotting import nice_ticks, tick_labels
from tui_app.screens.compare import CompareScreen
from tui_app.widgets.loss_chart import LossChart

from .helpers import make_app, screen_text, settle, wait_for

SIZES = [(80, 24), (120, 40)]
#: A y-axis label and its tick: `20┤`, ` 0├`, `1.5┼`.
Y_LABEL = re.compile(r"(-?\d+(?:\.\d+)?(?:e[-+]\d+)?)\s*[┤├┼]")


@settings(max_examples=200, deadline=None)
@given(lo=st.floats(-1e5, 1e5), span=st.floats(1e-3, 1e5), most=st.integers(2, 12))
def test_nice_ticks_are_round_evenly_spaced_and_cover_the_range(lo: float, span: float, most: int) -> None:
    hi = lo + span
    ticks = nice_ticks(lo, hi, most)
    assert (2 if most >= 4 else 1) <= len(ticks) <= most
    steps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    step = steps[0] if steps else span
    assert all(math.isclose(s, step, rel_tol=1e-6) for s in steps)
    if steps:
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))
    slack = step * 0.25 + 1e-9 * max(abs(lo), abs(hi))  # a tick lies at most a quarter step outside the data
    assert all(lo - slack <= t <= hi + slack for t in ticks)
    assert [float(label) for label in tick_labels(ticks)] == pytest.approx(ticks, rel=1e-6, abs=step * 1e-6)


def plot_rows(text: str) -> tuple[list[str], list[str]]:
    """A chart's text split at its plot frame's top edge: the rows above it (title, legend) and the plot's rows."""
    rows = text.splitlines()
    top = next(i for i, row in enumerate(rows) if "┌" in row)
    return rows[:top], rows[top:]


def region_text(app: object, widget: object) -> str:
    """The text of ``widget``'s place on the screen, its border's sides dropped."""
    r = widget.region  # type: ignore[attr-defined]
    rows = screen_text(app).splitlines()[r.y:r.bottom]  # type: ignore[arg-type]
    return "\n".join(row[r.x + 1:r.right - 1] for row in rows)


def assert_labels_at_their_values(plot: list[str]) -> None:
    """Round, evenly spaced values on rows as evenly spaced as whole rows allow (each on the row nearest its value):
    labels on equally spaced rows with uneven values (30, 25, 15, 10, 0) are not at their values."""
    labels = [(i, float(m.group(1))) for i, row in enumerate(plot) if (m := Y_LABEL.search(row.lstrip("│ ")))]
    assert len(labels) >= 2, plot
    value_gaps = [b[1] - a[1] for a, b in zip(labels, labels[1:], strict=False)]
    row_gaps = [b[0] - a[0] for a, b in zip(labels, labels[1:], strict=False)]
    assert all(math.isclose(g, value_gaps[0], rel_tol=1e-6) for g in value_gaps), (labels, "\n".join(plot))
    assert max(row_gaps) - min(row_gaps) <= 1, (labels, "\n".join(plot))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_the_loss_chart_labels_sit_at_their_values_and_its_legend_covers_no_point(size: tuple[int, int]) -> None:
    app = make_app(case=1, speed=None, epochs=20)
    async with app.run_test(size=size) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        chart = app.main.query_one(LossChart)
        above, plot = plot_rows(region_text(app, chart))
        assert "this run" in " ".join(above) and "loss*" in " ".join(above)
        assert not any("this run" in row or "loss*" in row for row in plot)
        assert_labels_at_their_values(plot)
        first = plot[1]  # the row under the frame's top edge: the first epoch's loss (30, the largest) is drawn there
        assert re.search(r"[┤│]\s?[\u2801-\u28ff]", first), "\n".join(plot)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
async def test_compare_mode_keeps_its_four_line_legend_off_the_curves(size: tuple[int, int]) -> None:
    app = make_app(case=1, speed=None, epochs=20)
    async with app.run_test(size=size) as pilot:
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.done, timeout=60)
        await pilot.pause(0.3)
        text = screen_text(app)
        above, plot = plot_rows(text)
        assert all(f"case {k}" in " ".join(above) for k in range(1, 5))
        assert not any(re.search(r"case \d", row) for row in plot[:-1])
        assert_labels_at_their_values([row for row in plot if "┃" not in row and "│ case" not in row])


@pytest.mark.parametrize("size", [*SIZES, (200, 60)], ids=["80x24", "120x40", "200x60"])
async def test_the_landscape_names_theta_star_and_the_path_at_every_size(size: tuple[int, int]) -> None:
    app = make_app(case=1, speed=None, epochs=5)
    async with app.run_test(size=size) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("t", "t")

        def flat() -> str:
            return " ".join(region_text(app, app.main.query_one(LossChart)).split())

        # the landscape is drawn at the display's next tick (later on a big screen, where a render takes longer)
        await wait_for(pilot, lambda: "θ* = 2" in flat(), timeout=5)
        assert "path of the run" in flat()
