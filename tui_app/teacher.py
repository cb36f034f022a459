"""``linreg-tui --teacher DIR``: a class served with ``--class DIR``, live — every learner's progress in a table and,
for a question of the lesson, the class's first answers as a histogram beside the right value."""

from __future__ import annotations

import math
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Static

from linreg_core.classroom import Bar, LearnerRow, Store, StoreError, ago, answer_bars
from tui_app import palette

COLUMNS = ("learner", "step", "right", "last run", "loss", "seen")
#: Seconds between two reads of the store
REFRESH_SECONDS = 1.0
#: The longest bar of the answers' histogram, in cells
BAR_MAX = 40
#: A learner not heard from for this long is shown as away
AWAY_SECONDS = 15.0


def teach(folder: str) -> int:
    """Run the teacher's app on the class in ``folder`` (exit 2 with a message if it holds no usable store)."""
    import sys

    try:
        store = Store.open(folder)
    except StoreError as exc:
        sys.stderr.write(f"linreg-tui: error: {exc}\n")
        return 2
    code = TeacherApp(store, folder).run()
    store.close()
    return code if isinstance(code, int) else 0


def row_cells(row: LearnerRow) -> list[Text]:
    away = row.seen > AWAY_SECONDS
    state_style = {"diverged": palette.BAD, "failed": palette.BAD, "converged": palette.GOOD}.get(row.state, "")
    return [Text(row.name), Text(f"{row.step}/{row.steps}"), Text(f"{row.right}/{row.asked}"),
            Text(row.state or "—", style=state_style), Text("—" if row.loss is None else f"{row.loss:.4g}"),
            Text(ago(row.seen) + (" away" if away else ""), style="dim" if away else "")]


def histogram(bars: list[Bar], width: int) -> Text:
    """The bars as text, the right value's bar marked; ``width`` columns for the longest bar's row."""
    out = Text()
    if not bars:
        return out
    label_width = max(cell_len(b.label) for b in bars)
    most = max(b.count for b in bars) or 1
    room = max(4, min(BAR_MAX, width - label_width - len(str(most)) - len(" ◀ the answer") - 2))
    for bar in bars:
        length = math.ceil(bar.count * room / most) if bar.count else 0
        out.append(f"{bar.label:>{label_width}} ", style=palette.GOOD if bar.right else "")
        out.append("█" * length, style=palette.GOOD if bar.right else palette.NOTE)
        out.append(f" {bar.count}")
        if bar.right:
            out.append(" ◀ the answer", style=palette.GOOD)
        out.append("\n")
    return out


class TeacherApp(App[int]):
    TITLE = "linreg-tui — the class"
    CSS = """
    #teacher-top { height: auto; padding: 0 1; }
    #teacher-body { height: 1fr; }
    #teacher-table { width: auto; max-width: 70%; }
    #teacher-answers { width: 1fr; min-width: 28; border-left: solid $accent; padding: 0 1; }
    """
    # priority: the table's own left and right (it scrolls sideways) give way to the questions
    BINDINGS = [Binding("left", "question(-1)", "Question before", priority=True),
                Binding("right", "question(1)", "Next question", priority=True),
                Binding("f", "follow", "Follow the class"), Binding("q", "quit", "Quit")]

    def __init__(self, store: Store, folder: str):
        super().__init__()
        self.store, self.folder = store, folder
        self.lesson: dict[str, Any] = store.lesson
        self.questions: list[list[Any]] = list(self.lesson.get("questions", []))
        #: The question shown: an index into ``questions``; None follows the one the class answered last
        self.chosen: int | None = None
        self.error: str | None = None
        self.console.push_theme(palette.rich_theme(self.theme_variables))

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(palette.VARIABLES)  # the same colours for the same roles as the learners' app

    def compose(self) -> ComposeResult:
        yield Static(id="teacher-top")
        with Horizontal(id="teacher-body"):
            yield DataTable(id="teacher-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="teacher-answers"):
                yield Static(id="teacher-question")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.refresh_class()
        self.set_interval(REFRESH_SECONDS, self.refresh_class)

    def refresh_class(self) -> None:
        """Read the store again: the table's rows (the cursor stays on its learner) and the question's answers."""
        try:
            rows = self.store.learners()
            shown = self.shown_question()
            answers = self.store.answers(int(shown[0])) if shown else []
            self.error = None
        except StoreError as exc:  # locked for longer than the busy timeout, or gone: said, tried again next second
            self.error = str(exc)
            rows, shown, answers = [], None, []
        self.show_top(rows)
        self.show_rows(rows)
        self.show_question(shown, answers)

    def show_top(self, rows: list[LearnerRow]) -> None:
        lesson = self.lesson
        about = f"lesson {lesson['name']} ({lesson.get('steps', 0)} steps)" if lesson.get("name") else "no lesson"
        here = sum(1 for r in rows if r.seen <= AWAY_SECONDS)
        top = Text.assemble((f"class {self.folder}", "bold"), f" · code {self.store.code} · {about} · ",
                            f"{len(rows)} learners, {here} here")
        if self.error:
            top.append(f"\n{self.error}", style=palette.BAD)
        self.query_one("#teacher-top", Static).update(top)

    def show_rows(self, rows: list[LearnerRow]) -> None:
        table = self.query_one(DataTable)
        keys = [r.name for r in rows]
        if [str(k.value) for k in table.rows] != keys:
            cursor = table.cursor_row
            table.clear()
            for row in rows:
                table.add_row(*row_cells(row), key=row.name)
            if rows:
                table.move_cursor(row=min(cursor, len(rows) - 1))
            return
        for row in rows:
            for column, cell in zip(table.columns, row_cells(row), strict=True):
                table.update_cell(row.name, column, cell, update_width=True)

    def shown_question(self) -> list[Any] | None:
        if not self.questions:
            return None
        if self.chosen is None:
            step = self.store.last_answered_step()
            steps = [int(q[0]) for q in self.questions]
            return self.questions[steps.index(step)] if step in steps else self.questions[0]
        return self.questions[self.chosen]

    def show_question(self, shown: list[Any] | None, answers: list[Any]) -> None:
        widget = self.query_one("#teacher-question", Static)
        if shown is None:
            widget.update(Text("This class's lesson asks no questions." if self.lesson.get("name")
                               else "No lesson: the table shows each learner's runs.", style="dim"))
            return
        step, ask, choices = int(shown[0]), str(shown[1]), list(shown[2]) if len(shown) > 2 else []
        k = self.questions.index(shown) + 1
        text = Text.assemble((f"Question {k} of {len(self.questions)}", "bold"), f" (lesson step {step})",
                             " — following the class" if self.chosen is None else "", "\n", (ask, "italic"), "\n\n")
        if not answers:
            text.append("No answers yet.", style="dim")
            widget.update(text)
            return
        expected = answers[0].expected
        bars = answer_bars([a.given for a in answers], expected, len(choices))
        text.append(histogram(bars, self.query_one("#teacher-answers").content_region.width or 28))
        most = max(bars, key=lambda b: b.count)
        right = sum(1 for a in answers if a.correct)
        answer = f"{int(expected)}. {choices[int(expected) - 1]}" if choices else f"{expected:.4g}"
        predicted = f"{most.label}. {choices[int(most.label) - 1]}" if choices else most.label
        text.append(f"\n{len(answers)} answered, {right} right at the first try. Most predicted {predicted}; "
                    f"the answer is {answer}.")
        widget.update(text)

    def on_resize(self) -> None:
        self.call_after_refresh(self.refresh_class)  # the histogram's bars at the new width

    def action_question(self, move: int) -> None:
        if not self.questions:
            return
        start = self.questions.index(self.shown_question() or self.questions[0])
        self.chosen = max(0, min(len(self.questions) - 1, start + move))
        self.refresh_class()

    def action_follow(self) -> None:
        self.chosen = None
        self.refresh_class()
