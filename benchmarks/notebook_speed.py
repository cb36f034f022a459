"""``linreg run`` against the seed notebook's own loops, each a whole process with its start-up subtracted.

For every case, three programs run N epochs and then 1 epoch (the difference is the loop alone, start-up and
imports cancelled out), interleaved so that drifts in the machine's speed hit all alike:

* the notebook's loop as the notebook writes it: its scalar ``w * x`` on the four seed points, its ``forward`` and
  ``loss`` functions, its optimizer; its per-epoch ``print`` left out (the last epoch's line printed once);
* the same math in matrix form (X as [4, 1], ``X @ w``), the form the cases are written in;
* ``linreg run --case k --epochs N --log-every N`` (one line printed), the product.

Prints ``linreg run`` / notebook (goal ≤ 1.4) and ``linreg run`` / matrix form (goal ≤ 1.10), medians of --reps.

    python benchmarks/notebook_speed.py [--epochs 50000] [--reps 5] [--cases 1,2,3,4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

BIN = os.path.dirname(sys.executable)

DATA = {
    "numpy": "import numpy as np\nx = np.array([1, 2, 3, 4], dtype=np.float32)\ny = 2 * x\n",
    "torch": "import torch\nx = torch.tensor([1, 2, 3, 4], dtype=torch.float32)\ny = 2 * x\n",
}
MATRIX = ".reshape(4, 1)"  # the seed's data as [N, d]

#: The notebook's loop body per case (its own lines), with ``w`` and the data set up by SETUP.
LOOPS = {
    1: """
def forward(x):
    return w * x
def loss(y, y_predicted):
    return ((y_predicted - y) ** 2).mean()
def gradient(x, y, y_predicted):
    return np.dot(2 * x, y_predicted - y).mean()
for epoch in range(N):
    y_pred = forward(x)
    l = loss(y, y_pred)
    dw = gradient(x, y, y_pred)
    w -= LR * dw
""",
    2: """
def forward(x):
    return w * x
def loss(y, y_predicted):
    return ((y_predicted - y) ** 2).mean()
for epoch in range(N):
    y_pred = forward(x)
    l = loss(y, y_pred)
    l.backward()
    with torch.no_grad():
        w -= LR * w.grad
    w.grad.zero_()
""",
    3: """
import torch.nn as nn
def forward(x):
    return w * x
loss = nn.MSELoss()
optimizer = torch.optim.SGD([w], lr=LR)
for epoch in range(N):
    y_pred = forward(x)
    l = loss(y, y_pred)
    l.backward()
    optimizer.step()
    optimizer.zero_grad()
""",
    4: """
import torch.nn as nn
class LinearRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(1, 1)
    def forward(self, x):
        return self.lin(x)
model = LinearRegression()
loss = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=LR)
for epoch in range(N):
    y_pred = model(x)
    l = loss(y, y_pred)
    l.backward()
    optimizer.step()
    optimizer.zero_grad()
""",
}
#: The learning rates of the core's presets (case 1's notebook sums the gradient, N× larger, at 0.005).
LR = {1: 0.005, 2: 0.01, 3: 0.005, 4: 0.01}
CORE_LR = {1: 0.02, 2: 0.01, 3: 0.005, 4: 0.01}


def notebook(case: int, matrix: bool) -> str:
    """The notebook's program for ``case``; N comes from argv."""
    lib = "numpy" if case == 1 else "torch"
    data = DATA[lib]
    if matrix or case == 4:  # nn.Linear takes [N, d]: the notebook's case 4 reshapes too
        data += f"x = x{MATRIX}\ny = y{MATRIX}\n"
    if case == 1:
        w = "np.zeros((1, 1), dtype=np.float32)" if matrix else "0.0"
    else:
        w = "torch.zeros((1, 1), requires_grad=True)" if matrix else "torch.tensor(0.0, requires_grad=True)"
    body = LOOPS[case]
    if matrix:
        body = body.replace("return w * x", "return x @ w")
        if case == 1:  # the cases' gradient in matrix form: 2/N · Xᵀ(y_pred − y)
            body = body.replace("np.dot(2 * x, y_predicted - y).mean()", "2 * x.T @ (y_predicted - y) / len(x)")
    lr = CORE_LR[case] if matrix else LR[case]
    return (f"import sys\n{data}w = {w}\nLR = {lr}\nN = int(sys.argv[1])\n{body}"
            "print(f'epoch {N}: loss={l.item():.3f}')\n")


def seconds(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    return time.perf_counter() - started


def programs(case: int) -> dict[str, list[str]]:
    linreg = [os.path.join(BIN, "linreg"), "run", "--case", str(case), "--lr", str(CORE_LR[case])]
    return {
        "notebook": [sys.executable, "-c", notebook(case, matrix=False)],
        "matrix": [sys.executable, "-c", notebook(case, matrix=True)],
        "linreg": linreg,
    }


def loop_seconds(argv: list[str], name: str, epochs: int) -> float:
    """One run of ``epochs`` less one run of 1 epoch: the loop alone."""
    if name == "linreg":
        return seconds(argv + ["--epochs", str(epochs), "--log-every", str(epochs)]) - \
            seconds(argv + ["--epochs", "1", "--log-every", "1"])
    return seconds(argv + [str(epochs)]) - seconds(argv + ["1"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=50_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--cases", default="1,2,3,4")
    args = ap.parse_args()
    print(f"whole processes, start-up subtracted: {args.epochs} epochs less 1, median of {args.reps}")
    for case in (int(c) for c in args.cases.split(",")):
        progs = programs(case)
        times: dict[str, list[float]] = {name: [] for name in progs}
        for _ in range(args.reps):
            for name, argv in progs.items():
                times[name].append(loop_seconds(argv, name, args.epochs))
        med = {name: statistics.median(ts) for name, ts in times.items()}
        vs_nb = [a / b for a, b in zip(times["linreg"], times["notebook"], strict=True)]
        vs_mx = [a / b for a, b in zip(times["linreg"], times["matrix"], strict=True)]
        print(f"case {case}: loop {med['linreg']:.3f} s · notebook {med['notebook']:.3f} s · matrix form "
              f"{med['matrix']:.3f} s  →  linreg run / notebook {statistics.median(vs_nb):.2f}× (goal ≤ 1.4), "
              f"/ matrix form {statistics.median(vs_mx):.2f}× (goal ≤ 1.10)  "
              f"[{' '.join(f'{r:.2f}' for r in vs_nb)} | {' '.join(f'{r:.2f}' for r in vs_mx)}]", flush=True)


if __name__ == "__main__":
    main()
