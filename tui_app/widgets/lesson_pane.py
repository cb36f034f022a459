"""The lesson pane beside the chart: the step's Markdown text, "step k of n", the hint, and what moves it on."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from linreg_core.lesson import Walk

KEYS_LINE = "> next · < back · H hint · i hide"


class LessonPane(VerticalScroll):
    DEFAULT_CSS = """
    LessonPane {
        border: round $accent;
        padding: 0 1;
        border-title-color: $accent;
    }
    LessonPane > Markdown {
        margin: 0;
        padding: 0;
        background: transparent;
    }
    LessonPane > #lesson-hint {
        color: $warning;
        margin-bottom: 1;
    }
    LessonPane > #lesson-goal {
        color: $text-muted;
    }
    LessonPane > #lesson-goal.done {
        color: $success;
    }
    """

    def compose(self) -> ComposeResult:
        yield Markdown(id="lesson-text")
        yield Static(id="lesson-hint")
        yield Static(id="lesson-goal")

    def show(self, walk: Walk) -> None:
        """Draw the walk's open step (its text, the hint if shown, what moves it on)."""
        lesson, step = walk.lesson, walk.step
        self.border_title = f"Lesson: {lesson.title}"
        self.border_subtitle = f"step {walk.index + 1} of {len(lesson.steps)}"
        self.query_one(Markdown).update(step.text)
        hint = self.query_one("#lesson-hint", Static)
        hint.update(Text(f"Hint: {step.hint}") if walk.hint_shown and step.hint else "")
        hint.display = bool(walk.hint_shown and step.hint)
        goal = self.query_one("#lesson-goal", Static)
        if walk.finished:
            goal.update(Text("✓ Lesson complete. < goes back · i hides this pane"))
        else:
            goal.update(Text(f"To go on: {step.goal()}\n{KEYS_LINE}"))
        goal.set_class(walk.finished, "done")
        self.scroll_home(animate=False)
