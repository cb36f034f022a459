"""``linreg-tui [OPTIONS]`` and ``python -m tui_app [OPTIONS]``."""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from linreg_core.lesson import Lesson
    from linreg_core.options import OneLineParser
    from linreg_core.questions import Recorder


def build_parser() -> OneLineParser:
    import argparse

    from linreg_core.options import OneLineParser, add_config_options, add_version, positive_speed
    from tui_app.keymap import brief

    parser = OneLineParser(prog="linreg-tui", description="Terminal app: linear regression by gradient descent at "
                           f"four levels of automation. Keys: {brief()}")
    add_version(parser)
    add_config_options(parser)
    parser.add_argument("--speed", type=positive_speed, default=10.0, metavar="N|max",
                        help="epochs per second in run mode (default 10; 'max' as fast as possible)")
    parser.add_argument("--lesson", metavar="FILE|NAME",
                        help="open a lesson beside the chart: a lesson file (TOML) or a built-in lesson's name "
                             "(linreg lessons lists them; linreg lesson check FILE checks a file)")
    parser.add_argument("--record", metavar="FILE",
                        help="with --lesson: append one JSON line per answer to a question and per step reached")
    web = parser.add_argument_group("serving in browsers")
    web.add_argument("--serve", action="store_true",
                     help="serve the app to browsers (textual-serve): each visitor gets their own app with these "
                          "options; Ctrl+C stops it")
    web.add_argument("--host", default="127.0.0.1",
                     help="address to serve on (default 127.0.0.1; another address exposes the app, which has no "
                          "authentication)")
    web.add_argument("--port", type=_port, default=8000, help="port to serve on (default 8000)")
    # set by --serve on each visitor's app: its files go to the browser, typed paths are refused (tui_app/visitor.py)
    web.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    return parser


def _port(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"must be a port number 1…65535 (got {text!r})")
    return value


def _recorder(path: str | None, lesson: Lesson | None) -> Recorder | None:
    """``--record FILE``: where a lesson's answers go (ValueError: no lesson, or a file that cannot be written)."""
    if path is None:
        return None
    from linreg_core.questions import Recorder

    if lesson is None:
        raise ValueError("--record needs --lesson (it records a lesson's answers)")
    try:
        return Recorder(path, lesson.path.stem)
    except OSError as exc:
        raise ValueError(f"--record: {exc}") from None


def resume_gc() -> None:
    """Collections on again, for the objects made from now on (those of the start-up are kept for good)."""
    gc.freeze()
    gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up (imports, the widgets) allocates much and frees almost nothing, so the cyclic collector's passes
    # until the first screen only cost time (docs/performance.md). It is off until the first screen is drawn.
    gc.disable()
    try:
        return _main(argv)
    finally:
        if not gc.isenabled():
            resume_gc()


def _main(argv: Sequence[str] | None) -> int:
    from linreg_core.options import BAD_INPUT, UsageError, setup_for_app, setup_from_args

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.lesson is None and not args.serve:  # generated data is made after the first screen
            config, dataset = setup_for_app(args)
        else:
            setup = setup_from_args(args)
            config, dataset = setup.config, setup.dataset
    except UsageError as exc:
        sys.stderr.write(f"linreg-tui: error: {exc}\n")
        return 2
    except BAD_INPUT as exc:
        sys.stderr.write(f"linreg-tui: error: {' '.join(str(exc).split())}\n")
        return 2
    except OSError as exc:
        sys.stderr.write(f"linreg-tui: error: {exc}\n")
        return 2
    lesson = None
    if args.lesson is not None:
        from linreg_core.lesson import LessonError, load

        try:
            lesson = load(args.lesson, config, dataset)
        except LessonError as exc:
            sys.stderr.write("".join(f"linreg-tui: error: {p}\n" for p in exc.problems))
            return 2
    try:
        recorder = _recorder(args.record, lesson)
    except ValueError as exc:
        sys.stderr.write(f"linreg-tui: error: {exc}\n")
        return 2
    if args.serve:  # the options were checked above: a bad one exits 2 before anything is served
        from tui_app.serve import serve

        resume_gc()
        return serve(list(sys.argv[1:] if argv is None else argv), args.host, args.port)
    from tui_app.app import LinregApp

    served = None
    if args.served:
        from tui_app.visitor import Served

        served = Served.from_launch(config.data.source, args.load, lesson)
    app = LinregApp(config, dataset, speed=args.speed, on_first_screen=resume_gc, lesson=lesson, served=served,
                    recorder=recorder)
    code = app.run()
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
