"""``linreg lessons``, ``linreg lesson check FILE`` and ``linreg lesson key FILE``."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from linreg_core import lesson
from linreg_core.options import EXIT_BAD_INPUT, EXIT_OK, OneLineParser
from linreg_core.questions import Unanswerable, answer_of, recorded


def add_lessons(sub: Any) -> None:
    sub.add_parser("lessons", help="the built-in lessons (linreg-tui --lesson NAME)",
                   description="List the lessons shipped with linreg-tui: name, steps, title.")
    ls = sub.add_parser("lesson", help="check a lesson file, or print its answer key: linreg lesson check|key FILE",
                        description="Lesson files (TOML) guide a learner through linreg-tui step by step.")
    what = ls.add_subparsers(dest="lesson_command", metavar="check|key", parser_class=OneLineParser, required=True)
    check = what.add_parser("check", help="validate a lesson file",
                            description="Validate a lesson file: exit 0 with a one-line summary, or exit 2 with "
                                        "each problem and its line (FILE:LINE: …).")
    check.add_argument("file", metavar="FILE", help="a lesson file, or a built-in lesson's name")
    key = what.add_parser("key", help="print every question with the answer the app computes",
                          description="The answer key: every question of a lesson with the answer the app computes "
                                      "from the step's configuration (as the app will grade it).")
    key.add_argument("file", metavar="FILE", help="a lesson file, or a built-in lesson's name")
    key.add_argument("--json", action="store_true",
                     help='one JSON line per question: {"step": k, "ask": "…", "answer": number or 1-based choice}')


def lessons(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    for name in lesson.builtin_names():
        found = lesson.load(name)
        out.write(f"{name:<15} {len(found.steps):>2} steps  {found.title}\n")
    out.write("linreg-tui --lesson NAME opens one; linreg lesson check FILE checks a lesson file of your own\n")
    return EXIT_OK


def lesson_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``linreg lesson check FILE`` or ``linreg lesson key FILE``: the file read and checked, every question's
    answer computed (a question its step's run cannot answer is a problem too)."""
    try:
        found = lesson.load(args.file)
        answers = answer_key(found)
    except lesson.LessonError as exc:
        for problem in exc.problems:
            err.write(f"{problem}\n")
        err.write(f"linreg: {args.file}: {len(exc.problems)} problem{'s' if len(exc.problems) > 1 else ''}\n")
        return EXIT_BAD_INPUT
    if args.lesson_command == "check":
        out.write(lesson.describe(found) + "\n")
        return EXIT_OK
    for k, step, answer in answers:
        q = step.question
        assert q is not None
        if args.json:
            out.write(json.dumps({"step": k, "ask": q.ask, "answer": int(answer) if q.is_choice else recorded(answer)},
                                 ensure_ascii=False) + "\n")
        else:
            out.write(f"step {k}: {q.ask}: {q.shown(answer)}\n")
    if not answers and not args.json:
        out.write(f"{found.path}: no questions\n")
    return EXIT_OK


def answer_key(found: lesson.Lesson) -> list[tuple[int, lesson.Step, float]]:
    """(step number, step, answer) for every question; LessonError for the ones the step's run cannot answer."""
    out, problems = [], []
    for k, step in enumerate(found.steps, 1):
        if step.question is None or step.config is None or step.dataset is None:
            continue
        try:
            out.append((k, step, answer_of(step.question, step.config, step.dataset)))
        except Unanswerable as exc:
            problems.append(f"{found.path}:{step.line}: step {k}: {step.question.ask!r} cannot be answered: {exc}")
    if problems:
        raise lesson.LessonError(problems)
    return out
