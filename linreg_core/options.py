"""The command-line options and the dataset set-up that ``linreg`` and ``linreg-tui`` share: one parser
vocabulary, one validation path, one exit-status convention."""

from __future__ import annotations

import argparse
import math
import os
from dataclasses import dataclass
from typing import Any, NoReturn

from linreg_core.checkpoint import Checkpoint, CheckpointError
from linreg_core.checkpoint import load as load_checkpoint
from linreg_core.config import LOSSES, MISTAKES, OPTIMIZERS, PRESETS, ConfigError, DataSpec, TrainConfig
from linreg_core.data import DataError, Dataset, DataShape, generated_shape
from linreg_core.data import load as load_data
from linreg_core.parse import InputError, parse_numbers

EXIT_OK, EXIT_UNEXPECTED, EXIT_BAD_INPUT, EXIT_DIVERGED, EXIT_FAILED = 0, 1, 2, 3, 4
BAD_INPUT = (ConfigError, DataError, InputError, CheckpointError)


class UsageError(Exception):
    pass


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage problem as one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def positive_speed(text: str) -> float | None:
    if text == "max":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0 or 'max' (got {text!r})") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number > 0 or 'max' (got {text!r})")
    return value


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any):
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from linreg_core import version

        print(f"{parser.prog} {version()}")
        parser.exit(0)


def add_version(p: argparse.ArgumentParser) -> None:
    p.add_argument("--version", action=_Version)


def add_config_options(p: argparse.ArgumentParser) -> None:
    """The options that describe a run (shared by ``linreg run``, ``linreg-tui`` and the other commands)."""
    g = p.add_argument_group("training")
    g.add_argument("--case", type=int, choices=(1, 2, 3, 4), default=None,
                   help="1 manual NumPy, 2 autograd, 3 loss + optimizer, 4 nn.Module (default 1)")
    presets = "; ".join(f"case {c}: {p.lr:g} / {p.epochs} / {p.log_every}" for c, p in PRESETS.items())
    g.add_argument("--lr", type=float, help=f"learning rate (default: the case's notebook preset; {presets})")
    g.add_argument("--epochs", type=int, help="epochs to run (default: preset)")
    g.add_argument("--log-every", type=int, help="log epoch k when (k-1) %% N == 0 (default: preset)")
    g.add_argument("--init-w", metavar="W", help="initial w: one number for every feature or d comma-separated "
                                                 "numbers (default 0 for cases 1-3, nn.Linear's for case 4)")
    g.add_argument("--init-b", type=float, help="initial b (default 0; nn.Linear's for case 4)")
    g.add_argument("--bias", action=argparse.BooleanOptionalAction, default=None,
                   help="learn a bias b (default off for cases 1-3, on for case 4)")
    g.add_argument("--seed", type=int, help="seed for nn.Linear's init, synthetic data and shuffling (default 0)")
    g.add_argument("--tol", type=float, help="stop as converged when the loss <= TOL")
    g.add_argument("--patience", type=int, help="stop as converged after N epochs without improvement")
    g.add_argument("--batch-size", type=int, help="mini-batch size (default: full batch)")
    g.add_argument("--optimizer", choices=OPTIMIZERS, help="cases 3-4 only (default sgd)")
    g.add_argument("--momentum", type=float, help="momentum for --optimizer momentum (default 0.9)")
    g.add_argument("--betas", metavar="B1,B2", help="Adam's decay rates for --optimizer adam (default 0.9,0.999)")
    g.add_argument("--loss", choices=LOSSES, help="cases 3-4 only (default mse)")
    g.add_argument("--standardize", action=argparse.BooleanOptionalAction, default=None,
                   help="train on z-scored features and a centred target (without a bias: features divided by "
                        "their RMS); parameters, predictions, exports and checkpoints stay in original units")
    which = "; ".join(f"{m}: case {'-'.join(map(str, sorted({c[0], c[-1]})))}" for m, c in MISTAKES.items())
    g.add_argument("--mistake", choices=tuple(MISTAKES), default=None,
                   help=f"make a classic mistake: the case's step with one line changed ({which})")
    d = p.add_argument_group("data")
    d.add_argument("--data", default=None, metavar="seed|synthetic|PATH",
                   help="the notebook's x=[1,2,3,4], y=2x (default), synthetic data, or a CSV file")
    d.add_argument("--n", type=int, help="synthetic: samples (default 100)")
    d.add_argument("--features", type=int, help="synthetic: features (default 1)")
    d.add_argument("--noise", type=float, help="synthetic: noise sigma (default 0.1)")
    d.add_argument("--true-w", metavar="W", help="synthetic: true w, one number or d comma-separated (default 2)")
    d.add_argument("--true-b", type=float, help="synthetic: true b (default 0)")
    d.add_argument("--x-cols", metavar="COLS", help="CSV: feature columns, names or 0-based indices, comma-separated "
                                                    "(default: all but the target)")
    d.add_argument("--y-col", metavar="COL", help="CSV: target column, name or 0-based index (default: last)")
    p.add_argument("--load", metavar="PATH", help="start from a checkpoint (weights and configuration)")


@dataclass
class Setup:
    config: TrainConfig
    dataset: Dataset
    checkpoint: Checkpoint | None = None


def setup_from_args(args: argparse.Namespace, current: TrainConfig | None = None,
                    current_data: Dataset | None = None) -> Setup:
    """Build and validate the configuration and load the data; raises a BAD_INPUT error on problems. Options not
    given keep ``current``'s values (a lesson's step; default: the case's preset), and ``current_data`` is kept when
    the data options and the seed stay the same."""
    cfg, ckpt = config_from_args(args, current)
    same_data = current is not None and ckpt is None and cfg.data == current.data and cfg.seed == current.seed
    dataset = current_data if same_data and current_data is not None else dataset_for(cfg)
    check_shapes(cfg, dataset.d)
    return Setup(cfg, dataset, ckpt)


def setup_for_app(args: argparse.Namespace) -> tuple[TrainConfig, Dataset | None]:
    """:func:`setup_from_args` for the app's start: the data only when it must be read now (a file, a checkpoint's),
    so that a bad file stops the start; generated data (seed, synthetic) is checked here and made at its first use,
    after the first screen."""
    cfg, ckpt = config_from_args(args)
    shape = None if ckpt else generated_data_shape(cfg)
    if shape is not None:
        check_shapes(cfg, shape.d)
        return cfg, None
    dataset = dataset_for(cfg)
    check_shapes(cfg, dataset.d)
    return cfg, dataset


def generated_data_shape(cfg: TrainConfig) -> DataShape | None:
    """The shape of ``cfg``'s data when it is generated (seed, synthetic), after its checks; None for a file."""
    s = cfg.data
    return generated_shape(s.source, n=s.n, features=s.features, noise=s.noise, true_w=s.true_w, true_b=s.true_b)


def config_from_args(args: argparse.Namespace, current: TrainConfig | None = None,
                     ) -> tuple[TrainConfig, Checkpoint | None]:
    """The configuration the options give (over ``current``, or a checkpoint's with ``--load``), and that
    checkpoint."""
    ckpt = load_checkpoint(args.load) if getattr(args, "load", None) else None
    base = ckpt.config_to_continue() if ckpt else current
    case = args.case if args.case is not None else (base.case if base else 1)
    if base is not None:
        cfg = base.with_case(case) if case != base.case else base
    else:
        cfg = TrainConfig.for_case(case)
    changes: dict[str, Any] = {}
    for name in ("lr", "epochs", "log_every", "init_b", "bias", "seed", "tol", "patience", "batch_size",
                 "optimizer", "momentum", "loss", "standardize", "mistake"):
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if args.init_w is not None:
        changes["init_w"] = tuple(parse_numbers(args.init_w, "--init-w"))
    if getattr(args, "betas", None) is not None:
        betas = parse_numbers(args.betas, "--betas")
        if len(betas) != 2:
            raise InputError(f"--betas: two numbers, B1,B2 (got {len(betas)})")
        changes["betas"] = (betas[0], betas[1])
    return cfg.replace(**changes, data=_data_spec(args, cfg.data)), ckpt


def _data_spec(args: argparse.Namespace, spec: DataSpec) -> DataSpec:
    """The data options given on the command line, over ``spec``."""
    dchanges: dict[str, Any] = {}
    for name in ("n", "features", "noise", "true_b", "x_cols", "y_col"):
        value = getattr(args, name, None)
        if value is not None:
            dchanges[name] = value
    if args.data is not None:
        dchanges["source"] = args.data
    if args.true_w is not None:
        dchanges["true_w"] = tuple(parse_numbers(args.true_w, "--true-w"))
    return DataSpec(**{**spec.__dict__, **dchanges}) if dchanges else spec


def dataset_for(cfg: TrainConfig) -> Dataset:
    s = cfg.data
    return load_data(s.source, n=s.n, features=s.features, noise=s.noise, true_w=s.true_w, true_b=s.true_b,
                     rng_seed=cfg.seed, x_cols=s.x_cols, y_col=s.y_col)


def check_shapes(cfg: TrainConfig, d: int) -> None:
    if cfg.init_w is not None and len(cfg.init_w) not in (1, d):
        raise ConfigError([f"init_w: needs 1 or {d} values for {d} features (got {len(cfg.init_w)})"])


def check_writable(path: str, what: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputError(f"{what}: {path}: is a directory")
    if not os.path.isdir(folder):
        raise InputError(f"{what}: {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{what}: {path}: folder {folder} is not writable")


def one_line(text: str) -> str:
    return " ".join(text.split())
