"""Lesson questions: every value a question can ask for against an independent computation (gradient descent in
float64 written out here), on the seed data and on data with several features and a bias; choice answers; the
problems ``linreg lesson check`` refuses, each with its line; ``linreg lesson key`` and its JSON lines; grading;
the record file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from linreg_core import lesson
from linreg_core.cli import main
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset, seed, synthetic
from linreg_core.questions import Question, Recorder, Unanswerable, answer_of, grade, parse_question


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def descent(ds: Dataset, lr: float, epochs: int, w0: list[float], b0: float | None) -> list[dict[str, object]]:
    """Full-batch gradient descent on the MSE in float64: for each epoch (0 = the start) its loss before the
    update, the gradient the update used and the parameters after it."""
    X, y = ds.X.astype(np.float64), ds.y.astype(np.float64)
    w, b = np.array(w0, dtype=np.float64).reshape(-1, 1), b0
    out: list[dict[str, object]] = [{"w": w.ravel().copy(), "b": b}]
    for _ in range(epochs):
        r = X @ w + (b or 0.0) - y
        loss = float(np.mean(r ** 2))
        gw = 2 * X.T @ r / len(X)
        gb = float(2 * r.mean()) if b is not None else None
        w = w - lr * gw
        if b is not None and gb is not None:
            b = b - lr * gb
        out.append({"loss": loss, "grad_w": gw.ravel(), "grad_b": gb, "w": w.ravel().copy(), "b": b})
    return out


def ask(config: TrainConfig, ds: Dataset, **answer: object) -> float:
    q, problems = parse_question({"ask": "?", "answer": answer}, config, ds.d)
    assert problems == [] and q is not None
    return answer_of(q, config, ds)


@pytest.mark.parametrize("case", [1, 2, 3, 4])
def test_every_value_on_the_seed_data(case: int) -> None:
    cfg = TrainConfig.for_case(case, lr=0.02, epochs=5, init_w=(0.0,), bias=False)
    ref = descent(seed(), 0.02, 5, [0.0], None)
    for epoch in (1, 2, 5):
        assert ask(cfg, seed(), value="w", epoch=epoch) == pytest.approx(ref[epoch]["w"][0], rel=1e-5)  # type: ignore[index]
        assert ask(cfg, seed(), value="loss", epoch=epoch) == pytest.approx(ref[epoch]["loss"], rel=1e-5)
        assert ask(cfg, seed(), value="grad_w", epoch=epoch) == pytest.approx(ref[epoch]["grad_w"][0], rel=1e-5)  # type: ignore[index]
        w = ref[epoch]["w"][0]  # type: ignore[index]
        assert ask(cfg, seed(), value="prediction", input=5, epoch=epoch) == pytest.approx(5 * w, rel=1e-5)
    assert ask(cfg, seed(), value="w", epoch=0) == 0.0
    assert ask(cfg, seed(), value="loss", epoch=0) == pytest.approx(30.0)
    # the seed notebook's numbers: w₁ = 0 − 0.02·(−30) = 0.6, its first loss 30
    assert ask(cfg, seed(), value="w", epoch=1) == pytest.approx(0.6, rel=1e-6)


@pytest.mark.parametrize("case", [1, 2, 3, 4])
def test_every_value_with_several_features_and_a_bias(case: int) -> None:
    ds = synthetic(n=30, d=2, noise=0.3, true_w=[1.5, -2.0], true_b=0.7, seed=3)
    cfg = TrainConfig.for_case(case, lr=0.05, epochs=4, bias=True, init_w=(0.5, -0.25), init_b=0.1,
                               data=TrainConfig.for_case(case).data)
    ref = descent(ds, 0.05, 4, [0.5, -0.25], 0.1)
    for epoch in (1, 3):
        r = ref[epoch]
        for i in (1, 2):
            assert ask(cfg, ds, value=f"w{i}", epoch=epoch) == pytest.approx(r["w"][i - 1], rel=1e-4)  # type: ignore[index]
            assert ask(cfg, ds, value=f"grad_w{i}", epoch=epoch) == pytest.approx(r["grad_w"][i - 1], rel=1e-4)  # type: ignore[index]
        assert ask(cfg, ds, value="b", epoch=epoch) == pytest.approx(r["b"], rel=1e-4)
        assert ask(cfg, ds, value="grad_b", epoch=epoch) == pytest.approx(r["grad_b"], rel=1e-4)
        assert ask(cfg, ds, value="loss", epoch=epoch) == pytest.approx(r["loss"], rel=1e-4)
        w, b = r["w"], r["b"]
        x = [2.0, -1.0]
        assert ask(cfg, ds, value="prediction", input=x, epoch=epoch) == pytest.approx(
            float(np.dot(w, x)) + b, rel=1e-4)  # type: ignore[call-overload, operator]
    assert ask(cfg, ds, value="b", epoch=0) == pytest.approx(0.1)


def test_a_mistake_changes_the_gradient_asked_for() -> None:
    """Without zero_(), epoch 2's update uses epoch 1's gradient plus its own (torch accumulates)."""
    cfg = TrainConfig.for_case(2, lr=0.01, epochs=5, mistake="no-zero-grad")
    ref = descent(seed(), 0.01, 1, [0.0], None)
    w1 = ref[1]["w"][0]  # type: ignore[index]
    own = 15 * (w1 - 2)  # dL/dw = 2/N Σ x(wx − y) = 15(w − 2) on the seed data
    assert ask(cfg, seed(), value="grad_w", epoch=2) == pytest.approx(-30 + own, rel=1e-6)
    assert ask(cfg.replace(mistake=None), seed(), value="grad_w", epoch=2) == pytest.approx(own, rel=1e-6)


def test_choices_fixed_and_decided_by_the_run() -> None:
    cfg = TrainConfig.for_case(1, lr=0.15, epochs=100)
    raw = {"ask": "?", "choices": [{"text": "down", "when": {"state": "finished"}},
                                   {"text": "blows up", "when": {"state": "diverged"}}],
           "answer": {"choice_when": {}}}
    q, problems = parse_question(raw, cfg, 1)
    assert problems == [] and q is not None
    assert answer_of(q, cfg, seed()) == 2  # 1 − 15·0.15 = −1.25: the distance to w* grows
    assert answer_of(q, cfg.replace(lr=0.05), seed()) == 1
    fixed, _ = parse_question({"ask": "?", "choices": ["a", "b", "c"], "answer": {"choice": 3}}, cfg, 1)
    assert fixed is not None and answer_of(fixed, cfg, seed()) == 3
    assert fixed.shown(3) == "3. c"


def test_what_a_run_cannot_answer() -> None:
    cfg = TrainConfig.for_case(2, lr=0.01, epochs=5, mistake="update-in-graph")
    with pytest.raises(Unanswerable, match="before epoch 1"):
        ask(cfg, seed(), value="w", epoch=1)  # torch refuses the first update
    with pytest.raises(Unanswerable, match="no bias"):
        ask(TrainConfig.for_case(1), seed(), value="b", epoch=1)
    q, _ = parse_question({"ask": "?", "choices": [{"text": "a", "when": {"state": "diverged"}},
                                                   {"text": "b", "when": {"state": "failed"}}],
                           "answer": {"choice_when": {}}}, TrainConfig.for_case(1), 1)
    assert q is not None
    with pytest.raises(Unanswerable, match="no choice's condition holds"):
        answer_of(q, TrainConfig.for_case(1), seed())


def test_grading() -> None:
    q = Question("w", value="w", tolerance=0.01)
    assert grade(q, 0.6, "0.6").correct and grade(q, 0.6, "0.605").correct
    assert not grade(q, 0.6, "0.61").correct and grade(q, 0.6, "0.61").given == 0.61
    assert grade(q, -30.0, "−30").correct  # the minus sign a learner may paste
    bad = grade(q, 0.6, "about 0.6")
    assert bad.given is None and "a number" in bad.message
    two, _ = parse_question({"ask": "?", "choices": ["a", "b"], "answer": {"choice": 2}}, TrainConfig.for_case(1), 1)
    assert two is not None
    assert grade(two, 2.0, "2").correct and not grade(two, 2.0, "1").correct
    assert grade(two, 2.0, "3").given is None and "from 1 to 2" in grade(two, 2.0, "3").message


QUESTIONS = '''title = "Questions"

[[step]]
text = "one"
setup = { case = 1, lr = 0.02, epochs = 10 }
ask = "w after epoch 1"
answer = { value = "w", epoch = 1 }

[[step]]
text = "two"
ask = "which"
choices = ["a", "b"]
answer = { choice = 2 }
'''


def test_lesson_key_and_its_json(tmp_path: Path) -> None:
    path = tmp_path / "q.toml"
    path.write_text(QUESTIONS)
    code, out, _ = run("lesson", "key", str(path))
    assert code == 0
    assert out.splitlines() == ["step 1: w after epoch 1: 0.6", "step 2: which: 2. b"]
    code, out, _ = run("lesson", "key", "--json", str(path))
    assert [json.loads(line) for line in out.splitlines()] == [
        {"step": 1, "ask": "w after epoch 1", "answer": 0.6}, {"step": 2, "ask": "which", "answer": 2}]
    code, out, _ = run("lesson", "check", str(path))
    assert code == 0 and "2 questions" in out


@pytest.mark.parametrize(("body", "line", "message"), [
    ('ask = "x"\nanswer = { value = "gradient" }', 7, "unknown value 'gradient'"),
    ('ask = "x"\nanswer = { value = "w", epoch = 11 }', 7, "epoch = 11 is beyond this step's run: it has 10 epochs"),
    ('ask = "x"\nanswer = { value = "prediction", epoch = 1 }', 7, "a prediction needs its input"),
    ('ask = "x"\nchoices = ["a", "b"]\nanswer = { choice = 3 }', 8, "choice = 3 is out of range"),
    ('ask = "x"\nchoices = ["a", { text = "b", when = { state = "diverged" } }]\nanswer = { choice_when = {} }', 7,
     "choice 1 names no condition"),
    ('ask = "x"\nanswer = { value = "w" }\ntolerance = 0', 8, "tolerance must be a number > 0"),
    ('ask = "x"\nanswer = { value = "w" }\nattempts = 0', 8, "attempts must be a whole number ≥ 1"),
    ('ask = "x"\nanswer = { value = "w", epoch = 1 }\nsetup = { mistake = "update-in-graph", case = 2 }', 3,
     "cannot be answered: the run failed at epoch 0, before epoch 1"),
])
def test_lesson_check_refuses_a_bad_question_with_its_line(tmp_path: Path, body: str, line: int,
                                                           message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'title = "t"\n\n[[step]]\ntext = "x"\nsetup = {{ epochs = 10 }}\n{body}\n'
                    .replace("setup = { epochs = 10 }\n", "" if "setup" in body else "setup = { epochs = 10 }\n"))
    code, _, err = run("lesson", "check", str(path))
    assert code == 2
    assert f"{path}:{line}: step 1: " in err and message in err, err


def test_every_builtin_lesson_asks_each_kind_of_question() -> None:
    for name in lesson.builtin_names():
        found = lesson.load(name)
        questions = [s.question for s in found.steps if s.question is not None]
        assert len(questions) >= 3, name
        assert any(q.value is not None for q in questions) and any(q.is_choice for q in questions), name
        # each is placed before the run that shows its answer: a step asking about epochs not yet run
        for step in found.steps:
            if step.question is not None and step.question.value is not None:
                assert step.expect, (name, step.line)


def test_recorder_appends_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    r = Recorder(str(path), "predict")
    r.write(step=1, reached=True)
    r.write(step=1, ask="loss", given=1.0, expected=float("inf"), correct=False, attempt=1, hints=0, seconds=2.5)
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert lines[0] == {"lesson": "predict", "step": 1, "reached": True}
    assert lines[1]["expected"] == "inf" and lines[1]["lesson"] == "predict"
    with pytest.raises(OSError):
        Recorder(str(tmp_path / "no" / "such" / "dir.jsonl"), "x")


KEY_LESSON = '''title = "Two features and a bias"

[[step]]
text = "x"
setup = { case = CASE, data = "synthetic", n = 30, features = 2, noise = 0.3, "true-w" = [1.5, -2], \
"true-b" = 0.7, bias = true, lr = 0.05, epochs = 4, "init-w" = [0.5, -0.25], "init-b" = 0.1 }
ask = "w2"
answer = { value = "w2", epoch = 3 }

[[step]]
text = "x"
ask = "b"
answer = { value = "b", epoch = 2 }

[[step]]
text = "x"
ask = "loss"
answer = { value = "loss", epoch = 3 }

[[step]]
text = "x"
ask = "grad_w1"
answer = { value = "grad_w1", epoch = 1 }

[[step]]
text = "x"
ask = "grad_b"
answer = { value = "grad_b", epoch = 4 }

[[step]]
text = "x"
ask = "f"
answer = { value = "prediction", input = [2, -1], epoch = 2 }
'''


@pytest.mark.parametrize("case", [1, 2, 3, 4])
def test_lesson_key_agrees_with_gradient_descent_written_out(tmp_path: Path, case: int) -> None:
    """``linreg lesson key --json`` on a lesson over synthetic data with two features and a bias (the data the same
    options make, rebuilt here), every value kind against float64 gradient descent."""
    path = tmp_path / "key.toml"
    path.write_text(KEY_LESSON.replace("CASE", str(case)))
    code, out, err = run("lesson", "key", "--json", str(path))
    assert code == 0, err
    got = {line["ask"]: line["answer"] for line in map(json.loads, out.splitlines())}
    ds = synthetic(n=30, d=2, noise=0.3, true_w=[1.5, -2.0], true_b=0.7, seed=0)
    ref = descent(ds, 0.05, 4, [0.5, -0.25], 0.1)
    want = {"w2": ref[3]["w"][1], "b": ref[2]["b"], "loss": ref[3]["loss"], "grad_w1": ref[1]["grad_w"][0],  # type: ignore[index]
            "grad_b": ref[4]["grad_b"], "f": float(np.dot(ref[2]["w"], [2, -1])) + ref[2]["b"]}  # type: ignore[call-overload, operator]
    for ask, value in want.items():
        assert got[ask] == pytest.approx(value, rel=1e-4), ask
