"""The hyperparameter fields: how each shows a configuration and how typed text changes it (no UI imports)."""

from __future__ import annotations

from dataclasses import replace

from linreg_core.cases.facts import CASE
from linreg_core.config import ConfigError, TrainConfig, mistakes_for
from linreg_core.data import DataError, Dataset
from linreg_core.parse import InputError, parse_numbers

#: (key, label) in the order shown. ``bias`` and ``standardize`` are switches; the others are text inputs.
FIELDS: list[tuple[str, str]] = [
    ("lr", "Learning rate"),
    ("epochs", "Epochs"),
    ("log_every", "Log every"),
    ("init_w", "Initial w"),
    ("init_b", "Initial b"),
    ("bias", "Bias"),
    ("standardize", "Standardize"),
    ("batch_size", "Batch size"),
    ("seed", "Seed"),
    ("data", "Data"),
    ("optimizer", "Optimizer"),
    ("loss", "Loss"),
    ("mistake", "Mistake"),
]
LABELS = dict(FIELDS)


class FieldError(ValueError):
    """Typed text that cannot be used; the message is shown under the field."""


def field_text(cfg: TrainConfig, key: str) -> str:
    if key == "lr":
        return f"{cfg.lr:g}"
    if key == "init_w":
        return "" if cfg.init_w is None else ", ".join(f"{v:g}" for v in cfg.init_w)
    if key == "init_b":
        return "" if cfg.init_b is None else f"{cfg.init_b:g}"
    if key == "batch_size":
        return "" if cfg.batch_size is None else str(cfg.batch_size)
    if key == "data":
        return cfg.data.source
    if key == "mistake":
        return cfg.mistake or ""
    if key in ("bias", "standardize"):
        return "on" if getattr(cfg, key) else "off"
    return str(getattr(cfg, key))


def placeholder(key: str, cfg: TrainConfig) -> str:
    return {
        "init_w": f"default ({CASE[cfg.case].default_init})" + (" scaled" if cfg.standardize else ""),
        "init_b": f"default ({CASE[cfg.case].default_init})" + (" scaled" if cfg.standardize else ""),
        "batch_size": "full batch",
        "data": "seed | synthetic | path.csv",
        "optimizer": "sgd|momentum|adam|rmsprop|adagrad",
        "loss": "mse | l1 | huber",
        "mistake": " | ".join(["none", *mistakes_for(cfg.case)]),
    }.get(key, "")


def _int(text: str, key: str) -> int:
    try:
        return int(text.replace("_", ""))
    except ValueError:
        raise FieldError(f"{LABELS[key]}: {text!r} is not a whole number") from None


def parse_field(cfg: TrainConfig, dataset: Dataset, key: str, text: str) -> tuple[TrainConfig, Dataset | None]:
    """The configuration after typing ``text`` into field ``key`` (and new data when the data changed).

    Raises :class:`FieldError` with a message for the user; ``cfg`` is never modified.
    """
    text = text.strip()
    changes: dict[str, object] = {}
    try:
        if key == "lr":
            try:
                changes["lr"] = float(text)
            except ValueError:
                raise FieldError(f"Learning rate: {text!r} is not a number") from None
        elif key in ("epochs", "log_every", "seed"):
            changes[key] = _int(text, key)
        elif key == "batch_size":
            changes[key] = None if text.lower() in ("", "full", "none") else _int(text, key)
        elif key == "init_w":
            if text.lower() in ("", "default"):
                changes[key] = None
            else:
                ws = tuple(parse_numbers(text, "Initial w"))
                if len(ws) not in (1, dataset.d):
                    raise FieldError(f"Initial w: needs 1 or {dataset.d} numbers (got {len(ws)})")
                changes[key] = ws
        elif key == "init_b":
            if text.lower() in ("", "default"):
                changes[key] = None
            else:
                bs = parse_numbers(text, "Initial b")
                if len(bs) != 1:
                    raise FieldError("Initial b: one number")
                changes[key] = bs[0]
        elif key == "mistake":
            changes[key] = None if text.lower() in ("", "none", "off") else text.lower()
        elif key in ("optimizer", "loss"):
            changes[key] = text.lower() or ("sgd" if key == "optimizer" else "mse")
        elif key in ("bias", "standardize"):
            changes[key] = text.lower() in ("on", "true", "1", "yes")
        elif key == "data":
            return _change_data(cfg, dataset, text or "seed")
        else:
            raise FieldError(f"unknown field {key!r}")
        new = cfg.replace(**changes)
    except ConfigError as exc:
        raise FieldError(str(exc).replace("_", " ")) from None
    except InputError as exc:
        raise FieldError(str(exc)) from None
    return new, None


def _change_data(cfg: TrainConfig, dataset: Dataset, source: str) -> tuple[TrainConfig, Dataset]:
    from linreg_core.options import dataset_for

    new = replace(cfg, data=replace(cfg.data, source=source))
    try:
        data = dataset_for(new)
    except DataError as exc:
        raise FieldError(str(exc)) from None
    if new.init_w is not None and len(new.init_w) not in (1, data.d):
        new = replace(new, init_w=None)
    return new, data
