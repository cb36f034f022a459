"""Lesson files: reading, the problems of broken files (each with its line), the conditions, the walk's rules,
and the commands linreg lessons / linreg lesson check."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from linreg_core import lesson
from linreg_core.cli import main
from linreg_core.config import TrainConfig
from linreg_core.data import seed

BROKEN = sorted((Path(__file__).parent / "lessons_broken").glob("*.toml"))
GOOD = '''title = "Why zero_grad()"
[[step]]
text = "Case 2 computes the gradient with autograd. Press **n** three times and watch the loss."   # Markdown
setup = { case = 2, lr = 0.01, epochs = 20 }
expect = { epoch_at_least = 3 }
hint = "n runs one epoch."

[[step]]
text = "Now without zero_grad."
setup = { mistake = "no-zero-grad", "log-every" = 1, init_w = [0.5], speed = "max" }
'''


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def facts(**changes: object) -> lesson.Facts:
    base = dict(epoch=0, state="ready", case=1, view="loss", block="prediction", mistake="none", screen="main",
                loss=30.0, predicted=0, opened=())
    return lesson.Facts(**{**base, **changes})  # type: ignore[arg-type]


def test_the_issue_example_reads_and_its_setups_apply_in_order(tmp_path: Path) -> None:
    path = tmp_path / "zero.toml"
    path.write_text(GOOD)
    found = lesson.load(str(path))
    assert found.title == "Why zero_grad()" and len(found.steps) == 2
    first, second = found.steps
    assert (first.line, second.line) == (2, 8)
    assert first.expect == {"epoch_at_least": 3} and first.hint == "n runs one epoch."
    config, data, args = lesson.apply(first.setup, found.path.parent, TrainConfig.for_case(1), seed())
    assert (config.case, config.lr, config.epochs) == (2, 0.01, 20) and args.speed is None
    # the second step's setup goes over the first's: the case stays 2, the mistake and the rest are added
    config, _, args = lesson.apply(second.setup, found.path.parent, config, data)
    assert (config.case, config.mistake, config.log_every, config.init_w) == (2, "no-zero-grad", 1, (0.5,))
    assert args.speed is None  # 'max' is the parser's None: as fast as possible
    assert "speed" in second.setup
    assert first.goal() == "epoch ≥ 3" and second.goal() == "press >"


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_each_broken_lesson_is_rejected_with_its_line(path: Path) -> None:
    header = path.read_bytes().decode("utf-8", "replace").splitlines()[0]
    m = re.match(r"# problem: (?:(\d+(?::\d+)?): )?(.*)", header)
    assert m, f"{path.name}: its first line says which problem it has"
    where, what = m.groups()
    with pytest.raises(lesson.LessonError) as exc:
        lesson.load(str(path))
    expected = f"{path}:{where}: " if where else f"{path}: "
    assert any(p.startswith(expected) and what in p for p in exc.value.problems), exc.value.problems
    # linreg lesson check says the same, each problem on its own line, and exits 2
    code, out, err = run("lesson", "check", str(path))
    assert code == 2 and out == ""
    assert all(p in err for p in exc.value.problems)


def test_every_problem_of_a_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    path = tmp_path / "many.toml"
    path.write_text('title = "x"\nwho = 1\n[[step]]\ntext = "a"\nexpect = { case = 9 }\n\n[[step]]\n'
                    'setup = { lr = 0 }\n')
    with pytest.raises(lesson.LessonError) as exc:
        lesson.load(str(path))
    lines = [int(p.split(":")[1]) for p in exc.value.problems]
    assert lines == [2, 5, 7, 8], exc.value.problems  # unknown key, case 9, no text, lr 0


def test_nothing_in_a_lesson_file_is_run_as_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "evil.toml"
    path.write_text(f'title = "x"\n[[step]]\ntext = "a"\nsetup = {{ lr = "__import__(\'os\').mkdir(\'{marker}\')" }}\n'
                    f'expect = {{ loss_below = "__import__(\'os\').mkdir(\'{marker}\')" }}\n')
    with pytest.raises(lesson.LessonError) as exc:
        lesson.load(str(path))
    assert not marker.exists()
    assert any("argument --lr: invalid float value" in p for p in exc.value.problems)
    assert any("loss_below" in p for p in exc.value.problems)


def test_setups_give_the_command_lines_messages(tmp_path: Path) -> None:
    """The same option, the same message as linreg-tui's command line."""
    from tui_app.__main__ import main as tui_main

    path = tmp_path / "l.toml"
    path.write_text('title = "x"\n[[step]]\ntext = "a"\nsetup = { optimizer = "lbfgs" }\n')
    with pytest.raises(lesson.LessonError) as exc:
        lesson.load(str(path))
    err = io.StringIO()
    import contextlib

    with contextlib.redirect_stderr(err):
        assert tui_main(["--optimizer", "lbfgs"]) == 2
    cli_message = err.getvalue().removeprefix("linreg-tui: error: ").strip()
    assert exc.value.problems == [f"{path}:4: step 1: setup: {cli_message}"]


def test_a_teachers_csv_is_found_beside_the_lesson_file(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("x,y\n1,3\n2,5\n3,7\n")
    path = tmp_path / "csv.toml"
    path.write_text('title = "x"\n[[step]]\ntext = "a"\nsetup = { data = "d.csv", bias = true }\n')
    found = lesson.load(str(path))
    config, data, _ = lesson.apply(found.steps[0].setup, found.path.parent, TrainConfig.for_case(1), seed())
    assert data.n == 3 and config.bias and config.data.source == str(tmp_path / "d.csv")


def test_conditions() -> None:
    assert lesson.holds({}, facts())
    assert lesson.holds({"epoch_at_least": 3}, facts(epoch=3)) and not lesson.holds({"epoch_at_least": 3},
                                                                                     facts(epoch=2))
    assert lesson.holds({"state": "paused", "case": 2}, facts(state="paused", case=2))
    assert not lesson.holds({"state": "paused", "case": 2}, facts(state="paused", case=1))
    assert lesson.holds({"loss_below": 1.0}, facts(loss=0.5)) and not lesson.holds({"loss_below": 1.0},
                                                                                    facts(loss=float("nan")))
    assert lesson.holds({"screen": "code"}, facts(screen="code"))
    assert lesson.holds({"screen": "code"}, facts(opened=("code",)))  # opened and closed between two looks
    assert lesson.holds({"predicted": True}, facts(predicted=1)) and not lesson.holds({"predicted": True}, facts())
    assert lesson.holds({"phase": "update", "mistake": "no-zero-grad"}, facts(block="update",
                                                                              mistake="no-zero-grad"))


def test_the_walk_waits_for_something_to_happen_and_counts_from_the_step() -> None:
    found = lesson.parse('title = "t"\n[[step]]\ntext = "a"\nexpect = { state = "ready" }\n[[step]]\n'
                         'text = "b"\nexpect = { predicted = true, screen = "code" }\n', Path("t.toml"))
    walk = lesson.Walk(found)
    walk.open(0, facts())
    assert not walk.done(facts())  # held when it opened: its text is not skipped unread
    assert not walk.done(facts(loss=29.0))  # a reset's first loss arriving is nothing the learner did
    assert walk.done(facts(epoch=1, loss=29.0))  # an epoch: something happened, and it holds
    walk.open(1, facts(predicted=4, opened=("code", "help")))
    assert not walk.done(facts(predicted=4, opened=("code", "help", "compare")))  # the earlier ones do not count
    assert not walk.done(facts(predicted=5, opened=("code", "help")))
    assert walk.done(facts(predicted=5, opened=("code", "help", "code")))
    # a diverged run's loss is NaN: another NaN is no change (NaN ≠ NaN must not read as something happening)
    walk = lesson.Walk(lesson.parse('title = "t"\n[[step]]\ntext = "a"\nexpect = { state = "diverged" }\n',
                                    Path("t.toml")))
    walk.open(0, facts(state="diverged", loss=float("nan")))
    assert not walk.done(facts(state="diverged", loss=float("nan")))
    assert walk.done(facts(state="diverged", loss=float("nan"), epoch=1))


def test_builtin_lessons_are_listed_and_check() -> None:
    code, out, _ = run("lessons")
    assert code == 0
    names = lesson.builtin_names()
    assert {"notebook", "learning-rate", "mistakes"} <= set(names)
    for name in names:
        found = lesson.load(name)
        assert f"{name}" in out and found.title in out and f"{len(found.steps)} steps" in out
        code, out_check, err = run("lesson", "check", name)
        assert code == 0 and err == "" and out_check.count("\n") == 1 and ": ok — " in out_check


def test_lesson_check_usage() -> None:
    assert run("lesson")[0] == 2
    code, _, err = run("lesson", "check", "/no/such/lesson.toml")
    assert code == 2 and "no such file" in err and "built-in lessons: " in err


def test_a_misspelt_lesson_name_lists_the_built_in_ones_and_the_closest() -> None:
    with pytest.raises(lesson.LessonError) as err:
        lesson.load("notbook")
    (problem,) = err.value.problems
    assert "did you mean notebook?" in problem and "learning-rate, mistakes, notebook" in problem
    assert "Errno" not in problem
