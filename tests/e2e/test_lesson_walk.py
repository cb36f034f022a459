"""The built-in lessons walked to their end by the installed linreg-tui in a real terminal (tmux) at 80×24 and
120×40: at every step the lesson pane (on the main screen or beside a view) shows the step's whole text — paged with
PageDown where it does not fit — its last sentence and every value it names unclipped, and the status bar its state
word and epoch whole; every question is answered wrong, then right, and the pane says so. ``--record`` writes the
answers and the steps reached as JSON lines."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from linreg_core import lesson
from linreg_core.questions import answer_of
from tests.tui.test_lessons import ANSWER, WALKS

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


def answer(t: Tmux, text: str, feedback: str) -> str:
    """Type an answer into the focused answer field and press Enter; the screen once the pane shows ``feedback``
    (or after 30 s, for the caller's assertion to show)."""
    t.keys("-l", "--", text)  # literally, and a leading minus sign is no option of tmux's
    t.keys("Enter")
    try:
        return t.wait(lambda s: feedback in (pane(s) or ("", ""))[0], timeout=30)
    except AssertionError:
        return t.screen()


def answer_wrong_then_right(t: Tmux, step: lesson.Step, number: int) -> None:
    q = step.question
    assert q is not None and step.config is not None and step.dataset is not None
    right = answer_of(q, step.config, step.dataset)
    wrong = f"{int(right) % len(q.choices) + 1}" if q.is_choice else f"{right * 2 + 1:.6g}"
    shown = (pane(answer(t, wrong, "✗ not quite")) or ("", ""))[0]
    assert "✗ not quite — 1 attempt left" in shown, f"step {number}: no feedback on a wrong answer:\n{t.screen()}"
    assert "The answer" not in shown
    t.keys("BSpace")  # the field keeps the wrong answer selected: a key replaces it
    shown = (pane(answer(t, f"{int(right)}" if q.is_choice else f"{right:.6g}", "✓ right")) or ("", ""))[0]
    assert "✓ right" in shown, f"step {number}: no feedback on the right answer:\n{t.screen()}"


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
            if steps[i].question is not None and ANSWER not in keys:
                answer_wrong_then_right(t, steps[i], i + 1)
            for key in keys:
                if key == ANSWER:
                    answer_wrong_then_right(t, steps[i], i + 1)
                    continue
                t.keys(TMUX_KEYS.get(key, key))
                time.sleep(0.35 if key == "escape" else 0.1)  # Escape then a key at once reads as Alt+key
        t.wait(lambda s: (p := pane(s)) is not None and "Lesson complete" in p[0], timeout=60)
    finally:
        t.kill()


@pytest.mark.e2e
def test_record_writes_the_answers_and_the_steps_reached(tmp_path: Path) -> None:
    record = tmp_path / "answers.jsonl"
    t = Tmux(f"{TUI} --lesson predict --record {record}; sleep 5", 120, 40)
    try:
        read_step(t, 1, 8)
        assert "✗ not quite — 1 attempt left" in (pane(answer(t, "0.3", "✗ not quite")) or ("", ""))[0]
        t.keys("BSpace")
        assert "✓ right: 0.6" in (pane(answer(t, "0.6", "✓ right")) or ("", ""))[0]
        t.keys("n")  # the step's run: the lesson moves on
        read_step(t, 2, 8)
        t.keys("q")
        time.sleep(1)
    finally:
        t.kill()
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines[0] == {"lesson": "predict", "step": 1, "reached": True}
    first, second = lines[1], lines[2]
    assert {k: first[k] for k in ("lesson", "step", "ask", "given", "expected", "correct", "attempt", "hints")} == {
        "lesson": "predict", "step": 1, "ask": "w after epoch 1", "given": 0.3, "expected": 0.6, "correct": False,
        "attempt": 1, "hints": 0}
    assert (second["given"], second["correct"], second["attempt"]) == (0.6, True, 2)
    assert 0 < first["seconds"] <= second["seconds"]
    assert lines[3] == {"lesson": "predict", "step": 2, "reached": True}
