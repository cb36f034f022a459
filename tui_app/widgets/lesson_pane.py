"""The lesson pane: the step's Markdown text, "step k of n", the hint, and what moves it on. Beside the chart on the
main screen, and beside every view a step can ask for (code, compare, gradient check, LR finder, history)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

if TYPE_CHECKING:
    from linreg_core.lesson import Walk
    from linreg_core.questions import Question

KEYS_LINE = "> next  < back  H hint  i hide"
#: What a pane says when its text goes on below what it shows (beside a view too: PageDown scrolls the lesson
#: first there, then the view).
MORE = "PageDown: more"


class LessonPane(VerticalScroll, can_focus=False):
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
    LessonPane > #lesson-question {
        color: $accent;
        text-style: bold;
        margin-top: 1;
    }
    LessonPane > #lesson-answer {
        margin: 0 0 1 0;
        background: $boost;
    }
    LessonPane > #lesson-feedback {
        margin-bottom: 1;
    }
    LessonPane > #lesson-goal {
        color: $text-muted;
    }
    LessonPane > #lesson-goal.done {
        color: $success;
    }
    """

    def __init__(self, *, beside_view: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.beside_view = beside_view  # on a view over the main screen: its keys are the view's
        self.step = ""
        self.asked: Question | None = None

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown  # markdown-it: imported only when a lesson is open

        yield Markdown(id="lesson-text")
        yield Static(id="lesson-question")
        answer = Input(placeholder="your answer, then Enter", id="lesson-answer", compact=True)
        answer.cursor_blink = getattr(self.app, "cursor_blink", True)
        yield answer
        yield Static(id="lesson-feedback")
        yield Static(id="lesson-hint")
        yield Static(id="lesson-goal")

    def on_mount(self) -> None:
        guide = getattr(self.app.screen_stack[0], "guide", None) if self.beside_view else None
        if guide is not None:
            guide.show()

    def show(self, walk: Walk, waiting: bool = False, feedback: Text | None = None, reveal: bool = False) -> None:
        """Draw the walk's open step (its text, its question, the hint if shown, what moves it on). ``waiting``: the
        step is done and the next one waits for the main screen (its setup changes the run); ``feedback``: what the
        answers given so far got; ``reveal``: scroll it into sight (an answer was just graded), else the text's
        start."""
        from textual.widgets import Markdown

        lesson, step = walk.lesson, walk.step
        self.border_title = f"Lesson: {lesson.title}"
        self.step = f"step {walk.index + 1} of {len(lesson.steps)}"
        # "PageDown: more" is marked again once the new text is laid out (Markdown mounts its blocks later)
        self.border_subtitle = self.step
        self.call_next(self._mark_when_laid_out, self.query_one("#lesson-text", Markdown).update(step.text))
        self.show_question(step.question, walk.answered or walk.finished, feedback)
        hint = self.query_one("#lesson-hint", Static)
        hint.update(Text(f"Hint: {step.hint}") if walk.hint_shown and step.hint else "")
        hint.display = bool(walk.hint_shown and step.hint)
        goal = self.query_one("#lesson-goal", Static)
        if walk.finished:
            goal.update(Text("✓ Lesson complete. < goes back · i hides this pane"))
        elif waiting:
            goal.update(Text("✓ Done. Escape: back to the main screen for the next step"))
        elif self.beside_view:
            goal.update(Text(f"To go on: {step.goal(walk.answered)}"))
        else:
            goal.update(Text(f"To go on: {step.goal(walk.answered)}\n{KEYS_LINE}"))
        goal.set_class(walk.finished or waiting, "done")
        if reveal:  # the feedback and what moves the lesson on, under the question (a short pane scrolls to them)
            self.call_after_refresh(goal.scroll_visible, animate=False)
        else:
            self.scroll_home(animate=False)

    def show_question(self, question: Question | None, answered: bool, feedback: Text | None) -> None:
        """The question and its choices, the answer field while it waits for an answer (on the main screen: beside a
        view the keys are the view's), and the feedback."""
        shown = self.query_one("#lesson-question", Static)
        text = Text()
        if question is not None:
            text.append(f"? {question.ask}")
            for i, choice in enumerate(question.choices, 1):
                text.append(f"\n  {i}. {choice.text}", style="not bold")
            if self.beside_view and not answered:
                text.append("\n(answer it on the main screen: escape, then a)", style="not bold")
        shown.update(text)
        shown.display = question is not None
        field = self.query_one("#lesson-answer", Input)
        asking = question is not None and not answered and not self.beside_view
        if not asking and field.has_focus:
            self.screen.set_focus(None)
        if question is not self.asked:  # a new question: a blank field
            self.asked, field.value = question, ""
        field.display = asking
        field.placeholder = (f"1 to {len(question.choices)}, then Enter" if question is not None and question.choices
                             else "a number, then Enter")
        box = self.query_one("#lesson-feedback", Static)
        box.update(feedback or "")
        box.display = bool(feedback)

    def focus_answer(self) -> bool:
        """Put the focus in the answer field (False when no question waits for an answer)."""
        field = self.query_one("#lesson-answer", Input)
        if not field.display:
            return False
        field.focus(scroll_visible=False)  # the step's text is read from its start (PageDown: more says so)
        return True

    async def _mark_when_laid_out(self, laid_out: Awaitable[object]) -> None:
        await laid_out
        self.call_after_refresh(self.mark_more)

    def can_page(self, down: bool) -> bool:
        """Whether the text goes on that way."""
        return self.scroll_y < self.max_scroll_y if down else self.scroll_y > 0

    def page(self, down: bool) -> bool:
        """Scroll the text a page (PageDown / PageUp); False when there is nothing more that way."""
        if not self.can_page(down):
            return False
        (self.scroll_page_down if down else self.scroll_page_up)(animate=False)
        self.call_after_refresh(self.mark_more)
        return True

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.mark_more()

    def on_resize(self) -> None:
        self.call_after_refresh(self.mark_more)

    def watch_virtual_size(self) -> None:  # the text laid out (Markdown mounts its blocks after an update)
        self.call_after_refresh(self.mark_more)

    def mark_more(self) -> None:
        """The subtitle: where the lesson is, and whether the text goes on below."""
        self.border_subtitle = f"{MORE} · {self.step}" if self.can_page(True) else self.step


def beside(app: Any) -> ComposeResult:
    """A lesson pane for a view opened over the main screen, when a lesson is open and its pane shown."""
    main: Any = app.screen_stack[0] if app.screen_stack else None
    if getattr(main, "guide", None) is not None and main.query_one(LessonPane).display:
        yield LessonPane(beside_view=True, classes="beside")
