"""Lessons: guided walks through the app, written by teachers as TOML files and checked before they run.

A lesson is a title and steps; a step is Markdown ``text``, an optional ``setup`` (the options ``linreg-tui`` takes,
read by the same parser with the same checks), an optional ``expect`` (a fixed set of conditions on what the app
shows) and an optional ``hint``. Nothing in a lesson file is ever evaluated as code. The file is read with
``tomllib``; every problem is reported with its line (``FILE:LINE: …``)."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linreg_core.config import CASES, MISTAKES, TrainConfig, mistakes_for
from linreg_core.data import Dataset
from linreg_core.events import RunState
from linreg_core.lesson_setup import SetupChecker, apply
from linreg_core.questions import QUESTION_KEYS, Question, parse_question

__all__ = ["Facts", "Lesson", "LessonError", "Step", "Walk", "apply", "describe", "holds", "load", "parse"]

BUILTIN = Path(__file__).parent / "lessons"

STATES = tuple(RunState)
VIEWS = ("loss", "params", "landscape")
BLOCKS = ("prediction", "loss", "gradient", "update")
SCREENS = ("compare", "gradcheck", "code")
#: The conditions ``expect`` takes, and what each asks of the app (the pane's "to go on" line says it this way).
CONDITIONS = {
    "epoch_at_least": "epoch ≥ {}", "state": "state {}", "case": "case {}", "view": "the chart showing {}",
    "block": "next block: {}", "mistake": "mistake: {}", "screen": "{} open",
    "loss_below": "loss < {:g}", "predicted": "a prediction made",
}
#: Conditions read under an older name: ``phase`` is ``block``.
OLD_NAMES = {"phase": "block"}
STEP_KEYS = ("text", "setup", "expect", "hint", *QUESTION_KEYS)


class LessonError(Exception):
    """Problems of a lesson file, each ``FILE:LINE: what``."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Step:
    text: str
    line: int
    setup: dict[str, Any] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)
    hint: str | None = None
    question: Question | None = None
    #: The configuration and data the step's question asks about, as read from the file (the launch configuration
    #: and the setups up to this step); the app asks about the configuration it has when the step opens.
    config: TrainConfig | None = None
    dataset: Dataset | None = None

    def goal(self, answered: bool = False) -> str:
        """What moves the lesson on, in words (``answered``: its question is behind the learner)."""
        then = "answer the question" if self.question is not None and not answered else ""
        if not self.expect:
            return f"{then}, then press >" if then else "press >"
        conditions = " and ".join(CONDITIONS[OLD_NAMES.get(k, k)].format(v) for k, v in self.expect.items())
        return f"{then}, then {conditions}" if then else conditions


@dataclass(frozen=True)
class Lesson:
    title: str
    steps: tuple[Step, ...]
    path: Path


@dataclass(frozen=True)
class Facts:
    """What the app shows now, as the conditions read it."""
    epoch: int
    state: str
    case: int
    view: str
    block: str
    mistake: str
    screen: str
    loss: float
    predicted: int
    """Predictions the inference box made (since the step opened, when a Walk reads them)."""
    opened: tuple[str, ...] = ()
    """The screens opened, in order (since the step opened, when a Walk reads them): a screen opened and closed
    again between two looks still counts."""


def holds(expect: dict[str, Any], facts: Facts) -> bool:
    """Whether every condition of ``expect`` holds for ``facts``."""
    for key, want in expect.items():
        if key == "epoch_at_least":
            ok = facts.epoch >= want
        elif key == "loss_below":
            ok = math.isfinite(facts.loss) and facts.loss < want
        elif key == "predicted":
            ok = (facts.predicted > 0) == want
        elif key == "screen":
            ok = facts.screen == want or want in facts.opened
        else:
            ok = getattr(facts, OLD_NAMES.get(key, key)) == want
        if not ok:
            return False
    return True


class Walk:
    """Where a learner is in a lesson: the open step, when it opened, whether it is done. UI-free."""

    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.index = 0
        self.finished = False
        self.hint_shown = False
        self.hints = 0
        self.answered = False
        self.opened: Facts | None = None

    @property
    def step(self) -> Step:
        return self.lesson.steps[self.index]

    def open(self, index: int, facts: Facts) -> None:
        """Open step ``index`` (its setup already applied: ``facts`` are what the app shows now)."""
        self.index = max(0, min(index, len(self.lesson.steps) - 1))
        self.finished = False
        self.hint_shown = False
        self.hints = 0
        self.answered = self.step.question is None
        self.opened = facts

    def relative(self, facts: Facts) -> Facts:
        """``facts`` with the predictions and the screens opened counted since the step opened."""
        start = self.opened or facts
        return Facts(**{**facts.__dict__, "predicted": facts.predicted - start.predicted,
                        "opened": facts.opened[len(start.opened):]})

    def done(self, facts: Facts) -> bool:
        """The step's expectation holds, after something happened since it opened (a step whose expectation held
        already when it opened waits for the learner to do something, so its text is never skipped unread); a step's
        question is answered first, and what counts happens after the answer (:meth:`answer`)."""
        step = self.step
        return bool(step.expect) and self.answered and not self.finished and _same(facts) != _same(self.opened) \
            and holds(step.expect, self.relative(facts))


    def answer(self, facts: Facts) -> None:
        """The step's question is answered (right, or its attempts used): its expectation counts from now, so the
        learner predicts first and then runs and sees."""
        self.answered = True
        self.opened = facts


def _same(facts: Facts | None) -> tuple[Any, ...]:
    """What counts as something happening: every fact but the loss (its changes that the learner makes show in
    other facts; a reset's first loss, arriving after the step opened, and NaN ≠ NaN would read as changes)."""
    if facts is None:
        return ()
    return tuple(v for k, v in facts.__dict__.items() if k != "loss")


# -- reading and checking --------------------------------------------------------------------------------------

def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN.glob("*.toml"))


def resolve(name_or_path: str) -> Path:
    """A built-in lesson's name, or a file's path."""
    if name_or_path in builtin_names():
        return BUILTIN / f"{name_or_path}.toml"
    return Path(name_or_path)


def load(name_or_path: str, config: TrainConfig | None = None, dataset: Dataset | None = None) -> Lesson:
    """Read and check a lesson; its setups are checked in order from ``config`` and ``dataset`` (the launch
    configuration; default: linreg-tui's without options). Raises LessonError with every problem found."""
    path = resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LessonError([_not_found(name_or_path)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError([f"{path}: cannot read: {exc}"]) from None
    return parse(text, path, config, dataset)


def _not_found(name_or_path: str) -> str:
    """No such built-in lesson nor file: the built-in names, and the closest one."""
    import difflib

    names = builtin_names()
    close = difflib.get_close_matches(name_or_path, names, n=1)
    guess = f" — did you mean {close[0]}?" if close else ""
    return (f"{name_or_path}: no built-in lesson of that name and no such file{guess} (built-in lessons: "
            f"{', '.join(names)})")


def parse(text: str, path: Path, config: TrainConfig | None = None, dataset: Dataset | None = None) -> Lesson:
    where = str(path)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LessonError([_toml_problem(where, exc)]) from None
    lines = text.splitlines()
    problems: list[str] = []
    title = doc.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(f"{where}:1: title is required (a non-empty string)")
    for key in doc:
        if key not in ("title", "step"):
            problems.append(f"{where}:{_key_line(lines, 0, len(lines), key)}: unknown key {key!r} (a lesson has "
                            f"title and [[step]] tables)")
    raw_steps = doc.get("step")
    if not isinstance(raw_steps, list) or not raw_steps or not all(isinstance(s, dict) for s in raw_steps):
        problems.append(f"{where}:1: a lesson needs at least one [[step]] table")
        raise LessonError(problems)
    starts = _step_lines(lines, len(raw_steps))
    checker = SetupChecker(path.parent, config, dataset)
    steps = []
    for i, raw in enumerate(raw_steps):
        start, end = starts[i], (starts[i + 1] if i + 1 < len(starts) else len(lines) + 1)
        step, step_problems = _step(raw, i + 1, start, end, lines, checker)
        problems += [f"{where}:{p}" for p in step_problems]
        steps.append(step)
    if problems:
        raise LessonError(problems)
    assert isinstance(title, str)
    return Lesson(title.strip(), tuple(steps), path)


def _toml_problem(where: str, exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if m:
        return f"{where}:{m[1]}:{m[2]}: {message[:m.start()].strip()}"
    m = re.search(r"\(at end of document\)", message)
    return f"{where}:end: {message[:m.start()].strip()}" if m else f"{where}: {message}"


def _step_lines(lines: list[str], count: int) -> list[int]:
    """The line (1-based) of each step's ``[[step]]`` header (the first line for steps written otherwise)."""
    found = [i + 1 for i, line in enumerate(lines) if re.match(r"\s*\[\[\s*step\s*\]\]", line)]
    return found if len(found) == count else [1] * count


def _key_line(lines: list[str], start: int, end: int, key: str, after: int | None = None) -> int:
    """The first line in [start, end) (1-based) that sets ``key`` (bare or quoted, in a table or inline)."""
    pattern = re.compile(rf"""(^|[{{,.\s])["']?{re.escape(key)}["']?\s*=""")
    for n in range(max(after or start, 1), min(end, len(lines) + 1)):
        if pattern.search(lines[n - 1]):
            return n
    return after or start or 1


def _step(raw: dict[str, Any], k: int, start: int, end: int, lines: list[str],
          checker: SetupChecker) -> tuple[Step, list[str]]:
    problems: list[str] = []
    for key in raw:
        if key not in STEP_KEYS:
            problems.append(f"{_key_line(lines, start, end, key)}: step {k}: unknown key {key!r} (a step has "
                            f"{', '.join(STEP_KEYS)})")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{start}: step {k}: text is required (a non-empty Markdown string)")
    hint = raw.get("hint")
    if hint is not None and not isinstance(hint, str):
        problems.append(f"{_key_line(lines, start, end, 'hint')}: step {k}: hint must be a string")
    tables = {}
    for name in ("setup", "expect"):
        value = raw.get(name, {})
        if not isinstance(value, dict):
            problems.append(f"{_key_line(lines, start, end, name)}: step {k}: {name} must be a table "
                            f"({name} = {{ key = value, … }})")
            value = {}
        tables[name] = value
    at = {name: _key_line(lines, start, end, name) for name in ("setup", "expect")}
    problems += [f"{_key_line(lines, start, end, key, at['setup'])}: step {k}: setup: {msg}"
                 for key, msg in checker.check(tables["setup"])]
    config = checker.config
    for key, msg in _expect_problems(tables["expect"], config):
        problems.append(f"{_key_line(lines, start, end, key, at['expect'])}: step {k}: expect: {msg}")
    question, asked = parse_question(raw, config, checker.dataset.d)
    body = "\n".join(lines[start - 1:end - 1])
    for key, msg in asked:  # the line that sets the key (inside answer = { … }, say), else the answer's, the ask's
        setter = next((x for x in (key, "answer", "ask") if re.search(rf"\b{x}\s*=", body)), "text")
        problems.append(f"{_key_line(lines, start, end, setter)}: step {k}: {msg}")
    step = Step(text if isinstance(text, str) else "", start, dict(tables["setup"]), dict(tables["expect"]),
                hint if isinstance(hint, str) else None, question, config, checker.dataset)
    return step, problems


def _expect_problems(expect: dict[str, Any], config: TrainConfig) -> list[tuple[str, str]]:
    """(key, problem) for each condition that is unknown, ill-typed or can never hold."""
    out: list[tuple[str, str]] = []
    choices: dict[str, tuple[Any, ...]] = {"state": STATES, "case": tuple(CASES), "view": VIEWS, "block": BLOCKS,
                                           "mistake": (*MISTAKES, "none"), "screen": SCREENS}
    for key, value in expect.items():
        name = OLD_NAMES.get(key, key)
        if name not in CONDITIONS:
            out.append((key, f"unknown condition {key!r} (conditions: {', '.join(CONDITIONS)})"))
        elif name in choices:
            if isinstance(value, bool) or value not in choices[name]:
                allowed = ", ".join(map(str, choices[name]))
                out.append((key, f"{key} = {value!r} can never hold ({key} is one of {allowed})"))
        elif key == "epoch_at_least":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                out.append((key, f"epoch_at_least must be a whole number ≥ 0 (got {value!r})"))
            elif value > config.epochs:
                out.append((key, f"epoch_at_least = {value} can never hold: this step's run has {config.epochs} "
                                 f"epochs"))
        elif key == "loss_below":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                out.append((key, f"loss_below = {value!r} can never hold (a loss is ≥ 0: give a number > 0)"))
        elif key == "predicted" and not isinstance(value, bool):
            out.append((key, f"predicted must be true or false (got {value!r})"))
    case, mistake = expect.get("case"), expect.get("mistake")
    if case in CASES and mistake in MISTAKES and mistake not in mistakes_for(case):
        out.append(("mistake", f"mistake = {mistake!r} with case = {case} can never hold (case {case} can make: "
                               f"{', '.join(mistakes_for(case)) or 'none'})"))
    return out


def describe(lesson: Lesson) -> str:
    """The one-line summary ``linreg lesson check`` prints."""
    expecting = sum(1 for s in lesson.steps if s.expect)
    asking = sum(1 for s in lesson.steps if s.question is not None)
    return (f"{lesson.path}: ok — \"{lesson.title}\": {len(lesson.steps)} steps, {expecting} checked by the app, "
            f"{len(lesson.steps) - expecting} moved on by a key, {asking} question{'s' * (asking != 1)}")
