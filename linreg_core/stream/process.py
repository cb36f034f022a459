"""A stream whose worker runs in a separate process, so training never competes with the UI for the GIL; chunks
come back over a pipe and a reader thread hands them to the loop.

The process is spawned (a new interpreter), or, for a served class, forked by the server's zygote, which has torch
loaded already (linreg_core/stream/zygote.py). Everything between the app and its worker is a file descriptor —
two pipes for commands and events, a pipe of credits, a pipe for the interrupt flag — so either way hands them over
the same."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import threading
from multiprocessing import resource_tracker
from typing import Any

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import RunError
from linreg_core.stream import zygote
from linreg_core.stream.base import StreamBase
from linreg_core.stream.commands import Command, StopCmd, WorkerState, WorkerStatus
from linreg_core.stream.pipes import FdCredits, FdFlag, child_main


class ProcessRunStream(StreamBase):
    """Like :class:`RunStream`, but training runs in a separate process, in parallel with the UI."""

    def __init__(self, config: TrainConfig, dataset: Dataset | None, *, speed: float | None = None,
                 max_chunks: int = 64, loop: asyncio.AbstractEventLoop | None = None):
        super().__init__(config, dataset, speed, max_chunks, loop)
        ctx = mp.get_context("spawn")
        self._ctx = ctx
        # spawning needs multiprocessing's resource tracker (a served app too, should its zygote not answer):
        # started now, while stderr is still a file (the app builds its stream before Textual redirects stderr)
        resource_tracker.ensure_running()
        self._credits = FdCredits.new(max_chunks)
        self._interrupted = FdFlag.new()
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
        args = (self._cmd_child, self._evt_parent, self._credits, self._interrupted, self.config, self.dataset,
                self._speed)
        proc: Any = zygote.fork(*args)  # a served visitor: forked with torch loaded (None: no zygote)
        if proc is None:
            proc = self._ctx.Process(target=child_main, name="linreg-train", daemon=True, args=args)
            proc.start()  # raises (no process could start): the stream stays unstarted, stop() has nothing to do
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
