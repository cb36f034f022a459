"""The corpus of bad inputs (bad_inputs.json) against every entry point: a clear message, no state change.

CLI: exit 2, one line on stderr, no traceback. App: an inline message, the configuration and run unchanged.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from linreg_core.cli import main
from linreg_core.parse import InputError, parse_predict
from tests.tui.helpers import make_app, settle, wait_for
from tui_app.app import LinregApp

CORPUS = json.loads((Path(__file__).parent / "bad_inputs.json").read_text())


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def assert_one_line_exit_2(code: int, err: str, expect: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("linreg: error: "), err
    assert "Traceback" not in err
    assert expect in err, (expect, err)


def test_the_corpus_is_large_enough() -> None:
    assert sum(len(v) for v in CORPUS.values()) >= 60


@pytest.mark.parametrize("case", CORPUS["cli"], ids=lambda c: " ".join(c["argv"])[:40])
def test_cli_flags(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(case["argv"])
    assert_one_line_exit_2(code, err, case["expect"])
    assert list(tmp_path.iterdir()) == []  # nothing written


class Marker:
    """Unpickling this would create a file: the checkpoint loader must never unpickle."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


def make_csv(case: dict[str, Any], tmp_path: Path) -> Path:
    kind = case.get("kind")
    p = tmp_path / "data.csv"
    if kind == "missing":
        return tmp_path / "missing.csv"
    if kind == "directory":
        return tmp_path
    if kind == "binary":
        p.write_bytes(os.urandom(4096) + b"\x00" * 16)
    elif kind == "latin1":
        p.write_bytes("x,y\n1,2\ncafé,3\n".encode("latin-1"))
    elif kind == "big_bad":  # 50 MB of good rows, then one bad cell
        line = b"1.2345,2.5\n"
        with p.open("wb") as fh:
            fh.write(b"x,y\n")
            fh.write(line * (50_000_000 // len(line)))
            fh.write(b"1,abc\n")
    else:
        p.write_text(case["content"])
    return p


@pytest.mark.parametrize("case", CORPUS["csv"], ids=lambda c: c.get("kind") or repr(c["content"])[:30])
@pytest.mark.slow
def test_csv_files(case: dict[str, Any], tmp_path: Path) -> None:
    path = make_csv(case, tmp_path)
    code, out, err = run_cli(["run", "--data", str(path)])
    assert_one_line_exit_2(code, err, case["expect"])
    assert str(path) in err and out == ""


@pytest.mark.parametrize("case", CORPUS["predict"], ids=lambda c: repr(c["text"]))
def test_predict_strings(case: dict[str, Any]) -> None:
    with pytest.raises(InputError) as info:
        parse_predict(case["text"], case["d"])
    assert case["expect"] in str(info.value)
    argv = ["run", "--epochs", "1", "--predict", case["text"]]
    if case["d"] > 1:
        argv += ["--data", "synthetic", "--features", str(case["d"])]
    code, out, err = run_cli(argv)
    assert_one_line_exit_2(code, err, case["expect"])
    assert out == ""  # checked before training: nothing printed


def make_checkpoint(case: dict[str, Any], tmp_path: Path) -> Path:
    p = tmp_path / "ckpt.json"
    kind = case.get("kind")
    if kind == "random_bytes":
        p.write_bytes(os.urandom(2048))
    elif kind == "pickle_exec":
        p.write_bytes(pickle.dumps(Marker(str(tmp_path / "pwned"))))
    elif kind == "torch_file":
        import torch

        torch.save({"w": torch.ones(3)}, p)
    elif kind == "truncated":
        good = tmp_path / "good.json"
        assert run_cli(["run", "--epochs", "2", "--save", str(good)])[0] == 0
        p.write_bytes(good.read_bytes()[:-40])
    else:
        p.write_text(case["content"])
    return p


@pytest.mark.parametrize("case", CORPUS["checkpoint"], ids=lambda c: c.get("kind") or repr(c["content"])[:30])
def test_checkpoint_files(case: dict[str, Any], tmp_path: Path) -> None:
    path = make_checkpoint(case, tmp_path)
    code, out, err = run_cli(["run", "--load", str(path)])
    assert_one_line_exit_2(code, err, case["expect"])
    assert not (tmp_path / "pwned").exists()  # no code ran


def test_checkpoint_in_a_subprocess_never_runs_code(tmp_path: Path) -> None:
    path = make_checkpoint({"kind": "pickle_exec"}, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "linreg_core.cli", "run", "--load", str(path)], capture_output=True,
                          text=True)
    assert proc.returncode == 2 and not (tmp_path / "pwned").exists()



def snapshot(app: LinregApp) -> tuple[object, ...]:
    """What a rejected field must leave as it was."""
    s = app.session
    return s.config, s.dataset, s.epoch, s.state, len(s.history)


@pytest.mark.slow
async def test_every_field_of_the_hyperparameter_pane() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        await settle(pilot, app)
        before = snapshot(app)
        for case in CORPUS["fields"]:
            app.main.hyperparams.edit(case["field"])
            await pilot.press("ctrl+a", "ctrl+k", *case["text"], "enter")
            await pilot.pause(0.02)
            err = app.main.hyperparams.error(case["field"])
            assert err is not None and case["expect"] in err, (case, err)
            assert snapshot(app) == before
        assert app.is_running and not app.main.errors


@pytest.mark.slow
async def test_inference_box() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: app.session.epoch == 1)
        await pilot.press("p", *"5", "enter")
        good = str(app.query_one("#predict-output", Static).render())
        assert good == "at epoch 1:\nf(5) = 3.000"
        before = (app.session.config, app.session.epoch, app.session.state)
        for text in CORPUS["inference"]:
            await pilot.press("ctrl+a", "ctrl+k", *text, "enter")
            err = app.query_one("#predict-error", Static)
            assert err.display and str(err.render()), text
            assert str(app.query_one("#predict-output", Static).render()) == ""  # no stale results under it
            assert (app.session.config, app.session.epoch, app.session.state) == before
