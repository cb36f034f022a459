"""The headless command ``linreg``.

Exit status: 0 completed or converged · 3 diverged · 4 failed (a step torch refused) · 2 bad input (one line on
stderr) · 1 anything unexpected.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from typing import Any, Sequence, TextIO

import numpy as np

from linreg_core import analysis, report, scaling
from linreg_core.checkpoint import save as save_checkpoint
from linreg_core.class_cli import add_class, class_command
from linreg_core.engine import Run
from linreg_core.events import EpochEnded
from linreg_core.history import History
from linreg_core.lesson_cli import add_lessons, lesson_command, lessons
from linreg_core.options import (
    BAD_INPUT,
    EXIT_BAD_INPUT,
    EXIT_DIVERGED,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNEXPECTED,
    OneLineParser,
    UsageError,
    add_config_options,
    add_version,
    check_writable,
    one_line,
    setup_from_args,
)
from linreg_core.parse import InputError, parse_predict
from linreg_core.report import Progress, RunReport, fmt_params, json_line, num


def cmd_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    setup = setup_from_args(args)
    cfg, dataset = setup.config, setup.dataset
    predict_x = parse_predict(args.predict, dataset.d) if args.predict is not None else None
    for path, what in ((args.export, "--export"), (args.save, "--save")):
        if path is not None:
            check_writable(path, what)
    if args.export is not None and not args.export.lower().endswith((".csv", ".json")):
        raise InputError(f"--export: {args.export}: path must end in .csv or .json")
    rep = RunReport(out, args.json, cfg.log_every)
    if cfg.standardize:
        rep.standardize(*scaling.conditioning(dataset, cfg.bias))
    run = Run(cfg, dataset)
    history = History(dataset.d, cfg.bias) if args.export else None
    rep.follow(run, Progress(cfg.epochs, err), history)
    fin = run.finished
    assert fin is not None
    rep.finished(fin, dataset, cfg.bias)
    if predict_x is not None:
        rep.predictions(predict_x, run.trainer.predict(predict_x).reshape(-1))
    if args.save is not None:
        save_checkpoint(args.save, cfg, fin.epochs, fin.w, fin.b)
    if history is not None and args.export is not None:
        history.export(args.export, extra={"config": cfg.to_dict(), "reason": fin.reason})
    return {"diverged": EXIT_DIVERGED, "failed": EXIT_FAILED}.get(fin.reason, EXIT_OK)


def cmd_gradcheck(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    setup = setup_from_args(args)
    cfg, dataset = setup.config, setup.dataset
    run = Run(cfg, dataset)
    w, b = run.trainer.parameters()
    gc = analysis.gradcheck(dataset.X, dataset.y, w, b)
    if args.json:
        out.write(json_line({"event": "gradcheck", "params": list(gc.names), "hand": list(gc.hand),
                              "autograd": list(gc.autograd), "finite_diff": list(gc.finite_diff),
                              "notebook_sum": list(gc.notebook), "rel_err_hand": gc.err_hand,
                              "rel_err_autograd": gc.err_autograd,
                              "notebook_ratio": num(gc.ratio_notebook)}) + "\n")
        return EXIT_OK
    out.write(f"gradient check at {fmt_params(w, b)} on {dataset.name} (n={dataset.n}, d={dataset.d}), float64\n")
    out.write(f"{'param':>6} {'hand (case 1)':>16} {'autograd':>16} {'finite diff':>16}\n")
    for i, name in enumerate(gc.names):
        out.write(f"{name:>6} {gc.hand[i]:>16.8g} {gc.autograd[i]:>16.8g} {gc.finite_diff[i]:>16.8g}\n")
    out.write(f"relative error vs finite differences: hand {gc.err_hand:.2e}, autograd {gc.err_autograd:.2e}\n")
    if math.isfinite(gc.ratio_notebook):
        out.write(f"the notebook's np.dot(2*x, y_pred - y).mean() is a sum: {gc.ratio_notebook:.4g}× the true "
                  f"gradient of w (N = {dataset.n})\n")
    return EXIT_OK


def _case_params(ev: EpochEnded) -> dict[str, Any]:
    return {"loss": num(ev.loss), "w": [num(v) for v in ev.w], "b": num(ev.b)}


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
                write(json_line({"event": "compare", "epoch": step.epoch,
                                  "cases": {str(c): _case_params(e) for c, e in step.events.items()},
                                  "max_dtheta": num(step.max_dtheta),
                                  "max_dtheta_so_far": num(step.max_dtheta_so_far)}) + "\n")
            else:
                parts = " | ".join(f"{c}: {fmt_params(e.w, e.b)}, loss={e.loss:.3f}" for c, e in step.events.items())
                write(f"epoch {step.epoch}: {parts} | max|Δθ|={step.max_dtheta:.2g}\n")
    assert step is not None
    reasons = cmp.reasons()
    diverged = "diverged" in reasons.values()
    reason = "diverged" if diverged else next(iter(reasons.values()))
    roundoff = step.at_roundoff
    if args.json:
        write(json_line({"event": "finished", "reason": reason, "reasons": {str(c): r for c, r in reasons.items()},
                          "epochs": step.epoch, "max_dtheta": num(step.max_dtheta_so_far),
                          "roundoff": roundoff}) + "\n")
    else:
        verdict = ("float32 round-off: the four cases agree" if roundoff else
                   f"NOT float32 round-off (> {ROUNDOFF:g}·max(1, |θ|)): the cases disagree")
        write(f"{reason}: {step.epoch} epochs, max|Δθ| between cases so far {step.max_dtheta_so_far:.3g} — "
              f"{verdict}\n")
    return EXIT_DIVERGED if diverged else EXIT_OK


def cmd_lr_find(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from linreg_core.lrfind import bound_row, lr_find

    setup = setup_from_args(args)
    try:
        res = lr_find(setup.config, setup.dataset, args.start, args.end, args.steps, args.lr_epochs)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    b = res.bound
    if args.json:
        for lr, loss in zip(res.lrs, res.losses, strict=True):
            out.write(json_line({"event": "lr", "lr": lr, "loss": num(loss)}) + "\n")
        out.write(json_line({"event": "suggestion", "lr": res.suggested, "stopped_at": res.stopped_at,
                              "eta_max": None if b is None else num(b.eta_max),
                              "eta_opt": None if b is None else num(b.eta_opt),
                              "condition": None if b is None else num(b.condition)}) + "\n")
        return EXIT_OK
    finite = [v for v in res.losses if math.isfinite(v) and v > 0]
    lo, hi = (math.log10(min(finite)), math.log10(max(finite))) if finite else (0.0, 1.0)
    rows = []
    for lr, loss in zip(res.lrs, res.losses, strict=True):
        bar = ""
        if math.isfinite(loss) and loss > 0:
            bar = "█" * (1 + int(39 * (math.log10(loss) - lo) / max(hi - lo, 1e-12)))
        rows.append(f"lr {lr:10.4g}  loss {loss:12.6g}  {bar}")
    at = None if b is None else bound_row(res.lrs, b.eta_max)
    if b is not None and at is not None and (at < len(rows) or b.eta_max <= args.end):
        rows.insert(at, f"── η_max = {b.eta_max:.4g} {'─' * 20}")  # between the rows it falls between
    out.write("".join(row + "\n" for row in rows))
    if res.stopped_at is not None:
        out.write(f"stopped at lr {res.stopped_at:.4g}: the loss diverged\n")
    bound = (f"analytic bound η_max = {b.eta_max:.4g}, η_opt = {b.eta_opt:.4g}, condition number κ(H) = "
             f"{b.condition:.4g}" if b is not None else
             "the analytic bound does not apply (not full-batch MSE with plain SGD)")
    sug = "none" if res.suggested is None else f"{res.suggested:.4g}"
    out.write(f"suggested lr: {sug}; {bound}\n")
    return EXIT_OK


def cmd_step(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from linreg_core.stepper import step_by_block

    setup = setup_from_args(args)
    cfg, dataset = setup.config, setup.dataset
    if cfg.batch_size is not None and cfg.batch_size < dataset.n:
        raise InputError("--batch-size: stepping inside an epoch steps a full-batch epoch (leave --batch-size out)")
    k = args.at_epoch
    if not 0 <= k < cfg.epochs:
        raise InputError(f"--at-epoch: must be in 0…{cfg.epochs - 1}: the epochs of the run before the stepped one "
                         f"(got {k})")
    run = Run(cfg, dataset)
    with np.errstate(all="ignore"):
        while run.epoch < k and run.finished is None:
            run.advance_span(k - run.epoch)
    if run.finished is not None:
        out.write(report.step_ended(run.finished, args.json) + "\n")
        return EXIT_FAILED if run.finished.reason == "failed" else EXIT_DIVERGED
    failed = False
    for result in step_by_block(run.trainer):
        out.write((report.block_json(result) if args.json else report.block_text(result)) + "\n")
        failed = bool(result.error)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_script(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from linreg_core.export import notebook, program
    from linreg_core.fileio import FileExistsNoOverwrite, atomic_write

    setup = setup_from_args(args)
    cfg, dataset = setup.config, setup.dataset
    predict_x = parse_predict(args.predict, dataset.d) if args.predict is not None else None
    fmt = args.format or ("ipynb" if args.output and args.output.lower().endswith(".ipynb") else "py")
    try:
        text = (notebook if fmt == "ipynb" else program)(cfg, dataset, predict_x)
    except ValueError as exc:
        raise InputError(f"script: {exc}") from None
    if args.output is None:
        out.write(text)
        return EXIT_OK
    check_writable(args.output, "-o")
    try:
        atomic_write(args.output, text, overwrite=args.force)
    except FileExistsNoOverwrite:
        raise InputError(f"-o: {args.output}: exists (--force replaces it)") from None
    return EXIT_OK


def cmd_landscape(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from linreg_core.landscape import check_axes, draw, landscape

    setup = setup_from_args(args)
    cfg, dataset = setup.config, setup.dataset
    axes = [a.strip() for a in args.params.split(",")] if args.params else None
    try:
        check_axes(axes, dataset.d, cfg.bias)  # before the run: a bad name is answered at once
    except ValueError as exc:
        raise InputError(str(exc)) from None
    small = [f"{flag} at least {least} (got {value})" for flag, value, least in (
        ("--levels", args.levels, 3), ("--width", args.width, 20), ("--height", args.height, 8)) if value < least]
    if small:
        raise InputError("; ".join(small))
    run = Run(cfg, dataset)
    w0, b0 = run.trainer.parameters()
    path = [[*w0, *([b0] if b0 is not None else [])]]
    with np.errstate(all="ignore"):
        for block, _ in run.blocks():
            for i in range(len(block)):
                path.append([*block.w[i].tolist(), *([float(block.b[i])] if block.b is not None else [])])
    with np.errstate(all="ignore"):
        land = landscape(cfg, dataset, path, axes, args.levels)
    if args.json:
        doc: dict[str, Any] = {"event": "landscape", "axes": land.axes, "fixed": land.fixed,
                               "theta_star": land.theta_star,
                               "path": [[num(v) for v in p] for p in land.path], "levels": land.levels}
        if land.curve:
            doc["curve"] = land.curve
        else:
            doc["contours"] = [{"level": lv, "points": pts} for lv, pts in land.contours]
        out.write(json_line(doc) + "\n")
        return EXIT_OK
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(args.width, args.height)
    draw(plt, land)
    picture = plt.build()
    out.write((picture if hasattr(out, "isatty") and out.isatty() else plt.uncolorize(picture)) + "\n")
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
    add_version(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    run = sub.add_parser("run", help="train and print the notebook-style log",
                         description="Train one case and print seed-style lines. Exit status: 0 completed or "
                                     "converged, 3 diverged, 4 failed (a step torch refused), 2 bad input, 1 "
                                     "unexpected error.")
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
    _add_step_and_code(sub)
    add_lessons(sub)
    add_class(sub)
    return parser


def _add_step_and_code(sub: Any) -> None:
    ls = sub.add_parser("landscape", help="the loss landscape with the run's path",
                        description="Run the configuration as linreg run does (without its log), then draw the loss "
                                    "over one parameter or as contours over two, with the path and θ*.")
    add_config_options(ls)
    ls.add_argument("--params", metavar="NAME,NAME", help="the parameters to draw (w or w1, w2, …, b; default the "
                                                          "first two)")
    ls.add_argument("--levels", type=int, default=6, help="contour levels (default 6, at least 3)")
    ls.add_argument("--width", type=int, default=100, help="chart width in columns (default 100)")
    ls.add_argument("--height", type=int, default=30, help="chart height in rows (default 30)")
    ls.add_argument("--json", action="store_true", help="one strict JSON line with the picture's numbers")
    sc = sub.add_parser("script", help="the run as a standalone Python program or Jupyter notebook",
                        description="Write the run as a program that needs only NumPy (case 1) or NumPy and torch, "
                                    "in the notebook's style, printing the same epoch lines as linreg run.")
    add_config_options(sc)
    sc.add_argument("--predict", metavar="INPUTS", help="inputs to predict after training, as for linreg run")
    sc.add_argument("--format", choices=("py", "ipynb"), help="py (default) or ipynb (default for a .ipynb -o)")
    sc.add_argument("-o", dest="output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    sc.add_argument("--force", action="store_true", help="replace an existing FILE")
    st = sub.add_parser("step", help="inside one training step: the four blocks one at a time, with the values",
                        description="Train --at-epoch epochs, then run the next epoch one block at a time — "
                                    "prediction, loss, gradient, update — printing after each the code it ran (from "
                                    "the case's source) and the values of the arrays and tensors it read or wrote. "
                                    "Exit status: 0, 2 bad input, 3 the run ended before, 4 a step torch refused.")
    add_config_options(st)
    st.add_argument("--at-epoch", type=int, default=0, metavar="K", help="epochs to train first (default 0)")
    st.add_argument("--json", action="store_true", help="one strict JSON object per block")
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


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_usage(err)
            err.write("linreg: error: a command is needed (linreg --help lists them)\n")
            return EXIT_BAD_INPUT
        handler = {"run": cmd_run, "gradcheck": cmd_gradcheck, "compare": cmd_compare,
                   "lr-find": cmd_lr_find, "code": cmd_code, "step": cmd_step, "script": cmd_script,
                   "landscape": cmd_landscape, "lessons": lessons, "lesson": lesson_command,
                   "class": class_command}[args.command]
        return handler(args, out, err)
    except UsageError as exc:
        err.write(f"linreg: error: {exc}\n")
        return EXIT_BAD_INPUT
    except BAD_INPUT as exc:
        err.write(f"linreg: error: {one_line(str(exc))}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        err.write(f"linreg: error: {one_line(str(exc))}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        err.write("linreg: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract: exit 1, one line
        err.write(f"linreg: unexpected error: {type(exc).__name__}: {one_line(str(exc))}\n")
        if os.environ.get("LINREG_DEBUG"):
            raise
        return EXIT_UNEXPECTED


def entry() -> None:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
