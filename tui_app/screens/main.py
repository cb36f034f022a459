"""The main screen: its panes and the run's own keys (:class:`tui_app.screens.main_core.MainCore`), and here the
commands beyond run control: a hyperparameter field taken, the speed, the chart's views, the commands that open
another screen (the instruments: compare, gradient check, code, lr range test, history) and the run's files (edit
w/b, save, load, export). Each is the screen's ``action_*`` method."""

from __future__ import annotations

import asyncio
import contextlib
import io
import math
from typing import Any, Callable

from textual import on
from textual.widgets import Input

from linreg_core import checkpoint
from linreg_core.cases.facts import CASE
from linreg_core.fileio import atomic_write
from tui_app.fields import LABELS, FieldError, field_text, parse_field
from tui_app.messages import FieldSubmitted
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
from tui_app.screens.main_core import MainCore
from tui_app.session import speed_text


class MainScreen(MainCore):
    def action_lesson(self, what: str) -> None:
        if self.guide is not None:
            self.guide.command(what)

    @on(Input.Submitted, "#lesson-answer")
    def on_answer(self, event: Input.Submitted) -> None:
        event.input.select_all()  # a second try replaces the first
        if self.guide is not None:
            self.guide.submit(event.value)

    @on(FieldSubmitted)
    def on_field(self, event: FieldSubmitted) -> None:
        pane, s = self.hyperparams, self.session
        try:
            text = event.text if self.served is None else self.served.field_text(event.key, event.text)
            config, dataset = parse_field(s.config, s.dataset, event.key, text)
        except FieldError as exc:
            pane.show_error(event.key, f"{exc} — keeping {field_text(s.config, event.key) or 'default'}")
            self.say(f"{LABELS[event.key]}: not changed", "warning")
            return
        except Exception as exc:  # noqa: BLE001 - never a dead screen
            pane.show_error(event.key, f"{type(exc).__name__}: {exc}")
            return
        pane.clear_error(event.key)
        if config == s.config and dataset is None:
            pane.load(config)
        else:
            self.apply_config(config, dataset, why=f"{LABELS[event.key]} set to {field_text(config, event.key)}")
        pane.show_taken(event.key)

    def recolor(self) -> None:
        """A new theme (the App calls this): the log written and the charts drawn again in its colours."""
        if getattr(self, "log_pane", None) is not None:  # made once the first screen is drawn
            self.log_pane.rewrite()
        self.schedule_display()

    async def action_quit_app(self) -> None:
        await self.app.run_action("quit_app")

    def action_help(self) -> None:
        self.app.action_help()  # type: ignore[attr-defined]

    def action_fields(self) -> None:
        self.hyperparams.edit(self.hyperparams.current)

    def action_focus_predict(self) -> None:
        self.set_focus(self.predict_input)  # now, not after the keys already read: they go to the box

    def action_leave_input(self) -> None:
        self.set_focus(None)

    def _speed(self, faster: bool) -> None:
        self.say(f"speed {speed_text(self.session.change_speed(faster))}")
        self.refresh_status()

    def action_faster(self) -> None:
        self._speed(True)

    def action_slower(self) -> None:
        self._speed(False)

    def action_toggle_log(self) -> None:
        self.chart.log_scale = not self.chart.log_scale
        self.say("loss chart: log10(loss)" if self.chart.log_scale else "loss chart: loss")
        self.schedule_display()

    def action_toggle_view(self) -> None:
        if self.query_one("#step-view").display:  # from the step view, back to the chart as it was
            self.show_step(False)
            self.say("chart: the step view is hidden (. shows the next block)")
            return
        view = self.chart.toggle_view()
        self.say({"param-view": "chart: w, b and the fitted line",
                  "landscape-view": "chart: the loss landscape with the path ([ and ] choose the parameters when "
                                    "there are more than two)"}.get(view, "chart: loss"))
        self.schedule_display()

    def action_lr_opt(self) -> None:
        s = self.session
        if not s.config.plain_gd or not math.isfinite(s.bound.eta_opt):
            self.say("η_opt applies only to full-batch MSE with plain SGD", "warning")
            return
        lr = float(f"{s.bound.eta_opt:.4g}")
        self.apply_config(s.config.replace(lr=lr), why=f"lr set to η_opt = {lr:g}")

    def action_compare(self) -> None:
        from tui_app.screens.compare import CompareScreen  # imported on first use: a faster start

        # the four cases from the same start; a mistake is one case's, so compare runs them without it
        config = self.session.config
        self.app.push_screen(CompareScreen(config.replace(mistake=None), self.session.dataset, without=config.mistake))

    def action_gradcheck(self) -> None:
        s = self.session
        w, b = s.params()
        if not math.isfinite(sum(w)) or (b is not None and not math.isfinite(b)):
            self.say("gradient check needs finite parameters — press r to reset", "warning")
            return
        from tui_app.screens.gradcheck import GradcheckScreen

        self.app.push_screen(GradcheckScreen(s.dataset, w, b, s.epoch))

    def action_lr_find(self) -> None:
        from tui_app.screens.lr_find import LrFindScreen

        def use(lr: float | None) -> None:
            if lr is not None:
                self.apply_config(self.session.config.replace(lr=lr),
                                  why=f"lr set to the range test's suggestion {lr:g}")

        self.app.push_screen(LrFindScreen(self.session.config, self.session.dataset), use)

    def action_code(self) -> None:
        from tui_app.screens.code import CodeScreen

        try:
            screen = CodeScreen(self.session.config.case, self.session.config.mistake)
        except (OSError, TypeError) as exc:
            self.error(f"source not available: {exc}")
            return
        self.app.push_screen(screen)

    def _prompt(self, title: str, hint: str, value: str, check: Callable[[str], Any],
                done: Callable[[Any], None], *, paste_lines: bool = False) -> None:
        from tui_app.screens.prompts import PromptScreen

        self.say("")  # what the line said was about the screen below (e.g. "nothing to export yet")
        self.app.push_screen(PromptScreen(title, hint, value, check, blink=self.cursor_blink, paste_lines=paste_lines),
                             done)

    def _file(self, title: str, what: str, default: str, suffixes: tuple[str, ...],
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

        self._prompt(title, hint, default, check, done)

    def action_edit_params(self) -> None:
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

        self._prompt(f"Set the parameters by hand at epoch {s.epoch}", hint, params_text(*s.params()),
                     lambda text: parse_params(text, d, bias), done)

    async def caught_up(self, most: float = 1.0) -> None:
        """Wait (at most ``most`` seconds) until the commands sent to the training process are handled and their
        events folded in: `s` or `e` typed right behind `n` saves or exports the epoch `n` ran."""
        if self.session.state == "running":
            return  # a running run is saved where it is: nothing to wait for
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.session.stream.settled.wait(), most)

    async def action_save(self) -> None:
        await self.caught_up()
        s = self.session
        if not s.finite_params():
            self.say("nothing to save: the parameters are not finite — r resets", "warning")
            return
        cfg, epoch, w, b = s.config, s.epoch, s.w, s.b
        self._file("Save a checkpoint", f"weights at epoch {epoch} and the configuration", "linreg-checkpoint.json",
                   (".json",), lambda _name: checkpoint.dumps(cfg, epoch, w, b),
                   "saved", f"epoch {epoch}, {params_label(w, b)} "
                            f"({'L loads it, or --load' if self.served is None else 'L loads it: paste its text'})")

    def action_load(self) -> None:
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
                                  why=f"loaded {loaded.path} (saved at epoch {loaded.checkpoint.epoch}; its weights "
                                      f"are the initial values)")

        if served is None:
            self._prompt("Load a checkpoint", "path of a checkpoint saved with s or linreg --save (JSON only: loading "
                         "never runs code)", "linreg-checkpoint.json", check, done)
            return
        offered = served.names(served.checkpoints)
        named = f", or the name of one offered here: {' | '.join(offered)}" if offered else ""
        self._prompt("Load a checkpoint", f"paste a checkpoint's text (the .json file s sent you){named}",
                     offered[0] if offered else "", check, done, paste_lines=True)

    async def action_export(self) -> None:
        await self.caught_up()
        s = self.session
        history = s.history
        if not len(history):
            self.say("nothing to export yet: run some epochs first (n or space)", "warning")
            return
        extra = {"config": s.config.to_dict(), "data": s.dataset.name, "state": str(s.state)}
        self._file("Export this run's history", "every epoch: loss, w, b, gradients", "linreg-history.csv",
                   (".csv", ".json"), lambda name: history.export_text(name, extra),
                   "exported", f"{len(history)} epochs (loss, w, b, gradients)")

    def action_history(self) -> None:
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

    def action_mistake(self) -> None:
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

    def action_export_script(self) -> None:
        """x: the run as a standalone program (.py) or notebook (.ipynb) that prints the same lines."""
        from linreg_core.export import notebook, program

        s = self.session
        config, dataset = s.config, s.dataset

        def content(name: str) -> str:
            return (notebook if name.lower().endswith(".ipynb") else program)(config, dataset)

        needs = "NumPy and torch" if CASE[config.case].torch else "NumPy"
        self._file("Export the run as a program", "this configuration as a standalone program in the notebook's style",
                   "linreg_run.py", (".py", ".ipynb"), content,
                   "wrote", f"run it with python ({needs} only); it prints the same epoch lines")

    def action_pair(self, step: int) -> None:
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
