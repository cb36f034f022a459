"""Run a case in the background and deliver its events on an ``asyncio.Queue``.

Commands (from the loop's thread): ``run``, ``pause``, ``step``, ``reset``, ``stop``, ``set_speed``,
``set_params`` — typed in :mod:`.commands`, handled by :class:`.worker.Worker` with ``match``. Events reach the
loop with ``loop.call_soon_threadsafe`` in chunks (a list of events, :mod:`.packing`), which keeps the hand-off
cheap at full speed. Memory is bounded by credits: the worker waits for the consumer (backpressure) instead of
dropping, so epochs arrive in order, contiguous, none lost or duplicated.

Two transports for one worker: :class:`RunStream` (a thread in this process) and :class:`ProcessRunStream` (a
separate process, so training never competes with the UI for the GIL).
"""

from linreg_core.stream.base import StreamBase
from linreg_core.stream.commands import WorkerState
from linreg_core.stream.packing import pack, unpack
from linreg_core.stream.process import ProcessRunStream
from linreg_core.stream.thread import RunStream

__all__ = ["ProcessRunStream", "RunStream", "StreamBase", "WorkerState", "pack", "unpack"]
