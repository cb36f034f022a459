"""The app at --speed max against `linreg run`, as a user feels them.

* 100k epochs of case 1, `--log-every` equal to the epochs on both sides: from `space` to `finished` on the screen
  of the installed `linreg-tui` in a real terminal (tmux, 120×40), space pressed once the training process is up
  and idle (and again 0.5 s after the first screen, while torch still loads beside it), against `linreg run`'s
  loop (its whole process minus a 1-epoch run's: start-up subtracted), goal ≤ 1.25× (needs tmux); chart redraws
  per second during the same run under Pilot, goal ≥ 10.
* a key during that run (`space` to pause) to the state changing and to the screen update that shows it (the
  status bar composed with `paused`), goal ≤ 100 ms.
* process start to the first full screen (`ready` painted) against a hello-world Textual app started the same way,
  interleaved, goal ≤ 1.5× (``--startup-only`` measures just this).

    python benchmarks/app_speed.py [--epochs 100000] [--reps 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from linreg_core.config import TrainConfig
from linreg_core.data import seed
from tui_app.app import LinregApp

BIN = os.path.dirname(sys.executable)


def cli_loop(epochs: int) -> float:
    """Seconds of `linreg run`'s loop: the whole process with --log-every = epochs, minus a 1-epoch run's."""
    def whole(n: int) -> float:
        t0 = time.perf_counter()
        subprocess.run([os.path.join(BIN, "linreg"), "run", "--epochs", str(n), "--log-every", str(n)],
                       stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - t0

    return whole(epochs) - whole(1)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, ValueError):
            pass
    return out


def wait_idle(pid: int, quiet: float = 0.3) -> None:
    """Until the app's training process (the child that is not multiprocessing's resource tracker) has used no
    CPU for ``quiet`` seconds: up, and torch loaded beside it (its import takes the GIL from the epochs for a
    second or more)."""
    while True:
        kids = [k for k in children(pid) if b"resource_tracker" not in Path(f"/proc/{k}/cmdline").read_bytes()]
        if kids:
            before = cpu_seconds(kids[0])
            time.sleep(quiet)
            if cpu_seconds(kids[0]) == before:
                return
        else:
            time.sleep(0.05)


def app_in_terminal(epochs: int, settle: bool = True) -> float:
    """Seconds from `space` to `finished` on the screen of the installed linreg-tui in tmux at 120×40 (the screen
    read every 20 ms). With ``settle``, space is pressed once the training process is idle; without it, 0.5 s
    after the first screen (a learner who presses space at once)."""
    name = f"linreg-bench-{os.getpid()}-{time.monotonic_ns()}"
    tmux = ["tmux", "-L", name]  # a server of its own: the last one may still be exiting
    cmd = f"{os.path.join(BIN, 'linreg-tui')} --epochs {epochs} --log-every {epochs} --speed max"

    def screen() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout

    def status() -> str:
        return next((line for line in screen().splitlines() if "speed max" in line), "")

    subprocess.run([*tmux, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", cmd], check=True)
    try:
        while not status().lstrip().startswith("ready"):
            time.sleep(0.05)
        if settle:
            pane = subprocess.run([*tmux, "list-panes", "-t", name, "-F", "#{pane_pid}"], capture_output=True,
                                  text=True, check=True)
            wait_idle(int(pane.stdout.split()[0]))
        else:
            time.sleep(0.5)
        t0 = time.perf_counter()
        subprocess.run([*tmux, "send-keys", "-t", name, "Space"], check=True)
        while not status().lstrip().startswith("finished"):
            time.sleep(0.02)
        return time.perf_counter() - t0
    finally:
        subprocess.run([*tmux, "kill-session", "-t", name], capture_output=True)


async def app_run(epochs: int) -> tuple[float, float]:
    app = LinregApp(TrainConfig.for_case(1, epochs=epochs), seed(), speed=None, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.session.stream is None or app.session.stream.worker_state != "idle":  # the training process is up
            await pilot.pause(0.05)
        r0 = app.main.redraws
        t0 = time.perf_counter()
        await pilot.press("space")
        while app.session.state != "finished":
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - t0
        redraws = app.main.redraws - r0
    return elapsed, redraws / elapsed


async def key_latency(epochs: int, presses: int = 10) -> tuple[list[float], list[float]]:
    """Seconds from ``space`` (pause) arriving during a max-speed run to the app's state changing, and to the
    status bar being composed into a screen update with the new state word (what the terminal is sent next)."""
    app = LinregApp(TrainConfig.for_case(1, epochs=epochs), seed(), speed=None, cursor_blink=False)
    to_state, to_screen = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        while app.session.stream is None or app.session.stream.worker_state != "idle":  # the training process is up
            await pilot.pause(0.05)
        bar = app.main.status_bar
        render_lines = bar.render_lines
        shown: list[float] = []

        def spy(crop):  # type: ignore[no-untyped-def]
            strips = render_lines(crop)
            if strips and strips[0].text.lstrip().startswith("paused"):
                shown.append(time.perf_counter())
            return strips

        bar.render_lines = spy  # type: ignore[method-assign]
        for _ in range(presses):
            app.simulate_key("space")  # run
            await asyncio.sleep(0.5)
            shown.clear()
            t0 = time.perf_counter()
            app.simulate_key("space")  # pause, as a keypress arriving from the terminal
            while app.session.state != "paused":
                await asyncio.sleep(0.001)
            to_state.append(time.perf_counter() - t0)
            while not shown:
                await asyncio.sleep(0.001)
            to_screen.append(shown[0] - t0)
    return to_state, to_screen


#: Interleaved starts of each app: a start takes ~0.3 s and this machine's speed wanders (single starts vary by
#: ±30 ms), so the median needs many: with 21 pairs, runs of the same code gave medians 1.36–1.55×.
STARTUP_PAIRS = 61

HELLO = """from textual.app import App
from textual.widgets import Static


class Hello(App):
    def compose(self):
        yield Static("ready")


Hello().run()
"""


def startup(reps: int) -> tuple[list[float], list[float]]:
    """Seconds from spawning ``linreg-tui`` in a 120×40 pseudo-terminal to ``ready`` on its screen, and the same
    for a hello-world Textual app (the floor any Textual app starts from here), interleaved."""
    import pexpect

    # Bytecode first, as an installed package has it: where PYTHONDONTWRITEBYTECODE is set (as on this machine),
    # an edited module would otherwise be compiled again at every start.
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(root, "linreg_core"),
                    os.path.join(root, "tui_app")], check=True)
    exe = os.path.join(os.path.dirname(sys.executable), "linreg-tui")
    env = {**os.environ, "TERM": "xterm"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    with tempfile.TemporaryDirectory() as tmp:
        hello = os.path.join(tmp, "hello.py")
        with open(hello, "w") as f:
            f.write(HELLO)

        def once(cmd: str, args: list[str], quit_key: str) -> float:
            t0 = time.perf_counter()
            child = pexpect.spawn(cmd, args, dimensions=(40, 120), env=env)
            child.expect("ready", timeout=30)
            elapsed = time.perf_counter() - t0
            child.send(quit_key)
            try:
                child.expect(pexpect.EOF, timeout=5)
            except pexpect.TIMEOUT:
                child.terminate(force=True)
            return elapsed

        ours, floor = [], []
        for _ in range(reps):
            ours.append(once(exe, ["--speed", "max"], "q"))
            floor.append(once(sys.executable, [hello], "\x11"))  # ctrl+q
    return ours, floor


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--startup-only", action="store_true", help="measure only the start to the first screen")
    args = ap.parse_args()
    if args.startup_only:
        report_startup(max(args.reps, STARTUP_PAIRS))
        return
    if shutil.which("tmux") is None:
        print("app vs linreg run: not measured (it needs tmux: the app in a real terminal)")
    else:
        ratios, early = [], []
        for _ in range(args.reps):
            base = cli_loop(args.epochs)
            elapsed = app_in_terminal(args.epochs)
            at_once = app_in_terminal(args.epochs, settle=False)
            ratios.append(elapsed / base)
            early.append(at_once / base)
            print(f"  app {elapsed:.2f} s (space 0.5 s after the first screen: {at_once:.2f} s) vs linreg run's "
                  f"loop {base:.2f} s: {elapsed / base:.2f}× ({at_once / base:.2f}×)", flush=True)
        print(f"app in tmux vs linreg run, {args.epochs} epochs case 1, --log-every {args.epochs}: median "
              f"{statistics.median(ratios):.2f}× (goal ≤ 1.25); space 0.5 s after the first screen, while torch "
              f"loads beside the training process: {statistics.median(early):.2f}×")
    rates = [asyncio.run(app_run(args.epochs))[1] for _ in range(args.reps)]
    print(f"chart during a max-speed run (Pilot): {statistics.median(rates):.1f} redraws/s (goal ≥ 10)")
    to_state, to_screen = asyncio.run(key_latency(10**8))
    print(f"key to status during a max-speed run: state median {statistics.median(to_state) * 1e3:.1f} ms, "
          f"max {max(to_state) * 1e3:.1f} ms; on screen median {statistics.median(to_screen) * 1e3:.1f} ms, "
          f"max {max(to_screen) * 1e3:.1f} ms (goal ≤ 100 ms)")
    report_startup(max(args.reps, STARTUP_PAIRS))


def report_startup(reps: int) -> None:
    st, floor = startup(reps)
    ratios = [a / b for a, b in zip(st, floor, strict=True)]
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    excess = statistics.median(a - b for a, b in zip(st, floor, strict=True))
    print(f"process start to first screen: median {statistics.median(st):.3f} s; a hello-world Textual app: "
          f"{statistics.median(floor):.3f} s; ratio of interleaved pairs: median {statistics.median(ratios):.2f}× "
          f"(goal ≤ 1.5×), middle half {q1:.2f}–{q3:.2f}× over {reps} pairs; the app adds {excess * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
