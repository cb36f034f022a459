"""Take it home: a run's configuration as a standalone Python program (or a Jupyter notebook) in the notebook's style,
depending only on NumPy (case 1) or NumPy and torch (cases 2-4), that prints the same ``epoch …`` lines (and
``f(x) = …`` lines) as ``linreg run`` with the same options.

The training step is the case's own four blocks (or its mistake's), taken from the source that runs, with ``self.``
dropped: the parameters become module-level names, as in the notebook.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from linreg_core.cases.facts import CASE
from linreg_core.code import BLOCKS, made_lines, step_blocks
from linreg_core.config import CASES, STEPS, TrainConfig
from linreg_core.data import Dataset

OPTIMIZER_CODE = {
    "sgd": "torch.optim.SGD({params}, lr=LR, foreach=False)",
    "momentum": "torch.optim.SGD({params}, lr=LR, momentum=MOMENTUM, foreach=False)",
    "adam": "torch.optim.Adam({params}, lr=LR, betas=BETAS, foreach=False)",
    "rmsprop": "torch.optim.RMSprop({params}, lr=LR, foreach=False)",
    "adagrad": "torch.optim.Adagrad({params}, lr=LR, foreach=False)",
}
LOSS_CODE = {"mse": "nn.MSELoss()", "l1": "nn.L1Loss()", "huber": "nn.HuberLoss()"}
WHAT = {
    "Prediction": "the prediction y_pred = X·w (+ b)",
    "Loss": "the loss, the mean squared error of y_pred against y",
    "Gradient": "the gradient of the loss with respect to w (and b)",
    "Update": "the update: a step against the gradient, then the gradients emptied",
}


def _array(a: npt.NDArray[np.float32]) -> str:
    """An exact float32 array literal (each float32 value is a double exactly, and repr round-trips it)."""
    rows = ", ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in np.asarray(a, np.float64))
    return f"np.array([{rows}], dtype=np.float32)"


def _csv_columns(path: str, config: TrainConfig) -> tuple[bool, list[int], int]:
    """(has a header row, feature columns, target column) as linreg reads the file."""
    from linreg_core.data import _parse, _resolve_column

    name = Path(path).name
    header, values = _parse(Path(path).read_text(encoding="utf-8-sig"), name)
    ncols = values.shape[1]
    s = config.data
    y_index = ncols - 1 if s.y_col is None else _resolve_column(str(s.y_col), header, ncols, name, "--y-col")
    if s.x_cols is None:
        x_index = [i for i in range(ncols) if i != y_index]
    else:
        x_index = [_resolve_column(c.strip(), header, ncols, name, "--x-cols") for c in str(s.x_cols).split(",")]
    return header is not None, x_index, y_index


def _data_code(config: TrainConfig, dataset: Dataset) -> list[str]:
    src = config.data.source
    if src in ("seed", "synthetic"):
        return [f"# the data: {dataset.name} (n={dataset.n}, d={dataset.d}), its exact float32 values",
                f"X = {_array(dataset.X)}", f"y = {_array(dataset.y)}"]
    header, x_index, y_index = _csv_columns(src, config)
    return [f"# the data: {src}, read with NumPy (features: columns {x_index}, target: column {y_index})",
            f"values = np.genfromtxt({src!r}, delimiter=',', skip_header={int(header)}, dtype=np.float64, ndmin=2)",
            f"X = values[:, {x_index}].astype(np.float32)",
            f"y = values[:, [{y_index}]].astype(np.float32)"]


def _scaling_code(config: TrainConfig) -> list[str]:
    if not config.standardize:
        return ["X_train, y_train = X, y"]
    if config.bias:
        stats = ["X64, y64 = X.astype(np.float64), y.astype(np.float64)", "MEAN = X64.mean(axis=0)",
                 "SCALE = X64.std(axis=0)", "Y_MEAN = float(y64.mean())"]
    else:
        stats = ["X64, y64 = X.astype(np.float64), y.astype(np.float64)", "MEAN = np.zeros(X.shape[1])",
                 "SCALE = np.sqrt(np.mean(np.square(X64), axis=0))", "Y_MEAN = 0.0"]
    return ["# standardize: train on x' = (x - mean) / scale and y' = y - mean(y) (without a bias, x / rms only);",
            "# parameters are printed in the data's own units",
            *stats, "SCALE = np.where((SCALE > 0) & np.isfinite(SCALE), SCALE, 1.0)",
            "X_train = ((X64 - MEAN) / SCALE).astype(np.float32)",
            "y_train = (y64 - Y_MEAN).astype(np.float32)",
            "",
            "def to_original(w, b):",
            "    w = np.asarray(w, dtype=np.float64).ravel() / SCALE",
            "    return w, None if b is None else float(b + Y_MEAN - float(np.dot(MEAN, w)))",
            "",
            "def to_scaled(w, b):",
            "    w64 = np.asarray(w, dtype=np.float64).ravel()",
            "    return w64 * SCALE, None if b is None else float(b - Y_MEAN + float(np.dot(MEAN, w64)))"]


def _params_code(config: TrainConfig) -> list[str]:
    init_w = "None" if config.init_w is None else repr(tuple(config.init_w))
    out = [f"INIT_W = {init_w}  # a number (for every feature) or one per feature; None: the case's default",
           f"INIT_B = {config.init_b!r}",
           "init_w = None if INIT_W is None else np.broadcast_to(np.asarray(INIT_W, dtype=np.float32).reshape(-1), "
           "(D,)).copy()"]
    if not CASE[config.case].model:  # a model starts from nn.Linear's initialisation unless these are given
        out += ["w0 = np.zeros((D, 1), dtype=np.float32) if init_w is None else init_w.reshape(D, 1)",
                "b0 = float(INIT_B or 0.0)"]
    return out


def _model_code(config: TrainConfig) -> list[str]:
    case, std = CASE[config.case], config.standardize
    if case.model:
        lines = ["class LinearRegression(nn.Module):",
                 "    def __init__(self, input_size, output_size, bias=True):",
                 "        super().__init__()",
                 "        self.lin = nn.Linear(input_size, output_size, bias=bias)",
                 "",
                 "    def forward(self, x):",
                 "        return self.lin(x)",
                 "",
                 "torch.manual_seed(SEED)",
                 "model = LinearRegression(D, 1, bias=BIAS)"]
        if std:
            lines += ["# the initial values in the data's own units, as the run takes them (round trip included)",
                      "w_init, b_init = to_original(model.lin.weight.detach().numpy(), "
                      "model.lin.bias.item() if BIAS else None)"]
            lines += _std_init()
            lines += ["with torch.no_grad():",
                      "    model.lin.weight.copy_(torch.from_numpy(np.asarray(w_s, dtype=np.float32).reshape(1, D)))",
                      "    if BIAS:",
                      "        model.lin.bias.fill_(float(b_s or 0.0))"]
        else:
            lines += ["with torch.no_grad():",
                      "    if init_w is not None:",
                      "        model.lin.weight.copy_(torch.from_numpy(init_w).reshape(1, D))",
                      "    if BIAS and INIT_B is not None:",
                      "        model.lin.bias.fill_(INIT_B)"]
        made = [m.replace("self.", "") for m in made_lines(config.case, config.mistake)]  # (loss-history-graph)
        return lines + [f"loss_fn = {LOSS_CODE[config.loss]}",
                        f"optimizer = {OPTIMIZER_CODE[config.optimizer].format(params='model.parameters()')}", *made]
    lines = []
    if std:
        lines += ["w_init, b_init = to_original(np.zeros(D), 0.0 if BIAS else None)"] + _std_init() + \
                 ["w0 = np.asarray(w_s, dtype=np.float32).reshape(D, 1)", "b0 = float(b_s or 0.0)"]
    if not case.torch:
        lines += ["w = w0.copy()", "b = np.array(b0, dtype=np.float32)"]
    else:
        # a mistake in how w is made (non-leaf) replaces the line that makes it, as the mistake's __init__ does
        made = [m.replace("self.d", "D").replace("self.", "") for m in made_lines(config.case, config.mistake)]
        makes_w = any(m.startswith("w =") for m in made)
        lines += made if makes_w else ["w = torch.tensor(w0, requires_grad=True)"]
        lines += ["b = torch.tensor(b0, requires_grad=BIAS)"] + ([] if makes_w else made)
    if case.torch_loss:
        lines += [f"loss_fn = {LOSS_CODE[config.loss]}",
                  f"optimizer = {OPTIMIZER_CODE[config.optimizer].format(params='[w, b] if BIAS else [w]')}"]
    return lines + ["", "def forward(X):", "    y_pred = X @ w", "    if BIAS:", "        y_pred = y_pred + b",
                    "    return y_pred"]


def _std_init() -> list[str]:
    return ["if init_w is not None:",
            "    w_init = init_w.astype(np.float64)",
            "if BIAS and INIT_B is not None:",
            "    b_init = float(INIT_B)",
            "w_s, b_s = to_scaled(np.asarray(w_init, dtype=np.float32), b_init if BIAS else None)"]


def _step_code(config: TrainConfig) -> tuple[list[str], dict[str, list[str]]]:
    """``train_step`` as a function of the module's names, and its four blocks (for the notebook's cells)."""
    blocks = step_blocks(config.case, config.mistake)
    plain = {}
    for block, lines in blocks.items():
        out = []
        for line in lines:
            line = line.replace("self.lr", "LR").replace("self.bias", "BIAS").replace("self.", "")
            out.append(line)
        plain[block] = out
    names = "w, b" if CASE[config.case].hand_update else ""  # the update rebinds them
    head = ["def train_step(X, y):"] + ([f"    global {names}"] if names else [])
    body = [f"    {line}" if line else "" for block in BLOCKS.values() for line in plain[block]]
    ret = "    return loss" if CASE[config.case].torch else "    return loss, dw, db"
    return head + body + [ret], plain


def _loop_code(config: TrainConfig) -> list[str]:
    case = CASE[config.case]
    value = "loss.item()" if case.torch else "float(loss)"
    to_arrays = "X_data, y_data = torch.from_numpy(X_train), torch.from_numpy(y_train)" if case.torch else \
        "X_data, y_data = X_train, y_train"
    take = "X_data[torch.from_numpy(idx)], y_data[torch.from_numpy(idx)]" if case.torch else "X_data[idx], y_data[idx]"
    first = "" if case.torch else "[0]"  # train_step returns (loss, dw, db)
    step = "loss = train_step(X_data, y_data)" + first
    if case.model:
        params = ["    w_now = model.lin.weight.detach().numpy().ravel()",
                  "    b_now = model.lin.bias.item() if BIAS else None"]
    elif case.torch:
        params = ["    w_now = w.detach().numpy().ravel()", "    b_now = b.item() if BIAS else None"]
    else:
        params = ["    w_now = w.ravel()", "    b_now = float(b) if BIAS else None"]
    conv = ["    w_now, b_now = to_original(w_now, b_now)"] if config.standardize else []
    return [to_arrays, "rng = np.random.default_rng(SEED)", "N = len(X_train)",
            "", "for epoch in range(1, EPOCHS + 1):",
            "    if BATCH_SIZE is None or BATCH_SIZE >= N:",
            f"        {step}",
            f"        loss_value = {value}",
            "    else:  # one pass in seeded shuffled mini-batches: the mean of their losses",
            "        order, total, count = rng.permutation(N), 0.0, 0",
            "        for start in range(0, N, BATCH_SIZE):",
            "            idx = order[start:start + BATCH_SIZE]",
            f"            loss = train_step({take})" + first,
            f"            total += {value}",
            "            count += 1",
            "        loss_value = total / count",
            *params, *conv,
            "    if (epoch - 1) % LOG_EVERY == 0:",
            "        ws = f'{w_now[0]:.3f}' if len(w_now) == 1 else '[' + ', '.join(f'{v:.3f}' for v in w_now) + ']'",
            "        bs = '' if b_now is None else f', b={b_now:.3f}'",
            "        print(f'epoch {epoch}: w={ws}{bs}, loss={loss_value:.3f}')"]


def _predict_code(config: TrainConfig, predict: npt.NDArray[np.float32] | None) -> list[str]:
    if predict is None:
        return []
    case = CASE[config.case]
    inputs = "X_new" if not config.standardize else "((X_new.astype(np.float64) - MEAN) / SCALE).astype(np.float32)"
    if case.model:
        pred = f"model(torch.from_numpy({inputs})).numpy()"
    elif case.torch:
        pred = f"forward(torch.from_numpy({inputs})).numpy()"
    else:
        pred = f"forward({inputs})"
    lines = ["", "# inference with the trained parameters", f"X_new = {_array(predict)}"]
    lines += ["with torch.no_grad():" if case.torch else "if True:", f"    y_new = {pred}"]
    if config.standardize:
        lines += ["y_new = (y_new.astype(np.float64) + Y_MEAN).astype(np.float32)"]
    lines += ["for x, v in zip(X_new, y_new.reshape(-1)):",
              "    print(f\"f({', '.join(f'{float(u):g}' for u in x)}) = {float(v):.3f}\")"]
    return lines


def _header(config: TrainConfig, dataset: Dataset) -> list[str]:
    c = config
    return [f"LR = {c.lr!r}", f"EPOCHS = {c.epochs}", f"LOG_EVERY = {c.log_every}", f"BIAS = {c.bias}",
            f"SEED = {c.seed}", f"BATCH_SIZE = {c.batch_size!r}", f"MOMENTUM = {c.momentum!r}",
            f"BETAS = {tuple(c.betas)!r}", f"D = {dataset.d}"]


def program_parts(config: TrainConfig, dataset: Dataset,
                  predict: npt.NDArray[np.float32] | None = None) -> list[tuple[str, list[str]]]:
    """The program as (markdown, code lines) cells, in order."""
    if config.tol is not None or config.patience is not None:
        raise ValueError("--tol and --patience are not exported: the program runs every epoch")
    case = CASE[config.case]
    imports = ["import numpy as np"] + (["import torch"] if case.torch else []) + \
        (["from torch import nn"] if case.torch_loss else [])
    step, blocks = _step_code(config)
    mistake = f", with the mistake {config.mistake}" if config.mistake else ""
    title = f"Linear regression by gradient descent: case {config.case}, {CASES[config.case]}{mistake}"
    cells: list[tuple[str, list[str]]] = [
        (f"# {title}\n\nExported by linreg-tui; it needs NumPy" + (" and torch" if case.torch else "") +
         " only, and prints the same `epoch …` lines as `linreg run` with the same options.",
         imports + ["", "# hyperparameters"] + _header(config, dataset)),
        ("The data, and how the optimizer sees it.", _data_code(config, dataset) + [""] + _scaling_code(config)),
        ("The parameters" + (", the model, the loss and the optimizer" if case.torch_loss else "") + ".",
         _params_code(config) + _model_code(config)),
    ]
    for block, lines in blocks.items():
        how = STEPS[config.case][block]
        by = "by hand" if how == "manual" else f"by torch ({how})"
        cells.append((f"**{block}** — {WHAT[block]}: done {by} in this case.",
                      ["# " + ln.lstrip("# ") if ln.strip().startswith("#") else "# " + ln for ln in lines]))
    cells.append(("One training step: the four blocks above, in order, on one batch.", step))
    cells.append(("The training loop, printing the notebook's lines.", _loop_code(config)))
    if predict is not None:
        cells.append(("Inference with the trained parameters.", _predict_code(config, predict)))
    return cells


def program(config: TrainConfig, dataset: Dataset, predict: npt.NDArray[np.float32] | None = None) -> str:
    """The standalone ``.py`` program."""
    out = [f'"""{program_parts(config, dataset, predict)[0][0].splitlines()[0].lstrip("# ")}."""', ""]
    for _, code in program_parts(config, dataset, predict):
        if code and all(line.startswith("#") for line in code):
            continue  # the blocks' cells: the step function holds them
        out += code + ["", ""]
    return re.sub(r"\n{3,}", "\n\n\n", "\n".join(out)).rstrip() + "\n"


def notebook(config: TrainConfig, dataset: Dataset, predict: npt.NDArray[np.float32] | None = None) -> str:
    """The same program as an nbformat-4 notebook (written with the nbformat library, so every cell has the id the
    4.5 schema requires): a markdown cell before each code cell."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells: list[Any] = []
    for md, code in program_parts(config, dataset, predict):
        k = len(cells) // 2 + 1  # ids numbered, not random: the same run exports the same notebook
        cells.append(new_markdown_cell(md, id=f"text-{k}"))
        if code and all(line.startswith("#") for line in code):
            code = code + ["pass  # shown here; it runs inside train_step below"]
        cells.append(new_code_cell("\n".join(code), id=f"code-{k}"))
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    doc = new_notebook(cells=cells, metadata={"kernelspec": kernel, "language_info": {"name": "python"}})
    nbformat.validate(doc)
    return str(nbformat.writes(doc)) + "\n"
