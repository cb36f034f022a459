"""A lesson step's ``setup``: the options ``linreg-tui`` takes, read by the same parser code with the same checks
and messages (a setup table becomes a command line), and applied over the configuration of the moment."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset, seed
from linreg_core.options import (
    BAD_INPUT,
    OneLineParser,
    Setup,
    UsageError,
    add_config_options,
    positive_speed,
    setup_from_args,
)

#: linreg-tui's options that are not a lesson step's to set.
NOT_IN_SETUP = ("help", "version", "serve", "host", "port", "lesson", "record")


def setup_parser() -> OneLineParser:
    """The options a step's setup takes: linreg-tui's (the same parser code), without the ones of serving."""
    parser = OneLineParser(prog="setup", add_help=False)
    add_config_options(parser)
    parser.add_argument("--speed", type=positive_speed, default=None, metavar="N|max")
    return parser


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {a.dest: a for a in parser._actions if a.option_strings and a.dest not in NOT_IN_SETUP}


def setup_argv(setup: dict[str, Any], parser: argparse.ArgumentParser, base: Path) -> tuple[list[str], list[tuple[
        str, str]]]:
    """The command line a setup table stands for, and (key, problem) for what cannot be one."""
    options = _options(parser)
    argv: list[str] = []
    problems: list[tuple[str, str]] = []
    for key, value in setup.items():
        dest = key.replace("-", "_")
        action = options.get(dest)
        if action is None:
            names = ", ".join(sorted(o.replace("_", "-") for o in options))
            problems.append((key, f"unknown option {key!r} (the options linreg-tui takes: {names})"))
            continue
        flag = action.option_strings[0]
        if isinstance(action, argparse.BooleanOptionalAction):
            if not isinstance(value, bool):
                problems.append((key, f"{key} must be true or false (got {value!r})"))
            else:
                argv.append(flag if value else f"--no-{flag[2:]}")
            continue
        if isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            value = ",".join(map(str, value))
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append((key, f"{key}: a number or a string, as on the command line (got {value!r})"))
            continue
        text = str(value)
        if dest in ("data", "load") and text not in ("seed", "synthetic") and not Path(text).is_absolute():
            text = str(base / text)  # a teacher's CSV or checkpoint beside the lesson file
        argv += [flag, text]
    return argv, problems


class SetupChecker:
    """Checks the steps' setups in order, each over the configuration the steps before it made."""

    def __init__(self, base: Path, config: TrainConfig | None, dataset: Dataset | None):
        self.base = base
        self.parser = setup_parser()
        self.config = config or TrainConfig.for_case(1)
        self.dataset = dataset or seed()

    def check(self, setup: dict[str, Any]) -> list[tuple[str, str]]:
        """(key, problem) for what is wrong with ``setup``; a good one moves the configuration on."""
        if not setup:
            return []
        argv, problems = setup_argv(setup, self.parser, self.base)
        if problems:
            return problems
        try:
            applied, _ = _apply_argv(self.parser, argv, self.config, self.dataset)
        except (UsageError, *BAD_INPUT, OSError) as exc:
            return [(_failing_key(setup, str(exc)), " ".join(str(exc).split()))]
        self.config, self.dataset = applied.config, applied.dataset
        return []


def _apply_argv(parser: argparse.ArgumentParser, argv: list[str], config: TrainConfig,
                dataset: Dataset) -> tuple[Setup, argparse.Namespace]:
    """The command line ``argv`` parsed and applied over ``config`` and ``dataset`` (the command line's errors)."""
    args = parser.parse_args(argv)
    return setup_from_args(args, config, dataset), args


def _failing_key(setup: dict[str, Any], message: str) -> str:
    """The setup key a parser message is about (for its line), else the first key."""
    for key in setup:
        if f"--{key.replace('_', '-')}" in message or re.search(rf"\b{re.escape(key)}\b", message):
            return key
    return next(iter(setup), "setup")


def apply(setup: dict[str, Any], base: Path, config: TrainConfig, dataset: Dataset) -> tuple[
        TrainConfig, Dataset, argparse.Namespace]:
    """The configuration and data after a step's ``setup`` over ``config`` and ``dataset`` (paths in it relative to
    ``base``, the lesson file's folder), and the parsed options (``speed`` among them). Raises a BAD_INPUT error (or
    UsageError) with the command line's message."""
    parser = setup_parser()
    argv, problems = setup_argv(setup, parser, base)
    if problems:
        raise UsageError("; ".join(msg for _, msg in problems))
    applied, args = _apply_argv(parser, argv, config, dataset)
    return applied.config, applied.dataset, args
