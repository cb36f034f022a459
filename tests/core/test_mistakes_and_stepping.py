"""Inside one step (linreg step) and the classic mistakes, against hand-derived numbers on the seed data from w = 0:
y_pred = 0, loss = 30, dL/dw = mean(2x(0 - 2x)) = -30, w after the update = 30·lr."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest

from linreg_core.cli import main
from linreg_core.config import ConfigError, TrainConfig
from linreg_core.data import seed
from linreg_core.engine import Run


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def phases(*args: str) -> list[dict[str, Any]]:
    code, out, _ = cli("step", *args, "--json")
    assert code in (0, 4)
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("case,grad", [(1, "dw"), (2, "w.grad"), (3, "w.grad")])
def test_one_step_block_by_block_from_w_0(case: int, grad: str) -> None:
    lr = {1: 0.02, 2: 0.01, 3: 0.005}[case]
    p = phases("--case", str(case))
    assert [x["phase"] for x in p] == ["prediction", "loss", "gradient", "update"] and {x["epoch"] for x in p} == {1}
    assert p[0]["values"]["y_pred"] == [[0.0]] * 4
    assert p[1]["values"]["loss"] == 30.0
    assert p[2]["values"][grad] == [[-30.0]]
    assert p[3]["values"]["w"][0][0] == pytest.approx(30 * lr, rel=1e-6)
    assert p[0]["code"] == ["y_pred = self.forward(X)"]
    assert p[1]["code"] == (["loss = ((y_pred - y) ** 2).mean()"] if case < 3 else ["loss = self.loss_fn(y_pred, y)"])


def test_zero_grad_leaves_none_and_says_so() -> None:
    update = phases("--case", "3")[-1]
    assert update["values"]["w.grad"] is None and "set_to_none" in update["note"]
    assert update["code"] == ["self.optimizer.step()", "self.optimizer.zero_grad()"]
    update4 = phases("--case", "4")[-1]
    assert update4["values"]["lin.weight.grad"] is None and "lin.bias" in update4["values"]


def test_no_zero_grad_accumulates_the_gradient() -> None:
    # epoch 2 from w = 0.3: the fresh gradient mean(2x(0.3x - 2x)) = -25.5, added to the -30 left in w.grad
    p = phases("--case", "2", "--mistake", "no-zero-grad", "--at-epoch", "1")
    assert p[2]["epoch"] == 2 and p[2]["values"]["w.grad"] == [[-55.5]]
    run = Run(TrainConfig.for_case(2, mistake="no-zero-grad", epochs=200), seed())
    losses = np.concatenate([b.loss for b, _ in run.blocks()])
    assert losses[-100:].min() < 1 and losses[-100:].max() > 20  # swings between ~0 and ~30, never settles


def test_summed_gradient_at_the_notebooks_lr_prints_the_notebooks_trace() -> None:
    code, out, _ = cli("run", "--mistake", "summed-gradient", "--lr", "0.005", "--epochs", "3")
    assert code == 0 and out.splitlines()[:3] == ["epoch 1: w=0.600, loss=30.000", "epoch 2: w=1.020, loss=14.700",
                                                  "epoch 3: w=1.314, loss=7.203"]


@pytest.mark.parametrize("case", [3, 4])
def test_zero_grad_before_step_moves_nothing(case: int) -> None:
    run = Run(TrainConfig.for_case(case, mistake="zero-grad-before-step", epochs=10), seed())
    w0 = run.trainer.parameters()
    blocks = [b for b, _ in run.blocks()]
    assert run.finished is not None and run.finished.reason == "completed"
    assert all(np.all(b.w == np.asarray(w0[0])) for b in blocks)


def test_update_in_graph_fails_with_torchs_message() -> None:
    code, out, err = cli("run", "--case", "2", "--mistake", "update-in-graph", "--json")
    assert code == 4 and err == ""
    last = json.loads(out.splitlines()[-1])
    assert last == {"event": "failed", "epoch": 1,
                    "error": "RuntimeError: a leaf Variable that requires grad is being used in an in-place "
                             "operation."}
    code, out, _ = cli("step", "--case", "2", "--mistake", "update-in-graph")
    assert code == 4 and "✗ RuntimeError: a leaf Variable" in out


def test_rebind_param_fails_and_carries_torchs_warning() -> None:
    code, out, _ = cli("run", "--case", "2", "--mistake", "rebind-param")
    assert code == 4 and out.count("\n") == 1  # the final line only, no traceback
    assert "failed: 0 epochs" in out and "'NoneType' object has no attribute 'zero_'" in out
    assert "torch warned: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed" in out


@pytest.mark.parametrize("case,mistake", [(1, "no-zero-grad"), (2, "summed-gradient"), (4, "update-in-graph"),
                                          (2, "zero-grad-before-step")])
def test_a_mistake_the_case_cannot_make_is_refused(case: int, mistake: str) -> None:
    code, out, err = cli("run", "--case", str(case), "--mistake", mistake)
    assert code == 2 and out == "" and f"is not a mistake case {case} can make" in err
    with pytest.raises(ConfigError):
        TrainConfig.for_case(case, mistake=mistake)


def test_switching_case_drops_a_mistake_the_new_case_cannot_make() -> None:
    cfg = TrainConfig.for_case(2, mistake="update-in-graph")
    assert cfg.with_case(3).mistake is None and TrainConfig.for_case(3, mistake="no-zero-grad").with_case(4).mistake


TARGET_SHAPE_WARNING = ("Using a target size (torch.Size([4])) that is different to the input size "
                        "(torch.Size([4, 1])). This will likely lead to incorrect results due to broadcasting.")


@pytest.mark.parametrize("case", [3, 4])
def test_target_shape_broadcasts_and_fits_the_wrong_line(case: int) -> None:
    """A prediction [N, 1] against a target [N]: nn.MSELoss broadcasts to [N, N], mean over i, j of
    (ŷᵢ − yⱼ)², and warns. Its minimum fits every prediction to mean(y): without a bias, w = mean(y)·Σx/Σx² = 5/3
    on the seed data, not 2; with one, w = 0 and b = mean(y) = 5."""
    x, y = seed().X[:, 0].astype(np.float64), seed().y[:, 0].astype(np.float64)
    bias = case == 4
    cfg = TrainConfig.for_case(case, mistake="target-shape", lr=0.01, epochs=3000, init_w=(0.5,),
                               init_b=0.25 if bias else None, bias=bias)
    run = Run(cfg, seed())
    spans = [span for span, _ in run.blocks()]
    assert run.finished is not None and run.finished.reason == "completed"
    assert [m for _, m in run.warned] == [TARGET_SHAPE_WARNING + " Please ensure they have the same size."]
    assert run.warned[0][0] == 1
    # epoch 1's loss, as torch computes it: the mean of the [N, N] broadcast
    pred = 0.5 * x + (0.25 if bias else 0.0)
    assert float(spans[0].loss[0]) == pytest.approx(np.mean((pred[:, None] - y[None, :]) ** 2), rel=1e-6)
    w, b = run.trainer.parameters()
    if bias:
        assert (w[0], b) == (pytest.approx(0.0, abs=1e-3), pytest.approx(y.mean(), rel=1e-3))
    else:
        assert w[0] == pytest.approx(y.mean() * x.sum() / (x ** 2).sum(), rel=1e-4)
    correct = Run(cfg.replace(mistake=None), seed())
    list(correct.blocks())
    assert correct.trainer.parameters()[0][0] == pytest.approx(2.0, rel=1e-3) and correct.warned == []


def test_target_shape_in_linreg_run_says_torchs_warning_on_stderr() -> None:
    code, out, err = cli("run", "--case", "3", "--mistake", "target-shape", "--epochs", "200", "--log-every", "100")
    assert code == 0  # the run completes — on the wrong line
    assert err == f"linreg: torch warned at epoch 1: {TARGET_SHAPE_WARNING} Please ensure they have the same size.\n"
    assert "completed: 200 epochs, w=1.667" in out


def test_non_leaf_leaves_w_grad_none_and_the_update_fails_saying_why() -> None:
    """w made as torch.zeros(…, requires_grad=True) * 0.01 is no leaf: backward() fills the leaf it came from, torch
    warns when w.grad is read, and the hand-written update multiplies the lr by None."""
    run = Run(TrainConfig.for_case(2, mistake="non-leaf"), seed())
    assert not run.trainer.w.is_leaf  # type: ignore[attr-defined]
    list(run.blocks())
    fin = run.finished
    assert fin is not None and fin.reason == "failed" and fin.epochs == 0
    assert fin.message.startswith("TypeError: unsupported operand type(s) for *: 'float' and 'NoneType' — torch "
                                  "warned: The .grad attribute of a Tensor that is not a leaf Tensor is being "
                                  "accessed.")
    assert run.trainer.parameters()[0] == (0.0,)  # nothing moved
    code, out, err = cli("run", "--case", "2", "--mistake", "non-leaf", "--json")
    assert code == 4 and err == ""  # torch's warning is in the failure, not said twice
    assert json.loads(out.splitlines()[-1])["error"] == fin.message
    steps = phases("--case", "2", "--mistake", "non-leaf")
    assert steps[-1]["phase"] == "update" and steps[-1]["values"]["w.grad"] is None
    assert "torch warned: The .grad attribute of a Tensor that is not a leaf" in steps[-1]["error"]


def test_non_leaf_is_shown_where_w_is_made_and_exported_so() -> None:
    from linreg_core.code import step_source
    from linreg_core.export import program

    _, lines = step_source(2, "non-leaf")
    assert [line.text.strip() for line in lines[:3]] == [
        "# in __init__:", lines[1].text.strip(), "self.w = torch.zeros((self.d, 1), requires_grad=True) * 0.01"]
    assert all(line.block is None for line in lines[:4])
    assert step_source(2)[1][0].text.startswith("def train_step")  # the correct case shows its step only
    code = program(TrainConfig.for_case(2, mistake="non-leaf"), seed())
    assert "w = torch.zeros((D, 1), requires_grad=True) * 0.01" in code
    assert "w = torch.tensor(w0, requires_grad=True)" not in code


@pytest.mark.parametrize("case", [2, 3, 4])
def test_loss_history_graph_keeps_every_epochs_graph(case: int) -> None:
    """Every epoch's loss tensor kept in a list: each still has its grad_fn (its graph), so nothing frees them; the
    correct step's graph goes with the next epoch."""
    cfg = TrainConfig.for_case(case, mistake="loss-history-graph", epochs=300)
    run = Run(cfg, seed())
    list(run.blocks())
    trainer: Any = run.trainer
    assert len(trainer.losses) == 300 and all(loss.grad_fn is not None for loss in trainer.losses)
    tensors, nodes = trainer.held()
    assert tensors == 300 and nodes > 2 * 300  # each epoch's own nodes, beyond the parameters' shared ones
    assert "self.losses holds 300 loss tensors" in trainer.holding()
    correct = Run(cfg.replace(mistake=None), seed())
    list(correct.blocks())
    assert correct.trainer.holding() is None and not hasattr(correct.trainer, "losses")
    # the same losses, the same parameters: only the memory differs
    assert correct.trainer.parameters() == run.trainer.parameters()


def test_loss_history_graph_holds_memory_that_grows() -> None:
    from linreg_core.cases.mistakes import resident_mb

    def growth(mistake: str | None) -> float:
        run = Run(TrainConfig.for_case(2, mistake=mistake, epochs=20_000), seed())
        before = resident_mb()
        list(run.blocks())
        return resident_mb() - before

    growth(None)  # the allocator's first growth, out of the way
    correct, mistaken = growth(None), growth("loss-history-graph")
    assert mistaken > 20 and mistaken > 3 * correct, (correct, mistaken)  # about 4 KB an epoch here
    code, _, err = cli("run", "--case", "3", "--mistake", "loss-history-graph", "--epochs", "50", "--log-every", "50")
    assert code == 0 and err.startswith("linreg: after 50 epochs, self.losses holds 50 loss tensors with their graphs")
    from linreg_core.export import program

    text = program(TrainConfig.for_case(4, mistake="loss-history-graph"), seed())
    assert "losses = []" in text and "    losses.append(loss)" in text
