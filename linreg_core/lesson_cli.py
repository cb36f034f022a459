"""``linreg lessons`` and ``linreg lesson check FILE``."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from linreg_core import lesson
from linreg_core.options import EXIT_BAD_INPUT, EXIT_OK, OneLineParser


def add_lessons(sub: Any) -> None:
    sub.add_parser("lessons", help="the built-in lessons (linreg-tui --lesson NAME)",
                   description="List the lessons shipped with linreg-tui: name, steps, title.")
    ls = sub.add_parser("lesson", help="check a lesson file: linreg lesson check FILE",
                        description="Lesson files (TOML) guide a learner through linreg-tui step by step.")
    what = ls.add_subparsers(dest="lesson_command", metavar="check", parser_class=OneLineParser, required=True)
    check = what.add_parser("check", help="validate a lesson file",
                            description="Validate a lesson file: exit 0 with a one-line summary, or exit 2 with "
                                        "each problem and its line (FILE:LINE: …).")
    check.add_argument("file", metavar="FILE", help="a lesson file, or a built-in lesson's name")


def lessons(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    for name in lesson.builtin_names():
        found = lesson.load(name)
        out.write(f"{name:<15} {len(found.steps):>2} steps  {found.title}\n")
    out.write("linreg-tui --lesson NAME opens one; linreg lesson check FILE checks a lesson file of your own\n")
    return EXIT_OK


def lesson_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        found = lesson.load(args.file)
    except lesson.LessonError as exc:
        for problem in exc.problems:
            err.write(f"{problem}\n")
        err.write(f"linreg: {args.file}: {len(exc.problems)} problem{'s' if len(exc.problems) > 1 else ''}\n")
        return EXIT_BAD_INPUT
    out.write(lesson.describe(found) + "\n")
    return EXIT_OK
