"""One state word, then epoch k/N, the current loss, the speed, a progress bar and the ETA."""

from __future__ import annotations

import math
import time
from collections import deque

from rich.text import Text
from textual.widgets import Static

from linreg_core.events import RunState
from tui_app import palette

STATES = tuple(RunState)
BAR = 16


def loss_text(loss: float) -> str:
    if not math.isfinite(loss):
        return str(loss)
    return f"{loss:.6g}"  # as the run's summary writes it, whatever the size


def eta_text(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return ""
    if seconds < 60:
        return f"ETA {seconds:.0f}s"
    if seconds < 3600:
        return f"ETA {seconds // 60:.0f}m{seconds % 60:02.0f}s"
    return f"ETA {seconds // 3600:.0f}h{(seconds % 3600) // 60:02.0f}m"


def status_text(state: str, epoch: int, epochs: int, loss: float, speed: float | None,
                rate: float | None = None) -> Text:
    """``running  epoch 12/40  loss 1.234  speed 10/s``, then the bar, its percentage and the ETA."""
    text = Text()
    text.append(state, style=palette.style_name(f"state-{state}") if state in STATES else "bold")
    text.append(f"  epoch {epoch}/{epochs}")
    # before the training process has reported the initial loss (it may still be importing torch when space is
    # pressed), a dash rather than "nan"
    text.append(f"  loss {'—' if epoch == 0 and math.isnan(loss) else loss_text(loss)}")
    text.append(f"  speed {'max' if speed is None else f'{speed:g}/s'}")
    frac = min(1.0, epoch / epochs) if epochs else 0.0
    filled = int(round(frac * BAR))
    text.append("  ")
    text.append("█" * filled, style=palette.GOOD)
    text.append("░" * (BAR - filled), style="dim")
    text.append(f" {frac * 100:3.0f}%")
    if state == "running" and rate and rate > 0:
        text.append(f"  {eta_text((epochs - epoch) / rate)}", style="dim")
    return text


class StatusBar(Static):
    """The status line; it measures the training rate itself (epochs over the last samples) for the ETA."""

    def __init__(self, **kwargs: str | None):
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._samples: deque[tuple[float, int]] = deque(maxlen=20)
        self._text = Text()

    def sample(self, epoch: int) -> None:
        """Note that the run is at ``epoch`` now."""
        self._samples.append((time.monotonic(), epoch))

    def restart(self) -> None:
        """A new run: forget the rate."""
        self._samples.clear()

    def rate(self) -> float | None:
        if len(self._samples) < 2:
            return None
        (t0, e0), (t1, e1) = self._samples[0], self._samples[-1]
        return (e1 - e0) / (t1 - t0) if t1 > t0 and e1 > e0 else None

    def show(self, state: str, epoch: int, epochs: int, loss: float, speed: float | None) -> None:
        self._text = status_text(state, epoch, epochs, loss, speed, self.rate())
        self.update(self._text, layout=False)  # one row, always: no layout pass per batch

    @property
    def plain(self) -> str:
        """The text as shown."""
        return self._text.plain
