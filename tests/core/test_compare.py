"""Compare mode: the four cases in lockstep agree to float32 round-off, and the command prints it."""

from __future__ import annotations

import io
import json

import pytest

from linreg_core.cli import main
from linreg_core.compare import Compare, max_param_diff
from linreg_core.config import TrainConfig
from linreg_core.data import synthetic
from linreg_core.events import EpochEnded


@pytest.mark.parametrize("bias", [False, True])
def test_lockstep_cases_agree_to_roundoff(bias: bool) -> None:
    cmp = Compare(TrainConfig.for_case(1, lr=0.05, epochs=300, bias=bias), synthetic(n=60, d=3, seed=4))
    steps = list(cmp)
    assert len(steps) == 300 and cmp.reasons() == {1: "completed", 2: "completed", 3: "completed", 4: "completed"}
    assert all(s.at_roundoff for s in steps)
    assert steps[-1].max_dtheta_so_far < 1e-5
    # case 4 starts at w = b = 0 too (not nn.Linear's init), so all four start from the same point
    assert all(cfg.init_w == (0.0,) and cfg.init_b == 0.0 for cfg in cmp.configs.values())
    assert steps[0].events[4].w == pytest.approx(steps[0].events[1].w, abs=1e-6)


def test_max_param_diff_sees_a_disagreement() -> None:
    a = EpochEnded(1, 1.0, (1.0, 2.0), 0.5, (0.0, 0.0), 0.0)
    b = EpochEnded(1, 1.0, (1.0, 2.25), 0.5, (0.0, 0.0), 0.0)
    assert max_param_diff({1: a, 2: b}) == (0.25, 2.25)


def test_compare_command_text_and_json() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["compare", "--epochs", "5", "--log-every", "2"], out, err) == 0
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == ["epoch 1", "epoch 3", "epoch 5"]
    assert lines[0] == ("epoch 1: 1: w=0.600, loss=30.000 | 2: w=0.600, loss=30.000 | 3: w=0.600, loss=30.000 | "
                        "4: w=0.600, loss=30.000 | max|Δθ|=0")
    assert lines[-1].startswith("completed: 5 epochs") and "float32 round-off" in lines[-1]
    out = io.StringIO()
    assert main(["compare", "--epochs", "3", "--json", "--lr", "1", "--log-every", "1"], out, err) == 3
    docs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert docs[-1]["event"] == "finished" and docs[-1]["reason"] == "diverged"
    assert set(docs[0]["cases"]) == {"1", "2", "3", "4"}


def test_code_command_marks_the_running_source() -> None:
    out = io.StringIO()
    assert main(["code", "--case", "2"], out, io.StringIO()) == 0
    lines = out.getvalue().splitlines()
    assert "linreg_core/cases/autograd.py" in lines[0]
    assert "torch |     loss.backward()" in lines
    assert " hand |     loss = ((y_pred - y) ** 2).mean()" in lines


def test_neighbouring_cases_differ_in_exactly_the_blocks_the_notebook_swaps() -> None:
    from linreg_core.code import changed_blocks, step_blocks, swapped_blocks

    assert changed_blocks(1, 2) == {"Gradient", "Update"}
    assert changed_blocks(2, 3) == {"Loss", "Update"}
    assert changed_blocks(3, 4) == {"Prediction"}
    assert swapped_blocks(4)[:2] == (3, {"Prediction"})
    assert swapped_blocks(1)[:2] == (0, {"Gradient"})
    notebook = step_blocks(0)
    assert "dw=gradient(x,y,y_pred)" in notebook["Gradient"] and list(notebook) == list(step_blocks(1))
    # the blocks read as the notebook writes them
    assert "loss = ((y_pred - y) ** 2).mean()" in step_blocks(1)["Loss"] == step_blocks(2)["Loss"]
    assert step_blocks(4)["Prediction"][-1] == "y_pred = self.model(X)"
    assert step_blocks(3)["Update"][-2:] == ["self.optimizer.step()", "self.optimizer.zero_grad()"]
