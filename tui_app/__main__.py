"""``linreg-tui [OPTIONS]`` and ``python -m tui_app [OPTIONS]``."""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from linreg_core.options import OneLineParser


def build_parser() -> OneLineParser:
    from linreg_core.options import OneLineParser, add_config_options, add_version, positive_speed
    from tui_app.keymap import brief

    parser = OneLineParser(prog="linreg-tui", description="Terminal app: linear regression by gradient descent at "
                           f"four levels of automation. Keys: {brief()}")
    add_version(parser)
    add_config_options(parser)
    parser.add_argument("--speed", type=positive_speed, default=10.0, metavar="N|max",
                        help="epochs per second in run mode (default 10; 'max' as fast as possible)")
    return parser


def resume_gc() -> None:
    """Collections on again, for the objects made from now on (those of the start-up are kept for good)."""
    gc.freeze()
    gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up (imports, the widgets) allocates much and frees almost nothing, so the cyclic collector's ~170 passes
    # until the first screen only cost time: ~50 ms of it, measured. It is off until the first screen is drawn.
    gc.disable()
    try:
        return _main(argv)
    finally:
        if not gc.isenabled():
            resume_gc()


def _main(argv: Sequence[str] | None) -> int:
    from linreg_core.options import BAD_INPUT, UsageError, setup_from_args

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        setup = setup_from_args(args)
    except UsageError as exc:
        sys.stderr.write(f"linreg-tui: error: {exc}\n")
        return 2
    except BAD_INPUT as exc:
        sys.stderr.write(f"linreg-tui: error: {' '.join(str(exc).split())}\n")
        return 2
    except OSError as exc:
        sys.stderr.write(f"linreg-tui: error: {exc}\n")
        return 2
    from tui_app.app import LinregApp

    app = LinregApp(setup.config, setup.dataset, speed=args.speed, on_first_screen=resume_gc)
    code = app.run()
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
