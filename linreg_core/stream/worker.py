"""The worker: trains a run under the commands that arrive and posts its events in chunks. The same class runs in
a thread (:mod:`.thread`) and in a separate process (:mod:`.process`); only the transport differs."""

from __future__ import annotations

import time
import traceback
from typing import TYPE_CHECKING, Callable, Protocol

from linreg_core.config import TrainConfig
from linreg_core.data import Dataset
from linreg_core.engine import Run
from linreg_core.events import Event, Held, ParamsSet, RunError, RunReset, Warned
from linreg_core.stream.commands import (
    BlockCmd,
    Command,
    PauseCmd,
    ResetCmd,
    RunCmd,
    SetParamsCmd,
    SpeedCmd,
    StepCmd,
    StopCmd,
    WorkerState,
    WorkerStatus,
)
from linreg_core.stream.packing import pack

if TYPE_CHECKING:
    from linreg_core.stepper import Stepper

#: Most events in one chunk, and the longest a chunk waits before it is sent at full speed.
CHUNK_EVENTS = 512
CHUNK_SECONDS = 0.02
#: While training flat out, commands are looked for at most this often.
POLL_SECONDS = 0.002
#: How often a run that keeps what it should not says how much (a Held event), in seconds.
HELD_EVERY = 1.0

RunFactory = Callable[[TrainConfig, Dataset, int], Run]


def default_run(config: TrainConfig, dataset: Dataset, run_id: int) -> Run:
    return Run(config, dataset, run_id=run_id)


class Transport(Protocol):
    def post(self, chunk: list[Event]) -> bool:
        """Hand a chunk to the consumer, waiting for a credit; False when a reset or stop interrupted the wait."""

    def command(self, timeout: float | None) -> Command | None:
        """The next command, waiting up to ``timeout`` seconds (None: for ever, 0: not at all)."""

    def clear_interrupt(self) -> None: ...

    def report(self, status: WorkerStatus) -> None:
        """Tell the consumer the worker's state, in order with the chunks posted."""


def describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


class Worker:
    """One run at a time; ``serve()`` returns on :class:`StopCmd`."""

    def __init__(self, io: Transport, config: TrainConfig, dataset: Dataset, speed: float | None,
                 run_factory: RunFactory = default_run):
        self.io = io
        self.config, self.dataset, self.speed = config, dataset, speed
        self.run_factory = run_factory
        self.run: Run | None = None
        #: The epoch being stepped block by block (the ``phase`` command), or None.
        self.stepper: Stepper | None = None
        self.run_id = 0
        self.pending: list[Event] = []
        self.pending_epochs = 0
        self.running = False
        self.steps_left = 0
        self.state: WorkerState | None = None
        self.handled = 0  # commands handled so far
        self._reported = -1
        self.chunk_started = 0.0
        self.last_poll = 0.0
        self.next_due = time.perf_counter()
        self.epoch_seconds = POLL_SECONDS  # a running estimate of one epoch's time, which sizes the blocks
        self.held_said = 0.0  # when a mistake's memory was last said (Held)

    @property
    def busy(self) -> bool:
        return self.run is not None and self.run.finished is None and (self.running or self.steps_left > 0)

    @property
    def paced(self) -> bool:
        return self.running and self.speed is not None and self.steps_left == 0

    def serve(self) -> None:
        self.new_run()
        while True:
            cmd = self.next_command()
            if cmd is not None:
                if self.handle(cmd):
                    return
            elif self.busy:
                self.train()

    def next_command(self) -> Command | None:
        """Block when idle; when paced, wait until the next epoch is due; otherwise just poll (and then at most
        every POLL_SECONDS: a look is a syscall)."""
        busy = self.busy
        timeout: float | None
        if not busy:
            self.flush()
            timeout = None
        elif self.paced:
            self.flush()
            timeout = max(0.0, self.next_due - time.perf_counter())
        else:
            timeout = 0.0
        state = WorkerState.RUNNING if busy else WorkerState.IDLE
        if state is not self.state or (not busy and self.handled != self._reported):
            self.state, self._reported = state, self.handled
            self.io.report(WorkerStatus(state, self.handled))
        if timeout == 0.0 and time.perf_counter() - self.last_poll < POLL_SECONDS:
            return None
        cmd = self.io.command(timeout)
        self.last_poll = time.perf_counter()
        return cmd

    def handle(self, cmd: Command) -> bool:
        """Carry out one command; True when the worker is to end."""
        if not isinstance(cmd, StopCmd):
            self.handled += 1
        match cmd:
            case StopCmd():
                if self.run is not None and self.run.finished is None:
                    self.pending.append(self.run.stop())
                self.flush()  # still interrupted: posted if the consumer has room, never waited for
                self.io.report(WorkerStatus(WorkerState.STOPPED, self.handled + 1))
                return True
            case RunCmd():
                self.running, self.next_due = True, time.perf_counter()
            case PauseCmd():
                self.running, self.steps_left = False, 0
            case StepCmd(n=n):
                self.running = False
                self.steps_left += n
            case BlockCmd():
                self.running = False
                self.run_next_block()
            case SetParamsCmd(run_id=run_id, w=w, b=b):
                self.set_params(run_id, w, b)
            case SpeedCmd(speed=speed):
                self.speed, self.next_due = speed, time.perf_counter()
            case ResetCmd(run_id=run_id, config=config, dataset=dataset):
                self.reset(run_id, config, dataset)
        return False

    def new_run(self) -> None:
        self.stepper = None
        try:
            self.run = run = self.run_factory(self.config, self.dataset, self.run_id)
            self.pending.append(RunReset(self.run_id, *run.trainer.parameters(), run.loss_now()))
        except Exception as exc:
            self.run = None
            self.pending.append(RunError(describe(exc), self.run_id))

    def reset(self, run_id: int, config: TrainConfig | None, dataset: Dataset | None) -> None:
        self.run_id = run_id
        self.config = config or self.config
        self.dataset = dataset or self.dataset
        self.io.clear_interrupt()
        self.pending, self.pending_epochs = [], 0
        self.running, self.steps_left = False, 0
        self.new_run()
        self.flush()

    def set_params(self, run_id: int, w: tuple[float, ...], b: float | None) -> None:
        run = self.run
        if run is None or run.finished is not None or run_id != self.run_id:
            return
        try:
            run.set_params(w, b)
            self.pending.append(ParamsSet(run_id, run.epoch, *run.trainer.parameters(), run.loss_now()))
        except Exception as exc:
            self.pending.append(RunError(describe(exc), run_id))
        self.flush()

    def run_next_block(self) -> None:
        """One block of the next epoch; the epoch is recorded (stop rules and all) when its last block ran."""
        from linreg_core.events import BlockStepped
        from linreg_core.stepper import Stepper

        run = self.run
        if run is None or run.finished is not None:
            return
        try:
            if self.stepper is None or self.stepper.done:
                self.stepper = Stepper(run.trainer)
            stepper = self.stepper
            res = stepper.next_block()
            self.pending.append(BlockStepped(self.run_id, res.epoch, res.block, tuple(res.code), res.values,
                                             res.shapes, tuple(res.changed), res.note, res.error,
                                             stepper.next_block_name))
            if stepper.done:
                block, fin = run.advance_span(1)
                if len(block):
                    self.pending.append(block.event(0))
                if fin is not None:
                    self.pending.append(fin)
        except Exception as exc:
            self.pending.append(RunError(describe(exc), self.run_id))
        self.flush()

    def block_size(self) -> int:
        """As many epochs as fit before the next look for commands (one when paced)."""
        if self.paced:
            return 1
        k = max(1, min(CHUNK_EVENTS, int(POLL_SECONDS / self.epoch_seconds)))
        return min(k, self.steps_left) if self.steps_left > 0 else k

    def train(self) -> None:
        run = self.run
        assert run is not None
        started = time.perf_counter()
        try:
            block, fin = run.advance_span(self.block_size())
        except Exception as exc:
            self.pending.append(RunError(describe(exc), self.run_id))
            self.run = None
            self.flush()
            return
        now = time.perf_counter()
        self.epoch_seconds = 0.7 * self.epoch_seconds + 0.3 * (now - started) / max(1, len(block))
        if not self.pending:
            self.chunk_started = started
        if len(block):  # empty when the block's first epoch failed
            self.pending.append(block if len(block) > 1 else block.event(0))
        self.pending += [Warned(message, epoch, self.run_id) for epoch, message in run.take_warnings()]
        self.pending_epochs += len(block)
        if self.steps_left > 0:
            self.steps_left = max(0, self.steps_left - len(block))
        if fin is not None:
            self.pending.append(fin)
            self.running, self.steps_left = False, 0
        if fin is not None or now - self.held_said >= HELD_EVERY:  # a mistake's memory: every second, and last
            self.held_said = now
            if (held := run.trainer.case_trainer.holding()) is not None:
                self.pending.append(Held(held, run.epoch, self.run_id))
        if self.speed is not None and self.running:
            self.next_due = max(self.next_due + 1.0 / self.speed, now - 0.5)
        if (fin is not None or (self.steps_left == 0 and not self.running) or self.pending_epochs >= CHUNK_EVENTS
                or now - self.chunk_started >= CHUNK_SECONDS):
            self.flush()

    def flush(self) -> None:
        self.pending_epochs = 0
        if self.pending:
            chunk, self.pending = pack(self.pending), []
            self.io.post(chunk)  # False only when a reset/stop interrupted the wait: the chunk is stale then
