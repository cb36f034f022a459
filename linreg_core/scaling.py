"""Feature scaling (``--standardize``): train in a scaled space, show everything in the original units.

With a bias, each feature is z-scored, x' = (x − μ)/σ, and the target centred, y' = y − ȳ, using statistics of the
training data. Without a bias there is no intercept to absorb a shift, so nothing is centred: each feature is only
divided by its root mean square and the target is left as it is. Either way the residuals y_pred − y are the same
in both spaces, so the loss is too, and a model y' = X'w' + b' is the model y = Xw + b with

    w = w' / σ,        b = b' + ȳ − Σ μ·w' / σ.

:class:`Standardized` wraps a case's trainer: the case trains on the scaled data unchanged, while every parameter,
gradient and prediction that leaves it is in the original units (so are checkpoints and exports).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import numpy.typing as npt

from linreg_core.analysis import LrBound, lr_bound
from linreg_core.cases.base import F32, StepResult, Trainer
from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import EpochSpan

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Scaler:
    """x' = (x − mean)/scale, y' = y − y_mean (``mean`` and ``y_mean`` are zero when not centring)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    y_mean: float
    centre: bool

    @classmethod
    def fit(cls, X: npt.ArrayLike, y: npt.ArrayLike, centre: bool) -> Scaler:
        X64 = np.asarray(X, dtype=np.float64)
        y64 = np.asarray(y, dtype=np.float64)
        if centre:
            mean = X64.mean(axis=0)
            scale = X64.std(axis=0)
            y_mean = float(y64.mean())
        else:
            mean = np.zeros(X64.shape[1])
            scale = np.sqrt(np.mean(np.square(X64), axis=0))
            y_mean = 0.0
        # a constant (or all-zero) feature keeps its scale: dividing by ~0 would blow it up
        scale = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
        return cls(tuple(mean.tolist()), tuple(scale.tolist()), y_mean, centre)

    def transform_X(self, X: npt.ArrayLike) -> F32:
        X64 = np.asarray(X, dtype=np.float64)
        out: F32 = ((X64 - np.asarray(self.mean)) / np.asarray(self.scale)).astype(np.float32)
        return out

    def transform(self, ds: Dataset) -> Dataset:
        y = (np.asarray(ds.y, dtype=np.float64) - self.y_mean).astype(np.float32)
        return Dataset(self.transform_X(ds.X), y, name=f"{ds.name} (standardized)", feature_names=ds.feature_names,
                       target_name=ds.target_name)

    def to_original(self, w: npt.ArrayLike, b: float | None) -> tuple[tuple[float, ...], float | None]:
        ws = np.asarray(w, dtype=np.float64).ravel() / np.asarray(self.scale)
        if b is None:
            return tuple(ws.tolist()), None
        return tuple(ws.tolist()), float(b + self.y_mean - float(np.dot(self.mean, ws)))

    def to_scaled(self, w: npt.ArrayLike, b: float | None) -> tuple[tuple[float, ...], float | None]:
        w64 = np.asarray(w, dtype=np.float64).ravel()
        ws = w64 * np.asarray(self.scale)
        if b is None:
            return tuple(ws.tolist()), None
        return tuple(ws.tolist()), float(b - self.y_mean + float(np.dot(self.mean, w64)))

    def grad_to_original(self, gw: npt.ArrayLike, gb: float | None) -> tuple[tuple[float, ...], float | None]:
        """The chain rule through θ' = T(θ): ∂L/∂w = σ·∂L/∂w' + μ·∂L/∂b', ∂L/∂b = ∂L/∂b'."""
        g = np.asarray(gw, dtype=np.float64).ravel() * np.asarray(self.scale)
        if gb is None:
            return tuple(g.tolist()), None
        return tuple((g + np.asarray(self.mean) * gb).tolist()), gb


def scaler_for(config: TrainConfig, dataset: Dataset) -> Scaler | None:
    """The scaler a run uses, or None when ``config.standardize`` is off."""
    return Scaler.fit(dataset.X, dataset.y, centre=config.bias) if config.standardize else None


def training_X(config: TrainConfig, dataset: Dataset) -> F32:
    """The features the optimiser sees: scaled when ``config.standardize`` is on."""
    scaler = scaler_for(config, dataset)
    return dataset.X if scaler is None else scaler.transform_X(dataset.X)


def bound_for(config: TrainConfig, dataset: Dataset) -> LrBound:
    """η_max, η_opt and κ(H) for the space the optimiser works in."""
    return lr_bound(training_X(config, dataset), config.bias)


class Standardized(Trainer):
    """A case's trainer running on scaled data; parameters and gradients cross the boundary in original units."""

    def __init__(self, config: TrainConfig, dataset: Dataset,
                 build: Callable[[TrainConfig, Dataset], Trainer]):
        super().__init__(config, dataset)
        self.scaler = Scaler.fit(dataset.X, dataset.y, centre=config.bias)
        self.scaled = self.scaler.transform(dataset)
        self.inner = inner = build(config.replace(standardize=False, init_w=None, init_b=None), self.scaled)
        self.case = inner.case
        # Initial values are given in original units; those not given keep the case's own default (in the
        # scaled space, where for instance nn.Linear's initialisation is meant to work).
        w0, b0 = self.scaler.to_original(*inner.get_params())
        if self._init_w is not None:
            w0 = tuple(self._init_w.ravel().tolist())
        if config.bias and config.init_b is not None:
            b0 = float(config.init_b)
        self.set_params(np.asarray(w0, dtype=np.float32), b0)

    def batch_step(self, X: F32, y: F32) -> StepResult:
        loss, gw, gb = self.inner.batch_step(*self.inner.as_batch(
            self.scaler.transform_X(X), (np.asarray(y, np.float64) - self.scaler.y_mean).astype(np.float32)))
        g, gb0 = self.scaler.grad_to_original(gw, gb)
        return loss, g, gb0

    @property
    def case_trainer(self) -> Trainer:
        return self.inner

    def named_parameters(self) -> dict[str, Any]:
        return self.inner.named_parameters()  # in the scaled units the step's code works in

    def step_result(self, ns: dict[str, Any]) -> StepResult:
        return self.inner.step_result(ns)

    def run_span(self, k: int, low: float, high: float, watch: Callable[[float], bool] | None = None) -> EpochSpan:
        """The case's epochs on the scaled data, then mapped to original units (vectorised
        :meth:`Scaler.to_original` and :meth:`Scaler.grad_to_original`)."""
        self.inner.run_id = self.run_id  # the block carries the run id a stream stamped on this trainer
        block = self.inner.run_span(k, low, high, watch)
        self.epoch, self.failure = self.inner.epoch, self.inner.failure
        scale, mean = np.asarray(self.scaler.scale), np.asarray(self.scaler.mean)
        block.w[:] /= scale
        block.grad_w[:] *= scale
        if block.b is not None and block.grad_b is not None:
            block.b[:] = (block.b + self.scaler.y_mean) - block.w @ mean
            block.grad_w[:] += np.outer(block.grad_b, mean)
        return block

    def rewind(self, epoch: int, w: F32, b: float | None) -> None:
        self.set_params(w, b)
        self.epoch = self.inner.epoch = epoch

    def get_params(self) -> tuple[F32, float | None]:
        w, b = self.scaler.to_original(*self.inner.get_params())
        return np.asarray(w, dtype=np.float32), b

    def parameters(self) -> tuple[tuple[float, ...], float | None]:
        return self.scaler.to_original(*self.inner.get_params())

    def set_params(self, w: F32, b: float | None) -> None:
        ws, bs = self.scaler.to_scaled(w, b if self.bias else None)
        self.inner.set_params(np.asarray(ws, dtype=np.float32), bs)

    def predict(self, X: F32) -> F32:
        out: F32 = (self.inner.predict(self.scaler.transform_X(X)).astype(np.float64)
                    + self.scaler.y_mean).astype(np.float32)
        return out

    def evaluate(self) -> float:
        return self.inner.evaluate()


def conditioning(dataset: Dataset, bias: bool) -> tuple[LrBound, LrBound]:
    """The learning-rate bound (η_max, κ(H), …) of the data as it is and standardized."""
    before = lr_bound(dataset.X, bias)
    return before, lr_bound(Scaler.fit(dataset.X, dataset.y, centre=bias).transform_X(dataset.X), bias)


def effect(before: LrBound, after: LrBound) -> str:
    """One line on what standardizing does to the conditioning."""

    def fmt(v: float) -> str:
        return f"{v:.3g}" if math.isfinite(v) else "∞"

    return (f"standardize: κ(H) {fmt(before.condition)} → {fmt(after.condition)}, "
            f"η_max {fmt(before.eta_max)} → {fmt(after.eta_max)}")
