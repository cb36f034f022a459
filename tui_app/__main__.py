"""``linreg-tui [OPTIONS]`` and ``python -m tui_app [OPTIONS]``."""

from __future__ import annotations

import gc
import sys
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import argparse

if TYPE_CHECKING:
    from linreg_core.classroom import Learner
    from linreg_core.lesson import Lesson
    from linreg_core.options import OneLineParser
    from linreg_core.questions import Recorder
    from tui_app.visitor import Served


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
    web.add_argument("--class", dest="class_dir", metavar="DIR",
                     help="with --serve: a class; each visitor signs in with a name and the class code, and their "
                          "lesson steps, answers and runs are kept in DIR/class.sqlite (linreg class DIR shows them)")
    web.add_argument("--code", metavar="CODE",
                     help="with --class: the class code to give the learners (default six random letters and "
                          "digits, printed at start)")
    web.add_argument("--teacher", metavar="DIR",
                     help="the teacher's view of a class served with --class DIR, live: each learner's progress and "
                          "the class's answers to a question")
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


def _class_options(args: argparse.Namespace) -> None:
    """--class, --code and --teacher go with --serve, with --class, and alone (UsageError otherwise)."""
    from linreg_core.options import UsageError

    if args.code is not None and args.class_dir is None:
        raise UsageError("--code needs --class DIR (the class it is the code of)")
    if args.class_dir is not None and not (args.serve or args.served):
        raise UsageError("--class needs --serve (a class's learners sign in to the served app)")
    if args.class_dir is not None and args.record is not None:
        raise UsageError("--record and --class: a class keeps its answers in its store, not in a file")
    if args.code is not None and not (4 <= len(args.code) <= 12 and args.code.isalnum()):
        raise UsageError(f"--code: 4 to 12 letters and digits (got {args.code!r})")


def _lesson_facts(lesson: Lesson | None) -> dict[str, object]:
    """What a class's store keeps of its lesson: its name, title, steps and questions."""
    if lesson is None:
        return {}
    return {"name": lesson.path.stem, "title": lesson.title, "steps": len(lesson.steps),
            "questions": [[k, step.question.ask, [c.text for c in step.question.choices]]
                          for k, step in enumerate(lesson.steps, 1) if step.question]}


def _classroom(args: argparse.Namespace, lesson: Lesson | None) -> tuple[str | None, Learner | None]:
    """--class: the server makes the store (and says its class code); a visitor's app opens it (ValueError: a
    store that cannot be used). SQLite is imported only for a class (not on a local app's way to its screen)."""
    if args.class_dir is None:
        return None, None
    from linreg_core.classroom import Learner, Store, StoreError

    try:
        if args.serve:
            store = Store.create(args.class_dir, args.code, _lesson_facts(lesson))
            code = store.code
            store.close()
            return code, None
        name, steps = (lesson.path.stem, len(lesson.steps)) if lesson else ("", 0)
        return None, Learner(Store.open(args.class_dir), name, steps)
    except StoreError as exc:
        raise ValueError(str(exc)) from None


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


def _served(args: argparse.Namespace, data: str, lesson: Lesson | None) -> Served | None:
    """--served (set by --serve on each visitor's app): the server's files the visitor may use, by name."""
    if not args.served:
        return None
    from tui_app.visitor import Served

    return Served.from_launch(data, args.load, lesson)


def _fail(*problems: str) -> int:
    sys.stderr.write("".join(f"linreg-tui: error: {p}\n" for p in problems))
    return 2


def _main(argv: Sequence[str] | None) -> int:
    from linreg_core.options import BAD_INPUT, UsageError, setup_for_app, setup_from_args

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        _class_options(args)
        if args.teacher is not None:
            from tui_app.teacher import teach

            return teach(args.teacher)
        if args.lesson is None and not args.serve:  # generated data is made after the first screen
            config, dataset = setup_for_app(args)
        else:
            setup = setup_from_args(args)
            config, dataset = setup.config, setup.dataset
    except (UsageError, OSError) as exc:
        return _fail(str(exc))
    except BAD_INPUT as exc:
        return _fail(" ".join(str(exc).split()))
    lesson = None
    if args.lesson is not None:
        from linreg_core.lesson import LessonError, load

        try:
            lesson = load(args.lesson, config, dataset)
        except LessonError as exc:
            return _fail(*exc.problems)
    try:
        recorder = _recorder(args.record, lesson)
        class_code, learner = _classroom(args, lesson)
    except ValueError as exc:
        return _fail(str(exc))
    if args.serve:  # the options were checked above: a bad one exits 2 before anything is served
        from tui_app.serve import serve

        resume_gc()
        return serve(list(sys.argv[1:] if argv is None else argv), args.host, args.port,
                     (args.class_dir, class_code) if class_code else None)
    from tui_app.app import LinregApp

    served = _served(args, config.data.source, lesson)
    app = LinregApp(config, dataset, speed=args.speed, on_first_screen=resume_gc, lesson=lesson, served=served,
                    recorder=recorder, learner=learner)
    code = app.run()
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
