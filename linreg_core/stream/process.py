"""A stream whose worker runs in a separate process (``spawn``), so training never competes with the UI for the
GIL; chunks come back over a pipe and a reader thread hands them to the loop."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import threading
from multiprocessing.connection import Connection
from typing import Any

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import Event, RunError
from linreg_core.stream.base import Delivery, StreamBase
from linreg_core.stream.commands import Command, StopCmd, WorkerState, WorkerStatus


class _PipeTransport:
    def __init__(self, cmd_conn: Connection, evt_conn: Connection, slots: Any, interrupted: Any):
        self.cmd_conn, self.evt_conn = cmd_conn, evt_conn
        self.credits, self.interrupted = slots, interrupted

    def post(self, chunk: list[Event]) -> bool:
        while not self.credits.acquire(timeout=0.05):
            if self.interrupted.is_set():
                return False
        return self._send(chunk)

    def _send(self, item: Delivery) -> bool:
        try:
            self.evt_conn.send(item)
        except (BrokenPipeError, EOFError, OSError):
            return False
        return True

    def command(self, timeout: float | None) -> Command | None:
        try:
            if timeout is None or self.cmd_conn.poll(timeout):
                cmd: Command = self.cmd_conn.recv()
                return cmd
        except (EOFError, OSError):
            return StopCmd()  # the parent is gone
        return None

    def clear_interrupt(self) -> None:
        self.interrupted.clear()

    def report(self, status: WorkerStatus) -> None:
        self._send(status)


def _child_main(cmd_conn: Connection, evt_conn: Connection, slots: Any, interrupted: Any,
                config: TrainConfig, dataset: Dataset, speed: float | None) -> None:
    from linreg_core.stream.worker import Worker, describe  # the engine: only this process imports it

    io = _PipeTransport(cmd_conn, evt_conn, slots, interrupted)
    # torch loads beside the first commands, so the first epoch after switching to a torch case does not wait
    # for its import (the import lock makes a case that needs it sooner wait for this one)
    threading.Thread(target=_preload_torch, name="linreg-preload", daemon=True).start()
    try:
        Worker(io, config, dataset, speed).serve()
    except Exception as exc:  # pragma: no cover - last resort, reported to the consumer
        io.post([RunError(describe(exc), -1)])
        io.report(WorkerStatus(WorkerState.STOPPED, -1))
    finally:
        evt_conn.close()
    # Everything is sent: leave without the interpreter's teardown (torch's, once loaded, takes ~0.6 s; the app
    # waits for this process when it quits).
    os._exit(0)


def _preload_torch() -> None:
    try:
        import torch  # noqa: F401
    except Exception:  # noqa: BLE001 - a torch case reports its own import error when it runs
        pass


class ProcessRunStream(StreamBase):
    """Like :class:`RunStream`, but training runs in a separate process, in parallel with the UI."""

    def __init__(self, config: TrainConfig, dataset: Dataset | None, *, speed: float | None = None,
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
        if self.dataset is None:
            raise RuntimeError("no data to train on")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        proc = self._ctx.Process(
            target=_child_main, name="linreg-train", daemon=True,
            args=(self._cmd_child, self._evt_parent, self._credits, self._interrupted, self.config, self.dataset,
                  self._speed))
        proc.start()  # raises (no process could be started): the stream stays unstarted, and stop() has nothing to do
        self._proc = proc
        self._cmd_child.close()
        self._evt_parent.close()
        self._reader = threading.Thread(target=self._read, name="linreg-stream-reader", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int | None:
        """The training process's id (None before start)."""
        return None if self._proc is None else int(self._proc.pid)

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
                self._to_loop(WorkerStatus(WorkerState.STOPPED, self.handled))
                return
            if not self._to_loop(item):
                return

    def _send(self, cmd: Command) -> None:
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
        self._send(StopCmd())
        self._proc.join(timeout)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(1.0)
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(1.0)
