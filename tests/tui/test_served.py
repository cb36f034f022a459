"""A served visitor's app (``--served``, set by the server): s, e and x deliver their file to the browser with the
content the local command writes, and write nothing on the server; L and the Data field read no typed path. The
browser end of it is tests/e2e/test_serve.py."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from textual import events

from linreg_core import checkpoint
from linreg_core.config import TrainConfig
from linreg_core.data import seed
from linreg_core.stream import RunStream
from tui_app.app import LinregApp
from tui_app.messages import FieldSubmitted
from tui_app.screens.prompts import PromptScreen
from tui_app.visitor import Served

from .helpers import settle, wait_for


class Browser:
    """What the visitor's browser receives: the files Textual's deliver_text hands to the driver."""

    def __init__(self, app: LinregApp):
        self.files: dict[str, str] = {}
        app.deliver_text = self.deliver  # type: ignore[method-assign]

    def deliver(self, path_or_file: Any, *, save_filename: str | None = None, **_: Any) -> str:
        assert isinstance(path_or_file, io.StringIO) and save_filename is not None
        self.files[save_filename] = path_or_file.getvalue()
        return "key"


def make(served: Served | None, tmp_path: Path, **overrides: Any) -> LinregApp:
    cfg = TrainConfig.for_case(2, **overrides)
    return LinregApp(cfg, seed(), speed=None, cursor_blink=False, stream_factory=RunStream, served=served)


async def dialog(pilot: Any, app: LinregApp, key: str, text: str) -> None:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
    await pilot.press("ctrl+u", *text, "enter")
    await pilot.pause(0.05)


async def run_keys(app: LinregApp, tmp_path: Path, names: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """n twice, then s, e and x with the given names; the files delivered, and the messages said."""
    said = []
    async with app.run_test(size=(120, 40)) as pilot:
        browser = Browser(app)
        await pilot.press("n", "n")
        await settle(pilot, app)
        for key in ("s", "e", "x"):
            await dialog(pilot, app, key, names[key])
            await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
            said.append(app.main.message_line.text)
    return browser.files, said


@pytest.mark.slow
async def test_served_s_e_x_send_what_the_local_commands_write(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    local_dir = tmp_path / "local"
    local_dir.mkdir()
    paths = {"s": str(local_dir / "c.json"), "e": str(local_dir / "h.csv"), "x": str(local_dir / "run.py")}
    written, _ = await run_keys(make(None, tmp_path), tmp_path, paths)
    assert written == {}  # locally nothing goes to a browser
    served_dir = tmp_path / "served"
    served_dir.mkdir()
    monkeypatch.chdir(served_dir)
    names = {"s": "c.json", "e": "h.csv", "x": "run.py"}
    sent, said = await run_keys(make(Served(), tmp_path), tmp_path, names)
    assert sorted(sent) == ["c.json", "h.csv", "run.py"]
    for key, name in names.items():
        assert sent[name] == Path(paths[key]).read_text(), name
    assert os.listdir(served_dir) == []  # nothing written on the server
    assert all(m.startswith(f"sent {n} to your browser") for m, n in zip(said, names.values(), strict=True))
    assert checkpoint.loads(sent["c.json"]).epoch == 2


@pytest.mark.parametrize("text", ["../x.json", "/tmp/x.json", "sub/x.json", "~/x.json", ".hidden.json"])
@pytest.mark.slow
async def test_served_save_takes_a_file_name_only(tmp_path: Path, text: str) -> None:
    app = make(Served(), tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        browser = Browser(app)
        await pilot.press("n")
        await settle(pilot, app)
        await dialog(pilot, app, "s", text)
        assert isinstance(app.screen, PromptScreen) and app.screen.error_text
        assert browser.files == {}
        await pilot.press("escape")
        assert app.is_running and app.session.epoch == 1


@pytest.mark.slow
async def test_served_load_refuses_a_typed_path_and_takes_a_pasted_checkpoint(tmp_path: Path) -> None:
    secret = tmp_path / "server.json"
    checkpoint.save(secret, TrainConfig.for_case(2), 7, (1.5,), None)
    app = make(Served(), tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await dialog(pilot, app, "L", str(secret))
        assert isinstance(app.screen, PromptScreen) and "cannot be read" in app.screen.error_text
        assert app.session.config.init_w is None
        # the visitor's own checkpoint, pasted (its lines joined, as a paste into the one-line input gives them)
        text = checkpoint.dumps(TrainConfig.for_case(2), 3, (1.25,), None)
        await pilot.press("ctrl+u")
        app.screen.query_one("#prompt-input").post_message(events.Paste(text))
        await pilot.pause(0.05)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        await settle(pilot, app)
        assert app.session.w == (1.25,) and "loaded the pasted checkpoint" in app.main.message_line.text


async def test_served_load_reads_a_checkpoint_the_teacher_named(tmp_path: Path) -> None:
    named = tmp_path / "start.json"
    checkpoint.save(named, TrainConfig.for_case(2), 4, (0.75,), None)
    app = make(Served(checkpoints=(str(named),)), tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await dialog(pilot, app, "L", "start.json")
        await wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen))
        await settle(pilot, app)
        assert app.session.w == (0.75,) and "loaded start.json" in app.main.message_line.text


async def test_served_data_field_offers_the_named_data_and_refuses_a_path(tmp_path: Path) -> None:
    csv = tmp_path / "class.csv"
    csv.write_text("x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n")
    app = make(Served(data=("seed", "synthetic", str(csv))), tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.main.hyperparams
        pane.post_message(FieldSubmitted("data", "/etc/passwd"))
        await pilot.pause(0.1)
        assert "cannot be read" in (pane.fields["data"].error or "")
        assert app.session.config.data.source == "seed" and app.is_running
        pane.post_message(FieldSubmitted("data", "class.csv"))
        await wait_for(pilot, lambda: app.session.config.data.source == str(csv))
        assert app.session.dataset.n == 5


async def test_a_served_app_updates_once_a_second_and_its_chart_every_other_time(tmp_path: Path) -> None:
    """Thirty visitors share the server's cores: a served app's display updates once a second, its chart at every
    other update — but the update that shows a run's end draws the chart too."""
    app = make(Served(), tmp_path, epochs=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        main = app.main
        assert (main.min_gap, main.chart_every) == (1.0, 2)
        before = main.redraws
        for _ in range(4):
            main.display_due = True
            main._update_display()
        assert main.redraws - before == 2
        main.display_due = True
        main._update_display()  # an odd update: the chart waits for the next tick …
        assert main.redraws - before == 2 and main.display_due
        main._update_display(final=True)  # … unless it shows a run's end
        assert main.redraws - before == 3
