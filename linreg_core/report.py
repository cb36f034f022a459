"""What ``linreg`` prints: the text lines and the strict JSON lines, each written in one place."""

from __future__ import annotations

import json
import math
import time
from typing import TYPE_CHECKING, Any, Callable, TextIO

import numpy as np
import numpy.typing as npt

from linreg_core import analysis
from linreg_core.analysis import LrBound
from linreg_core.data import Dataset
from linreg_core.events import EpochEnded, EpochSpan, RunFinished
from linreg_core.parse import format_epoch, format_prediction, value_text

if TYPE_CHECKING:
    from linreg_core.engine import Run
    from linreg_core.history import History

#: Runs with at least this many epochs show a progress bar on a terminal's stderr.
PROGRESS_MIN_EPOCHS = 20_000


def num(v: float | None) -> float | None:
    return v if v is not None and math.isfinite(v) else None


def json_line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, allow_nan=False)


def epoch_json(ev: EpochEnded) -> str:
    return json_line({"event": "epoch", "epoch": ev.epoch, "loss": num(ev.loss), "w": [num(v) for v in ev.w],
                       "b": num(ev.b), "grad_w": [num(v) for v in ev.grad_w], "grad_b": num(ev.grad_b)})


def fmt_params(w: tuple[float, ...], b: float | None) -> str:
    ws = f"{w[0]:.3f}" if len(w) == 1 else "[" + ", ".join(f"{v:.3f}" for v in w) + "]"
    return f"w={ws}" + ("" if b is None else f", b={b:.3f}")


def final_line(fin: RunFinished, star: analysis.ClosedForm, dist: float) -> str:
    line = f"{fin.reason}: {fin.epochs} epochs, {fmt_params(fin.w, fin.b)}, loss={fin.loss:.6g}"
    line += f"; θ*: {fmt_params(star.w, star.b)}, loss*={star.loss:.6g}, ‖θ−θ*‖={dist:.4g}"
    if fin.reason != "completed":
        line += f" — {fin.message}"
    return line


class Progress:
    """A rich progress bar on stderr for long runs on a terminal; nothing when stderr is piped."""

    def __init__(self, total: int, stream: TextIO):
        self._bar: Any = None
        self._last = 0.0
        self.stream = stream
        if total >= PROGRESS_MIN_EPOCHS and stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("epoch"), MofNCompleteColumn(), BarColumn(), TimeRemainingColumn(),
                                 TextColumn("loss {task.fields[loss]}"), console=Console(file=stream),
                                 transient=True)
            self._task = self._bar.add_task("train", total=total, loss="")
            self._bar.start()

    def lines_to(self, out: TextIO) -> Callable[[str], object]:
        """How the run's lines reach ``out``: straight, or, while the bar shows and ``out`` is a terminal as well,
        through the bar's console, which writes them above the bar (written beside it, they broke its line and the
        bar's redraws repeated them)."""
        if self._bar is None or not out.isatty():
            return out.write
        console = self._bar.console
        return lambda text: console.out(text, end="", highlight=False)

    def update(self, epoch: int, loss: float) -> None:
        if self._bar is None:
            return
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            self._bar.update(self._task, completed=epoch, loss=f"{loss:.6g}")

    def warn(self, line: str) -> None:
        """A line on stderr (above the bar while it shows)."""
        if self._bar is None:
            self.stream.write(line + "\n")
        else:
            self._bar.console.print(line, highlight=False, markup=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


class RunReport:
    """``linreg run``'s output: text lines as the notebook prints them, or one strict JSON object per line."""

    def __init__(self, out: TextIO, as_json: bool, log_every: int):
        self.out, self.as_json, self.log_every = out, as_json, log_every
        self.write: Callable[[str], object] = out.write

    def standardize(self, before: LrBound, after: LrBound) -> None:
        if self.as_json:
            self.write(json_line({"event": "standardize", "condition": [num(before.condition), num(after.condition)],
                                  "eta_max": [num(before.eta_max), num(after.eta_max)]}) + "\n")
        else:
            from linreg_core.scaling import effect

            self.write(effect(before, after) + "\n")

    def follow(self, run: Run, progress: Progress, history: History | None = None) -> None:
        """``linreg run``'s loop: the run to its end, block by block, each block reported. The epochs run in NumPy's
        default error state, as the notebook's loop runs them (the engine keeps what they warn); only the
        reporting runs under ``np.errstate``, where every ufunc call costs more."""
        self.write = progress.lines_to(self.out)
        try:
            for block, _ in run.blocks():
                with np.errstate(all="ignore"):
                    if history is not None:
                        history.extend_block(block)
                    if len(block):
                        self.block(block)
                        progress.update(block.last, float(block.loss[-1]))
                for epoch, message in run.take_warnings():  # torch's own words, on stderr (stdout keeps its lines)
                    progress.warn(f"linreg: torch warned at epoch {epoch}: {message}")
            if (held := run.trainer.case_trainer.holding()) is not None:  # a mistake's memory, at the end
                progress.warn(f"linreg: after {run.epoch} epochs, {held}")
        finally:
            progress.close()
            self.write = self.out.write

    def block(self, block: EpochSpan) -> None:
        """The logged epochs of a block, written at once: every one with --json, else epochs 1, 1 + log_every, …
        (the text lines from the block's values as lists: no event object per line, which cost more than the
        notebook's own print)."""
        if self.as_json:
            self.write("".join([epoch_json(block.event(i)) + "\n" for i in range(len(block))]))
            return
        start, step = -(block.first - 1) % self.log_every, self.log_every
        epochs = range(block.first + start, block.last + 1, step)
        ws, losses = block.w[start::step].tolist(), block.loss[start::step].tolist()
        bs: list[float | None] = [None] * len(losses) if block.b is None else block.b[start::step].tolist()
        self.write("".join([format_epoch(epoch, w, b, loss) + "\n"
                            for epoch, w, b, loss in zip(epochs, ws, bs, losses, strict=True)]))

    def finished(self, fin: RunFinished, dataset: Dataset, bias: bool) -> None:
        star = analysis.closed_form(dataset.X, dataset.y, bias)
        dist = analysis.distance(fin.w, fin.b, star.w, star.b)
        if not self.as_json:
            self.write(final_line(fin, star, dist) + "\n")
            return
        if fin.reason == "failed":  # torch refused a step: the epoch it failed in, and torch's words
            self.write(json_line({"event": "failed", "epoch": fin.epochs + 1, "error": fin.message}) + "\n")
            return
        doc: dict[str, Any] = {"event": "finished", "reason": fin.reason, "epochs": fin.epochs,
                               "w": [num(v) for v in fin.w], "b": num(fin.b), "loss": num(fin.loss),
                               "theta_star": {"w": list(star.w), "b": star.b, "loss": star.loss},
                               "dist_star": num(dist)}
        if dataset.true_w is not None:
            ref_b = dataset.true_b if bias else None
            doc["dist_true"] = num(analysis.distance(fin.w, fin.b, dataset.true_w, ref_b))
        if fin.reason != "completed":
            doc["message"] = fin.message
        self.write(json_line(doc) + "\n")

    def predictions(self, xs: npt.NDArray[np.float32], ys: npt.NDArray[np.float32]) -> None:
        for x, y in zip(xs, ys, strict=True):
            if self.as_json:
                self.write(json_line({"event": "prediction", "x": [float(v) for v in x], "y": num(float(y))}) + "\n")
            else:
                self.write(format_prediction(x, float(y)) + "\n")


def block_text(result: Any) -> str:
    """One block of ``linreg step`` as text: its name, the code it ran, the values (changed ones marked *)."""
    lines = [f"epoch {result.epoch} · {result.block}"]
    lines += [f"    {line}" for line in result.code]
    for name, value in result.values.items():
        mark = "*" if name in result.changed else " "
        shape = result.shapes.get(name)
        lines.append(f"  {mark} {name} = {value_text(value)}" + (f"   shape {shape}" if shape else ""))
    if result.note:
        lines.append(f"    ({result.note})")
    if result.error:
        lines.append(f"  ✗ {result.error}")
    return "\n".join(lines)


def block_json(result: Any) -> str:
    doc: dict[str, Any] = {"event": "phase", "epoch": result.epoch, "phase": result.block, "code": result.code,
                           "values": result.values}
    if result.note:
        doc["note"] = result.note
    if result.error:
        doc["error"] = result.error
    return json_line(doc)


def step_ended(fin: RunFinished, as_json: bool) -> str:
    """``linreg step`` when the run ended before the epoch to step."""
    if as_json:
        return json_line({"event": "failed" if fin.reason == "failed" else "finished", "epoch": fin.epochs,
                          "reason": fin.reason, "message": fin.message})
    return f"the run {fin.reason} at epoch {fin.epochs} before the epoch to step: {fin.message}"
