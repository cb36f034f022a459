"""linreg_core against bare notebook-style loops, measured in the same process.

Prints, per case, core time / the notebook loop's time (goal ≤ 1.05) over many short runs alternating with the
notebook's loop (drifts in the machine's speed hit both alike): first without the prints on either side (what the
engine adds alone), then as each runs (the notebook's loop with its print, ``linreg run``'s loop with its lines, both
into /dev/null); then, with --reps, as the median ratio of a few long repetitions.
Then, for n = 10⁶, d = 32 float32 full batch, the speed of runs of 20 epochs relative to the bare NumPy / torch
kernels, interleaved in one process (goal ≥ 0.8), and the peak memory relative to the data (goal ≤ 2), each loop
in a fresh subprocess.

    python benchmarks/core_overhead.py [--pairs 40] [--chunk 5000] [--epochs 50000] [--reps 5] [--skip-large]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, TextIO

import numpy as np

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset, seed
from linreg_core.engine import Run
from linreg_core.report import Progress, RunReport


def numpy_cells(w: np.ndarray, n: int) -> tuple[Callable[..., np.ndarray], ...]:
    """Case 1's cells of the notebook — ``forward``, ``loss``, ``gradient`` —, with X as an [N, d] matrix (``w`` is
    updated in place, so they see every update)."""
    def forward(x: np.ndarray) -> np.ndarray:
        return x @ w

    def loss(y: np.ndarray, y_predicted: np.ndarray) -> np.ndarray:
        return ((y_predicted - y) ** 2).mean()

    def gradient(x: np.ndarray, y: np.ndarray, y_predicted: np.ndarray) -> np.ndarray:
        return 2 * x.T @ (y_predicted - y) / n
    return forward, loss, gradient


def torch_cells(w: Any) -> tuple[Callable[..., Any], ...]:
    """Case 2's cells of the notebook — ``forward``, ``loss`` —, with X as an [N, d] matrix."""
    def forward(x: Any) -> Any:
        return x @ w

    def loss(y: Any, y_predicted: Any) -> Any:
        return ((y_predicted - y) ** 2).mean()
    return forward, loss


def notebook_model(d: int, bias: bool) -> Any:
    """Case 4's model as the notebook writes it: an ``nn.Linear`` inside an ``nn.Module`` subclass."""
    from torch import nn

    class LinearRegression(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(d, 1, bias=bias)

        def forward(self, x: Any) -> Any:
            return self.lin(x)

    return LinearRegression()


def bare_loop(case: int, ds: Dataset, lr: float, epochs: int, bias: bool = False) -> Callable[[], float]:
    """The notebook's own loop for ``case`` — its lines (its ``forward`` and ``loss`` functions too), with the data
    as [N, d] matrices in the core's dtypes — and nothing else (its ``print`` every epoch or two left out). Case 1
    writes the gradient as the mean (the notebook's np.dot(2*x, y_pred-y).mean() is a sum, N× larger; the core runs
    the notebook's trace at lr 0.02 with the mean instead of 0.005 with the sum)."""
    X, y = ds.X, ds.y
    n, d = X.shape
    if case == 1:
        def go() -> float:
            w = np.zeros((d, 1), dtype=np.float32)
            forward, loss, gradient = numpy_cells(w, n)

            t0 = time.perf_counter()
            for _ in range(epochs):
                y_pred = forward(X)
                _l = loss(y, y_pred)
                dw = gradient(X, y, y_pred)
                w -= lr * dw
            return time.perf_counter() - t0
        return go

    import torch
    from torch import nn

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    if case == 2:
        def go() -> float:
            w = torch.zeros((d, 1), requires_grad=True)
            forward, loss_of = torch_cells(w)

            t0 = time.perf_counter()
            for _ in range(epochs):
                y_pred = forward(Xt)
                loss = loss_of(yt, y_pred)
                loss.backward()
                with torch.no_grad():
                    w -= lr * w.grad
                w.grad.zero_()
            return time.perf_counter() - t0
        return go
    if case == 3:
        def go() -> float:
            w = torch.zeros((d, 1), requires_grad=True)

            def forward(x: torch.Tensor) -> torch.Tensor:
                return x @ w

            loss_fn = nn.MSELoss()
            opt = torch.optim.SGD([w], lr=lr)
            t0 = time.perf_counter()
            for _ in range(epochs):
                y_pred = forward(Xt)
                loss = loss_fn(y_pred, yt)
                loss.backward()
                opt.step()
                opt.zero_grad()
            return time.perf_counter() - t0
        return go

    def go() -> float:
        torch.manual_seed(0)
        model = notebook_model(d, bias)
        loss_fn = nn.MSELoss()
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        t0 = time.perf_counter()
        for _ in range(epochs):
            y_pred = model(Xt)
            loss = loss_fn(y_pred, yt)
            loss.backward()
            opt.step()
            opt.zero_grad()
        return time.perf_counter() - t0
    return go


def printing_loop(case: int, ds: Dataset, lr: float, epochs: int, sink: TextIO) -> Callable[[], float]:
    """The notebook's loop as the notebook runs it: the lines of :func:`bare_loop` and its ``print`` every epoch
    (case 1) or every second epoch (cases 2–4), into ``sink``. Its values are read with ``.item()`` (the cheapest
    way to format a [1, 1] parameter; the notebook's own ``w[0][0].item()`` indexes twice first)."""
    every = TrainConfig.for_case(case).log_every
    X, y = ds.X, ds.y
    n, d = X.shape
    if case == 1:
        def go() -> float:
            w = np.zeros((d, 1), dtype=np.float32)
            forward, loss, gradient = numpy_cells(w, n)

            t0 = time.perf_counter()
            for epoch in range(epochs):
                y_pred = forward(X)
                l = loss(y, y_pred)  # noqa: E741 - the notebook's name
                dw = gradient(X, y, y_pred)
                w -= lr * dw
                if epoch % every == 0:
                    print(f"epoch {epoch + 1}: w={w.item():.3f}, loss={l:.3f}", file=sink)
            return time.perf_counter() - t0
        return go

    import torch
    from torch import nn

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def line(epoch: int, w: torch.Tensor, l: torch.Tensor) -> None:  # noqa: E741 - the notebook's name
        print(f"epoch {epoch + 1}: w={w.item():.3f}, loss={l.item():.3f}", file=sink)

    if case == 2:
        def go2() -> float:
            w = torch.zeros((d, 1), requires_grad=True)
            forward, loss = torch_cells(w)

            t0 = time.perf_counter()
            for epoch in range(epochs):
                y_pred = forward(Xt)
                l = loss(yt, y_pred)  # noqa: E741
                l.backward()
                with torch.no_grad():
                    w -= lr * w.grad
                w.grad.zero_()
                if epoch % every == 0:
                    line(epoch, w, l)
            return time.perf_counter() - t0
        return go2

    def go34() -> float:
        torch.manual_seed(0)
        model = notebook_model(d, bias=True)  # case 4's preset, as `linreg run` uses it
        w = torch.zeros((d, 1), requires_grad=True)
        params = [model.lin.weight, model.lin.bias] if case == 4 else [w]
        forward = model if case == 4 else (lambda x: x @ w)  # case 3: the notebook's forward(x)
        loss, opt = nn.MSELoss(), torch.optim.SGD(params, lr=lr)
        t0 = time.perf_counter()
        for epoch in range(epochs):
            y_pred = forward(Xt)
            l = loss(y_pred, yt)  # noqa: E741
            l.backward()
            opt.step()
            opt.zero_grad()
            if epoch % every == 0:
                line(epoch, params[0], l)
        return time.perf_counter() - t0
    return go34


def core_loop(case: int, ds: Dataset, lr: float, epochs: int, bias: bool = False) -> Callable[[], float]:
    cfg = TrainConfig.for_case(case, lr=lr, epochs=epochs, bias=bias)

    def go() -> float:
        run = Run(cfg, ds)
        t0 = time.perf_counter()
        for _block in run.blocks():  # what `linreg run` does: every epoch recorded, the stop rules applied
            pass
        return time.perf_counter() - t0
    return go


def core_as_run(case: int, ds: Dataset, lr: float, epochs: int, sink: TextIO) -> Callable[[], float]:
    """``linreg run``'s own loop (``RunReport.follow``): the run's blocks and its notebook lines into ``sink``."""
    cfg = TrainConfig.for_case(case, lr=lr, epochs=epochs)

    def go() -> float:
        run, report = Run(cfg, ds), RunReport(sink, False, cfg.log_every)
        t0 = time.perf_counter()
        report.follow(run, Progress(epochs, sink))
        return time.perf_counter() - t0
    return go


def paired_ratio(case: int, ds: Dataset, lr: float, epochs: int, pairs: int,
                 sink: TextIO | None = None) -> tuple[float, float, float, float]:
    """Runs of ``epochs`` epochs, bare and core alternating ``pairs`` times (each pair in the other order than the
    one before), so that this machine's drifts in speed (seconds long) hit both alike: the ratio of the summed
    times, the median of the pairs' ratios, and the bare and core µs per epoch. With a ``sink``, both as run:
    the notebook's loop with its prints, ``linreg run``'s loop with its lines."""
    if sink is None:
        bare, core = bare_loop(case, ds, lr, epochs), core_loop(case, ds, lr, epochs)
    else:
        bare, core = printing_loop(case, ds, lr, epochs, sink), core_as_run(case, ds, lr, epochs, sink)
    bare(), core()  # warm up
    tb: list[float] = []
    tc: list[float] = []
    for i in range(pairs):
        if i % 2:
            c, b = core(), bare()
        else:
            b, c = bare(), core()
        tb.append(b)
        tc.append(c)
    per_epoch = 1e6 / (epochs * pairs)
    return (sum(tc) / sum(tb), statistics.median(c / b for b, c in zip(tb, tc, strict=True)), sum(tb) * per_epoch,
            sum(tc) * per_epoch)


def median_ratio(case: int, ds: Dataset, lr: float, epochs: int, reps: int) -> tuple[float, float, float]:
    """Median over ``reps`` of core / notebook loop, and the notebook loop's and the core's µs per epoch."""
    bare, core = bare_loop(case, ds, lr, epochs), core_loop(case, ds, lr, epochs)
    bare(), core()  # warm up
    tb, tc = [], []
    for _ in range(reps):  # interleaved, so drifts in machine load hit both alike
        tb.append(bare())
        tc.append(core())
    ratios = [c / b for b, c in zip(tb, tc, strict=True)]
    return statistics.median(ratios), statistics.median(tb) / epochs * 1e6, statistics.median(tc) / epochs * 1e6


LARGE_EPOCHS = 20  # per timed run: the run's fixed costs (its final loss evaluation, a forward pass) count in


def large_data() -> Dataset:
    rng = np.random.default_rng(0)
    n, d = 1_000_000, 32
    X = rng.standard_normal((n, d), dtype=np.float32)
    return Dataset(X=X, y=X @ np.ones((d, 1), dtype=np.float32), name="large")


def peak_rss() -> int:
    """This process's peak resident set size in bytes (VmHWM: unlike ru_maxrss, not inherited from the parent
    across fork and exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def large_memory(case: int, which: str) -> float:
    """n = 10⁶, d = 32, full batch: peak memory over the data for one loop (``bare`` or ``core``), run in a fresh
    process so that the peak RSS belongs to that loop alone."""
    ds = large_data()
    data_bytes = ds.X.nbytes + ds.y.nbytes
    if case != 1:
        import torch  # noqa: F401 - imported before measuring, so its own memory is not counted as ours
    base_rss = peak_rss()
    (bare_loop if which == "bare" else core_loop)(case, ds, 0.01, 3)()
    peak = peak_rss()
    # peak memory over the data = (data + everything the loop allocated) / data
    return (peak - base_rss + data_bytes) / data_bytes


def large_speed(case: int, reps: int) -> tuple[float, float]:
    """n = 10⁶, d = 32, full batch: the median over ``reps`` interleaved pairs of bare time / core time for a
    run of LARGE_EPOCHS epochs (the core's speed relative to the bare kernels), and the core's seconds per epoch."""
    ds = large_data()
    bare, core = bare_loop(case, ds, 0.01, LARGE_EPOCHS), core_loop(case, ds, 0.01, LARGE_EPOCHS)
    bare(), core()  # warm up
    pairs = [(bare(), core()) for _ in range(reps)]
    return statistics.median(b / c for b, c in pairs), statistics.median(c for _, c in pairs) / LARGE_EPOCHS


def large_case(case: int) -> dict[str, float]:
    out = {}
    for which in ("bare", "core"):
        res = subprocess.run([sys.executable, __file__, "--large-case", str(case), "--large-loop", which],
                             capture_output=True, text=True, check=True)
        out[which] = json.loads(res.stdout)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=50_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--pairs", type=int, default=40, help="alternating runs of --chunk epochs (default 40)")
    ap.add_argument("--chunk", type=int, default=5000, help="epochs of each alternating run (default 5000)")
    ap.add_argument("--cases", default="1,2,3,4")
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--large-case", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--large-loop", choices=("bare", "core"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.large_case:
        print(json.dumps(large_memory(args.large_case, args.large_loop)))
        return
    cases = [int(c) for c in args.cases.split(",")]
    print(f"core run vs bare notebook loop, seed data: {args.pairs} alternating runs of {args.chunk} epochs each "
          f"(goal ≤ 1.05)")
    for case in cases:
        lr = TrainConfig.for_case(case).lr
        total, median, bare_us, core_us = paired_ratio(case, seed(), lr, args.chunk, args.pairs)
        flag = "ok" if total <= 1.05 else "MISSED"
        print(f"  case {case}: ratio of the summed times {total:.3f}, median of the pairs {median:.3f}  (bare "
              f"{bare_us:.1f} µs/epoch, core {core_us:.1f} µs/epoch)  {flag}", flush=True)
    print(f"the same as run, both printing into {os.devnull}: the notebook's loop with its print every epoch (case 1) "
          f"or second epoch, `linreg run`'s loop with its lines (goal ≤ 1.05)")
    with open(os.devnull, "w") as sink:
        for case in cases:
            lr = TrainConfig.for_case(case).lr
            total, median, bare_us, core_us = paired_ratio(case, seed(), lr, args.chunk, args.pairs, sink)
            flag = "ok" if total <= 1.05 else "MISSED"
            print(f"  case {case}: ratio of the summed times {total:.3f}, median of the pairs {median:.3f}  (notebook "
                  f"{bare_us:.1f} µs/epoch, linreg run {core_us:.1f} µs/epoch)  {flag}", flush=True)
    if args.reps > 0:
        print(f"the same, as {args.reps} repetitions of {args.epochs} epochs each, median of the ratios "
              f"(goal ≤ 1.05)")
        for case in cases:
            lr = TrainConfig.for_case(case).lr
            ratio, bare_us, core_us = median_ratio(case, seed(), lr, args.epochs, args.reps)
            flag = "ok" if ratio <= 1.05 else "MISSED"
            print(f"  case {case}: ratio {ratio:.3f}  (bare {bare_us:.1f} µs/epoch, core {core_us:.1f} µs/epoch)  "
                  f"{flag}")
    if args.skip_large:
        return
    print(f"n = 10^6, d = 32 float32, full batch: speed vs bare kernels, median of {args.reps} interleaved runs of "
          f"{LARGE_EPOCHS} epochs (goal ≥ 0.8); peak memory / data, each loop in its own process (goal ≤ 2)")
    for case in cases:
        peaks = large_case(case)
        speed, seconds = large_speed(case, max(1, args.reps))
        ok = "ok" if speed >= 0.8 and peaks["core"] <= 2 else "MISSED"
        print(f"  case {case}: speed {speed:.3f}×  epoch {seconds * 1e3:.1f} ms  "
              f"peak/data core {peaks['core']:.2f} (bare {peaks['bare']:.2f})  {ok}", flush=True)


if __name__ == "__main__":
    main()
