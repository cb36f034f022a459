"""The consumer's side of a stream and its commands, shared by the thread and the process transports."""

from __future__ import annotations

import asyncio
from collections import deque

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.events import Event
from linreg_core.stream.commands import (
    BlockCmd,
    Command,
    PauseCmd,
    ResetCmd,
    RunCmd,
    SetParamsCmd,
    SpeedCmd,
    StepCmd,
    WorkerState,
    WorkerStatus,
)
from linreg_core.stream.packing import unpack

#: What crosses from the worker to the loop: a chunk of events, or the worker's state (kept in order with them).
Delivery = list[Event] | WorkerStatus


class StreamBase:
    """Commands go to the worker; its chunks arrive on ``queue`` (an ``asyncio.Queue``), its state in
    ``worker_state``."""

    def __init__(self, config: TrainConfig, dataset: Dataset | None, speed: float | None, max_chunks: int,
                 loop: asyncio.AbstractEventLoop | None):
        self.config = config
        #: The data the worker trains on; None until ``start`` for data the app makes after its first screen
        self.dataset = dataset
        self.queue: asyncio.Queue[list[Event]] = asyncio.Queue()
        self._loop = loop
        self._speed = speed
        self._max_chunks = max_chunks
        self._buffer: deque[Event] = deque()
        self.run_id = 0
        #: The worker's state as last reported, in order with the events.
        self.worker_state = WorkerState.STARTING
        self.sent = 0  # commands sent to the worker
        self.handled = 0  # of them, handled as the worker last reported
        #: Set while the worker is idle with every command handled and every event taken from the queue.
        self.settled = asyncio.Event()

    @property
    def idle(self) -> bool:
        """The worker has handled every command sent and is waiting for the next (as last reported)."""
        return self.worker_state is WorkerState.IDLE and self.handled == self.sent

    def start(self) -> None:
        """Start the worker (from the loop's thread)."""
        raise NotImplementedError

    def stop(self, timeout: float = 5.0) -> None:
        """End the run (reason ``stopped``) and the worker, waiting up to ``timeout`` seconds."""
        raise NotImplementedError

    # -- commands --------------------------------------------------------------------------------------
    def run(self) -> None:
        self._command(RunCmd())

    def pause(self) -> None:
        self._command(PauseCmd())

    def step(self, n: int = 1) -> None:
        self._command(StepCmd(max(1, int(n))))

    def run_next_block(self) -> None:
        """Run the next block of the next epoch on its own; a :class:`BlockStepped` event shows it."""
        self._command(BlockCmd())

    def reset(self, config: TrainConfig | None = None, dataset: Dataset | None = None) -> int:
        """Start afresh at epoch 0, optionally with a new configuration or data; returns the new run id."""
        self.run_id += 1
        if config is not None:
            self.config = config
        if dataset is not None:
            self.dataset = dataset
        self._interrupt()
        self._command(ResetCmd(self.run_id, config, dataset))
        return self.run_id

    def set_params(self, w: tuple[float, ...], b: float | None) -> None:
        """Overwrite the current run's parameters (original units); a :class:`ParamsSet` event confirms it.
        Ignored once the run has finished or after a reset."""
        self._command(SetParamsCmd(self.run_id, tuple(float(v) for v in w), b))

    def set_speed(self, speed: float | None) -> None:
        """Epochs per second in run mode; ``None`` is as fast as possible."""
        self._command(SpeedCmd(speed))

    def _command(self, cmd: Command) -> None:
        self.sent += 1
        self.settled.clear()
        self._send(cmd)

    def _send(self, cmd: Command) -> None:
        raise NotImplementedError

    def _interrupt(self) -> None:
        raise NotImplementedError

    def _release_credit(self) -> None:
        raise NotImplementedError

    # -- from the worker, on the loop ----------------------------------------------------------------
    def _deliver(self, item: Delivery) -> None:
        """Runs on the loop: a chunk goes to the queue, a state to ``worker_state``."""
        if isinstance(item, WorkerStatus):
            self.worker_state, self.handled = item.state, item.handled
        else:
            self.queue.put_nowait(item)
        self._note_settled()

    def _note_settled(self) -> None:
        if self.idle and self.queue.empty():
            self.settled.set()
        else:
            self.settled.clear()

    def _to_loop(self, item: Delivery) -> bool:
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
        runs of epochs come as :class:`EpochSpan` (cheaper to fold in); otherwise one event per epoch."""
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
        self._note_settled()
        return out if blocks else unpack(out)

    async def _take(self) -> list[Event]:
        chunk = await self.queue.get()
        self._release_credit()
        return chunk
