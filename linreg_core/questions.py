"""Lesson questions: a step may ask the learner to predict a number of the run they are about to make, or to pick
what will happen, and the answer is worked out here by running a copy of the step's configuration — the same
engine, so the answer equals what the app then shows.

Read from a step's table (``ask``, ``answer``, ``choices``, ``tolerance``, ``attempts``, ``explain``); every problem
is ``(key, message)`` for the lesson reader to put a line on."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset

__all__ = ["Choice", "Grade", "Question", "QUESTION_KEYS", "Recorder", "Unanswerable", "answer_of", "grade",
           "parse_question"]

QUESTION_KEYS = ("ask", "answer", "choices", "tolerance", "attempts", "explain")
#: The numbers a question can ask for: ``w`` (``w1``, ``w2`` … with several features), ``b``, ``loss``,
#: ``grad_w`` (``grad_w1`` …), ``grad_b``, ``prediction``.
VALUES = ("w", "b", "loss", "grad_w", "grad_b", "prediction")
#: The run's end a choice's ``when`` can name.
END_STATES = ("finished", "converged", "diverged", "failed")
WHEN_KEYS = ("state", "loss_below", "loss_above")
STATE_OF = {"completed": "finished", "converged": "converged", "diverged": "diverged", "failed": "failed",
            "stopped": "finished"}
ANSWER_KEYS = ("value", "epoch", "input", "choice", "choice_when")


@dataclass(frozen=True)
class Choice:
    text: str
    when: dict[str, Any] | None = None  # the condition on the run's end that makes it the right one


@dataclass(frozen=True)
class Question:
    ask: str
    value: str | None = None  # a number's question: what to compute
    epoch: int = 1  # after which epoch (0: the initial parameters); for choice_when, the run's length (0: all)
    input: tuple[float, ...] | None = None  # a prediction's input
    choices: tuple[Choice, ...] = ()
    choice: int | None = None  # a fixed right choice, 1-based
    tolerance: float = 0.01
    attempts: int = 2
    explain: str | None = None

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    def shown(self, answer: float) -> str:
        """The answer as the app writes it: a number, or ``N. text``."""
        if self.is_choice:
            n = int(answer)
            return f"{n}. {self.choices[n - 1].text}"
        return number(answer)


def number(x: float) -> str:
    return f"{x:.6g}" if math.isfinite(x) else str(x)


def recorded(x: float) -> float:
    """A computed answer as the answer key and the record write it: to 7 significant digits, the precision of the
    float32 parameters (0.6, not 0.5999999642372131)."""
    return float(f"{x:.7g}")


# -- reading ------------------------------------------------------------------------------------------------------

def parse_question(raw: dict[str, Any], config: TrainConfig, d: int) -> tuple[Question | None, list[tuple[str, str]]]:
    """The question of a step's table (None without ``ask``) and its problems, checked against the step's
    configuration (``config``) and the number of features ``d``."""
    if not any(k in raw for k in QUESTION_KEYS):
        return None, []
    problems: list[tuple[str, str]] = []
    ask = raw.get("ask")
    if not isinstance(ask, str) or not ask.strip():
        problems.append(("ask", "a question needs ask = \"…\" (its short form, shown with the answer field)"))
        ask = ""
    answer = raw.get("answer")
    if not isinstance(answer, dict) or not answer:
        problems.append(("answer", "a question needs answer = { value = … } or { choice = N } or "
                                   "{ choice_when = {} }"))
        answer = {}
    for key in answer:
        if key not in ANSWER_KEYS:
            problems.append(("answer", f"answer: unknown key {key!r} (answer takes {', '.join(ANSWER_KEYS)})"))
    tolerance, attempts = raw.get("tolerance", 0.01), raw.get("attempts", 2)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance > 0:
        problems.append(("tolerance", f"tolerance must be a number > 0 (relative; got {tolerance!r})"))
        tolerance = 0.01
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        problems.append(("attempts", f"attempts must be a whole number ≥ 1 (got {attempts!r})"))
        attempts = 2
    explain = raw.get("explain")
    if explain is not None and not isinstance(explain, str):
        problems.append(("explain", "explain must be a string"))
        explain = None
    choices, choice_problems = _choices(raw.get("choices"), "choice_when" in answer)
    problems += choice_problems
    epoch, epoch_problems = _epoch(answer, config)
    problems += epoch_problems
    q = Question(ask.strip(), epoch=epoch, choices=choices, tolerance=float(tolerance), attempts=attempts,
                 explain=explain)
    if choices or "choice" in answer or "choice_when" in answer:
        problems += _choice_answer(answer, choices)
        choice = answer.get("choice")
        q = Question(**{**q.__dict__, "choice": choice if isinstance(choice, int) else None})
    else:
        value, inp, value_problems = _value(answer, d)
        problems += value_problems
        q = Question(**{**q.__dict__, "value": value, "input": inp})
    return q, problems


def _epoch(answer: dict[str, Any], config: TrainConfig) -> tuple[int, list[tuple[str, str]]]:
    default = 0 if "choice_when" in answer else 1
    when = answer.get("choice_when")
    epoch = when.get("epoch", default) if isinstance(when, dict) else answer.get("epoch", default)
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        return default, [("epoch", f"epoch must be a whole number ≥ 0 (got {epoch!r})")]
    if epoch > config.epochs:
        return default, [("epoch", f"epoch = {epoch} is beyond this step's run: it has {config.epochs} epochs")]
    return epoch, []


def _value(answer: dict[str, Any], d: int) -> tuple[str | None, tuple[float, ...] | None, list[tuple[str, str]]]:
    value = answer.get("value")
    if not isinstance(value, str) or not _known(value, d):
        names = "w, b, loss, grad_w, grad_b, prediction" + (f" (w1 … w{d}, grad_w1 … grad_w{d})" if d > 1 else "")
        return None, None, [("value", f"unknown value {value!r} (a question can ask for: {names})")]
    raw = answer.get("input")
    if value != "prediction":
        if raw is not None:
            return value, None, [("input", "input is only for value = \"prediction\"")]
        return value, None, []
    if raw is None:
        return value, None, [("value", "a prediction needs its input: answer = { value = \"prediction\", "
                                       "input = 5, epoch = … }")]
    items = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in items) \
            or len(items) != d:
        return value, None, [("input", f"input must be {'a number' if d == 1 else f'{d} numbers'} (one per "
                                       f"feature; got {raw!r})")]
    return value, tuple(float(v) for v in items), []


def _known(value: str, d: int) -> bool:
    m = re.fullmatch(r"(w|grad_w)(\d+)", value)
    if m:
        return 1 <= int(m[2]) <= d
    return value in VALUES


def _choices(raw: Any, by_run: bool) -> tuple[tuple[Choice, ...], list[tuple[str, str]]]:
    if raw is None:
        return (), []
    if not isinstance(raw, list) or len(raw) < 2:
        return (), [("choices", "choices must be a list of at least two choices")]
    out, problems = [], []
    for i, item in enumerate(raw, 1):
        if isinstance(item, str) and item.strip():
            out.append(Choice(item.strip()))
            if by_run:
                problems.append(("choices", f"choice {i} names no condition: with choice_when, every choice is "
                                            f"{{ text = \"…\", when = {{ state = \"diverged\" }} }}"))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
            problems.append(("choices", f"choice {i} must be a string or {{ text = \"…\", when = {{ … }} }}"))
            continue
        when = item.get("when")
        if when is None and by_run:
            problems.append(("choices", f"choice {i} names no condition (when = {{ … }}), which choice_when needs"))
        elif when is not None:
            problems += [("choices", f"choice {i}: {msg}") for msg in _when_problems(when)]
        out.append(Choice(item["text"].strip(), when if isinstance(when, dict) else None))
    return tuple(out), problems


def _when_problems(when: Any) -> list[str]:
    if not isinstance(when, dict) or not when:
        return [f"when must be a table of conditions ({', '.join(WHEN_KEYS)})"]
    out = []
    for key, value in when.items():
        if key == "state":
            if value not in END_STATES:
                out.append(f"state = {value!r}: a run ends {', '.join(END_STATES)}")
        elif key in ("loss_below", "loss_above"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                out.append(f"{key} must be a number ≥ 0 (got {value!r})")
        else:
            out.append(f"unknown condition {key!r} (a choice's when takes {', '.join(WHEN_KEYS)})")
    return out


def _choice_answer(answer: dict[str, Any], choices: tuple[Choice, ...]) -> list[tuple[str, str]]:
    if not choices:
        return [("choices", "a choice answer needs choices = [\"…\", \"…\"]")]
    if "choice" in answer and "choice_when" in answer:
        return [("answer", "answer takes choice or choice_when, not both")]
    if "choice_when" in answer:
        when = answer["choice_when"]
        if not isinstance(when, dict) or any(k != "epoch" for k in when):
            return [("answer", "choice_when is a table: {} (the run to its end) or { epoch = N }; the conditions "
                               "are on the choices")]
        return []
    choice = answer.get("choice")
    if isinstance(choice, bool) or not isinstance(choice, int) or not 1 <= choice <= len(choices):
        return [("answer", f"choice = {choice!r} is out of range (1 … {len(choices)}, 1-based)")]
    return []


# -- the answer ---------------------------------------------------------------------------------------------------

class Unanswerable(ValueError):
    """The step's run does not reach what the question asks about (it ends first, or no choice fits)."""


def answer_of(q: Question, config: TrainConfig, dataset: Dataset) -> float:
    """The right answer: the number, or the 1-based choice. Runs a copy of ``config`` from its start (the
    parameters at epoch 0 as a fresh run of the step has them). Raises Unanswerable."""
    if q.choice is not None:
        return float(q.choice)
    from linreg_core.engine import Run

    run = Run(config.replace(epochs=q.epoch or config.epochs), dataset)
    if q.is_choice:
        with np.errstate(all="ignore"):
            last = list(run.blocks())[-1][1]
        assert last is not None
        state, loss = STATE_OF[last.reason], last.loss
        for i, c in enumerate(q.choices, 1):
            if c.when is not None and _holds(c.when, state, loss):
                return float(i)
        raise Unanswerable(f"no choice's condition holds for this run (it ends {state}, loss {number(loss)})")
    return _value_at(q, run)


def _holds(when: dict[str, Any], state: str, loss: float) -> bool:
    ok = True
    for key, want in when.items():
        if key == "state":
            ok &= state == want
        elif key == "loss_below":
            ok &= math.isfinite(loss) and loss < want
        elif key == "loss_above":
            ok &= not (loss <= want)  # NaN is above everything
    return ok


def _value_at(q: Question, run: Any) -> float:
    assert q.value is not None
    trainer = run.trainer
    if q.epoch == 0:
        w, b = trainer.parameters()
        if q.value == "loss":
            return float(run.loss_now())
        if q.value.startswith("grad"):
            raise Unanswerable("epoch = 0 has no gradient yet: the first update's is epoch 1's")
        return _pick(q, np.asarray(w, dtype=np.float64), b, math.nan, None, None, trainer)
    with np.errstate(all="ignore"):
        spans = [span for span, _ in run.blocks()]
    epochs = sum(len(s) for s in spans)
    if epochs < q.epoch:
        reason = run.finished.reason if run.finished is not None else "ended"
        raise Unanswerable(f"the run {reason} at epoch {epochs}, before epoch {q.epoch}")
    span = spans[-1]
    i = len(span) - 1 - (epochs - q.epoch)
    b = None if span.b is None else float(span.b[i])
    gb = None if span.grad_b is None else float(span.grad_b[i])
    return _pick(q, span.w[i], b, float(span.loss[i]), span.grad_w[i], gb, trainer)


def _pick(q: Question, w: Any, b: float | None, loss: float, gw: Any, gb: float | None, trainer: Any) -> float:
    value = q.value
    assert value is not None
    if value == "loss":
        return loss
    if value == "b" or value == "grad_b":
        got = b if value == "b" else gb
        if got is None:
            raise Unanswerable("this run has no bias (b)")
        return got
    if value == "prediction":
        assert q.input is not None
        # the trainer holds that epoch's parameters: the run was that many epochs long (epoch 0: none ran)
        return float(trainer.predict(np.asarray([q.input], dtype=np.float32))[0, 0])
    m = re.fullmatch(r"(w|grad_w)(\d*)", value)
    assert m is not None
    series = w if m[1] == "w" else gw
    return float(series[int(m[2] or 1) - 1])


# -- grading ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Grade:
    correct: bool
    given: float | None  # None: the text is not an answer (nothing counted)
    message: str = ""


def grade(q: Question, expected: float, text: str) -> Grade:
    """A typed answer against the right one: a number within the relative tolerance, or the choice's number."""
    text = text.strip()
    try:
        given = float(text.replace("−", "-"))
    except ValueError:
        what = f"a number from 1 to {len(q.choices)}" if q.is_choice else "a number"
        return Grade(False, None, f"type {what}, then Enter")
    if q.is_choice:
        if given != int(given) or not 1 <= given <= len(q.choices):
            return Grade(False, None, f"type a number from 1 to {len(q.choices)}, then Enter")
        return Grade(int(given) == int(expected), given)
    if math.isnan(expected):
        return Grade(math.isnan(given), given)
    return Grade(math.isclose(given, expected, rel_tol=q.tolerance, abs_tol=1e-9), given)


# -- recording ----------------------------------------------------------------------------------------------------

class Records(Protocol):
    """Where a lesson's answers and steps reached go: a :class:`Recorder`, or a class's store
    (:class:`linreg_core.classroom.Learner`)."""

    def write(self, **fields: Any) -> None: ...


class Recorder:
    """``linreg-tui --record FILE``: one JSON line per answer and per step reached, appended (and flushed) as they
    happen, so a session cut short keeps what it recorded."""

    def __init__(self, path: str, lesson: str):
        self.path, self.lesson = path, lesson
        with open(path, "a", encoding="utf-8"):  # an unwritable file is said at launch, not at the first answer
            pass

    def write(self, **fields: Any) -> None:
        import json

        fields = {k: number(v) if isinstance(v, float) and not math.isfinite(v) else v for k, v in fields.items()}
        line = json.dumps({"lesson": self.lesson, **fields}, ensure_ascii=False)  # inf and nan as the strings
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
