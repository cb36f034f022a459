"""The headless command ``linreg``.

Exit status: 0 completed or converged · 3 diverged · 2 bad input (one line on stderr) · 1 anything unexpected.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, NoReturn, Sequence, TextIO

import numpy as np

from linreg_core import analysis, scaling
from linreg_core.checkpoint import Checkpoint, CheckpointError
from linreg_core.checkpoint import load as load_checkpoint
from linreg_core.checkpoint import save as save_checkpoint
from linreg_core.config import LOSSES, OPTIMIZERS, PRESETS, ConfigError, DataSpec, TrainConfig
from linreg_core.data import DataError, Dataset
from linreg_core.data import load as load_data
from linreg_core.engine import Run
from linreg_core.events import EpochEnded, RunFinished
from linreg_core.history import History
from linreg_core.parse import InputError, format_epoch, format_prediction, parse_numbers, parse_predict

EXIT_OK, EXIT_UNEXPECTED, EXIT_BAD_INPUT, EXIT_DIVERGED = 0, 1, 2, 3
#: Runs with at least this many epochs show a progress bar on a terminal's stderr.
PROGRESS_MIN_EPOCHS = 20_000

BAD_INPUT = (ConfigError, DataError, InputError, CheckpointError)


class UsageError(Exception):
    pass


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage problem as one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive_speed(text: str) -> float | None:
    if text == "max":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0 or 'max' (got {text!r})") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number > 0 or 'max' (got {text!r})")
    return value


def add_config_options(p: argparse.ArgumentParser) -> None:
    """The options that describe a run (shared by ``linreg run``, ``linreg-tui`` and the other commands)."""
    g = p.add_argument_group("training")
    g.add_argument("--case", type=int, choices=(1, 2, 3, 4), default=None,
                   help="1 manual NumPy, 2 autograd, 3 loss + optimizer, 4 nn.Module (default 1)")
    presets = "; ".join(f"case {c}: {p.lr:g} / {p.epochs} / {p.log_every}" for c, p in PRESETS.items())
    g.add_argument("--lr", type=float, help=f"learning rate (default: the case's notebook preset; {presets})")
    g.add_argument("--epochs", type=int, help="epochs to run (default: preset)")
    g.add_argument("--log-every", type=int, help="log epoch k when (k-1) %% N == 0 (default: preset)")
    g.add_argument("--init-w", metavar="W", help="initial w: one number for every feature or d comma-separated "
                                                 "numbers (default 0 for cases 1-3, nn.Linear's for case 4)")
    g.add_argument("--init-b", type=float, help="initial b (default 0; nn.Linear's for case 4)")
    g.add_argument("--bias", action=argparse.BooleanOptionalAction, default=None,
                   help="learn a bias b (default off for cases 1-3, on for case 4)")
    g.add_argument("--seed", type=int, help="seed for nn.Linear's init, synthetic data and shuffling (default 0)")
    g.add_argument("--tol", type=float, help="stop as converged when the loss <= TOL")
    g.add_argument("--patience", type=int, help="stop as converged after N epochs without improvement")
    g.add_argument("--batch-size", type=int, help="mini-batch size (default: full batch)")
    g.add_argument("--optimizer", choices=OPTIMIZERS, help="cases 3-4 only (default sgd)")
    g.add_argument("--momentum", type=float, help="momentum for --optimizer momentum (default 0.9)")
    g.add_argument("--betas", metavar="B1,B2", help="Adam's decay rates for --optimizer adam (default 0.9,0.999)")
    g.add_argument("--loss", choices=LOSSES, help="cases 3-4 only (default mse)")
    g.add_argument("--standardize", action=argparse.BooleanOptionalAction, default=None,
                   help="train on z-scored features and a centred target (without a bias: features divided by "
                        "their RMS); parameters, predictions, exports and checkpoints stay in original units")
    d = p.add_argument_group("data")
    d.add_argument("--data", default=None, metavar="seed|synthetic|PATH",
                   help="the notebook's x=[1,2,3,4], y=2x (default), synthetic data, or a CSV file")
    d.add_argument("--n", type=int, help="synthetic: samples (default 100)")
    d.add_argument("--features", type=int, help="synthetic: features (default 1)")
    d.add_argument("--noise", type=float, help="synthetic: noise sigma (default 0.1)")
    d.add_argument("--true-w", metavar="W", help="synthetic: true w, one number or d comma-separated (default 2)")
    d.add_argument("--true-b", type=float, help="synthetic: true b (default 0)")
    d.add_argument("--x-cols", metavar="COLS", help="CSV: feature columns, names or 0-based indices, comma-separated "
                                                    "(default: all but the target)")
    d.add_argument("--y-col", metavar="COL", help="CSV: target column, name or 0-based index (default: last)")
    p.add_argument("--load", metavar="PATH", help="start from a checkpoint (weights and configuration)")


@dataclass
class Setup:
    config: TrainConfig
    dataset: Dataset
    checkpoint: Checkpoint | None = None


def setup_from_args(args: argparse.Namespace) -> Setup:
    """Build and validate the configuration and load the data; raises a BAD_INPUT error on problems."""
    ckpt = load_checkpoint(args.load) if getattr(args, "load", None) else None
    base = ckpt.config_to_continue() if ckpt else None
    case = args.case if args.case is not None else (base.case if base else 1)
    if base is not None:
        cfg = base if case == base.case else base.with_case(case)
    else:
        cfg = TrainConfig.for_case(case)
    changes: dict[str, Any] = {}
    for name in ("lr", "epochs", "log_every", "init_b", "bias", "seed", "tol", "patience", "batch_size",
                 "optimizer", "momentum", "loss", "standardize"):
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if args.init_w is not None:
        changes["init_w"] = tuple(parse_numbers(args.init_w, "--init-w"))
    if getattr(args, "betas", None) is not None:
        betas = parse_numbers(args.betas, "--betas")
        if len(betas) != 2:
            raise InputError(f"--betas: two numbers, B1,B2 (got {len(betas)})")
        changes["betas"] = (betas[0], betas[1])
    spec = cfg.data
    dchanges: dict[str, Any] = {}
    for name in ("n", "features", "noise", "true_b", "x_cols", "y_col"):
        value = getattr(args, name, None)
        if value is not None:
            dchanges[name] = value
    if args.data is not None:
        dchanges["source"] = args.data
    if args.true_w is not None:
        dchanges["true_w"] = tuple(parse_numbers(args.true_w, "--true-w"))
    if dchanges:
        spec = DataSpec(**{**spec.__dict__, **dchanges})
    cfg = cfg.replace(**changes, data=spec)
    dataset = dataset_for(cfg)
    check_shapes(cfg, dataset)
    return Setup(cfg, dataset, ckpt)


def dataset_for(cfg: TrainConfig) -> Dataset:
    s = cfg.data
    return load_data(s.source, n=s.n, features=s.features, noise=s.noise, true_w=s.true_w, true_b=s.true_b,
                     rng_seed=cfg.seed, x_cols=s.x_cols, y_col=s.y_col)


def check_shapes(cfg: TrainConfig, dataset: Dataset) -> None:
    if cfg.init_w is not None and len(cfg.init_w) not in (1, dataset.d):
        raise ConfigError([f"init_w: needs 1 or {dataset.d} values for {dataset.d} features "
                           f"(got {len(cfg.init_w)})"])


def _num(v: float | None) -> float | None:
    return v if v is not None and math.isfinite(v) else None


def _json_line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, allow_nan=False)


def _epoch_json(ev: EpochEnded) -> str:
    return _json_line({"event": "epoch", "epoch": ev.epoch, "loss": _num(ev.loss), "w": [_num(v) for v in ev.w],
                       "b": _num(ev.b), "grad_w": [_num(v) for v in ev.grad_w], "grad_b": _num(ev.grad_b)})


def _fmt_params(w: tuple[float, ...], b: float | None) -> str:
    ws = f"{w[0]:.3f}" if len(w) == 1 else "[" + ", ".join(f"{v:.3f}" for v in w) + "]"
    return f"w={ws}" + ("" if b is None else f", b={b:.3f}")


def final_line(fin: RunFinished, star: analysis.ClosedForm, dist: float) -> str:
    line = f"{fin.reason}: {fin.epochs} epochs, {_fmt_params(fin.w, fin.b)}, loss={fin.loss:.6g}"
    line += f"; θ*: {_fmt_params(star.w, star.b)}, loss*={star.loss:.6g}, ‖θ−θ*‖={dist:.4g}"
    if fin.reason != "completed":
        line += f" — {fin.message}"
    return line


class _Progress:
    """A rich progress bar on stderr for long runs on a terminal; nothing when stderr is piped."""

    def __init__(self, total: int, stream: TextIO):
        self._bar: Any = None
        self._last = 0.0
        if total >= PROGRESS_MIN_EPOCHS and stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("epoch"), MofNCompleteColumn(), BarColumn(), TimeRemainingColumn(),
                                 TextColumn("loss {task.fields[loss]}"), console=Console(file=stream),
                                 transient=True)
            self._task = self._bar.add_task("train", total=total, loss="")
            self._bar.start()

    def update(self, epoch: int, loss: float) -> None:
        if self._bar is None:
            return
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            self._bar.update(self._task, completed=epoch, loss=f"{loss:.6g}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def cmd_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    setup = setup_from_args(args)
    cfg, dataset = setup.config, setup.dataset
    predict_x = parse_predict(args.predict, dataset.d) if args.predict is not None else None
    for path, what in ((args.export, "--export"), (args.save, "--save")):
        if path is not None:
            _check_writable(path, what)
    if args.export is not None and not args.export.lower().endswith((".csv", ".json")):
        raise InputError(f"--export: {args.export}: path must end in .csv or .json")
    run = Run(cfg, dataset)
    history = History(dataset.d, cfg.bias) if args.export else None
    progress = _Progress(cfg.epochs, err)
    log_every = cfg.log_every
    as_json = args.json
    write = out.write
    if cfg.standardize:
        before, after = scaling.conditioning(dataset, cfg.bias)
        if as_json:
            write(_json_line({"event": "standardize", "condition": [_num(before.condition), _num(after.condition)],
                              "eta_max": [_num(before.eta_max), _num(after.eta_max)]}) + "\n")
        else:
            write(scaling.effect(before, after) + "\n")
    try:
        with np.errstate(all="ignore"):
            for block, _ in run.blocks():
                if history is not None:
                    history.extend_block(block)
                # the logged epochs of the block: every one with --json, else epochs 1, 1 + log_every, …
                start = 0 if as_json else -(block.first - 1) % log_every
                step = 1 if as_json else log_every
                for i in range(start, len(block), step):
                    ev = block.event(i)
                    write((_epoch_json(ev) if as_json else format_epoch(ev.epoch, ev.w, ev.b, ev.loss)) + "\n")
                progress.update(block.last, float(block.loss[-1]))
    finally:
        progress.close()
    fin = run.finished
    assert fin is not None
    star = analysis.closed_form(dataset.X, dataset.y, cfg.bias)
    dist = analysis.distance(fin.w, fin.b, star.w, star.b)
    if as_json:
        doc: dict[str, Any] = {"event": "finished", "reason": fin.reason, "epochs": fin.epochs,
                               "w": [_num(v) for v in fin.w], "b": _num(fin.b), "loss": _num(fin.loss),
                               "theta_star": {"w": list(star.w), "b": star.b, "loss": star.loss},
                               "dist_star": _num(dist)}
        if dataset.true_w is not None:
            ref_b = dataset.true_b if cfg.bias else None
            doc["dist_true"] = _num(analysis.distance(fin.w, fin.b, dataset.true_w, ref_b))
        if fin.reason != "completed":
            doc["message"] = fin.message
        write(_json_line(doc) + "\n")
    else:
        write(final_line(fin, star, dist) + "\n")
    if predict_x is not None:
        preds = run.trainer.predict(predict_x).reshape(-1)
        for x, y in zip(predict_x, preds, strict=True):
            if as_json:
                write(_json_line({"event": "prediction", "x": [float(v) for v in x], "y": _num(float(y))}) + "\n")
            else:
                write(format_prediction(x, float(y)) + "\n")
    if args.save is not None:
        save_checkpoint(args.save, cfg, fin.epochs, fin.w, fin.b)
    if history is not None and args.export is not None:
        history.export(args.export, extra={"config": cfg.to_dict(), "reason": fin.reason})
    return EXIT_DIVERGED if fin.reason == "diverged" else EXIT_OK


def _check_writable(path: str, what: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputError(f"{what}: {path}: is a directory")
    if not os.path.isdir(folder):
        raise InputError(f"{what}: {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{what}: {path}: folder {folder} is not writable")


def cmd_gradcheck(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    setup = setup_from_args(args)
    cfg, dataset = setup.config, setup.dataset
    run = Run(cfg, dataset)
    w, b = run.trainer.parameters()
    gc = analysis.gradcheck(dataset.X, dataset.y, w, b)
    if args.json:
        out.write(_json_line({"event": "gradcheck", "params": list(gc.names), "hand": list(gc.hand),
                              "autograd": list(gc.autograd), "finite_diff": list(gc.finite_diff),
                              "notebook_sum": list(gc.notebook), "rel_err_hand": gc.err_hand,
                              "rel_err_autograd": gc.err_autograd,
                              "notebook_ratio": _num(gc.ratio_notebook)}) + "\n")
        return EXIT_OK
    out.write(f"gradient check at {_fmt_params(w, b)} on {dataset.name} (n={dataset.n}, d={dataset.d}), float64\n")
    out.write(f"{'param':>6} {'hand (case 1)':>16} {'autograd':>16} {'finite diff':>16}\n")
    for i, name in enumerate(gc.names):
        out.write(f"{name:>6} {gc.hand[i]:>16.8g} {gc.autograd[i]:>16.8g} {gc.finite_diff[i]:>16.8g}\n")
    out.write(f"relative error vs finite differences: hand {gc.err_hand:.2e}, autograd {gc.err_autograd:.2e}\n")
    if math.isfinite(gc.ratio_notebook):
        out.write(f"the notebook's np.dot(2*x, y_pred - y).mean() is a sum: {gc.ratio_notebook:.4g}× the true "
                  f"gradient of w (N = {dataset.n})\n")
    return EXIT_OK


def _case_params(ev: EpochEnded) -> dict[str, Any]:
    return {"loss": _num(ev.loss), "w": [_num(v) for v in ev.w], "b": _num(ev.b)}


def cmd_compare(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from linreg_core.compare import ROUNDOFF, Compare

    setup = setup_from_args(args)
    cmp = Compare(setup.config, setup.dataset)
    every = setup.config.log_every
    write = out.write
    step = None
    with np.errstate(all="ignore"):
        for step in cmp:
            if (step.epoch - 1) % every != 0 and not cmp.finished:
                continue
            if args.json:
                write(_json_line({"event": "compare", "epoch": step.epoch,
                                  "cases": {str(c): _case_params(e) for c, e in step.events.items()},
                                  "max_dtheta": _num(step.max_dtheta),
                                  "max_dtheta_so_far": _num(step.max_dtheta_so_far)}) + "\n")
            else:
                parts = " | ".join(f"{c}: {_fmt_params(e.w, e.b)}, loss={e.loss:.3f}" for c, e in step.events.items())
                write(f"epoch {step.epoch}: {parts} | max|Δθ|={step.max_dtheta:.2g}\n")
    assert step is not None
    reasons = cmp.reasons()
    diverged = "diverged" in reasons.values()
    reason = "diverged" if diverged else next(iter(reasons.values()))
    roundoff = step.at_roundoff
    if args.json:
        write(_json_line({"event": "finished", "reason": reason, "reasons": {str(c): r for c, r in reasons.items()},
                          "epochs": step.epoch, "max_dtheta": _num(step.max_dtheta_so_far),
                          "roundoff": roundoff}) + "\n")
    else:
        verdict = ("float32 round-off: the four cases agree" if roundoff else
                   f"NOT float32 round-off (> {ROUNDOFF:g}·max(1, |θ|)): the cases disagree")
        write(f"{reason}: {step.epoch} epochs, max|Δθ| between cases so far {step.max_dtheta_so_far:.3g} — "
              f"{verdict}\n")
    return EXIT_DIVERGED if diverged else EXIT_OK


def cmd_lr_find(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from linreg_core.lrfind import lr_find

    setup = setup_from_args(args)
    try:
        res = lr_find(setup.config, setup.dataset, args.start, args.end, args.steps, args.lr_epochs)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    b = res.bound
    if args.json:
        for lr, loss in zip(res.lrs, res.losses, strict=True):
            out.write(_json_line({"event": "lr", "lr": lr, "loss": _num(loss)}) + "\n")
        out.write(_json_line({"event": "suggestion", "lr": res.suggested, "stopped_at": res.stopped_at,
                              "eta_max": None if b is None else _num(b.eta_max),
                              "eta_opt": None if b is None else _num(b.eta_opt),
                              "condition": None if b is None else _num(b.condition)}) + "\n")
        return EXIT_OK
    finite = [v for v in res.losses if math.isfinite(v) and v > 0]
    lo, hi = (math.log10(min(finite)), math.log10(max(finite))) if finite else (0.0, 1.0)
    for lr, loss in zip(res.lrs, res.losses, strict=True):
        bar = ""
        if math.isfinite(loss) and loss > 0:
            bar = "█" * (1 + int(39 * (math.log10(loss) - lo) / max(hi - lo, 1e-12)))
        mark = "  ← η_max" if b is not None and lr <= b.eta_max < lr * (res.lrs[1] / res.lrs[0]) else ""
        out.write(f"lr {lr:10.4g}  loss {loss:12.6g}  {bar}{mark}\n")
    if res.stopped_at is not None:
        out.write(f"stopped at lr {res.stopped_at:.4g}: the loss diverged\n")
    bound = (f"analytic bound η_max = {b.eta_max:.4g}, η_opt = {b.eta_opt:.4g}, condition number κ(H) = "
             f"{b.condition:.4g}" if b is not None else
             "the analytic bound does not apply (not full-batch MSE with plain SGD)")
    sug = "none" if res.suggested is None else f"{res.suggested:.4g}"
    out.write(f"suggested lr: {sug}; {bound}\n")
    return EXIT_OK


def cmd_code(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from linreg_core.code import step_source

    case = args.case or 1
    where, lines = step_source(case)
    out.write(f"case {case}: one training step, from {where} (hand = written by hand, torch = done by torch)\n")
    for line in lines:
        tag = "" if line.manual is None else ("hand" if line.manual else "torch")
        out.write(f"{tag:>5} | {line.text}\n")
    return EXIT_OK


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="linreg", description="Linear regression by gradient descent at four levels of "
                           "automation (the headless side of linreg-tui).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    run = sub.add_parser("run", help="train and print the notebook-style log",
                         description="Train one case and print seed-style lines. Exit status: 0 completed or "
                                     "converged, 3 diverged, 2 bad input, 1 unexpected error.")
    add_config_options(run)
    o = run.add_argument_group("output")
    o.add_argument("--predict", metavar="INPUTS",
                   help="after training, predict: '5,3,4' or '5 3 4' (one feature); rows of d numbers "
                        "separated by ';' for d features")
    o.add_argument("--json", action="store_true", help="one strict JSON object per line")
    o.add_argument("--save", metavar="PATH", help="write a checkpoint (JSON: weights + configuration)")
    o.add_argument("--export", metavar="PATH", help="write the per-epoch history (.csv or .json)")
    gc = sub.add_parser("gradcheck", help="hand-derived vs autograd vs finite-difference gradient",
                        description="At the initial parameters (or a checkpoint's), compare case 1's hand-derived "
                                    "gradient, torch autograd and central finite differences in float64.")
    add_config_options(gc)
    gc.add_argument("--json", action="store_true", help="one strict JSON object")
    cp = sub.add_parser("compare", help="the four cases in lockstep",
                        description="Run cases 1-4 in lockstep on the same data, initial parameters (w = b = 0 "
                                    "unless --init-w/--init-b), bias setting and lr; print each case's parameters "
                                    "and loss per logged epoch and the largest |Δθ| between any two cases.")
    add_config_options(cp)
    cp.add_argument("--json", action="store_true", help="one strict JSON object per line")
    cd = sub.add_parser("code", help="the training step of a case, from the source that runs",
                        description="Print the selected case's training step (the code that runs), each line "
                                    "marked as written by hand or done by torch.")
    cd.add_argument("--case", type=int, choices=(1, 2, 3, 4), default=None, help="case (default 1)")
    lf = sub.add_parser("lr-find", help="learning-rate range test",
                        description="Sweep lr exponentially from --start to --end over --steps values, each for "
                                    "--lr-epochs epochs from the same initial parameters, stopping when the loss "
                                    "diverges; print the loss per lr, the analytic bound where it applies, and a "
                                    "suggested rate.")
    add_config_options(lf)
    lf.add_argument("--start", type=float, default=1e-5, help="first lr (default 1e-5)")
    lf.add_argument("--end", type=float, default=10.0, help="last lr (default 10)")
    lf.add_argument("--steps", type=int, default=40, help="number of rates (default 40)")
    lf.add_argument("--lr-epochs", type=int, default=10, help="epochs per rate (default 10)")
    lf.add_argument("--json", action="store_true", help="one strict JSON object per line")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(out)
            return EXIT_BAD_INPUT
        handler = {"run": cmd_run, "gradcheck": cmd_gradcheck, "compare": cmd_compare,
                   "lr-find": cmd_lr_find, "code": cmd_code}[args.command]
        return handler(args, out, err)
    except UsageError as exc:
        err.write(f"linreg: error: {exc}\n")
        return EXIT_BAD_INPUT
    except BAD_INPUT as exc:
        err.write(f"linreg: error: {_one_line(str(exc))}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        err.write(f"linreg: error: {_one_line(str(exc))}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        err.write("linreg: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract: exit 1, one line
        err.write(f"linreg: unexpected error: {type(exc).__name__}: {_one_line(str(exc))}\n")
        if os.environ.get("LINREG_DEBUG"):
            raise
        return EXIT_UNEXPECTED


def _one_line(text: str) -> str:
    return " ".join(text.split())


def entry() -> None:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
