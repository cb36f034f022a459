"""``--standardize``: training in a scaled space, everything shown in original units, checked against plain math."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from linreg_core import analysis, checkpoint
from linreg_core.cases import make_trainer
from linreg_core.cli import main
from linreg_core.config import ConfigError, TrainConfig
from linreg_core.data import Dataset, load_csv, seed
from linreg_core.engine import Run
from linreg_core.scaling import Scaler, Standardized, bound_for

HOUSES = Path(__file__).resolve().parents[2] / "examples" / "houses.csv"


def houses() -> Dataset:
    return load_csv(str(HOUSES))


def wide_scales(seed: int = 1) -> Dataset:
    """Two features on very different scales (area in tens, rooms in units)."""
    rng = np.random.default_rng(seed)
    area = rng.normal(15, 5, 200)
    rooms = rng.integers(1, 6, 200).astype(float)
    X = np.column_stack([area, rooms]).astype(np.float32)
    y = (0.3 * area + 2 * rooms + 5 + rng.normal(0, 1, 200)).reshape(-1, 1).astype(np.float32)
    return Dataset(X, y, name="wide")


def run_to_end(cfg: TrainConfig, ds: Dataset) -> tuple[Run, object]:
    run = Run(cfg, ds)
    fin = None
    while fin is None:
        _, fin = run.advance()
    return run, fin


@pytest.mark.parametrize("centre", [True, False])
def test_scaler_maps_the_same_model_both_ways(centre: bool) -> None:
    ds = wide_scales()
    s = Scaler.fit(ds.X, ds.y, centre=centre)
    Xs = s.transform_X(ds.X).astype(np.float64)
    if centre:
        assert np.allclose(Xs.mean(axis=0), 0, atol=1e-5) and np.allclose(Xs.std(axis=0), 1, atol=1e-5)
    else:
        assert np.allclose(np.sqrt((Xs ** 2).mean(axis=0)), 1, atol=1e-5)
    w, b = (0.7, -1.3), (2.5 if centre else None)
    ws, bs = s.to_scaled(w, b)
    back = s.to_original(ws, bs)
    assert back[0] == pytest.approx(w) and (back[1] == pytest.approx(b) if centre else back[1] is None)
    # the same predictions: X w + b == X' w' + b' + ȳ
    orig = ds.X.astype(np.float64) @ np.asarray(w) + (b or 0.0)
    scaled = Xs @ np.asarray(ws) + (bs or 0.0) + s.y_mean
    assert np.allclose(orig, scaled, rtol=1e-5, atol=1e-4)


def test_constant_feature_keeps_scale_one() -> None:
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]], dtype=np.float32)
    s = Scaler.fit(X, np.ones((3, 1), np.float32), centre=True)
    assert s.scale[1] == 1.0 and np.isfinite(s.transform_X(X)).all()


@pytest.mark.parametrize("case", [1, 2, 3, 4])
@pytest.mark.parametrize("bias", [True, False])
def test_gradient_reported_in_original_units_matches_finite_differences(case: int, bias: bool) -> None:
    ds = wide_scales()
    cfg = TrainConfig.for_case(case, bias=bias, standardize=True, init_w=(0.1, -0.2), init_b=1.5 if bias else None,
                               lr=0.1)
    trainer = make_trainer(cfg, ds)
    assert isinstance(trainer, Standardized)
    w0, b0 = trainer.parameters()
    assert w0 == pytest.approx((0.1, -0.2), rel=1e-5)
    if bias:
        assert b0 == pytest.approx(1.5, rel=1e-5)
    ev = trainer.step()
    fd = analysis.finite_difference_gradient(ds.X, ds.y, np.asarray(w0), b0)
    got = np.asarray([*ev.grad_w, *([ev.grad_b] if bias else [])])
    assert analysis.relative_error(got, fd) < 1e-4
    # and the loss reported is the original-units loss before the update
    assert ev.loss == pytest.approx(analysis.mse(ds.X, ds.y, np.asarray(w0), b0), rel=1e-5)


@pytest.mark.parametrize("case", [1, 2, 3, 4])
@pytest.mark.parametrize("bias", [True, False])
def test_every_case_reaches_the_closed_form_in_original_units(case: int, bias: bool) -> None:
    ds = wide_scales()
    star = analysis.closed_form(ds.X, ds.y, bias)
    cfg = TrainConfig.for_case(case, bias=bias, standardize=True, epochs=400)
    cfg = cfg.replace(lr=float(bound_for(cfg, ds).eta_opt))
    run, fin = run_to_end(cfg, ds)
    assert fin.reason == "completed"  # type: ignore[attr-defined]
    assert fin.w == pytest.approx(star.w, rel=2e-3, abs=2e-3)  # type: ignore[attr-defined]
    if bias:
        assert fin.b == pytest.approx(star.b, rel=2e-3, abs=2e-3)  # type: ignore[attr-defined]
    # predictions in original units: the plain formula with the reported parameters
    Xq = np.array([[10.0, 2.0], [20.0, 4.0]], dtype=np.float32)
    expected = Xq.astype(np.float64) @ np.asarray(fin.w) + (fin.b or 0.0)  # type: ignore[attr-defined]
    assert run.trainer.predict(Xq).ravel() == pytest.approx(expected, rel=1e-4)


def test_standardizing_turns_a_long_run_into_a_short_one() -> None:
    """Same stop rule (loss within 0.01% of loss*), lr at half of each space's η_max."""
    ds = wide_scales()
    star = analysis.closed_form(ds.X, ds.y, True)
    epochs = {}
    for std in (False, True):
        cfg = TrainConfig.for_case(1, bias=True, standardize=std, epochs=200_000, tol=star.loss * (1 + 1e-4))
        cfg = cfg.replace(lr=0.5 * bound_for(cfg, ds).eta_max)
        _, fin = run_to_end(cfg, ds)
        assert fin.reason == "converged"  # type: ignore[attr-defined]
        epochs[std] = fin.epochs  # type: ignore[attr-defined]
    assert bound_for(TrainConfig(bias=True), ds).condition > 1000
    assert bound_for(TrainConfig(bias=True, standardize=True), ds).condition < 2
    assert epochs[False] > 10_000 and epochs[True] < 50, epochs


def test_the_seed_trace_is_unchanged_without_the_flag() -> None:
    cfg = TrainConfig.for_case(1)
    assert cfg.standardize is False
    assert not isinstance(make_trainer(cfg, seed()), Standardized)


def test_checkpoint_holds_original_units_and_continues(tmp_path: Path) -> None:
    ds = houses()
    cfg = TrainConfig.for_case(1, bias=True, standardize=True, lr=0.5, epochs=3)
    run, fin = run_to_end(cfg, ds)
    path = tmp_path / "c.json"
    checkpoint.save(path, cfg, fin.epochs, fin.w, fin.b)  # type: ignore[attr-defined]
    doc = json.loads(path.read_text())
    assert doc["config"]["standardize"] is True and doc["w"] == list(fin.w)  # type: ignore[attr-defined]
    # the saved numbers predict in original units without any scaler
    pred = ds.X.astype(np.float64) @ np.asarray(doc["w"]) + doc["b"]
    assert np.allclose(pred, run.trainer.predict(ds.X).ravel(), rtol=1e-4)
    cont = make_trainer(checkpoint.load(path).config_to_continue(), ds)
    assert cont.parameters()[0] == pytest.approx(fin.w, rel=1e-5)  # type: ignore[attr-defined]
    assert cont.parameters()[1] == pytest.approx(fin.b, rel=1e-5)  # type: ignore[attr-defined]


def test_config_rejects_a_non_bool() -> None:
    with pytest.raises(ConfigError, match="standardize"):
        TrainConfig(standardize="yes").validate()  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="standardize"):
        TrainConfig.from_dict({**TrainConfig().to_dict(), "standardize": 1})


def cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue()


def test_cli_reports_the_conditioning_and_converges_fast() -> None:
    code, out = cli("run", "--data", str(HOUSES), "--bias", "--standardize", "--lr", "0.5", "--epochs", "1000",
                    "--tol", "89.6", "--log-every", "1000")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("standardize: κ(H) 2.12e+05 → 1.29, η_max 6.95e-05 → 0.889")
    assert lines[-1].startswith("converged: 5 epochs, w=[2.481, 14.347]")


def test_cli_json_event_and_no_flag_means_no_line() -> None:
    code, out = cli("run", "--data", str(HOUSES), "--bias", "--standardize", "--json", "--epochs", "2")
    doc = json.loads(out.splitlines()[0])
    assert code == 0 and doc["event"] == "standardize"
    assert doc["condition"][0] > 1e5 and doc["condition"][1] < 2
    _, out = cli("run", "--data", str(HOUSES), "--bias", "--no-standardize", "--epochs", "2")
    assert not out.startswith("standardize")


async def test_a_stream_numbers_standardized_epochs_with_its_run_id() -> None:
    """Run ids are stamped by the trainer: the wrapper must stamp its own, or a consumer drops every epoch."""
    import asyncio

    from linreg_core.events import EpochEnded
    from linreg_core.stream import RunStream

    stream = RunStream(TrainConfig.for_case(3, standardize=True, epochs=5), seed(), speed=None)
    stream.start()
    run_id = stream.reset()
    stream.step(2)
    got: list[EpochEnded] = []
    while len(got) < 2:
        ev = await asyncio.wait_for(stream.get(), 20)
        if isinstance(ev, EpochEnded):
            got.append(ev)
    stream.stop()
    assert run_id == 1 and [(e.epoch, e.run_id) for e in got] == [(1, 1), (2, 1)]
