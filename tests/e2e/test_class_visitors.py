"""Thirty visitors come and go: each connects over textual-serve's websocket protocol (as a browser does, with the
load driver of benchmarks/classroom.py), signs in, runs case 2 and leaves; afterwards the server has no process
left but its zygote, and the store has every one of them."""

from __future__ import annotations

import asyncio
import importlib.util
import signal
import time
from pathlib import Path
from types import ModuleType

from linreg_core.classroom import Store
from tests.e2e.test_serve import start_server
from tui_app.serve import descendants, running

VISITORS = 30


def driver() -> ModuleType:
    path = Path(__file__).parents[2] / "benchmarks" / "classroom.py"
    spec = importlib.util.spec_from_file_location("classroom_driver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def come_and_go(drive: ModuleType, url: str, server: int) -> int:
    """Every visitor in, signed in and running; returns how many apps ran at once; then every visitor leaves."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        visitors = [drive.Visitor(session, url, f"learner {k:02d}") for k in range(VISITORS)]
        for v in visitors:
            await v.open()
            await asyncio.sleep(0.2)
        await asyncio.gather(*(v.sign_in_and_run() for v in visitors))
        roles = drive.processes(server)
        for v in visitors:
            await v.close()
    assert len(roles["workers"]) == VISITORS  # every training process forked by the zygote
    return len(roles["apps"])


def test_thirty_visitors_come_and_go_and_leave_no_process(tmp_path: Path) -> None:
    drive = driver()
    folder = tmp_path / "class"
    server, url = start_server(["--case", "2", "--epochs", "100000", "--class", str(folder), "--code",
                                drive.CODE], tmp_path)
    try:
        apps = asyncio.run(come_and_go(drive, url, server.pid))
        assert apps == VISITORS
        end = time.monotonic() + 60
        while time.monotonic() < end:
            left = drive.processes(server.pid)
            if not left["apps"] and not left["workers"]:
                break
            time.sleep(0.2)
        assert left["apps"] == [] and left["workers"] == [], f"left behind: {running(left['apps'] + left['workers'])}"
        assert len(left["zygote"]) == 1
        store = Store.open(folder)
        assert sorted(r.name for r in store.learners()) == [f"learner {k:02d}" for k in range(VISITORS)]
        started = descendants(server.pid)
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        assert not running(started), f"left behind: {running(started)}"
    finally:
        if server.poll() is None:
            server.kill()
