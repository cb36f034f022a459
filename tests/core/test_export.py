"""The exported program (linreg script) prints exactly what linreg run prints, needs nothing of this project, and
passes ruff; the notebook's code cells, run in order, print the same."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linreg_core.cli import main

ROOT = Path(__file__).resolve().parents[2]
CSV = ["--data", str(ROOT / "examples" / "houses.csv"), "--x-cols", "area_m2,rooms", "--y-col", "price_k"]
GRID = [
    ["--case", "1"],
    ["--case", "2"],
    ["--case", "3"],
    ["--case", "4"],
    ["--case", "1", "--bias", "--data", "synthetic", "--features", "2", "--lr", "0.1", "--epochs", "30"],
    ["--case", "2", "--bias", "--data", "synthetic", "--lr", "0.1", "--epochs", "25", "--log-every", "3"],
    ["--case", "3", "--optimizer", "momentum", "--epochs", "30"],
    ["--case", "3", "--optimizer", "adam", "--lr", "0.1", "--bias", "--loss", "l1"],
    ["--case", "4", "--optimizer", "rmsprop", "--loss", "huber", "--lr", "0.01"],
    ["--case", "4", "--optimizer", "adagrad", "--lr", "0.5", "--init-w", "0.5", "--init-b", "0.1"],
    ["--case", "2", "--data", "synthetic", "--n", "50", "--batch-size", "8", "--seed", "3", "--bias", "--lr", "0.05"],
    ["--case", "4", "--data", "synthetic", "--n", "30", "--batch-size", "7", "--seed", "5", "--epochs", "10"],
    ["--case", "1", *CSV, "--bias", "--standardize", "--lr", "0.5", "--epochs", "30", "--predict", "120 3; 80 2"],
    ["--case", "4", *CSV, "--bias", "--standardize", "--lr", "0.5", "--epochs", "20"],
    ["--case", "3", "--standardize", "--data", "synthetic", "--features", "2", "--lr", "0.3", "--epochs", "20"],
    ["--case", "1", "--mistake", "summed-gradient", "--lr", "0.005", "--predict", "5,3,4"],
    ["--case", "2", "--mistake", "no-zero-grad", "--epochs", "30"],
    ["--case", "3", "--mistake", "zero-grad-before-step"],
    ["--case", "4", "--mistake", "no-zero-grad", "--predict", "5 3 4"],
    ["--case", "2", "--predict", "5, 3, 4"],
]


def linreg(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(args), out, err), out.getvalue(), err.getvalue()


def expected(opts: list[str]) -> list[str]:
    code, out, _ = linreg("run", *opts)
    assert code == 0
    return [line for line in out.splitlines() if line.startswith(("epoch ", "f("))]


def run_alone(path: Path) -> list[str]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": "", "HOME": str(path.parent)}
    proc = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True, cwd=path.parent,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()


@pytest.mark.parametrize("opts", GRID, ids=[" ".join(o) for o in GRID])
@pytest.mark.slow
def test_the_exported_program_prints_what_linreg_run_prints(opts: list[str], tmp_path: Path) -> None:
    path = tmp_path / "exported.py"
    code, _, err = linreg("script", *opts, "-o", str(path))
    assert code == 0, err
    assert run_alone(path) == expected(opts)
    assert "linreg" not in path.read_text().replace("linreg-tui", "").replace("linreg run", "")


@pytest.mark.parametrize("opts", [GRID[1], GRID[12], GRID[15]], ids=["case2", "csv-standardized", "mistake"])
def test_the_notebooks_cells_in_order_print_the_same(opts: list[str], tmp_path: Path) -> None:
    path = tmp_path / "exported.ipynb"
    code, _, err = linreg("script", *opts, "-o", str(path))
    assert code == 0, err
    doc = json.loads(path.read_text())
    assert doc["nbformat"] == 4 and doc["cells"][0]["cell_type"] == "markdown"
    kinds = [c["cell_type"] for c in doc["cells"]]
    assert kinds == ["markdown", "code"] * (len(kinds) // 2)  # a markdown cell before each code cell
    script = tmp_path / "cells.py"
    script.write_text("\n\n".join("".join(c["source"]) for c in doc["cells"] if c["cell_type"] == "code"))
    assert run_alone(script) == expected(opts)


@pytest.mark.parametrize("case", ["1", "2", "3", "4"])
@pytest.mark.slow
def test_init_w_edited_as_its_comment_says_runs(case: str, tmp_path: Path) -> None:
    """INIT_W = a number (for every feature), or one per feature: the program runs as linreg run --init-w does."""
    for opts, edit, same in ((["--init-w", "1.5"], "INIT_W = 1.5 ", ["--init-w", "1.5"]),
                             (["--data", "synthetic", "--features", "2", "--lr", "0.1"], "INIT_W = [0.5, -1] ",
                              ["--data", "synthetic", "--features", "2", "--lr", "0.1", "--init-w", "0.5,-1"])):
        path = tmp_path / "edited.py"
        assert linreg("script", "--case", case, *opts, "-o", str(path), "--force")[0] == 0
        text = path.read_text()
        start = text.index("INIT_W = ")
        path.write_text(text[:start] + edit + text[text.index("#", start):])
        assert run_alone(path) == expected(["--case", case, *same])


@pytest.mark.slow
def test_the_notebook_validates_and_runs_under_a_jupyter_kernel(tmp_path: Path) -> None:
    """nbformat's validator finds nothing (every cell has its id), and a real kernel (nbclient, ipykernel) running
    the cells prints linreg run's epoch lines."""
    import nbformat
    from nbclient import NotebookClient

    opts = ["--case", "2", "--predict", "5, 3, 4"]
    path = tmp_path / "run.ipynb"
    assert linreg("script", *opts, "-o", str(path))[0] == 0
    doc = nbformat.read(path, as_version=4)
    nbformat.validate(doc)
    assert all(cell.get("id") for cell in doc.cells)
    NotebookClient(doc, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(out.get("text", "") for cell in doc.cells if cell.cell_type == "code"
                      for out in cell.outputs if out.output_type == "stream")
    assert printed.splitlines() == expected(opts)


def test_ruff_passes_on_the_exported_programs(tmp_path: Path) -> None:
    paths = []
    for i, opts in enumerate(GRID):
        path = tmp_path / f"p{i}.py"
        assert linreg("script", *opts, "-o", str(path))[0] == 0
        paths.append(str(path))
    ruff = Path(sys.executable).parent / "ruff"
    proc = subprocess.run([str(ruff), "check", "--isolated", *paths], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_an_existing_file_is_replaced_only_with_force(tmp_path: Path) -> None:
    path = tmp_path / "x.py"
    path.write_text("keep")
    code, _, err = linreg("script", "-o", str(path))
    assert code == 2 and "--force" in err and path.read_text() == "keep"
    assert linreg("script", "-o", str(path), "--force")[0] == 0 and "def train_step" in path.read_text()
    code, _, err = linreg("script", "--tol", "0.1")
    assert code == 2 and "not exported" in err
