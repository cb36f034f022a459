"""Type inputs, get predictions with the current parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from linreg_core.parse import InputError, format_prediction, parse_predict

if TYPE_CHECKING:
    import numpy as np
else:
    from linreg_core.lazy import np

MAX_SHOWN = 50


def predict(text: str, w: tuple[float, ...], b: float | None) -> list[str]:
    """``f(5) = 9.612`` lines for ``text`` at (w, b), computed in float32 like the cases."""
    X = parse_predict(text, len(w))
    wv = np.asarray(w, dtype=np.float32).reshape(-1, 1)
    y = X @ wv
    if b is not None:
        y = y + np.float32(b)
    return [format_prediction(x, float(v)) for x, v in zip(X, y.ravel(), strict=True)]


class InferenceBox(Vertical):
    def __init__(self, d: int = 1, id: str | None = None):  # noqa: A002
        super().__init__(id=id)
        self.d = d

    def compose(self) -> ComposeResult:
        yield Static("inputs, then Enter:", classes="hint-line")
        yield Input(placeholder=self.placeholder(), id="predict-input")
        yield Static(id="predict-error", classes="error")
        yield Static(id="predict-output")

    def placeholder(self) -> str:
        return "5, 3, 4" if self.d == 1 else "; ".join([", ".join(["1"] * self.d)] * 2)

    def on_mount(self) -> None:
        self.border_title = "Inference  [p]"

    def set_features(self, d: int) -> None:
        self.d = d
        self.query_one(Input).placeholder = self.placeholder()

    def show(self, text: str, w: tuple[float, ...], b: float | None) -> bool:
        error = self.query_one("#predict-error", Static)
        try:
            lines = predict(text, w, b)
        except InputError as exc:
            error.update(Text(str(exc)))
            error.display = True
            self.clear()  # no results of an earlier input under a message about this one
            return False
        error.display = False
        more = len(lines) - MAX_SHOWN
        shown = lines[:MAX_SHOWN] + ([f"… {more} more"] if more > 0 else [])
        self.query_one("#predict-output", Static).update("\n".join(shown))
        return True

    def clear(self) -> None:
        """Drop the results shown (they were for other inputs or other parameters)."""
        self.query_one("#predict-output", Static).update("")
