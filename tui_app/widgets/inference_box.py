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
        self.text: str | None = None  # the inputs of the predictions shown, recomputed as the parameters change
        self.params: tuple[tuple[float, ...], float | None] | None = None

    def compose(self) -> ComposeResult:
        yield Static("inputs, then Enter:", classes="hint-line")
        yield Input(placeholder=self.placeholder(), id="predict-input")
        yield Static(id="predict-error", classes="error")
        yield Static(id="predict-output")

    def placeholder(self) -> str:
        return "5, 3, 4" if self.d == 1 else "; ".join([", ".join(["1"] * self.d)] * 2)

    def on_mount(self) -> None:
        self.border_title = "Inference  \\[p]"  # escaped: [p] would be read as markup

    def set_features(self, d: int) -> None:
        self.d = d
        self.query_one(Input).placeholder = self.placeholder()

    def show(self, text: str, w: tuple[float, ...], b: float | None, epoch: int) -> bool:
        error = self.query_one("#predict-error", Static)
        try:
            lines = predict(text, w, b)
        except InputError as exc:
            self.clear()  # no results of an earlier input under a message about this one
            error.update(Text(str(exc)))
            error.display = True
            return False
        error.display = False
        self.text, self.params = text, (w, b)
        more = len(lines) - MAX_SHOWN
        shown = [f"at epoch {epoch}:", *lines[:MAX_SHOWN]] + ([f"… {more} more"] if more > 0 else [])
        self.query_one("#predict-output", Static).update("\n".join(shown))
        return True

    def follow(self, w: tuple[float, ...], b: float | None, epoch: int) -> None:
        """The predictions shown, recomputed when the parameters have changed."""
        if self.text is not None and self.params != (w, b):
            self.show(self.text, w, b, epoch)

    def on_input_changed(self, event: Input.Changed) -> None:
        # a message about the input goes with the text that caused it
        self.query_one("#predict-error", Static).display = False

    def clear(self) -> None:
        """Drop the results and any message (they were for other inputs or other parameters)."""
        self.text = self.params = None
        self.query_one("#predict-output", Static).update("")
        self.query_one("#predict-error", Static).display = False
