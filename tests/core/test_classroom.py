"""The class's store (linreg_core/classroom.py) and ``linreg class DIR``: what is stored, what the teacher reads,
that a wrong code stores nothing, that a damaged or locked store is a message, that 30 processes writing at once
lose no row, and that the Gradescope file is in Gradescope's format."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from linreg_core import classroom
from linreg_core.class_cli import gradescope
from linreg_core.classroom import Learner, Store, StoreError, answer_bars, check_name
from linreg_core.cli import main as cli_main

LESSON = {"name": "predict", "title": "Predict", "steps": 5,
          "questions": [[2, "w after epoch 1", []], [4, "what happens", ["goes down", "diverges"]]]}


def linreg(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def rows(store: Store, table: str) -> int:
    return int(store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.create(tmp_path / "class", "ABC234", LESSON)


def signed_in(store: Store, name: str) -> Learner:
    learner = Learner(store, "predict", 5)
    learner.sign_in(name, "abc234")  # the code is not case-sensitive
    return learner


def test_the_folder_is_made_with_the_code_and_the_lesson(tmp_path: Path) -> None:
    store = Store.create(tmp_path / "a" / "b", "ABC234", LESSON)
    assert (tmp_path / "a" / "b" / "class.sqlite").is_file()
    assert store.code == "ABC234" and store.lesson == LESSON
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = Store.create(tmp_path / "a" / "b")  # a server started again: a new code, the rows kept
    assert len(again.code) == 6 and again.code.isalnum() and again.code != "ABC234"


def test_a_wrong_code_or_a_bad_name_stores_nothing(store: Store) -> None:
    for name, code, said in [("ann", "ZZZ999", "not this class's code"), ("", "ABC234", "a name is needed"),
                             ("x" * 41, "ABC234", "at most 40"), ("a\x1bb", "ABC234", "printable")]:
        with pytest.raises(ValueError, match=said):
            Learner(store).sign_in(name, code)
    assert rows(store, "learners") == 0


def test_names_are_kept_literally_and_trimmed() -> None:
    assert check_name("  [bold red]x ") == "[bold red]x"
    assert check_name("é" * 40) == "é" * 40


def test_what_a_learner_does_is_what_the_teacher_reads(store: Store) -> None:
    ann, bob = signed_in(store, "[bold red]ann"), signed_in(store, "bob")
    for k in (1, 2, 3, 4):
        ann.write(step=k, reached=True)
    ann.write(step=2, ask="w after epoch 1", given=0.3, expected=0.6, correct=False, attempt=1)
    ann.write(step=2, ask="w after epoch 1", given=0.6, expected=0.6, correct=True, attempt=2)
    ann.write(step=4, ask="what happens", given=1, expected=2, correct=False, attempt=1)
    ann.run(2, 0.02, 20, 0.125, "finished")
    ann.run(2, 0.5, 7, float("inf"), "diverged")
    bob.write(step=1, reached=True)
    ann.close()
    bob.close()
    got = {r.name: r for r in store.learners()}
    assert list(got) == ["[bold red]ann", "bob"]  # in the order they signed in
    a, b = got["[bold red]ann"], got["bob"]
    assert (a.step, a.steps, a.right, a.asked, a.state, a.loss) == (4, 5, 1, 2, "diverged", None)
    assert (b.step, b.right, b.asked, b.state, b.loss) == (1, 0, 0, "", None)
    assert [(x.name, x.given, x.correct) for x in store.answers(2)] == [("[bold red]ann", 0.3, False)]  # the first try
    assert store.last_answered_step() == 4


def test_signing_in_again_is_the_same_learner(store: Store) -> None:
    signed_in(store, "ann").close()
    signed_in(store, "ann ").close()
    assert rows(store, "learners") == 1


def test_rows_written_before_signing_in_wait_for_it(store: Store) -> None:
    learner = Learner(store, "predict", 5)
    learner.write(step=1, reached=True)  # the lesson's first step opens under the sign-in screen
    assert rows(store, "steps") == 0
    learner.sign_in("ann", "ABC234")
    learner.close()
    assert rows(store, "steps") == 1


def test_a_heartbeat_moves_seen(store: Store) -> None:
    learner = signed_in(store, "ann")
    before = store.db.execute("SELECT seen FROM learners").fetchone()[0]
    time.sleep(0.05)
    learner.heartbeat()
    learner.close()
    assert store.db.execute("SELECT seen FROM learners").fetchone()[0] > before
    assert store.learners(now=before + 100)[0].seen == pytest.approx(100, abs=1)


def test_forget_deletes_every_row_of_a_learner(store: Store) -> None:
    ann, bob = signed_in(store, "ann"), signed_in(store, "bob")
    for learner in (ann, bob):
        learner.write(step=2, reached=True)
        learner.write(step=2, ask="q", given=1.0, expected=1.0, correct=True, attempt=1)
        learner.run(1, 0.1, 3, 1.0, "finished")
        learner.close()
    code, out, _ = linreg("class", str(store.path.parent), "--forget", "ann")
    assert code == 0 and "forgot ann" in out
    assert [rows(store, t) for t in ("learners", "steps", "answers", "runs")] == [1, 1, 1, 1]
    code, _, err = linreg("class", str(store.path.parent), "--forget", "ann")
    assert code == 2 and "no learner named 'ann'" in err


def test_answer_bars_count_every_answer_and_mark_the_right_one() -> None:
    few = answer_bars([0.3, 0.3, 0.31, 0.6], 0.6)
    assert [(b.label, b.count, b.right) for b in few] == [("0.3", 2, False), ("0.31", 1, False), ("0.6", 1, True)]
    choices = answer_bars([1, 1, 2], 2, choices=3)
    assert [(b.count, b.right) for b in choices] == [(2, False), (1, True), (0, False)]
    many = [0.1 * k for k in range(30)] + [1e6, float("nan")]
    bars = answer_bars(many, 1.55)
    assert sum(b.count for b in bars) == len(many)
    assert sum(b.right for b in bars) == 1
    assert bars[-1].label.startswith(">") and bars[-1].count >= 1  # the typo beyond the rest, not squashing them


def test_a_damaged_store_is_a_message(tmp_path: Path) -> None:
    (tmp_path / "class.sqlite").write_text("not a database at all " * 100)
    with pytest.raises(StoreError, match="not a database.*damaged"):
        Store.open(tmp_path)
    code, _, err = linreg("class", str(tmp_path))
    assert code == 2 and err.startswith("linreg: error:") and "Traceback" not in err


def test_no_store_and_a_foreign_database_are_messages(tmp_path: Path) -> None:
    code, _, err = linreg("class", str(tmp_path / "nowhere"))
    assert code == 2 and "no class here" in err
    sqlite3.connect(tmp_path / "class.sqlite").execute("CREATE TABLE other (x)")
    with pytest.raises(StoreError, match="not a linreg-tui class store"):
        Store.open(tmp_path)


def test_a_locked_store_is_a_message(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.close()
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing, and writing, and not done
    monkeypatch.setattr(classroom, "BUSY_SECONDS", 0.2)
    with pytest.raises(StoreError, match="locked.*another program"):
        Store.create(store.path.parent)
    holder.execute("ROLLBACK")
    holder.close()


WRITER = """
import sys
import time
from linreg_core.classroom import Learner, Store
folder, name, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
learner = Learner(Store.open(folder), "predict", 5)
time.sleep(max(0.0, start - time.time()))  # every process writes from the same instant
learner.sign_in(name, "ABC234")
for k in range(20):
    learner.write(step=k + 1, reached=True)
    learner.write(step=k + 1, ask="q", given=k, expected=k, correct=True, attempt=1)
    learner.run(2, 0.01, k, 0.5, "finished")
learner.close()
print(learner.failed or "ok")
"""


@pytest.mark.slow
def test_thirty_processes_writing_at_once_lose_no_row(store: Store) -> None:
    start = time.time() + 4.0
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(store.path.parent), f"learner {n}", str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(30)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [o.strip() for o, _ in outs] == ["ok"] * 30, [e for _, e in outs if e][:1]
    assert [rows(store, t) for t in ("learners", "steps", "answers", "runs")] == [30, 600, 600, 600]
    assert {r.step for r in store.learners()} == {20}


# -- linreg class DIR ---------------------------------------------------------------------------------------
@pytest.fixture
def a_class(store: Store) -> Path:
    ann, bob = signed_in(store, "[bold]ann"), signed_in(store, "bob")
    ann.write(step=2, reached=True)
    ann.write(step=2, ask="w after epoch 1", given=0.6, expected=0.6, correct=True, attempt=1)
    ann.run(2, 0.02, 20, 0.125, "finished")
    bob.write(step=4, reached=True)
    bob.write(step=4, ask="what happens", given=1, expected=2, correct=False, attempt=1)
    ann.close()
    bob.close()
    return store.path.parent


def test_the_table(a_class: Path) -> None:
    code, out, _ = linreg("class", str(a_class))
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["learner", "step", "right", "last", "run", "loss", "seen"]
    assert lines[1].split()[:5] == ["[bold]ann", "2/5", "1/1", "finished", "0.125"]
    assert lines[2].split()[:5] == ["bob", "4/5", "0/1", "—", "—"]
    assert lines[3].startswith("2 learners (lesson predict")


def test_json_lines_have_the_contract_fields(a_class: Path) -> None:
    code, out, _ = linreg("class", str(a_class), "--json")
    got = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [list(g) for g in got] == [["name", "step", "steps", "right", "asked", "state", "loss",
                                                     "seen"]] * 2
    assert [(g["name"], g["step"], g["right"], g["asked"], g["state"], g["loss"]) for g in got] == [
        ("[bold]ann", 2, 1, 1, "finished", 0.125), ("bob", 4, 0, 1, "", None)]


def test_csv(a_class: Path) -> None:
    import csv

    code, out, _ = linreg("class", str(a_class), "--csv")
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["name", "step", "steps", "right", "asked", "state", "loss", "seen"]
    assert table[1][:7] == ["[bold]ann", "2", "5", "1", "1", "finished", "0.125"]


def valid_gradescope(results: dict[str, Any]) -> None:
    """Gradescope's autograder results.json ("Autograder specifications"): the keys it reads, with their types."""
    top = {"score": float, "max_score": float, "execution_time": float, "output": str, "output_format": str,
           "test_output_format": str, "test_name_format": str, "visibility": str, "stdout_visibility": str,
           "extra_data": dict, "tests": list, "leaderboard": list}
    each = {"score": float, "max_score": float, "status": str, "name": str, "name_format": str, "number": str,
            "output": str, "output_format": str, "tags": list, "visibility": str, "extra_data": dict}
    visibility = {"hidden", "after_due_date", "after_published", "visible"}
    assert set(results) <= set(top) and ("score" in results or all("score" in t for t in results["tests"]))
    for key, value in results.items():
        assert isinstance(value, top[key] if top[key] is not float else (int, float)), key
    assert results.get("visibility", "visible") in visibility
    for test in results["tests"]:
        assert set(test) <= set(each)
        for key, value in test.items():
            assert isinstance(value, each[key] if each[key] is not float else (int, float)), key
        assert test.get("status", "passed") in {"passed", "failed"}
        assert 0 <= test["score"] <= test["max_score"]
    assert results["score"] == sum(t["score"] for t in results["tests"])


def test_gradescope_results_for_one_learner(a_class: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "results.json"
    code, _, err = linreg("class", str(a_class), "--gradescope", str(out_file))
    assert code == 2 and "--learner NAME" in err and not out_file.exists()  # two learners: whose?
    code, out, _ = linreg("class", str(a_class), "--gradescope", str(out_file), "--learner", "[bold]ann")
    results = json.loads(out_file.read_text())
    valid_gradescope(results)
    assert code == 0 and "1 of 2" in out
    assert [(t["name"], t["score"]) for t in results["tests"]] == [("step 2: w after epoch 1", 1.0),
                                                                   ("step 4: what happens", 0.0)]
    bob = gradescope(Store.open(a_class), "bob")
    valid_gradescope(bob)
    assert bob["score"] == 0.0 and bob["tests"][1]["output"] == "answered 1"
