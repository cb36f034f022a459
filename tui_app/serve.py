"""``linreg-tui --serve``: the app in browsers, one app process (and its training process) per visitor, through
textual-serve. Ctrl+C stops the server and every process it started."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

#: The options that configure the server, not the app each visitor gets.
SERVER_OPTIONS = {"--serve": 0, "--host": 1, "--port": 1, "--code": 1, "--class": 1}


def app_arguments(argv: Sequence[str]) -> list[str]:
    """The launch options for each visitor's app: ``argv`` without the server's own options (and the class's
    folder, which :func:`serve` gives as an absolute path)."""
    out: list[str] = []
    skip = 0
    for arg in argv:
        if skip:
            skip -= 1
            continue
        name = arg.split("=", 1)[0]
        if name in SERVER_OPTIONS:
            skip = SERVER_OPTIONS[name] if "=" not in arg else 0
            continue
        out.append(arg)
    return out


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children first found first), from /proc."""
    out: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            for kid in kids:
                if kid not in out:
                    out.append(kid)
                    todo.append(kid)
    return out


def stop_descendants(grace: float = 3.0) -> None:
    """Ask every process this one started to end (SIGTERM), then make sure (SIGKILL)."""
    pids = descendants(os.getpid())
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        end = time.monotonic() + grace
        while time.monotonic() < end and running(pids):
            time.sleep(0.05)
        if not running(pids):
            return


def running(pids: Sequence[int]) -> dict[int, str]:
    """Those of ``pids`` still running, with their command lines (an ended one this process started is reaped;
    one whose parent is gone may stay a zombie until the system reaps it: not running)."""
    out = {}
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "\nState:\tZ" not in status:
            out[pid] = cmd
    return out


def serve(argv: Sequence[str], host: str, port: int, classroom: tuple[str, str] | None = None) -> int:
    """Serve the app with the launch options in ``argv`` until Ctrl+C; ``classroom``: the class's folder and
    code (--class)."""
    from textual_serve.server import Server

    # exec: the app replaces the shell textual-serve starts it with, so stopping it stops the app itself
    # --served: each visitor's app sends its files to the browser and reads no path a visitor types
    # --class: the class's folder as an absolute path (the visitors' apps may start in another folder)
    in_class = ["--class", os.path.abspath(classroom[0])] if classroom else []
    command = "exec " + shlex.join([sys.executable, "-m", "tui_app", *app_arguments(argv), *in_class, "--served"])
    from linreg_core.stream import zygote

    # one process with torch loaded forks every visitor's training process (they share its memory)
    place = tempfile.mkdtemp(prefix="linreg-serve-")  # only this user can enter it
    if zygote.start(os.path.join(place, "zygote")) is None:
        print("linreg-tui: the training processes' zygote did not start; each visitor's app starts its own",
              flush=True)
    server = Server(command, host=host, port=port, title="linreg-tui")
    print(f"linreg-tui: serving on http://{host}:{port}/ — each visitor gets their own app; Ctrl+C stops it",
          flush=True)
    if classroom is not None:
        folder, code = classroom
        print(f"linreg-tui: class code {code} — learners sign in with a name and this code; linreg class {folder} "
              f"(or linreg-tui --teacher {folder}) shows their progress", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"linreg-tui: {host} is reachable from other machines, and the app has no authentication",
              flush=True)
    try:
        server.serve()
    finally:
        stop_descendants()
        shutil.rmtree(place, ignore_errors=True)
    return 0
