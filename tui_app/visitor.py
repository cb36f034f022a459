"""A served visitor's app and the server's files (``linreg-tui --serve``).

Each visitor's app runs as the server's user on the server's machine, so what it does with files is the server's
business, not the visitor's: nothing is written on the server for a visitor (``s``, ``e`` and ``x`` send their file
to the visitor's browser as a download), and nothing is read from a path a visitor types (``L`` takes a pasted
checkpoint or one the teacher named at start; the Data field offers the built-in data and the teacher's). The server
decides that an app is served: it starts each visitor's app with ``--served``, which no visitor can change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from linreg_core.checkpoint import Checkpoint, CheckpointError
from linreg_core.checkpoint import load as load_checkpoint
from linreg_core.checkpoint import loads as checkpoint_from_text
from tui_app.fields import FieldError
from tui_app.runs import DialogError

if TYPE_CHECKING:
    from linreg_core.lesson import Lesson

BUILT_IN = ("seed", "synthetic")


@dataclass(frozen=True)
class Served:
    """The server's files a visitor may use: the data sets (built-in and the teacher's) and the checkpoints the
    teacher named at start, each offered by name."""

    data: tuple[str, ...] = BUILT_IN
    checkpoints: tuple[str, ...] = ()

    @classmethod
    def from_launch(cls, data: str | None, load: str | None, lesson: Lesson | None) -> Served:
        """What the teacher named: ``--data``, ``--load`` and the data and checkpoints of the lesson's steps."""
        sources: list[str] = list(BUILT_IN)
        checkpoints: list[str] = []
        named = [("data", data), ("load", load)]
        if lesson is not None:
            for step in lesson.steps:
                for key in ("data", "load"):
                    value = step.setup.get(key)
                    if isinstance(value, str) and value not in BUILT_IN and not Path(value).is_absolute():
                        value = str(lesson.path.parent / value)
                    named.append((key, value if isinstance(value, str) else None))
        for key, value in named:
            if value is None:
                continue
            chosen = sources if key == "data" else checkpoints
            if value not in chosen:
                chosen.append(value)
        return cls(tuple(sources), tuple(checkpoints))

    def names(self, paths: tuple[str, ...]) -> list[str]:
        return [p if p in BUILT_IN else os.path.basename(p) for p in paths]

    def data_source(self, text: str) -> str:
        """The data source a visitor chose by its name (or as the Data field shows it); anything else is refused."""
        text = text.strip() or "seed"
        for source, name in zip(self.data, self.names(self.data), strict=True):
            if text in (source, name):
                return source
        raise DialogError(f"served: the server's files cannot be read; choose {' | '.join(self.names(self.data))}")

    def field_text(self, key: str, text: str) -> str:
        """A hyperparameter field's text as the app may take it: the Data field names no path a visitor typed."""
        if key != "data":
            return text
        try:
            return self.data_source(text)
        except DialogError as exc:
            raise FieldError(str(exc)) from None

    def checkpoint(self, text: str) -> tuple[str, Checkpoint]:
        """A pasted checkpoint's text, or one the teacher named (by its name): (what to call it, the checkpoint)."""
        text = text.strip()
        if text.startswith("{"):
            name = "the pasted checkpoint"
            try:
                ckpt = checkpoint_from_text(text, name)
            except CheckpointError as exc:
                raise DialogError(str(exc)) from None
        else:
            for path, shown in zip(self.checkpoints, self.names(self.checkpoints), strict=True):
                if text in (path, shown):
                    name = shown
                    try:
                        ckpt = load_checkpoint(path)
                    except CheckpointError as exc:
                        raise DialogError(str(exc).replace(path, shown)) from None
                    break
            else:
                offered = f" or choose {' | '.join(self.names(self.checkpoints))}" if self.checkpoints else ""
                raise DialogError(f"served: the server's files cannot be read; paste a checkpoint's text{offered}")
        source = ckpt.config.data.source
        if source not in self.data:  # a checkpoint names its data, and only the data offered here is read
            raise DialogError(f"{name}: its data {os.path.basename(source)} is not offered here; choose "
                              f"{' | '.join(self.names(self.data))} in the Data field")
        return name, ckpt
