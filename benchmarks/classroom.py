"""A classroom on this machine: memory and CPU per visitor of `linreg-tui --serve`, each running case 2.

Starts the server, opens N pages in headless Chromium (Debian's chromium through Playwright), presses space in
each (case 2 at the default 10 epochs a second), then reads every visitor's app process and training process from
/proc: resident memory (RSS) and CPU time over a window. Prints per-visitor figures and how many visitors the
machine's memory and cores hold.

    python benchmarks/classroom.py [--visitors 4] [--window 10]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tui_app.serve import descendants

TUI = Path(sys.executable).parent / "linreg-tui"


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--visitors", type=int, default=4)
    ap.add_argument("--window", type=float, default=10.0)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(TUI), "--case", "2", "--epochs", "1000000", "--serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        time.sleep(2)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
            pages = []
            for _ in range(args.visitors):
                page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                pages.append(page)
            pages[-1].wait_for_timeout(8000)  # every app up, torch loaded in each training process
            for page in pages:
                page.mouse.click(600, 400)
                page.keyboard.press(" ")
            pages[-1].wait_for_timeout(2000)
            procs = descendants(server.pid)
            apps = [p for p in procs if "tui_app" in Path(f"/proc/{p}/cmdline").read_text()]
            per_visitor = []
            for app in apps:
                group = [app, *descendants(app)]
                per_visitor.append((app, group))
            before = {p: cpu_seconds(p) for _, g in per_visitor for p in g}
            pages[-1].wait_for_timeout(args.window * 1000)
            mem = [sum(rss(p) for p in g) for _, g in per_visitor]
            cpu = [sum(cpu_seconds(p) - before[p] for p in g) / args.window for _, g in per_visitor]
            browser.close()
    finally:
        server.send_signal(2)
        server.wait(30)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    m, c = statistics.median(mem), statistics.median(cpu)
    cores = os.cpu_count() or 1
    print(f"{len(mem)} visitors, case 2 running at 10 epochs/s: per visitor (app + training process) "
          f"RSS median {m / 2**20:.0f} MB (max {max(mem) / 2**20:.0f}), CPU median {c * 100:.1f}% of a core")
    print(f"this machine ({total / 2**30:.0f} GiB, {cores} cores): memory holds ~{int(0.8 * total / m)} visitors "
          f"(80% of RAM); the cores ~{int(0.8 * cores / c) if c > 0 else 0} at that CPU (80% busy)")


if __name__ == "__main__":
    main()
