"""The three built-in lessons walked to their end by the installed linreg-tui in a real terminal (tmux) at 80×24 and
120×40: at every step the lesson pane (on the main screen or beside a view) shows the step's whole text — paged with
PageDown where it does not fit — its last sentence and every value it names unclipped, and the status bar its state
word and epoch whole."""

from __future__ import annotations

import re
import time

import pytest

from linreg_core import lesson
from tests.tui.test_lessons import WALKS

from .test_console_script import TUI, Tmux, status_of

TMUX_KEYS = {"full_stop": ".", "greater_than_sign": ">", "less_than_sign": "<", "escape": "Escape", "space": "Space"}
#: A value a step names: ``lr = 0.12``, ``w* = 2``, ``N = 4``, ``η_max``.
VALUE = re.compile(r"\b(?:lr|w\*?|N|loss|y)\s=\s[-\d.,]+\d|η_\w+|−?\d+\.\d+")
#: A pane of the main screen a step can name, and the title that shows it is there (the step view takes the chart's
#: place while a step is run block by block).
PANES = {"the log": ("─ Log",), "the chart": ("─ Chart", "─ Inside the step"), "case pane": ("─ Case",),
         "hyperparameter pane": ("─ Hyperparameters",), "status bar": ("  epoch ",)}
#: How a step worded for every size tells where a pane hidden by the lesson is.
HIDDEN = "i hides this pane"


def words(text: str) -> str:
    """A step's Markdown as the screen shows it: no ** or `, italics plain, one space between words."""
    text = re.sub(r"\*(\S[^*]*?)\*", r"\1", text.replace("**", "").replace("`", ""))
    return " ".join(text.split())


def lesson_row(screen: str) -> int | None:
    """The row of the lesson pane's top border: 1 on the main screen (under the header), else beside a view."""
    return next((i for i, row in enumerate(screen.splitlines()) if "─ Lesson:" in row), None)


def pane(screen: str) -> tuple[str, str] | None:
    """The lesson pane's text (its rows joined, borders dropped) and its bottom border, or None."""
    rows = screen.splitlines()
    top = lesson_row(screen)
    if top is None:
        return None
    left = rows[top].rfind("╭", 0, rows[top].index("─ Lesson:"))
    right = rows[top].find("╮", left)
    body: list[str] = []
    for row in rows[top + 1:]:
        cell = row[left:right + 1]
        if cell.startswith("╰"):
            return " ".join(" ".join(body).split()), cell
        body.append(re.sub(r"[│▁▂▃▄▅▆▇█]", " ", cell))
    return None


def steady(t: Tmux) -> str:
    """The screen once it stops changing (a step's text is laid out a moment after it opens)."""
    before = t.screen()
    for _ in range(50):
        time.sleep(0.25)
        now = t.screen()
        if pane(now) == pane(before):
            return now
        before = now
    return before


def read_step(t: Tmux, number: int, total: int) -> str:
    """The open step's whole text, paged through with PageDown; checks the pane says when more is below."""
    t.wait(lambda s: (p := pane(s)) is not None and f"step {number} of {total}" in p[1], timeout=60)
    seen = steady(t)
    text, border = pane(seen) or ("", "")
    pages = [text]
    while "PageDown: more" in border:
        t.keys("PageDown")
        text, border = pane(steady(t)) or ("", "")
        pages.append(text)
        assert len(pages) < 8, "PageDown never reaches the end of the step"
    if len(pages) > 1:
        t.keys("PageUp")  # back to the start, as a learner leaves it
        for _ in pages[2:]:
            t.keys("PageUp")
    return " ".join(pages)


@pytest.mark.e2e
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("name", sorted(WALKS))
def test_a_builtin_lesson_walked_in_a_terminal_shows_every_step_whole(name: str, size: tuple[int, int]) -> None:
    steps = lesson.load(name).steps
    t = Tmux(f"{TUI} --lesson {name}; sleep 5", *size)
    try:
        for i, keys in enumerate(WALKS[name]):
            shown = read_step(t, i + 1, len(steps))
            text = words(steps[i].text)
            last = text.rstrip(".").rsplit(". ", 1)[-1]
            assert last in shown, f"step {i + 1}: its last sentence {last!r} is not on the screen:\n{t.screen()}"
            for value in VALUE.findall(text):
                assert value in shown, f"step {i + 1}: {value!r} is cut:\n{t.screen()}"
            screen = t.screen()
            status = status_of(screen)
            if status:  # under a view that covers it there is none
                assert re.match(r"(ready|running|paused|finished|converged|diverged|failed)  epoch \d+/\d+", status)
            if lesson_row(screen) == 1:  # on the main screen: every pane the step names is there, or it says how
                for name, titles in PANES.items():
                    if name in text and HIDDEN not in text:
                        assert any(title in screen for title in titles), f"step {i + 1} names {name}:\n{screen}"
            for key in keys:
                t.keys(TMUX_KEYS.get(key, key))
                time.sleep(0.35 if key == "escape" else 0.1)  # Escape then a key at once reads as Alt+key
        t.wait(lambda s: (p := pane(s)) is not None and "Lesson complete" in p[0], timeout=60)
    finally:
        t.kill()
