"""Helpers for driving the app with Textual's Pilot (imported by the tests; no fixtures live here)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from textual.pilot import Pilot

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset, seed
from linreg_core.stream import ProcessRunStream, RunStream
from tui_app.app import LinregApp


def make_app(case: int = 1, speed: float | None = None, dataset: Dataset | None = None, process: bool = False,
             **overrides: Any) -> LinregApp:
    """The app on ``case`` (and ``overrides``) with the seed data. Its training runs in a thread (the same worker as
    the app's training process, without a process to start); ``process=True`` where the process is what is tested."""
    cfg = TrainConfig.for_case(case, **overrides)
    stream = ProcessRunStream if process else RunStream
    return LinregApp(cfg, dataset or seed(), speed=speed, cursor_blink=False, stream_factory=stream)


async def wait_for(pilot: Pilot[Any], cond: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until ``cond()`` holds (fails the test after ``timeout`` seconds)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError(f"condition not met within {timeout}s")
        await pilot.pause(0.02)


async def settle(pilot: Pilot[Any], app: LinregApp) -> None:
    """Wait until the stream is idle, every event is applied, the chart is drawn and the log written."""
    await pilot.pause(0.1)
    await wait_for(pilot, lambda: app.main.ready_for_keys and app.session.started and app.session.stream.idle
                   and app.session.stream.queue.empty() and not app.main.display_due
                   and not app.main.log_pane.pending)
    await pilot.pause(0.05)


async def keys_to_app(pilot: Pilot[Any], app: LinregApp) -> None:
    """Leave a lesson question's answer field (a step with a question gives it the focus when it opens), as a
    learner does with escape, so that the keys pressed next are the app's."""
    if app.focused is not None and app.focused.id == "lesson-answer":
        await pilot.press("escape")


def screen_text(app: LinregApp) -> str:
    """The text on the screen now, one line per row, each character in its column (from an SVG screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    cell = 0.61 * 20  # rich's export_svg: char_width = char_height (font size 20 × 1.0) × font_aspect_ratio 0.61
    rows: dict[float, dict[int, str]] = {}
    svg = re.sub(r'<text class="[^"]*-title".*?</text>', "", svg)  # the window's title, above the screen
    for x, y, body in re.findall(r'<text[^>]*?x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        row = rows.setdefault(float(y), {})
        for i, ch in enumerate(html.unescape(re.sub(r"<[^>]+>", "", body))):
            row[round(float(x) / cell) + i] = ch
    lines = ["".join(row.get(c, " ") for c in range(max(row) + 1)) if row else "" for _, row in sorted(rows.items())]
    return "\n".join(lines).replace("\xa0", " ")
