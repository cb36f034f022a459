"""The main screen's commands beyond run control: the chart's views, the commands that open another screen (the
instruments: compare, gradient check, code, lr range test) and the run's files (edit w/b, save, load, export,
history). Each is the screen's ``action_*`` method."""

from __future__ import annotations

import asyncio
import io
import math
import time
from typing import TYPE_CHECKING, Any, Callable

from rich.text import Text
from textual import work

from linreg_core import checkpoint
from linreg_core.fileio import atomic_write
from tui_app.messages import ReferenceCurve
from tui_app.runs import (
    DownloadName,
    Loaded,
    WritePath,
    continue_from,
    load_for_app,
    params_label,
    params_text,
    parse_params,
)

if TYPE_CHECKING:
    from tui_app.screens.main import MainScreen


def toggle_log(self: MainScreen) -> None:
    self.chart.log_scale = not self.chart.log_scale
    self.say("loss chart: log10(loss)" if self.chart.log_scale else "loss chart: loss")
    self.schedule_display()


def toggle_view(self: MainScreen) -> None:
    if self.query_one("#step-view").display:  # from the step view, back to the chart as it was
        self.show_step(False)
        self.say("chart: the step view is hidden (. shows the next block)")
        return
    view = self.chart.toggle_view()
    self.say({"param-view": "chart: w, b and the fitted line", "landscape-view": "chart: the loss landscape "
              "with the path ([ and ] choose the parameters when there are more than two)"}.get(view, "chart: loss"))
    self.schedule_display()


def lr_opt(self: MainScreen) -> None:
    s = self.session
    if not s.config.plain_gd or not math.isfinite(s.bound.eta_opt):
        self.say("η_opt applies only to full-batch MSE with plain SGD", "warning")
        return
    lr = float(f"{s.bound.eta_opt:.4g}")
    self.apply_config(s.config.replace(lr=lr), why=f"lr set to η_opt = {lr:g}")


def compare(self: MainScreen) -> None:
    from tui_app.screens.compare import CompareScreen  # imported on first use: a faster start

    # the four cases from the same start; a mistake is one case's, so compare runs them without it
    config = self.session.config
    self.app.push_screen(CompareScreen(config.replace(mistake=None), self.session.dataset, without=config.mistake))


def gradcheck(self: MainScreen) -> None:
    s = self.session
    w, b = s.params()
    if not math.isfinite(sum(w)) or (b is not None and not math.isfinite(b)):
        self.say("gradient check needs finite parameters — press r to reset", "warning")
        return
    from tui_app.screens.gradcheck import GradcheckScreen

    self.app.push_screen(GradcheckScreen(s.dataset, w, b, s.epoch))


def lr_find(self: MainScreen) -> None:
    from tui_app.screens.lr_find import LrFindScreen

    def use(lr: float | None) -> None:
        if lr is not None:
            self.apply_config(self.session.config.replace(lr=lr), why=f"lr set to the range test's suggestion {lr:g}")

    self.app.push_screen(LrFindScreen(self.session.config, self.session.dataset), use)


def code(self: MainScreen) -> None:
    from tui_app.screens.code import CodeScreen

    try:
        screen = CodeScreen(self.session.config.case, self.session.config.mistake)
    except (OSError, TypeError) as exc:
        self.error(f"source not available: {exc}")
        return
    self.app.push_screen(screen)


def _prompt(self: MainScreen, title: str, hint: str, value: str, check: Callable[[str], Any],
            done: Callable[[Any], None], *, paste_lines: bool = False) -> None:
    from tui_app.screens.prompts import PromptScreen

    self.say("")  # what the line said was about the screen below (e.g. "nothing to export yet")
    self.app.push_screen(PromptScreen(title, hint, value, check, blink=self.cursor_blink, paste_lines=paste_lines),
                         done)


def _file(self: MainScreen, title: str, what: str, default: str, suffixes: tuple[str, ...],
          content: Callable[[str], str], verb: str, detail: str) -> None:
    """The dialog of s, e and x. Locally: a path, where ``content(path)`` is written atomically (an existing file
    only when its path is confirmed); then "{verb} {path}: {detail}". Served: a file name only, and the same
    content goes to the visitor's browser as a download; nothing is written on the server."""
    ends = " or ".join(suffixes)
    if self.served is None:
        target = WritePath(suffixes)

        def check(text: str) -> str:
            return target.write(text, lambda path: atomic_write(path, content(path)))

        hint = f"a {ends} path: {what}, written atomically"
    else:
        name_only = DownloadName(suffixes)

        def check(text: str) -> str:
            name = name_only.check(text)
            self.app.deliver_text(io.StringIO(content(name)), save_filename=name)
            return name

        hint = f"a file name ending in {ends}: {what}, sent to your browser as a download"

    def done(name: str | None) -> None:
        if name is not None:
            did = f"sent {name} to your browser (see its downloads)" if self.served else f"{verb} {name}"
            self.say(f"{did}: {detail}")

    _prompt(self, title, hint, default, check, done)


def edit_params(self: MainScreen) -> None:
    s = self.session
    if s.state.ended:
        self.say(f"the run has {s.state}: r resets (Initial w and b in the pane set where it starts)", "warning")
        return
    if s.state == "running":
        self.action_toggle_run()  # parameters are set between two epochs, so pause first
    d, bias, run_id = s.dataset.d, s.config.bias, s.run_id
    hint = f"w: {d} number(s), one per feature" + ("; then ';' and b" if bias else "")
    if s.config.standardize:
        hint += " — in original units"

    def done(result: tuple[tuple[float, ...], float | None] | None) -> None:
        if result is None:
            self.say("parameters unchanged")
        elif run_id != s.run_id or s.state.ended:
            self.say("the run changed meanwhile: parameters not set", "warning")
        else:
            s.stream.set_params(*result)

    _prompt(self, f"Set the parameters by hand at epoch {s.epoch}", hint, params_text(*s.params()),
            lambda text: parse_params(text, d, bias), done)


async def caught_up(self: MainScreen, most: float = 1.0) -> None:
    """Wait (at most ``most`` seconds) until the commands sent to the training process are handled and their
    events folded in: `s` or `e` typed right behind `n` saves or exports the epoch `n` ran."""
    s, end = self.session, time.monotonic() + most
    while s.state != "running" and not (s.stream.idle and s.stream.queue.empty()) and time.monotonic() < end:
        await asyncio.sleep(0.005)  # (a running run is saved where it is: nothing to wait for)


async def save(self: MainScreen) -> None:
    await caught_up(self)
    s = self.session
    if not s.finite_params():
        self.say("nothing to save: the parameters are not finite — r resets", "warning")
        return
    cfg, epoch, w, b = s.config, s.epoch, s.w, s.b
    _file(self, "Save a checkpoint", f"weights at epoch {epoch} and the configuration", "linreg-checkpoint.json",
          (".json",), lambda _name: checkpoint.dumps(cfg, epoch, w, b),
          "saved", f"epoch {epoch}, {params_label(w, b)} "
                   f"({'L loads it, or --load' if self.served is None else 'L loads it: paste its text'})")


def load(self: MainScreen) -> None:
    from linreg_core.options import dataset_for

    s, served = self.session, self.served

    def check(text: str) -> Loaded:
        if served is None:
            return load_for_app(text, s.config, s.dataset, dataset_for)
        name, ckpt = served.checkpoint(text)
        return continue_from(name, ckpt, s.config, s.dataset, dataset_for)

    def done(loaded: Loaded | None) -> None:
        if loaded is not None:
            self.apply_config(loaded.config, loaded.dataset,
                              why=f"loaded {loaded.path} (saved at epoch {loaded.checkpoint.epoch}; its weights are "
                                  f"the initial values)")

    if served is None:
        _prompt(self, "Load a checkpoint", "path of a checkpoint saved with s or linreg --save (JSON only: loading "
                "never runs code)", "linreg-checkpoint.json", check, done)
        return
    offered = served.names(served.checkpoints)
    named = f", or the name of one offered here: {' | '.join(offered)}" if offered else ""
    _prompt(self, "Load a checkpoint", f"paste a checkpoint's text (the .json file s sent you){named}",
            offered[0] if offered else "", check, done, paste_lines=True)


async def export(self: MainScreen) -> None:
    await caught_up(self)
    s = self.session
    history = s.history
    if not len(history):
        self.say("nothing to export yet: run some epochs first (n or space)", "warning")
        return
    extra = {"config": s.config.to_dict(), "data": s.dataset.name, "state": str(s.state)}
    _file(self, "Export this run's history", "every epoch: loss, w, b, gradients", "linreg-history.csv",
          (".csv", ".json"), lambda name: history.export_text(name, extra),
          "exported", f"{len(history)} epochs (loss, w, b, gradients)")


def history(self: MainScreen) -> None:
    from tui_app.screens.history import HistoryScreen

    past = self.session.past_runs

    def done(selected: set[int] | None) -> None:
        if selected is None:
            return
        past.shown = selected
        if self.chart.view != "loss-view":
            self.chart.toggle_view()
        self.say(f"{len(selected)} past run(s) overlaid on the loss chart" if selected else "no past runs overlaid")
        self.schedule_display()

    self.app.push_screen(HistoryScreen(list(past.runs), past.shown), done)


def mistake(self: MainScreen) -> None:
    """m: the next mistake the selected case can make (after the last, none)."""
    from linreg_core.cases.mistakes import EFFECTS

    s = self.session
    options = s.mistakes()
    if len(options) == 1:
        self.say(f"case {s.config.case} makes no mistake from the list (see the help)", "warning")
        return
    now = options.index(s.config.mistake) if s.config.mistake in options else 0
    new = options[(now + 1) % len(options)]
    self.apply_config(s.config.replace(mistake=new),
                      why=f"mistake {new}: {EFFECTS[new]}" if new else "no mistake: the case's own step")


def export_script(self: MainScreen) -> None:
    """x: the run as a standalone program (.py) or notebook (.ipynb) that prints the same lines."""
    from linreg_core.export import notebook, program

    s = self.session
    config, dataset = s.config, s.dataset

    def content(name: str) -> str:
        return (notebook if name.lower().endswith(".ipynb") else program)(config, dataset)

    _file(self, "Export the run as a program", "this configuration as a standalone program in the notebook's style",
          "linreg_run.py", (".py", ".ipynb"), content,
          "wrote", f"run it with python (NumPy{'' if config.case == 1 else ' and torch'} only); it prints the same "
                   f"epoch lines")


def pair(self: MainScreen, step: int) -> None:
    """[ / ]: the landscape over the previous / next pair of parameters."""
    count = self.session.dataset.d + bool(self.session.config.bias)
    if self.chart.view != "landscape-view":
        self.say("[ and ] choose the parameters of the landscape view: press t until it shows", "warning")
    elif count < 3:
        self.say(f"[ and ] choose among three or more parameters: this run has {count}, all shown", "warning")
    else:
        from tui_app.widgets.landscape_view import pairs

        self.pair += step
        choices = pairs(self.session.dataset.d, self.session.config.bias)
        self.say(f"landscape over {' and '.join(choices[self.pair % len(choices)])}")
        self.schedule_display()


def after_first_screen(self: MainScreen) -> None:
    """Once the first screen is drawn: generated data made and what it gives shown, the training process started
    (beside the first layout it would compete with it for the CPU; commands sent before wait in its pipe), plotext
    loaded; then the keys typed meanwhile, in order."""
    from tui_app.widgets.plot import preload_plotting

    if not self.session.has_data:
        try:
            self.session.dataset  # noqa: B018 - made now
        except (MemoryError, ValueError) as exc:  # --n and --features beyond this machine's memory
            msg = " ".join(str(exc).split())
            self.app.exit(2, return_code=2, message=f"linreg-tui: error: the data could not be made: {msg}")
            return
        self.start_log()
        self.show_data()
    try:
        self.session.start_stream()
    except (OSError, RuntimeError) as exc:  # e.g. no process can be started on this machine now
        self.error(f"the training process could not start: {exc}")
    self.drain()
    if self.guide is not None:
        self.guide.start()
    preload_plotting()  # the first screen has no figure to draw
    self.ready_for_keys = True
    self.app.typeahead.release()  # type: ignore[attr-defined]
    if self.on_first_screen is not None:
        self.on_first_screen()


def start_log(self: MainScreen) -> None:
    """The log pane (Textual's RichLog, imported now) in the place of the lines drawn for the first screen."""
    from tui_app.widgets.log_pane import LogPane

    start = self.query_one("#log-start")
    self.log_pane = LogPane(id="log")
    self.log_pane.start(self.session.describe_config())
    self.query_one("#bottom").mount(self.log_pane, before=start)
    start.remove()


def show_data(self: MainScreen) -> None:
    """What the data gives: the learning-rate bound, the reference curve of a mistake, the chart."""
    self.show_bound()
    self.reference_curve()
    self.schedule_display()


@work(thread=True, exclusive=True, group="reference", exit_on_error=False)
def reference_curve(self: MainScreen) -> None:
    """With a mistake on: the same run without it, in a separate process (torch stays out of this one)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from linreg_core.engine import loss_curve

    config, dataset = self.session.config, self.session.dataset
    self.session.reference = None
    if config.mistake is None:
        return
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        losses = pool.submit(loss_curve, config.replace(mistake=None), dataset).result()
    self.post_message(ReferenceCurve(config, losses))


def on_reference_curve(self: MainScreen, message: ReferenceCurve) -> None:
    if message.config == self.session.config:  # not for a configuration changed meanwhile
        self.session.reference = message.losses
        self.schedule_display()


def show_bound(self: MainScreen) -> None:
    """The learning-rate bound beside Learning rate (and the warning when lr ≥ η_max)."""
    s = self.session
    b, text = s.bound, Text()
    if not s.config.plain_gd:
        text.append("bound n/a: only for full-batch MSE + plain SGD", style="dim")
    else:
        text.append(f"η_max {b.eta_max:.4g} (stable below)\nη_opt {b.eta_opt:.4g} (fastest; press o)\n"
                    f"κ(H) {b.condition:.4g} (condition number)", style="dim")
        if s.config.standardize:
            u = s.bound_unscaled
            text.append(f"\nunscaled: κ(H) {u.condition:.3g}\n          η_max {u.eta_max:.3g}", style="dim")
        if s.unstable():
            text.append("\n⚠ lr ≥ η_max: will diverge", style="bold red")
    self.hyperparams.set_bound(text)
