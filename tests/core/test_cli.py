"""The `linreg` command: exit statuses, strict JSON, bad input as one line, checkpoints and exports."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from linreg_core.cli import main
from linreg_core.parse import format_epoch


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def strict_json(line: str) -> dict[str, object]:
    def reject(token: str) -> None:
        raise AssertionError(f"non-strict JSON token {token}")

    doc = json.loads(line, parse_constant=reject)
    assert isinstance(doc, dict)
    return doc


def test_json_every_epoch_then_finished_then_predictions() -> None:
    code, out, _ = run_cli("run", "--case", "2", "--json", "--predict", "5 3 4")
    assert code == 0
    docs = [strict_json(line) for line in out.splitlines()]
    epochs = [d for d in docs if d["event"] == "epoch"]
    assert [d["epoch"] for d in epochs] == list(range(1, 21))
    assert epochs[0] == {"event": "epoch", "epoch": 1, "loss": 30.0, "w": [pytest.approx(0.3)], "b": None,
                         "grad_w": [-30.0], "grad_b": None}
    fin = docs[20]
    assert fin["event"] == "finished" and fin["reason"] == "completed" and fin["epochs"] == 20
    assert fin["theta_star"]["w"] == [pytest.approx(2.0)]  # type: ignore[index]
    assert fin["dist_star"] == pytest.approx(2.0 - fin["w"][0])  # type: ignore[index]
    preds = docs[21:]
    assert [p["x"] for p in preds] == [[5.0], [3.0], [4.0]]
    assert preds[0]["y"] == pytest.approx(9.6124, abs=1e-4)


def test_diverged_exit_3_and_json_stays_strict() -> None:
    code, out, _ = run_cli("run", "--case", "1", "--lr", "1e6", "--epochs", "100", "--json")
    assert code == 3
    docs = [strict_json(line) for line in out.splitlines()]
    assert docs[-1]["event"] == "finished" and docs[-1]["reason"] == "diverged"
    assert "lr 1e+06 used" in str(docs[-1]["message"])


def test_text_diverged_line() -> None:
    code, out, _ = run_cli("run", "--case", "4", "--lr", "0.5", "--epochs", "500")
    assert code == 3
    last = out.splitlines()[-1]
    assert last.startswith("diverged: ") and "lr 0.5 used" in last and "2/λmax(H) = 0.1198" in last


@pytest.mark.parametrize(("argv", "every"), [
    (["--case", "1", "--epochs", "3000"], 1),
    (["--case", "4", "--data", "synthetic", "--features", "2", "--epochs", "2000", "--log-every", "7"], 7),
    (["--case", "2", "--bias", "--epochs", "1500", "--log-every", "3"], 3),
])
def test_text_lines_are_every_nth_epoch_of_the_json(argv: list[str], every: int) -> None:
    """The text lines, written a block at a time, are the epochs 1, 1 + n, … of the run, as the JSON lines (one
    event per epoch) give them."""
    code, text, _ = run_cli("run", *argv)
    assert code == 0
    _, js, _ = run_cli("run", *argv, "--json")
    docs = [strict_json(line) for line in js.splitlines()]
    expected = [format_epoch(int(d["epoch"]), d["w"], d["b"], d["loss"])  # type: ignore[arg-type]
                for d in docs if d["event"] == "epoch" and (int(d["epoch"]) - 1) % every == 0]  # type: ignore[call-overload]
    assert len(expected) > 200 and text.splitlines()[:-1] == expected


def test_overflow_diverges_without_a_warning(tmp_path: Path) -> None:
    p = tmp_path / "huge.csv"
    p.write_text("x,y\n1e18,1e19\n-2e18,2e19\n3e18,-1e19\n")
    code, out, err = run_cli("run", "--data", str(p), "--bias", "--lr", "0.01", "--epochs", "1000")
    assert code == 3 and out.splitlines()[-1].startswith("diverged: ")
    assert "Warning" not in err and "overflow" not in err


def test_bias_and_multi_feature_lines(tmp_path: Path) -> None:
    code, out, _ = run_cli("run", "--case", "1", "--bias", "--epochs", "3")
    assert code == 0 and out.splitlines()[0] == "epoch 1: w=0.600, b=0.200, loss=30.000"
    code, out, _ = run_cli("run", "--data", "synthetic", "--features", "2", "--true-w", "1,-1", "--epochs", "2",
                           "--predict", "1 2; 3 4")
    assert code == 0
    assert out.splitlines()[0].startswith("epoch 1: w=[") and ", loss=" in out.splitlines()[0]
    assert out.splitlines()[-2].startswith("f(1, 2) = ") and out.splitlines()[-1].startswith("f(3, 4) = ")


def test_tol_converges() -> None:
    code, out, _ = run_cli("run", "--case", "1", "--epochs", "1000", "--tol", "1e-3")
    assert code == 0
    last = out.splitlines()[-1]
    assert last.startswith("converged: 16 epochs")


@pytest.mark.parametrize("argv", [
    ["run", "--lr", "abc"], ["run", "--lr", "-1"], ["run", "--lr", "0"], ["run", "--lr", "nan"],
    ["run", "--epochs", "0"], ["run", "--epochs", "1.5"], ["run", "--case", "5"], ["run", "--log-every", "0"],
    ["run", "--init-w", "x"], ["run", "--init-w", "1,2"], ["run", "--init-b", "inf"], ["run", "--tol", "-1"],
    ["run", "--data", "/no/such.csv"], ["run", "--predict", "five"], ["run", "--predict", ""],
    ["run", "--case", "1", "--optimizer", "adam"], ["run", "--case", "2", "--loss", "l1"],
    ["run", "--batch-size", "0"], ["run", "--seed", "-3"], ["run", "--load", "/no/ckpt.json"],
    ["run", "--export", "/no/dir/h.csv"], ["run", "--export", "h.txt"], ["run", "--bogus"], ["nosuch"],
    ["run", "--data", "synthetic", "--n", "0"], ["run", "--data", "synthetic", "--true-w", "1,2"],
])
def test_bad_input_is_exit_2_with_one_line(argv: list[str]) -> None:
    code, out, err = run_cli(*argv)
    assert code == 2, (argv, out, err)
    assert err.count("\n") == 1 and err.startswith("linreg: error: ")
    assert "Traceback" not in err


def test_console_script_bad_input_has_no_traceback() -> None:
    proc = subprocess.run([sys.executable, "-m", "linreg_core.cli", "run", "--lr", "-2"], capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert proc.stderr == "linreg: error: lr: must be > 0 and finite (got -2.0)\n"


def test_unexpected_error_is_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    from linreg_core import engine

    def boom(self: object, k: int) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine.Run, "advance_span", boom)
    code, _, err = run_cli("run")
    assert code == 1 and err == "linreg: unexpected error: RuntimeError: boom\n"


def test_save_load_continues_from_the_weights(tmp_path: Path) -> None:
    ck = tmp_path / "c.json"
    code, out_a, _ = run_cli("run", "--case", "3", "--epochs", "10", "--save", str(ck))
    assert code == 0 and ck.exists()
    code, out_b, _ = run_cli("run", "--load", str(ck), "--epochs", "10", "--log-every", "1")
    assert code == 0
    code, out_full, _ = run_cli("run", "--case", "3", "--epochs", "20", "--log-every", "1")
    # loading continues exactly where the first run stopped (plain SGD has no optimizer state)
    assert out_b.splitlines()[:10] == [line.replace(f"epoch {k + 11}:", f"epoch {k + 1}:") for k, line in
                                       enumerate(out_full.splitlines()[10:20])]


@pytest.mark.parametrize("content", [
    b"", b"\x00\x01\x02garbage", b'{"format": "linreg-tui checkpoint", "version": 1', b"[1, 2, 3]",
    b'{"format": "other"}',
    b'{"format": "linreg-tui checkpoint", "version": 1, "epoch": 1, "w": [NaN], "b": null, "config": {}}',
    b'{"format": "linreg-tui checkpoint", "version": 1, "epoch": 1, "w": [1.0], "b": null, '
    b'"config": {"lr": -5}}',
    b"\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94.",
])
def test_tampered_or_foreign_checkpoint_is_exit_2(tmp_path: Path, content: bytes) -> None:
    ck = tmp_path / "bad.ckpt"
    ck.write_bytes(content)
    code, _, err = run_cli("run", "--load", str(ck))
    assert code == 2 and err.startswith("linreg: error: ") and err.count("\n") == 1


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_export_history(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"h.{ext}"
    code, _, _ = run_cli("run", "--case", "4", "--epochs", "7", "--export", str(path))
    assert code == 0
    if ext == "csv":
        rows = list(csv.DictReader(path.open()))
        assert [int(r["epoch"]) for r in rows] == list(range(1, 8))
        assert set(rows[0]) == {"epoch", "loss", "w", "b", "grad_w", "grad_b"}
    else:
        doc = json.loads(path.read_text())
        assert len(doc["history"]) == 7 and doc["reason"] == "completed"
        assert all(math.isfinite(h["loss"]) for h in doc["history"])


def test_csv_data_end_to_end(tmp_path: Path) -> None:
    p = tmp_path / "house.csv"
    p.write_text("area,price\n" + "".join(f"{x},{3 * x + 1}\n" for x in range(10)))
    code, out, _ = run_cli("run", "--data", str(p), "--bias", "--lr", "0.02", "--epochs", "3000", "--json")
    assert code == 0
    fin = [strict_json(line) for line in out.splitlines()][-1]
    assert fin["w"] == [pytest.approx(3.0, abs=1e-3)] and fin["b"] == pytest.approx(1.0, abs=1e-2)


def test_gradcheck_command() -> None:
    code, out, _ = run_cli("gradcheck", "--data", "synthetic", "--features", "2", "--bias", "--json")
    assert code == 0
    doc = strict_json(out)
    assert doc["rel_err_hand"] < 1e-6 and doc["rel_err_autograd"] < 1e-6  # type: ignore[operator]
    assert doc["notebook_ratio"] == pytest.approx(100)


def test_piped_output_has_no_progress_bar() -> None:
    proc = subprocess.run([sys.executable, "-m", "linreg_core.cli", "run", "--epochs", "30000", "--log-every",
                           "100000"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""


def test_version_bare_command_and_python_m() -> None:
    from importlib.metadata import version

    for cmd in ([sys.executable, "-m", "linreg_core", "--version"], [sys.executable, "-m", "tui_app", "--version"]):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and proc.stdout.split()[-1] == version("linreg-tui")
    bare = subprocess.run([sys.executable, "-m", "linreg_core"], capture_output=True, text=True, timeout=60)
    assert bare.returncode == 2 and bare.stdout == "" and bare.stderr.startswith("usage: linreg")
    run = subprocess.run([sys.executable, "-m", "linreg_core", "run", "--epochs", "1"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.startswith("epoch 1: w=0.600, loss=30.000")


def test_landscape_names_only_the_options_that_are_too_small() -> None:
    code, out, err = run_cli("landscape", "--width", "5", "--height", "3")
    assert (code, out) == (2, "")
    assert "--levels" not in err and "--width at least 20 (got 5)" in err and "--height at least 8 (got 3)" in err
