"""``linreg class DIR``: the class's progress from its store, as a table, JSON lines, CSV or Gradescope results."""

from __future__ import annotations

import argparse
import csv
import json
import math
from typing import Any, TextIO

from linreg_core.classroom import LearnerRow, Store, StoreError, ago, rows_as_csv
from linreg_core.options import EXIT_BAD_INPUT, EXIT_OK


def add_class(sub: Any) -> None:
    cl = sub.add_parser("class", help="a class's progress: linreg class DIR [--json|--csv|--gradescope FILE]",
                        description="The progress of every learner of a class served with linreg-tui --serve "
                                    "--class DIR: lesson step reached, answers right of asked, the last run's "
                                    "state and loss, seconds since last seen.")
    cl.add_argument("folder", metavar="DIR", help="the class's folder (it holds class.sqlite)")
    how = cl.add_mutually_exclusive_group()
    how.add_argument("--json", action="store_true",
                     help="one JSON line per learner: name, step, steps, right, asked, state, loss, seen")
    how.add_argument("--csv", action="store_true", help="CSV with a header line")
    how.add_argument("--gradescope", metavar="FILE",
                     help="write one learner's Gradescope results.json (one test per question); with --learner")
    how.add_argument("--forget", metavar="NAME", help="delete a learner and all their rows")
    cl.add_argument("--learner", metavar="NAME", help="with --gradescope: whose results (needed when the class "
                                                      "has more than one learner)")


def class_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        store = Store.open(args.folder)
        try:
            return _command(store, args, out, err)
        finally:
            store.close()
    except StoreError as exc:
        err.write(f"linreg: error: {exc}\n")
        return EXIT_BAD_INPUT


def _command(store: Store, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.forget is not None:
        if not store.forget(args.forget):
            err.write(f"linreg: error: no learner named {args.forget!r} in this class\n")
            return EXIT_BAD_INPUT
        out.write(f"forgot {args.forget}: every row of theirs is deleted\n")
        return EXIT_OK
    rows = store.learners()
    if args.gradescope is not None:
        return _gradescope(store, rows, args, out, err)
    if args.json:
        for row in rows:
            out.write(json.dumps(row.as_json(), ensure_ascii=False) + "\n")
    elif args.csv:
        csv.writer(out, lineterminator="\n").writerows(rows_as_csv(rows))
    else:
        out.write(table(rows, store.lesson.get("name")))
    return EXIT_OK


def table(rows: list[LearnerRow], lesson: str | None) -> str:
    head = ["learner", "step", "right", "last run", "loss", "seen"]
    body = [[r.name, f"{r.step}/{r.steps}", f"{r.right}/{r.asked}", r.state or "—",
             "—" if r.loss is None else f"{r.loss:.4g}", f"{ago(r.seen)} ago"] for r in rows]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
             for line in [head, *body]]
    about = f"lesson {lesson}, " if lesson else ""
    lines.append(f"{len(rows)} learner{'s' * (len(rows) != 1)} ({about}step reached / steps, "
                 "questions right / asked)")
    return "\n".join(lines) + "\n"


def _gradescope(store: Store, rows: list[LearnerRow], args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    names = [r.name for r in rows]
    if args.learner is None and len(names) != 1:
        err.write(f"linreg: error: --gradescope writes one learner's results: name them with --learner NAME "
                  f"(the class has {len(names)})\n")
        return EXIT_BAD_INPUT
    name = args.learner if args.learner is not None else names[0]
    if name not in names:
        err.write(f"linreg: error: no learner named {name!r} in this class\n")
        return EXIT_BAD_INPUT
    results = gradescope(store, name)
    with open(args.gradescope, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
        f.write("\n")
    out.write(f"{args.gradescope}: {name}, {results['score']:g} of {results['max_score']:g}\n")
    return EXIT_OK


def gradescope(store: Store, name: str) -> dict[str, Any]:
    """Gradescope's autograder ``results.json`` for one learner: a test per question of the lesson, 1 point when
    answered right within its attempts."""
    attempts = store.attempts(name)
    tests = []
    for step, ask, *_choices in store.lesson.get("questions", []):
        given = attempts.get(int(step), [])
        right = any(correct for _, correct in given)
        said = "answered " + ", ".join(_shown(g) for g, _ in given) if given else "not answered"
        tests.append({"name": f"step {step}: {ask}", "number": str(step), "score": 1.0 if right else 0.0,
                      "max_score": 1.0, "status": "passed" if right else "failed",
                      "output": said + (" (right)" if right else ""), "visibility": "visible"})
    return {"score": sum(t["score"] for t in tests), "max_score": float(len(tests)), "tests": tests,
            "output": f"{name}: lesson {store.lesson.get('name', '')}", "visibility": "visible"}


def _shown(value: float) -> str:
    return f"{value:g}" if math.isfinite(value) else str(value)
