"""A stream whose worker runs in a thread of this process."""

from __future__ import annotations

import asyncio
import queue
import threading
from typing import TYPE_CHECKING

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import Event, RunError
from linreg_core.stream.base import StreamBase
from linreg_core.stream.commands import Command, StopCmd, WorkerState, WorkerStatus

if TYPE_CHECKING:
    from linreg_core.stream.worker import RunFactory


class _ThreadTransport:
    def __init__(self, stream: RunStream):
        self.s = stream

    def post(self, chunk: list[Event]) -> bool:
        s = self.s
        while not s._credits.acquire(timeout=0.05):
            if s._interrupted.is_set():
                return False
        return s._to_loop(chunk)

    def command(self, timeout: float | None) -> Command | None:
        try:
            return self.s._cmds.get(timeout=timeout) if timeout != 0.0 else self.s._cmds.get_nowait()
        except queue.Empty:
            return None

    def clear_interrupt(self) -> None:
        self.s._interrupted.clear()

    def report(self, status: WorkerStatus) -> None:
        self.s._to_loop(status)


class RunStream(StreamBase):
    """A training run in a background thread, controlled by commands, observed through ``get()``."""

    def __init__(self, config: TrainConfig, dataset: Dataset | None, *, speed: float | None = None,
                 max_chunks: int = 64, loop: asyncio.AbstractEventLoop | None = None,
                 run_factory: RunFactory | None = None):
        super().__init__(config, dataset, speed, max_chunks, loop)
        self._credits = threading.Semaphore(max_chunks)
        self._cmds: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._interrupted = threading.Event()
        self._run_factory = run_factory
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("stream already started")
        if self.dataset is None:
            raise RuntimeError("no data to train on")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._work, name="linreg-stream", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        from linreg_core.stream.worker import Worker, default_run, describe  # the engine, imported when it runs

        io = _ThreadTransport(self)
        assert self.dataset is not None  # start() checked
        try:
            Worker(io, self.config, self.dataset, self._speed, self._run_factory or default_run).serve()
        except Exception as exc:  # pragma: no cover - last resort, reported to the consumer
            io.post([RunError(describe(exc), self.run_id)])
            io.report(WorkerStatus(WorkerState.STOPPED, -1))

    def _send(self, cmd: Command) -> None:
        self._cmds.put(cmd)

    def _interrupt(self) -> None:
        self._interrupted.set()

    def _release_credit(self) -> None:
        self._credits.release()

    def stop(self, timeout: float = 5.0) -> None:
        self._interrupt()
        self._send(StopCmd())
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
