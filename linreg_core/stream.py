"""Run a case in a worker thread and deliver its events on an ``asyncio.Queue``.

Commands (thread-safe, from any thread): :meth:`RunStream.run`, :meth:`pause`, :meth:`step`, :meth:`reset`,
:meth:`stop`, :meth:`set_speed`. Events go from the worker to the loop with
``loop.call_soon_threadsafe(queue.put_nowait, chunk)`` in chunks (a list of events), which keeps the
cross-thread cost low at full speed. Memory is bounded by credits: the worker waits for the consumer
(backpressure) instead of dropping, so epochs arrive in order, contiguous, none lost or duplicated.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from typing import Callable

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.engine import Run
from linreg_core.events import EpochEnded, Event, RunError, RunFinished, RunReset

#: Most events in one chunk, and the longest a chunk waits before it is sent at full speed.
CHUNK_EVENTS = 512
CHUNK_SECONDS = 0.02


@dataclass(frozen=True)
class _Cmd:
    name: str
    arg: object = None


class RunStream:
    """A training run in a background thread, controlled by commands, observed through ``get()``."""

    def __init__(self, config: TrainConfig, dataset: Dataset, *, speed: float | None = None,
                 max_chunks: int = 64, loop: asyncio.AbstractEventLoop | None = None,
                 run_factory: Callable[[TrainConfig, Dataset, int], Run] | None = None):
        self.config = config
        self.dataset = dataset
        self.queue: asyncio.Queue[list[Event]] = asyncio.Queue()
        self._loop = loop
        self._credits = threading.Semaphore(max_chunks)
        self._cmds: queue.SimpleQueue[_Cmd] = queue.SimpleQueue()
        self._interrupt = threading.Event()
        self._speed = speed
        self._run_factory = run_factory or (lambda c, d, i: Run(c, d, run_id=i))
        self._thread: threading.Thread | None = None
        self._buffer: deque[Event] = deque()
        self.run_id = 0
        #: Worker-side state, for diagnostics: "idle", "running" or "stopped".
        self.worker_state = "idle"

    # -- commands (any thread) ------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("stream already started")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._work, name="linreg-stream", daemon=True)
        self._thread.start()

    def run(self) -> None:
        self._send(_Cmd("run"))

    def pause(self) -> None:
        self._send(_Cmd("pause"))

    def step(self, n: int = 1) -> None:
        self._send(_Cmd("step", max(1, int(n))))

    def reset(self, config: TrainConfig | None = None, dataset: Dataset | None = None) -> int:
        """Start afresh at epoch 0, optionally with a new configuration or data; returns the new run id."""
        self.run_id += 1
        self._interrupt.set()
        self._send(_Cmd("reset", (self.run_id, config, dataset)))
        return self.run_id

    def set_speed(self, speed: float | None) -> None:
        """Epochs per second in run mode; ``None`` is as fast as possible."""
        self._send(_Cmd("speed", speed))

    def stop(self, timeout: float = 5.0) -> None:
        self._interrupt.set()
        self._send(_Cmd("stop"))
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _send(self, cmd: _Cmd) -> None:
        self._cmds.put(cmd)

    # -- consumer (the loop's thread) -----------------------------------------------------------------
    async def get(self) -> Event:
        """The next event, waiting for it."""
        if not self._buffer:
            self._buffer.extend(await self._take())
        return self._buffer.popleft()

    async def get_batch(self, max_chunks: int | None = None) -> list[Event]:
        """The events available now (at least one, waiting for it), in order; at most ``max_chunks``
        further chunks are taken, so a consumer can interleave other work with a flood."""
        out = list(self._buffer)
        self._buffer.clear()
        if not out:
            out.extend(await self._take())
        taken = 0
        while max_chunks is None or taken < max_chunks:
            taken += 1
            try:
                chunk = self.queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            self._credits.release()
            out.extend(chunk)
        return out

    async def _take(self) -> list[Event]:
        chunk = await self.queue.get()
        self._credits.release()
        return chunk

    # -- worker ---------------------------------------------------------------------------------------
    def _post(self, chunk: list[Event]) -> bool:
        """Hand a chunk to the loop, waiting for a credit; False if interrupted or the loop is gone."""
        while not self._credits.acquire(timeout=0.05):
            if self._interrupt.is_set():
                return False
        loop = self._loop
        assert loop is not None
        try:
            loop.call_soon_threadsafe(self.queue.put_nowait, chunk)
        except RuntimeError:  # loop closed: nobody is listening any more
            return False
        return True

    def _new_run(self, run_id: int) -> Run:
        return self._run_factory(self.config, self.dataset, run_id)

    def _work(self) -> None:
        try:
            self._loop_forever()
        except Exception as exc:  # pragma: no cover - last resort, reported to the consumer
            self._post([RunError(f"{type(exc).__name__}: {exc}", self.run_id)])
        finally:
            self.worker_state = "stopped"

    def _loop_forever(self) -> None:
        run: Run | None = None
        run_id = 0
        try:
            run = self._new_run(run_id)
            self._post([RunReset(run_id, *run.trainer.parameters(), run.loss_now())])
        except Exception as exc:
            self._post([RunError(_describe(exc), run_id)])
        running = False
        steps_left = 0
        speed = self._speed
        pending: list[Event] = []
        chunk_started = 0.0
        next_due = time.perf_counter()

        def flush() -> bool:
            nonlocal pending
            if not pending:
                return True
            chunk, pending = pending, []
            return self._post(chunk)

        while True:
            busy = run is not None and run.finished is None and (running or steps_left > 0)
            self.worker_state = "running" if busy else "idle"
            # Commands: block when idle; when paced, wait until the next epoch is due; otherwise just poll.
            timeout: float | None
            if not busy:
                if not flush():
                    pending = []
                timeout = None
            elif running and speed is not None and steps_left == 0:
                if not flush():
                    pending = []
                timeout = max(0.0, next_due - time.perf_counter())
            else:
                timeout = 0.0
            try:
                cmd = self._cmds.get(timeout=timeout) if timeout != 0.0 else self._cmds.get_nowait()
            except queue.Empty:
                cmd = None
            if cmd is not None:
                if cmd.name == "stop":
                    if run is not None and run.finished is None and run.epoch > 0:
                        pending.append(run.stop())
                    self._interrupt.clear()
                    flush()
                    return
                if cmd.name == "run":
                    running, next_due = True, time.perf_counter()
                elif cmd.name == "pause":
                    running, steps_left = False, 0
                elif cmd.name == "step":
                    running = False
                    steps_left += int(cmd.arg)  # type: ignore[call-overload]
                elif cmd.name == "speed":
                    speed = cmd.arg  # type: ignore[assignment]
                    next_due = time.perf_counter()
                elif cmd.name == "reset":
                    assert isinstance(cmd.arg, tuple)
                    new_id: int = cmd.arg[0]
                    new_config: TrainConfig | None = cmd.arg[1]
                    new_data: Dataset | None = cmd.arg[2]
                    if new_id != self.run_id:
                        continue  # a later reset is already queued: skip straight to it
                    self._interrupt.clear()
                    pending = []
                    running, steps_left = False, 0
                    if new_config is not None:
                        self.config = new_config
                    if new_data is not None:
                        self.dataset = new_data
                    run_id = new_id
                    try:
                        run = self._new_run(run_id)
                        pending.append(RunReset(run_id, *run.trainer.parameters(), run.loss_now()))
                    except Exception as exc:
                        run = None
                        pending.append(RunError(_describe(exc), run_id))
                    flush()
                continue
            if not busy:
                continue
            assert run is not None
            # One epoch.
            try:
                ev, fin = run.advance()
            except Exception as exc:
                pending.append(RunError(_describe(exc), run_id))
                run = None
                flush()
                continue
            if not pending:
                chunk_started = time.perf_counter()
            pending.append(ev)
            if steps_left > 0:
                steps_left -= 1
            if fin is not None:
                pending.append(fin)
                running, steps_left = False, 0
            now = time.perf_counter()
            if speed is not None and running:
                next_due = max(next_due + 1.0 / speed, now - 0.5)
            if (fin is not None or steps_left == 0 and not running or len(pending) >= CHUNK_EVENTS
                    or now - chunk_started >= CHUNK_SECONDS):
                if not flush():
                    pending = []


def _describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def is_epoch(ev: Event) -> bool:
    return isinstance(ev, EpochEnded)


def is_final(ev: Event) -> bool:
    return isinstance(ev, RunFinished)
