"""The app's colours follow the theme it runs in (tui_app/palette.py), and NO_COLOR takes them all away."""

from __future__ import annotations

from typing import Any

import pytest
from rich.color import Color as RichColor
from rich.segment import Segment
from textual.color import Color

from tests.tui.helpers import make_app, settle, wait_for
from tui_app.widgets.figure import Figure

SIZE = (120, 40)


def colors_of(widget: Any, text: str) -> set[RichColor]:
    """The foreground colours of the segments of ``widget`` whose text contains ``text``."""
    found = set()
    for y in range(widget.size.height):
        for seg in widget.render_line(y):
            if text in seg.text and seg.style is not None and seg.style.color is not None:
                found.add(seg.style.color)
    return found


def theme_color(app: Any, variable: str) -> RichColor:
    return Color.parse(app.theme_variables[variable]).rich_color


@pytest.mark.parametrize("theme", ["textual-light", "ansi-light", "textual-dark"])
async def test_every_colour_follows_the_theme(theme: str) -> None:
    app = make_app(case=1, lr=0.2)  # above η_max: the warning shows
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("n", "n")  # the second epoch's loss is up: △
        await wait_for(pilot, lambda: app.session.epoch == 2)
        app.theme = "textual-dark" if theme != "textual-dark" else "textual-light"
        await pilot.pause()
        app.theme = theme  # switched while the app runs
        await settle(pilot, app)
        await pilot.pause(0.1)
        main = app.main
        assert colors_of(main.status_bar, "paused") == {theme_color(app, "warning")}
        assert colors_of(main.hyperparams.query_one("#hp-below"), "lr ≥ η_max") == {theme_color(app, "error")}
        assert theme_color(app, "error") in colors_of(main.log_pane, "△")  # the log is written again
        figure = main.chart.query_one("#loss-view").query_one(Figure)
        line = theme_color(app, "primary")
        drawn = {seg.style.color for y in range(figure.size.height) for seg in figure.render_line(y)
                 if seg.style is not None and seg.style.color is not None and seg.text.strip()}
        want = line.triplet if line.triplet is not None else None
        assert any(c.number == line.number if want is None else c.get_truecolor() == want for c in drawn), drawn


async def test_no_color_takes_every_colour_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(case=1, lr=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("n", "n")  # the second epoch's loss is up: △
        await wait_for(pilot, lambda: app.session.epoch == 2)
        await settle(pilot, app)
        assert app.no_color
        main = app.main
        below = main.hyperparams.query_one("#hp-below")
        for widget, word in ((main.status_bar, "paused"), (below, "⚠ lr ≥ η_max"), (main.log_pane, "△")):
            segments: list[Segment] = []
            for y in range(widget.size.height):
                strip = widget.render_line(y)
                for f in app.get_line_filters():
                    strip = strip.apply_filter(f, Color.parse("black"))
                segments.extend(strip)
            assert word in "".join(s.text for s in segments)  # the word says it without the colour
            for seg in segments:
                color = seg.style.color if seg.style is not None else None
                if color is not None and color.triplet is not None:
                    r, g, b = color.triplet
                    assert r == g == b, (word, seg)
