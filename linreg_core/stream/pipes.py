"""What passes between an app and its training process: two pipes (commands, events), a pipe of credits and a
pipe for the interrupt flag — file descriptors all, so a spawned process and one the zygote forks are handed the
same things (linreg_core/stream/process.py, linreg_core/stream/zygote.py)."""

from __future__ import annotations

import os
import select
import threading
from multiprocessing import reduction
from multiprocessing.connection import Connection
from typing import Any

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import Event, RunError
from linreg_core.stream.base import Delivery
from linreg_core.stream.commands import Command, StopCmd, WorkerState, WorkerStatus


class FdPipe:
    """A pipe whose two ends are file descriptors another process can be given: a spawned one (pickled as its
    descriptors) or one the zygote forks (sent over its socket)."""

    def __init__(self, read_fd: int, write_fd: int):
        self.read_fd, self.write_fd = read_fd, write_fd
        os.set_blocking(read_fd, False)

    def readable(self, timeout: float) -> bool:
        return bool(select.select([self.read_fd], [], [], timeout)[0])

    def fds(self) -> list[int]:
        return [self.read_fd, self.write_fd]

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self)._rebuild, (reduction.DupFd(self.read_fd), reduction.DupFd(self.write_fd))

    @classmethod
    def _rebuild(cls, read: Any, write: Any) -> Any:
        return cls(read.detach(), write.detach())


class FdCredits(FdPipe):
    """A counting semaphore: one byte in the pipe per credit. The consumer releases, the worker acquires."""

    @classmethod
    def new(cls, value: int) -> FdCredits:
        made = cls(*os.pipe())
        os.write(made.write_fd, b"\0" * value)
        return made

    def acquire(self, timeout: float) -> bool:
        if not self.readable(timeout):
            return False
        try:
            return len(os.read(self.read_fd, 1)) == 1
        except BlockingIOError:
            return False

    def release(self) -> None:
        os.write(self.write_fd, b"\0")


class FdFlag(FdPipe):
    """An event flag: set by the consumer (a byte in the pipe), seen and cleared by the worker."""

    @classmethod
    def new(cls) -> FdFlag:
        return cls(*os.pipe())

    def set(self) -> None:
        if not self.is_set():  # one byte at most: the pipe never fills
            os.write(self.write_fd, b"\0")

    def is_set(self) -> bool:
        return self.readable(0)

    def clear(self) -> None:
        try:
            while os.read(self.read_fd, 4096):
                pass
        except BlockingIOError:
            pass


class _PipeTransport:
    def __init__(self, cmd_conn: Connection, evt_conn: Connection, slots: FdCredits, interrupted: FdFlag):
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


def child_main(cmd_conn: Connection, evt_conn: Connection, slots: FdCredits, interrupted: FdFlag,
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
