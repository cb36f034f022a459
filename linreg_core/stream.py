"""Run a case in the background and deliver its events on an ``asyncio.Queue``.

Commands (from the loop's thread): :meth:`RunStream.run`, :meth:`pause`, :meth:`step`, :meth:`reset`, :meth:`stop`,
:meth:`set_speed`, :meth:`set_params`. Events reach the loop with ``loop.call_soon_threadsafe(queue.put_nowait,
chunk)`` in chunks (a list of events), which keeps the hand-off cheap at full speed. Memory is bounded by credits:
the worker waits for the consumer (backpressure) instead of dropping, so epochs arrive in order, contiguous, none
lost or duplicated.

Two ways to run the worker, one loop (:func:`worker_loop`):

* :class:`RunStream` — a thread in this process;
* :class:`ProcessRunStream` — a separate process (``spawn``), so training never competes with the UI for the
  GIL; chunks come back over a pipe and a reader thread hands them to the loop.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Callable, Protocol

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.engine import Run
from linreg_core.events import EpochBlock, EpochEnded, Event, ParamsSet, RunError, RunReset

#: Most events in one chunk, and the longest a chunk waits before it is sent at full speed.
CHUNK_EVENTS = 512
CHUNK_SECONDS = 0.02
#: While training flat out, commands are looked for at most this often.
POLL_SECONDS = 0.002


@dataclass(frozen=True)
class _Cmd:
    name: str
    arg: object = None


class _Transport(Protocol):
    def post(self, chunk: list[Event]) -> bool: ...
    def command(self, timeout: float | None) -> _Cmd | None: ...
    def clear_interrupt(self) -> None: ...
    def set_state(self, state: str) -> None: ...


RunFactory = Callable[[TrainConfig, Dataset, int], Run]


def _default_run(config: TrainConfig, dataset: Dataset, run_id: int) -> Run:
    return Run(config, dataset, run_id=run_id)


def worker_loop(io: _Transport, config: TrainConfig, dataset: Dataset, speed: float | None,
                run_factory: RunFactory = _default_run) -> None:
    """Train under the commands that arrive; post events in chunks. Returns on ``stop``."""
    run: Run | None = None
    run_id = 0
    pending: list[Event] = []
    try:
        run = run_factory(config, dataset, run_id)
        pending.append(RunReset(run_id, *run.trainer.parameters(), run.loss_now()))
    except Exception as exc:
        pending.append(RunError(_describe(exc), run_id))
    running = False
    steps_left = 0
    chunk_started = 0.0
    last_poll = 0.0
    next_due = time.perf_counter()
    state = ""
    pending_epochs = 0
    epoch_seconds = POLL_SECONDS  # a running estimate of one epoch's time, which sizes the blocks

    def flush() -> None:
        nonlocal pending, pending_epochs
        pending_epochs = 0
        if pending:
            chunk, pending = pack(pending), []
            io.post(chunk)  # False only when a reset/stop interrupted the wait: the chunk is stale then

    while True:
        busy = run is not None and run.finished is None and (running or steps_left > 0)
        # Commands: block when idle; when paced, wait until the next epoch is due; otherwise just poll.
        timeout: float | None
        if not busy:
            flush()
            timeout = None
        elif running and speed is not None and steps_left == 0:
            flush()
            timeout = max(0.0, next_due - time.perf_counter())
        else:
            timeout = 0.0
        new_state = "running" if busy else "idle"
        if new_state != state:
            state = new_state
            io.set_state(state)
        if timeout == 0.0 and time.perf_counter() - last_poll < POLL_SECONDS:
            cmd = None  # training flat out: look for commands every POLL_SECONDS, not every epoch (a syscall)
        else:
            cmd = io.command(timeout)
            last_poll = time.perf_counter()
        if cmd is not None:
            if cmd.name == "stop":
                if run is not None and run.finished is None:
                    pending.append(run.stop())
                flush()  # still interrupted: posted if the consumer has room, never waited for
                io.set_state("stopped")
                return
            if cmd.name == "run":
                running, next_due = True, time.perf_counter()
            elif cmd.name == "pause":
                running, steps_left = False, 0
            elif cmd.name == "step":
                running = False
                steps_left += int(cmd.arg)  # type: ignore[call-overload]
            elif cmd.name == "set_params":
                assert isinstance(cmd.arg, tuple)
                if run is not None and run.finished is None and cmd.arg[0] == run_id:
                    try:
                        run.set_params(cmd.arg[1], cmd.arg[2])
                        pending.append(ParamsSet(run_id, run.epoch, *run.trainer.parameters(), run.loss_now()))
                    except Exception as exc:
                        pending.append(RunError(_describe(exc), run_id))
                    flush()
            elif cmd.name == "speed":
                speed = cmd.arg  # type: ignore[assignment]
                next_due = time.perf_counter()
            elif cmd.name == "reset":
                assert isinstance(cmd.arg, tuple)
                run_id = cmd.arg[0]
                if cmd.arg[1] is not None:
                    config = cmd.arg[1]
                if cmd.arg[2] is not None:
                    dataset = cmd.arg[2]
                io.clear_interrupt()
                pending, pending_epochs = [], 0
                running, steps_left = False, 0
                try:
                    run = run_factory(config, dataset, run_id)
                    pending.append(RunReset(run_id, *run.trainer.parameters(), run.loss_now()))
                except Exception as exc:
                    run = None
                    pending.append(RunError(_describe(exc), run_id))
                flush()
            continue
        if not busy:
            continue
        assert run is not None
        # As many epochs as fit before the next look for commands (one when paced or stepping one at a time).
        if speed is not None and running and steps_left == 0:
            k = 1
        else:
            k = max(1, min(CHUNK_EVENTS, int(POLL_SECONDS / epoch_seconds)))
            if steps_left > 0:
                k = min(k, steps_left)
        started = time.perf_counter()
        try:
            block, fin = run.advance_block(k)
        except Exception as exc:
            pending.append(RunError(_describe(exc), run_id))
            run = None
            flush()
            continue
        now = time.perf_counter()
        epoch_seconds = 0.7 * epoch_seconds + 0.3 * (now - started) / len(block)
        if not pending:
            chunk_started = started
        pending.append(block if len(block) > 1 else block.event(0))
        pending_epochs += len(block)
        if steps_left > 0:
            steps_left = max(0, steps_left - len(block))
        if fin is not None:
            pending.append(fin)
            running, steps_left = False, 0
        if speed is not None and running:
            next_due = max(next_due + 1.0 / speed, now - 0.5)
        if (fin is not None or (steps_left == 0 and not running) or pending_epochs >= CHUNK_EVENTS
                or now - chunk_started >= CHUNK_SECONDS):
            flush()


def pack(chunk: list[Event]) -> list[Event]:
    """Consecutive epochs of one run, single events and blocks alike, become one :class:`EpochBlock`; a lone
    epoch stays an :class:`EpochEnded`."""
    out: list[Event] = []
    group: list[EpochEnded | EpochBlock] = []
    singles: list[EpochEnded] = []
    parts: list[EpochBlock] = []

    def close() -> None:
        if len(group) == 1 and type(group[0]) is EpochEnded:
            out.append(group[0])
        elif group:
            for item in group:
                if type(item) is EpochEnded:
                    singles.append(item)
                else:
                    if singles:
                        parts.append(EpochBlock.pack(singles))
                        singles.clear()
                    parts.append(item)  # type: ignore[arg-type]
            if singles:
                parts.append(EpochBlock.pack(singles))
                singles.clear()
            out.append(EpochBlock.concat(parts))
            parts.clear()
        group.clear()

    for ev in chunk:
        t = type(ev)
        if t is EpochEnded or t is EpochBlock:
            first = ev.epoch if t is EpochEnded else ev.first  # type: ignore[union-attr]
            if group:
                prev = group[-1]
                prev_last = prev.epoch if type(prev) is EpochEnded else prev.last  # type: ignore[union-attr]
                if ev.run_id != prev.run_id or first != prev_last + 1:
                    close()
            group.append(ev)  # type: ignore[arg-type]
        else:
            close()
            out.append(ev)
    close()
    return out


def unpack(events: list[Event]) -> list[Event]:
    """Blocks back into single :class:`EpochEnded` events."""
    if not any(type(ev) is EpochBlock for ev in events):
        return events
    out: list[Event] = []
    for ev in events:
        if type(ev) is EpochBlock:
            out.extend(ev.events())
        else:
            out.append(ev)
    return out


class _StreamBase:
    """The consumer side and the commands, shared by the thread and the process streams."""

    def __init__(self, config: TrainConfig, dataset: Dataset, speed: float | None, max_chunks: int,
                 loop: asyncio.AbstractEventLoop | None):
        self.config = config
        self.dataset = dataset
        self.queue: asyncio.Queue[list[Event]] = asyncio.Queue()
        self._loop = loop
        self._speed = speed
        self._max_chunks = max_chunks
        self._buffer: deque[Event] = deque()
        self.run_id = 0
        #: The worker's state as last reported, in order with the events: "idle", "running" or "stopped".
        self.worker_state = "starting"
        self._started = False

    # -- commands --------------------------------------------------------------------------------------
    def run(self) -> None:
        self._send(_Cmd("run"))

    def pause(self) -> None:
        self._send(_Cmd("pause"))

    def step(self, n: int = 1) -> None:
        self._send(_Cmd("step", max(1, int(n))))

    def reset(self, config: TrainConfig | None = None, dataset: Dataset | None = None) -> int:
        """Start afresh at epoch 0, optionally with a new configuration or data; returns the new run id."""
        self.run_id += 1
        if config is not None:
            self.config = config
        if dataset is not None:
            self.dataset = dataset
        self._interrupt()
        self._send(_Cmd("reset", (self.run_id, config, dataset)))
        return self.run_id

    def set_params(self, w: tuple[float, ...], b: float | None) -> None:
        """Overwrite the current run's parameters (original units); a :class:`ParamsSet` event confirms it.
        Ignored once the run has finished or after a reset."""
        self._send(_Cmd("set_params", (self.run_id, tuple(float(v) for v in w), b)))

    def set_speed(self, speed: float | None) -> None:
        """Epochs per second in run mode; ``None`` is as fast as possible."""
        self._send(_Cmd("speed", speed))

    def _send(self, cmd: _Cmd) -> None:
        raise NotImplementedError

    def _interrupt(self) -> None:
        raise NotImplementedError

    def _release_credit(self) -> None:
        raise NotImplementedError

    # -- from the worker, on the loop ----------------------------------------------------------------
    def _deliver(self, item: list[Event] | str) -> None:
        """Runs on the loop: a chunk goes to the queue, a state word to ``worker_state`` (kept in order)."""
        if isinstance(item, str):
            self.worker_state = item
        else:
            self.queue.put_nowait(item)

    def _to_loop(self, item: list[Event] | str) -> bool:
        loop = self._loop
        assert loop is not None
        try:
            loop.call_soon_threadsafe(self._deliver, item)
        except RuntimeError:  # loop closed: nobody is listening any more
            return False
        return True

    # -- consumer (the loop's thread) -----------------------------------------------------------------
    async def get(self) -> Event:
        """The next event, waiting for it."""
        if not self._buffer:
            self._buffer.extend(unpack(await self._take()))
        return self._buffer.popleft()

    async def get_batch(self, max_chunks: int | None = None, *, blocks: bool = False) -> list[Event]:
        """The events available now (at least one, waiting for it), in order; at most ``max_chunks``
        further chunks are taken, so a consumer can interleave other work with a flood. With ``blocks``,
        runs of epochs come as :class:`EpochBlock` (cheaper to fold in); otherwise one event per epoch."""
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
            self._release_credit()
            out.extend(chunk)
        return out if blocks else unpack(out)

    async def _take(self) -> list[Event]:
        chunk = await self.queue.get()
        self._release_credit()
        return chunk


class _ThreadTransport:
    def __init__(self, stream: RunStream):
        self.s = stream

    def post(self, chunk: list[Event]) -> bool:
        s = self.s
        while not s._credits.acquire(timeout=0.05):
            if s._interrupted.is_set():
                return False
        return s._to_loop(chunk)

    def command(self, timeout: float | None) -> _Cmd | None:
        try:
            return self.s._cmds.get(timeout=timeout) if timeout != 0.0 else self.s._cmds.get_nowait()
        except queue.Empty:
            return None

    def clear_interrupt(self) -> None:
        self.s._interrupted.clear()

    def set_state(self, state: str) -> None:
        self.s._to_loop(state)


class RunStream(_StreamBase):
    """A training run in a background thread, controlled by commands, observed through ``get()``."""

    def __init__(self, config: TrainConfig, dataset: Dataset, *, speed: float | None = None,
                 max_chunks: int = 64, loop: asyncio.AbstractEventLoop | None = None,
                 run_factory: RunFactory | None = None):
        super().__init__(config, dataset, speed, max_chunks, loop)
        self._credits = threading.Semaphore(max_chunks)
        self._cmds: queue.SimpleQueue[_Cmd] = queue.SimpleQueue()
        self._interrupted = threading.Event()
        self._run_factory = run_factory or _default_run
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("stream already started")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._work, name="linreg-stream", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        io = _ThreadTransport(self)
        try:
            worker_loop(io, self.config, self.dataset, self._speed, self._run_factory)
        except Exception as exc:  # pragma: no cover - last resort, reported to the consumer
            io.post([RunError(_describe(exc), self.run_id)])
            io.set_state("stopped")

    def _send(self, cmd: _Cmd) -> None:
        self._cmds.put(cmd)

    def _interrupt(self) -> None:
        self._interrupted.set()

    def _release_credit(self) -> None:
        self._credits.release()

    def stop(self, timeout: float = 5.0) -> None:
        self._interrupt()
        self._send(_Cmd("stop"))
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)


# -- the process variant ------------------------------------------------------------------------------


class _PipeTransport:
    def __init__(self, cmd_conn: Connection, evt_conn: Connection, slots: Any, interrupted: Any):
        self.cmd_conn, self.evt_conn = cmd_conn, evt_conn
        self.credits, self.interrupted = slots, interrupted

    def post(self, chunk: list[Event]) -> bool:
        while not self.credits.acquire(timeout=0.05):
            if self.interrupted.is_set():
                return False
        try:
            self.evt_conn.send(chunk)
        except (BrokenPipeError, EOFError, OSError):
            return False
        return True

    def command(self, timeout: float | None) -> _Cmd | None:
        try:
            if timeout is None or self.cmd_conn.poll(timeout):
                cmd = self.cmd_conn.recv()
                assert isinstance(cmd, _Cmd)
                return cmd
        except (EOFError, OSError):
            return _Cmd("stop")  # the parent is gone
        return None

    def clear_interrupt(self) -> None:
        self.interrupted.clear()

    def set_state(self, state: str) -> None:
        try:
            self.evt_conn.send(state)
        except (BrokenPipeError, EOFError, OSError):
            pass


def _child_main(cmd_conn: Connection, evt_conn: Connection, slots: Any, interrupted: Any,
                config: TrainConfig, dataset: Dataset, speed: float | None) -> None:
    io = _PipeTransport(cmd_conn, evt_conn, slots, interrupted)
    try:
        worker_loop(io, config, dataset, speed)
    except Exception as exc:  # pragma: no cover - last resort, reported to the consumer
        io.post([RunError(_describe(exc), -1)])
        io.set_state("stopped")
    finally:
        evt_conn.close()


class ProcessRunStream(_StreamBase):
    """Like :class:`RunStream`, but training runs in a separate process, in parallel with the UI."""

    def __init__(self, config: TrainConfig, dataset: Dataset, *, speed: float | None = None,
                 max_chunks: int = 64, loop: asyncio.AbstractEventLoop | None = None):
        super().__init__(config, dataset, speed, max_chunks, loop)
        ctx = mp.get_context("spawn")
        self._ctx = ctx
        self._credits = ctx.Semaphore(max_chunks)
        self._interrupted = ctx.Event()
        self._cmd_parent, self._cmd_child = ctx.Pipe()
        self._evt_child, self._evt_parent = ctx.Pipe()
        self._proc: Any = None
        self._reader: threading.Thread | None = None
        self._send_lock = threading.Lock()
        self._stopping = False

    def start(self) -> None:
        if self._proc is not None:
            raise RuntimeError("stream already started")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self._proc = self._ctx.Process(
            target=_child_main, name="linreg-train", daemon=True,
            args=(self._cmd_child, self._evt_parent, self._credits, self._interrupted, self.config, self.dataset,
                  self._speed))
        self._proc.start()
        self._cmd_child.close()
        self._evt_parent.close()
        self._reader = threading.Thread(target=self._read, name="linreg-stream-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                item = self._evt_child.recv()
            except (EOFError, OSError):
                if not self._stopping:
                    self._proc.join(1.0)
                    code = self._proc.exitcode
                    self._to_loop([RunError(f"the training process ended unexpectedly (exit code {code}); "
                                            f"press r to start it again", self.run_id)])
                self._to_loop("stopped")
                return
            if not self._to_loop(item):
                return

    def _send(self, cmd: _Cmd) -> None:
        with self._send_lock:
            try:
                self._cmd_parent.send(cmd)
            except (BrokenPipeError, OSError):
                pass

    def _interrupt(self) -> None:
        self._interrupted.set()

    def _release_credit(self) -> None:
        self._credits.release()

    def stop(self, timeout: float = 5.0) -> None:
        if self._proc is None:
            return
        self._stopping = True
        self._interrupt()
        self._send(_Cmd("stop"))
        self._proc.join(timeout)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(1.0)
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(1.0)


def _describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"
