"""Validated run configuration and the notebook's per-case presets."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Mapping

from linreg_core.cases.facts import CASE

CASES: dict[int, str] = {n: c.name for n, c in CASE.items()}
#: The notebook's four bullets per case: which step is done by hand and which by torch.
STEPS: dict[int, dict[str, str]] = {n: c.steps for n, c in CASE.items()}


@dataclass(frozen=True)
class Preset:
    lr: float
    epochs: int
    log_every: int
    bias: bool


#: Case 1 uses lr 0.02: with the correct mean gradient that reproduces the notebook's printed trace (see README).
PRESETS: dict[int, Preset] = {
    1: Preset(lr=0.02, epochs=20, log_every=1, bias=False),
    2: Preset(lr=0.01, epochs=20, log_every=2, bias=False),
    3: Preset(lr=0.005, epochs=40, log_every=2, bias=False),
    4: Preset(lr=0.01, epochs=40, log_every=2, bias=True),
}

OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")
#: The classic mistakes (linreg_core/cases/mistakes.py) and the cases that can make each.
MISTAKES: dict[str, tuple[int, ...]] = {
    "summed-gradient": (1,),
    "no-zero-grad": (2, 3, 4),
    "zero-grad-before-step": (3, 4),
    "update-in-graph": (2,),
    "rebind-param": (2,),
    "target-shape": (3, 4),
    "non-leaf": (2,),
    "loss-history-graph": (2, 3, 4),
}
#: Mistakes whose every step is N (the number of samples) times the correct one: the gradient summed, not averaged.
STEP_TIMES_N = ("summed-gradient",)
LOSSES = ("mse", "l1", "huber")
MAX_EPOCHS = 1_000_000_000


def mistakes_for(case: int) -> list[str]:
    """The mistakes ``case`` can make, in the table's order."""
    return [m for m, cases in MISTAKES.items() if case in cases]
MAX_SEED = 2**32 - 1


class ConfigError(ValueError):
    """One or more invalid settings; ``problems`` lists each as ``field: what is accepted (got …)``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class DataSpec:
    """Where the data comes from: ``seed``, ``synthetic`` or a CSV path."""

    source: str = "seed"
    n: int = 100
    features: int = 1
    noise: float = 0.1
    true_w: tuple[float, ...] = (2.0,)
    true_b: float = 0.0
    x_cols: str | None = None
    y_col: str | None = None


@dataclass(frozen=True)
class TrainConfig:
    case: int = 1
    lr: float = PRESETS[1].lr
    epochs: int = PRESETS[1].epochs
    log_every: int = PRESETS[1].log_every
    bias: bool = False
    init_w: tuple[float, ...] | None = None
    init_b: float | None = None
    seed: int = 0
    tol: float | None = None
    batch_size: int | None = None
    optimizer: str = "sgd"
    loss: str = "mse"
    momentum: float = 0.9
    betas: tuple[float, float] = (0.9, 0.999)
    patience: int | None = None
    standardize: bool = False
    mistake: str | None = None
    data: DataSpec = field(default_factory=DataSpec)

    @classmethod
    def for_case(cls, case: int = 1, **overrides: Any) -> TrainConfig:
        """The case's notebook preset, with ``overrides`` (``None`` values mean "use the preset")."""
        if case not in PRESETS:
            raise ConfigError([f"case: must be one of 1, 2, 3, 4 (got {case!r})"])
        p = PRESETS[case]
        values: dict[str, Any] = {"case": case, "lr": p.lr, "epochs": p.epochs, "log_every": p.log_every,
                                  "bias": p.bias}
        values.update({k: v for k, v in overrides.items() if v is not None})
        cfg = cls(**values)
        cfg.validate()
        return cfg

    def with_case(self, case: int) -> TrainConfig:
        """Switch case, taking the new case's preset lr/epochs/log-every/bias and keeping everything else."""
        keep = {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("case", "lr", "epochs", "log_every", "bias")}
        if CASE[case].hand_update:
            keep["optimizer"], keep["loss"] = "sgd", "mse"
        if keep["mistake"] is not None and case not in MISTAKES.get(keep["mistake"], ()):
            keep["mistake"] = None  # a mistake the new case cannot make
        return TrainConfig.for_case(case, **keep)

    def replace(self, **changes: Any) -> TrainConfig:
        cfg = replace(self, **changes)
        cfg.validate()
        return cfg

    def problems(self) -> list[str]:
        out: list[str] = []

        def number(name: str, value: Any) -> bool:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                out.append(f"{name}: must be a number (got {value!r})")
                return False
            return True

        def integer(name: str, value: Any, lo: int, hi: int) -> None:
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                out.append(f"{name}: must be an integer in {lo}…{hi} (got {value!r})")

        if self.case not in CASES:
            out.append(f"case: must be one of 1, 2, 3, 4 (got {self.case!r})")
        if number("lr", self.lr) and not (math.isfinite(self.lr) and self.lr > 0):
            out.append(f"lr: must be > 0 and finite (got {self.lr!r})")
        integer("epochs", self.epochs, 1, MAX_EPOCHS)
        integer("log_every", self.log_every, 1, MAX_EPOCHS)
        integer("seed", self.seed, 0, MAX_SEED)
        if self.tol is not None and number("tol", self.tol) and not (math.isfinite(self.tol) and self.tol >= 0):
            out.append(f"tol: must be ≥ 0 and finite (got {self.tol!r})")
        if self.batch_size is not None:
            integer("batch_size", self.batch_size, 1, 2**31 - 1)
        if self.patience is not None:
            integer("patience", self.patience, 1, MAX_EPOCHS)
        if self.init_w is not None:
            if len(self.init_w) == 0:
                out.append("init_w: needs at least one number")
            elif not all(number("init_w", v) and math.isfinite(v) for v in self.init_w):
                out.append(f"init_w: every value must be finite (got {list(self.init_w)!r})")
        if self.init_b is not None and number("init_b", self.init_b) and not math.isfinite(self.init_b):
            out.append(f"init_b: must be finite (got {self.init_b!r})")
        if not isinstance(self.standardize, bool):
            out.append(f"standardize: must be true or false (got {self.standardize!r})")
        out.extend(self._optimizer_problems())
        return out

    def _optimizer_problems(self) -> list[str]:
        """Optimizer, loss and their settings, and which cases take them."""
        out: list[str] = []
        if self.mistake is not None:
            cases = MISTAKES.get(self.mistake) if isinstance(self.mistake, str) else None
            if cases is None:
                out.append(f"mistake: must be one of {', '.join(MISTAKES)} (got {self.mistake!r})")
            elif self.case not in cases:
                which = ", ".join(map(str, cases))
                out.append(f"mistake: {self.mistake} is not a mistake case {self.case} can make "
                           f"(case{'s' if len(cases) > 1 else ''} {which})")
        hand = self.case in CASE and CASE[self.case].hand_update  # update and loss by hand: the one thing to say
        if self.optimizer not in OPTIMIZERS and not hand:
            out.append(f"optimizer: must be one of {', '.join(OPTIMIZERS)} (got {self.optimizer!r})")
        if self.loss not in LOSSES and not hand:
            out.append(f"loss: must be one of {', '.join(LOSSES)} (got {self.loss!r})")
        m = self.momentum
        if isinstance(m, bool) or not isinstance(m, (int, float)):
            out.append(f"momentum: must be a number (got {m!r})")
        elif not (math.isfinite(m) and 0 <= m < 1):
            out.append(f"momentum: must be in [0, 1) (got {self.momentum!r})")
        if not (isinstance(self.betas, tuple) and len(self.betas) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and 0 <= v < 1
                for v in self.betas)):
            out.append(f"betas: must be two numbers in [0, 1) (got {self.betas!r})")
        if hand and self.optimizer != "sgd":
            out.append(f"optimizer: case {self.case} writes its update by hand; only sgd applies "
                       f"(got {self.optimizer!r}; use case 3 or 4)")
        if hand and self.loss != "mse":
            out.append(f"loss: case {self.case} writes its MSE loss by hand; only mse applies "
                       f"(got {self.loss!r}; use case 3 or 4)")
        return out

    def validate(self) -> None:
        problems = self.problems()
        if problems:
            raise ConfigError(problems)

    @property
    def plain_gd(self) -> bool:
        """Full-batch MSE with plain SGD: the setting where the analytic learning-rate bound applies."""
        return self.optimizer == "sgd" and self.loss == "mse" and self.batch_size is None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["data"] = asdict(self.data)
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> TrainConfig:
        """Rebuild from :meth:`to_dict` output (e.g. a checkpoint), validating every field."""
        if not isinstance(raw, Mapping):
            raise ConfigError(["config: must be an object"])
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError([f"config: unknown field(s) {', '.join(map(str, unknown))}"])
        values = dict(raw)
        data_raw = values.pop("data", {})
        if not isinstance(data_raw, Mapping):
            raise ConfigError(["data: must be an object"])
        dknown = {f.name for f in fields(DataSpec)}
        if set(data_raw) - dknown:
            raise ConfigError([f"data: unknown field(s) {', '.join(sorted(map(str, set(data_raw) - dknown)))}"])
        dvalues = dict(data_raw)
        if "true_w" in dvalues:
            dvalues["true_w"] = _tuple_of_floats("data.true_w", dvalues["true_w"])
        if values.get("init_w") is not None:
            values["init_w"] = _tuple_of_floats("init_w", values["init_w"])
        if "betas" in values:
            values["betas"] = _tuple_of_floats("betas", values["betas"])
        try:
            cfg = cls(**values, data=DataSpec(**dvalues))
        except TypeError as exc:
            raise ConfigError([f"config: {exc}"]) from None
        cfg.validate()
        return cfg


def _tuple_of_floats(name: str, value: Any) -> tuple[float, ...]:
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    ):
        raise ConfigError([f"{name}: must be a list of numbers (got {value!r})"])
    return tuple(float(v) for v in value)
