"""A classroom on this machine: the server-side cost of each visitor of `linreg-tui --serve --class DIR`, each
running case 2 at the default 10 epochs a second, and how fast their keys are answered at that load.

Starts the server, then N visitors that speak textual-serve's websocket protocol (as a browser does: sign in with a
name and the class code, press space), plus two real pages in headless Chromium (Debian's chromium through
Playwright) doing the same; the browsers' own cost is not counted. Over a window it reads every visitor's app process
and training process from /proc: proportional set size (PSS, /proc/PID/smaps_rollup: a page shared by k processes
counts 1/k in each) and CPU time. Then it presses space and ? in visitors one at a time and times until the
answer (the state word paused; the help screen) arrives in the websocket's output. Prints per-visitor figures
and how many visitors the machine holds.

    python benchmarks/classroom.py [--visitors 30] [--window 20] [--browsers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from tui_app.serve import descendants

TUI = Path(sys.executable).parent / "linreg-tui"
CODE = "BENCH7"
HELP_MARK = "levels of automation"  # in the help screen's first line
RUNNING_MARK = "running  epoch"  # the status bar
READY_MARK = "ready  epoch 0/"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # the terminal's escape sequences: the text is what is searched


def pss(pid: int) -> int:
    """Proportional set size in bytes (0 for a process that has ended)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Visitor:
    """One visitor over textual-serve's websocket: ["stdin", text] and ["resize", …] out, the terminal's bytes in."""

    def __init__(self, session: aiohttp.ClientSession, url: str, name: str):
        self.session, self.url, self.name = session, url, name
        self.tail = ""  # the last output, decoded (markers are searched in it)
        self.received = 0
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.ws = await self.session.ws_connect(f"{self.url}ws?width=120&height=40", max_msg_size=0)
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        async for msg in self.ws:
            data = msg.data if isinstance(msg.data, bytes) else str(msg.data).encode()
            self.received += len(data)
            self.tail = (self.tail + ANSI.sub("", data.decode("utf-8", "replace")))[-200_000:]

    async def send(self, text: str) -> None:
        assert self.ws is not None
        await self.ws.send_json(["stdin", text])

    async def wait(self, mark: str, timeout: float = 120.0) -> float:
        """Seconds until ``mark`` arrives in the output (from now: the tail is cleared first)."""
        start = time.monotonic()
        while mark not in self.tail:
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"{self.name}: {mark!r} not seen within {timeout:.0f} s")
            await asyncio.sleep(0.005)
        return time.monotonic() - start

    async def sign_in_and_run(self) -> None:
        await self.wait("Sign in to the class")
        await self.send(self.name)
        await self.send("\t")
        await asyncio.sleep(0.2)
        await self.send(CODE + "\r")
        await self.wait(READY_MARK)  # the main screen
        await asyncio.sleep(0.5)
        self.tail = ""
        await self.send(" ")
        await self.wait(RUNNING_MARK)

    async def key_latency(self) -> tuple[float, float]:
        """Seconds from a key to its answer arriving: space until the state word says paused (then space runs
        again), and ? until the help screen is drawn (then escape closes it)."""
        self.tail = ""
        await self.send(" ")
        pause = await self.wait("paused  epoch", timeout=30)
        await self.send(" ")
        await asyncio.sleep(0.6)
        self.tail = ""
        await self.send("?")
        help_screen = await self.wait(HELP_MARK, timeout=30)
        await self.send("\x1b")
        await asyncio.sleep(0.6)
        return pause, help_screen

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def browsers(url: str, count: int, ready: asyncio.Event, done: asyncio.Event) -> None:
    """``count`` real pages in headless Chromium, signed in and running, until ``done``."""
    if count == 0:
        ready.set()
        await done.wait()
        return
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        for k in range(count):
            page = await (await browser.new_context(viewport={"width": 1200, "height": 800})).new_page()
            await page.goto(url)
            await page.wait_for_timeout(6000)
            await page.locator("textarea").first.focus()
            await page.keyboard.type(f"browser {k}")
            await page.keyboard.press("Tab")
            await page.keyboard.type(CODE)
            await page.keyboard.press("Enter")
            await page.wait_for_timeout(1500)
            await page.keyboard.press(" ")
        ready.set()
        await done.wait()
        await browser.close()


def processes(server: int) -> dict[str, list[int]]:
    """The server's processes by role: each visitor's app (and what it started itself), the zygote, and the
    training processes the zygote forked (linreg_core/stream/zygote.py)."""
    out: dict[str, list[int]] = {"apps": [], "zygote": [], "workers": []}
    for pid in descendants(server):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"tui_app" in cmd and b"--served" in cmd:
            out["apps"].append(pid)
        elif b"linreg_core.stream.zygote import serve" in cmd and not out["zygote"]:
            out["zygote"].append(pid)
            out["workers"] = descendants(pid)
    return out


async def measure(url: str, server: int, n: int, window: float, n_browsers: int, probes: int) -> dict[str, object]:
    done, ready = asyncio.Event(), asyncio.Event()
    pages = asyncio.create_task(browsers(url, n_browsers, ready, done))
    async with aiohttp.ClientSession() as session:
        visitors = [Visitor(session, url, f"visitor {k:02d}") for k in range(n)]
        for v in visitors:  # arriving one after another, as a class does
            await v.open()
            await asyncio.sleep(0.3)
        await asyncio.gather(*(v.sign_in_and_run() for v in visitors))
        await ready.wait()
        await asyncio.sleep(3)  # every run under way
        roles = processes(server)
        groups = [[app, *descendants(app)] for app in roles["apps"]]  # with no zygote: its training process too
        shared = roles["zygote"] + roles["workers"]
        pids = [p for g in groups for p in g] + shared + [server]
        before = {p: cpu_seconds(p) for p in pids}
        sent_before = sum(v.received for v in visitors)
        start = time.monotonic()
        await asyncio.sleep(window)
        elapsed = time.monotonic() - start
        # per visitor: its app, plus the zygote and the workers shared out evenly (one worker each)
        share_cpu = sum(cpu_seconds(p) - before.get(p, 0.0) for p in shared) / elapsed / max(1, len(groups))
        share_pss = sum(pss(p) for p in shared) / max(1, len(groups))
        cpu = [sum(cpu_seconds(p) - before.get(p, 0.0) for p in g) / elapsed + share_cpu for g in groups]
        server_cpu = (cpu_seconds(server) - before[server]) / elapsed
        memory = [sum(pss(p) for p in g) + share_pss for g in groups]
        apps_only = [pss(g[0]) for g in groups]
        sent = (sum(v.received for v in visitors) - sent_before) / elapsed / max(1, n)
        latencies = [await v.key_latency() for v in visitors[:probes]]
        done.set()
        await pages
        for v in visitors:
            await v.close()
    return {"groups": len(groups), "cpu": cpu, "pss": memory, "server_cpu": server_cpu, "sent": sent,
            "latency": latencies, "apps": apps_only, "workers": len(roles["workers"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--visitors", type=int, default=30, help="visitors over the websocket protocol (default 30)")
    ap.add_argument("--browsers", type=int, default=2, help="visitors in headless Chromium (default 2)")
    ap.add_argument("--window", type=float, default=20.0, help="seconds measured (default 20)")
    ap.add_argument("--probes", type=int, default=10, help="visitors whose key latency is timed (default 10)")
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tempfile.mkdtemp(prefix="classroom-")
    server = subprocess.Popen([str(TUI), "--case", "2", "--epochs", "1000000", "--serve", "--port", str(port),
                               "--class", folder, "--code", CODE], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        got = asyncio.run(measure(f"http://127.0.0.1:{port}/", server.pid, args.visitors, args.window,
                                  args.browsers, min(args.probes, args.visitors)))
    finally:
        server.send_signal(2)
        server.wait(60)
    report(got, args)


def report(got: dict[str, object], args: argparse.Namespace) -> None:
    cpu, memory, latency = got["cpu"], got["pss"], got["latency"]
    assert isinstance(cpu, list) and isinstance(memory, list) and isinstance(latency, list)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    cores = os.cpu_count() or 1
    m, c = statistics.median(memory), statistics.median(cpu)
    print(f"{got['groups']} visitors ({args.visitors} over the websocket, {args.browsers} in Chromium), case 2 at "
          f"10 epochs/s, measured over {args.window:.0f} s")
    print(f"per visitor (app + training process): PSS median {m / 2**20:.0f} MB (max {max(memory) / 2**20:.0f}; "
          f"goal <= 150), CPU median {c * 100:.1f}% of a core (max {max(cpu) * 100:.1f}; goal <= 4)")
    apps = got["apps"]
    assert isinstance(apps, list)
    print(f"of which the app process: PSS median {statistics.median(apps) / 2**20:.0f} MB; "
          f"{got['workers']} training processes forked by the zygote (shared out above)")
    print(f"the server (textual-serve) itself: {float(str(got['server_cpu'])) * 100:.1f}% of a core; "
          f"{float(str(got['sent'])) / 1024:.1f} KiB/s of terminal output per visitor")
    for k, what in enumerate(("space until the state word says paused", "? until the help screen is drawn")):
        times = [pair[k] * 1000 for pair in latency]
        if times:
            print(f"a key answered at that load ({what}), {len(times)} visitors: median "
                  f"{statistics.median(times):.0f} ms, worst {max(times):.0f} ms (goal <= 150)")
    print(f"this machine ({total / 2**30:.0f} GiB, {cores} cores) holds ~{int(0.8 * total / m)} visitors by memory "
          f"(80% of RAM) and ~{int(0.8 * cores / c) if c > 0 else 0} by CPU (80% busy)")


if __name__ == "__main__":
    main()
