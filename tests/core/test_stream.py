"""The event stream: order, contiguity, backpressure, commands, and a final event always."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from linreg_core.config import TrainConfig
from linreg_core.data import seed, synthetic
from linreg_core.engine import Run
from linreg_core.events import EpochEnded, Event, ParamsSet, RunError, RunFinished, RunReset
from linreg_core.stream import ProcessRunStream, RunStream, zygote
from tui_app.serve import descendants


@pytest.fixture(scope="module")
def zygote_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A zygote, as ``linreg-tui --serve`` starts one (linreg_core/stream/zygote.py)."""
    path = str(tmp_path_factory.mktemp("serve") / "zygote")
    before = os.environ.get(zygote.ENV)
    proc = zygote.start(path)
    assert proc is not None
    os.environ.pop(zygote.ENV)  # named only where a test asks for it
    if before is not None:
        os.environ[zygote.ENV] = before
    yield path
    for pid in [*descendants(proc.pid), proc.pid]:
        os.kill(pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture(params=["thread", "process", "zygote"])
def Stream(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type:  # noqa: N802 - a class
    """The thread stream; the process stream with its worker spawned, or forked by a served app's zygote."""
    if request.param == "zygote":
        monkeypatch.setenv(zygote.ENV, request.getfixturevalue("zygote_socket"))
    return RunStream if request.param == "thread" else ProcessRunStream


async def collect_until_final(stream: RunStream | ProcessRunStream, run_id: int | None = None) -> list[Event]:
    out: list[Event] = []
    while True:
        ev = await asyncio.wait_for(stream.get(), 20)
        out.append(ev)
        if isinstance(ev, RunFinished) and (run_id is None or ev.run_id == run_id):
            return out


def epochs_of(events: list[Event], run_id: int = 0) -> list[int]:
    return [e.epoch for e in events if isinstance(e, EpochEnded) and e.run_id == run_id]


async def test_run_delivers_every_epoch_in_order_then_one_final(Stream: type) -> None:
    stream = Stream(TrainConfig.for_case(1, epochs=3000), synthetic(n=20), speed=None)
    stream.start()
    stream.run()
    events = await collect_until_final(stream)
    stream.stop()
    assert isinstance(events[0], RunReset) and events[0].run_id == 0
    assert epochs_of(events) == list(range(1, 3001))
    finals = [e for e in events if isinstance(e, RunFinished)]
    assert len(finals) == 1 and finals[0].reason == "completed" and finals[0].epochs == 3000
    assert events[-1] is finals[0]


async def test_backpressure_with_a_slow_consumer_loses_nothing(Stream: type) -> None:
    stream = Stream(TrainConfig.for_case(1, epochs=20000), synthetic(n=8), max_chunks=2)
    stream.start()
    stream.run()
    await asyncio.sleep(0.3)  # the consumer is away: the worker must wait, not drop
    assert stream.queue.qsize() <= 2
    events: list[Event] = []
    while not any(isinstance(e, RunFinished) for e in events):
        events.extend(await asyncio.wait_for(stream.get_batch(), 20))
        await asyncio.sleep(0.001)
    stream.stop()
    assert epochs_of(events) == list(range(1, 20001))


@pytest.mark.slow
async def test_step_and_pause(Stream: type) -> None:
    stream = Stream(TrainConfig.for_case(2, epochs=100), seed(), speed=5.0)
    stream.start()
    assert isinstance(await asyncio.wait_for(stream.get(), 10), RunReset)
    stream.step(3)
    got = [await asyncio.wait_for(stream.get(), 10) for _ in range(3)]
    assert [e.epoch for e in got if isinstance(e, EpochEnded)] == [1, 2, 3]
    await asyncio.sleep(0.2)
    assert stream.queue.empty() and stream.worker_state == "idle"  # step(n) runs exactly n epochs
    stream.run()  # paced at 5 epochs/s
    ev = await asyncio.wait_for(stream.get(), 10)
    assert isinstance(ev, EpochEnded) and ev.epoch == 4
    stream.pause()
    await asyncio.sleep(0.5)
    tail = await stream.get_batch() if not stream.queue.empty() else []
    await asyncio.sleep(0.5)
    assert stream.queue.empty()  # nothing after the pause took effect
    assert epochs_of(tail) == list(range(5, 5 + len(epochs_of(tail))))
    stream.stop()


async def test_reset_starts_a_new_run_with_new_config(Stream: type) -> None:
    stream = Stream(TrainConfig.for_case(1, epochs=10**6), synthetic(n=10), speed=None)
    stream.start()
    stream.run()
    await asyncio.sleep(0.05)
    new_cfg = TrainConfig.for_case(1, epochs=5, lr=0.01)
    rid = stream.reset(new_cfg)
    stream.run()
    events = await collect_until_final(stream, rid)
    stream.stop()
    resets = [e for e in events if isinstance(e, RunReset) and e.run_id == rid]
    assert len(resets) == 1
    after = events[events.index(resets[0]):]
    assert epochs_of(after, rid) == [1, 2, 3, 4, 5]
    assert all(getattr(e, "run_id", rid) == rid for e in after)
    assert isinstance(after[-1], RunFinished) and after[-1].epochs == 5


async def test_stop_mid_run_emits_a_final_event(Stream: type) -> None:
    stream = Stream(TrainConfig.for_case(1, epochs=10**7), synthetic(n=10))
    stream.start()
    stream.run()
    events: list[Event] = []
    while not epochs_of(events):  # mid-run: its first epoch has arrived (a training process may take a while)
        events.append(await asyncio.wait_for(stream.get(), 20))
    task = asyncio.ensure_future(collect_until_final(stream))  # consumed while stop() waits for the worker
    await asyncio.get_running_loop().run_in_executor(None, stream.stop)
    events += await asyncio.wait_for(task, 10)
    assert events[-1].reason == "stopped"  # type: ignore[union-attr]
    epochs = epochs_of(events)
    assert epochs and epochs == list(range(1, len(epochs) + 1))
    assert events[-1].epochs == epochs[-1]  # type: ignore[union-attr]


@pytest.mark.slow
async def test_divergence_ends_the_run(Stream: type) -> None:
    stream = Stream(TrainConfig.for_case(3, lr=1.0, epochs=1000), seed())
    stream.start()
    stream.run()
    events = await collect_until_final(stream)
    stream.stop()
    fin = events[-1]
    assert isinstance(fin, RunFinished) and fin.reason == "diverged"
    assert "lr 1 used" in fin.message and "0.1333" in fin.message


async def test_an_error_inside_the_core_is_an_event_and_reset_recovers(Stream: type) -> None:
    stream = Stream(TrainConfig.for_case(1, init_w=(1.0, 2.0, 3.0)), synthetic(n=5, d=2))
    stream.start()
    ev = await asyncio.wait_for(stream.get(), 10)
    assert isinstance(ev, RunError) and "init_w" in ev.message
    rid = stream.reset(TrainConfig.for_case(1, epochs=2))
    stream.run()
    events = await collect_until_final(stream, rid)
    stream.stop()
    assert epochs_of(events, rid) == [1, 2]


@pytest.mark.parametrize("case", [1, 2, 3, 4])
@pytest.mark.slow
async def test_stream_matches_a_direct_run(case: int, Stream: type) -> None:
    from linreg_core.engine import Run

    cfg = TrainConfig.for_case(case, epochs=50)
    direct = Run(cfg, seed())
    expected = []
    while direct.finished is None:
        expected.append(direct.advance()[0])
    stream = Stream(cfg, seed())
    stream.start()
    stream.run()
    events = await collect_until_final(stream)
    stream.stop()
    assert [e for e in events if isinstance(e, EpochEnded)] == expected
    assert events[-1] == direct.finished


async def next_of(stream: RunStream | ProcessRunStream, kind: type) -> Event:
    while True:
        ev = await asyncio.wait_for(stream.get(), 20)
        if isinstance(ev, kind):
            return ev


@pytest.mark.parametrize("case", [1, 3])
@pytest.mark.slow
async def test_parameters_set_by_hand_continue_like_a_run_started_there(case: int, Stream: type) -> None:
    cfg = TrainConfig.for_case(case, bias=True, epochs=12)
    stream = Stream(cfg, seed(), speed=None)
    stream.start()
    stream.step(5)
    events = [await next_of(stream, EpochEnded) for _ in range(5)]
    assert [e.epoch for e in events] == [1, 2, 3, 4, 5]  # type: ignore[union-attr]
    stream.set_params((1.5,), -0.5)
    edit = await next_of(stream, ParamsSet)
    assert isinstance(edit, ParamsSet)
    assert (edit.epoch, edit.w, edit.b) == (5, (1.5,), -0.5)
    assert edit.loss == pytest.approx(sum((1.5 * x - 0.5 - 2 * x) ** 2 for x in (1, 2, 3, 4)) / 4)
    stream.run()
    rest = [e for e in await collect_until_final(stream) if isinstance(e, EpochEnded)]
    stream.stop()
    assert [e.epoch for e in rest] == list(range(6, 13))
    assert rest[0].loss == pytest.approx(edit.loss)
    # the same as a fresh run started at those parameters (plain SGD keeps no state between epochs)
    fresh = Run(TrainConfig.for_case(case, bias=True, epochs=7, init_w=(1.5,), init_b=-0.5), seed())
    for ev in rest:
        ref, _ = fresh.advance()
        assert ev.loss == pytest.approx(ref.loss, rel=1e-6) and ev.w == pytest.approx(ref.w, rel=1e-6)


async def test_bad_parameters_are_an_error_event_and_change_nothing(Stream: type) -> None:
    stream = Stream(TrainConfig.for_case(1, epochs=5), seed(), speed=None)
    stream.start()
    stream.step(1)
    first = await next_of(stream, EpochEnded)
    stream.set_params((1.0, 2.0), None)  # two values for one feature
    err = await next_of(stream, RunError)
    assert "w needs 1 value" in err.message  # type: ignore[union-attr]
    stream.step(1)
    second = await next_of(stream, EpochEnded)
    stream.stop()
    assert second.epoch == 2 and second.loss < first.loss  # type: ignore[union-attr]


async def test_a_training_process_that_cannot_start_leaves_a_stream_that_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    """No process can be started (the machine's limit): start() says so, and stop() — at the app's exit — does not
    fail on the process that never ran."""
    import multiprocessing.process

    def refuse(self: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse)
    stream = ProcessRunStream(TrainConfig.for_case(1), seed())
    with pytest.raises(OSError, match="Resource temporarily unavailable"):
        stream.start()
    assert stream.pid is None
    stream.stop(timeout=0.5)


async def test_commands_sent_before_the_start_are_handled_after_it_in_order(Stream: type) -> None:
    """The app builds its stream before its first screen and starts it after; keys pressed meanwhile count."""
    stream = Stream(TrainConfig.for_case(1, epochs=50), synthetic(n=20), speed=None)
    new_run = stream.reset(TrainConfig.for_case(1, epochs=50, lr=0.001))
    stream.step(3)
    stream.run()
    stream.start()
    events = await collect_until_final(stream, new_run)
    stream.stop()
    assert epochs_of(events, new_run) == list(range(1, 51))
    assert [e.reason for e in events if isinstance(e, RunFinished) and e.run_id == new_run] == ["completed"]


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


async def test_a_served_apps_worker_is_forked_by_the_zygote(zygote_socket: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(zygote.ENV, zygote_socket)
    stream = ProcessRunStream(TrainConfig.for_case(2, epochs=5), seed(), speed=None)
    stream.start()
    stream.run()
    events = await collect_until_final(stream)
    assert epochs_of(events) == [1, 2, 3, 4, 5]
    pid = stream.pid
    assert pid is not None and parent_of(pid) != os.getpid()  # the zygote's child, not this process's
    assert "linreg_core.stream.zygote import serve" in Path(f"/proc/{parent_of(pid)}/cmdline").read_text()
    stream.stop(timeout=5)
    assert not zygote.Forked(pid).is_alive()


async def test_with_no_zygote_answering_the_worker_is_spawned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(zygote.ENV, str(tmp_path / "nobody-listens"))
    stream = ProcessRunStream(TrainConfig.for_case(1, epochs=3), seed(), speed=None)
    stream.start()
    stream.run()
    assert epochs_of(await collect_until_final(stream)) == [1, 2, 3]
    assert stream.pid is not None and parent_of(stream.pid) == os.getpid()
    stream.stop(timeout=5)


CONSUMER = """
import asyncio, sys
from linreg_core.config import TrainConfig
from linreg_core.data import seed
from linreg_core.stream import ProcessRunStream
async def main():
    stream = ProcessRunStream(TrainConfig.for_case(2, epochs=10**6), seed(), speed=10)
    stream.start()
    stream.run()
    await stream.get()
    print(stream.pid, flush=True)
    await asyncio.sleep(60)
asyncio.run(main())
"""


def test_a_worker_ends_when_its_app_is_killed(zygote_socket: str) -> None:
    """A visitor's disconnect ends its app (SIGKILL at worst): its worker, the zygote's child, ends too."""
    import subprocess
    import sys
    import time

    app = subprocess.Popen([sys.executable, "-c", CONSUMER], stdout=subprocess.PIPE, text=True,
                           env={**os.environ, zygote.ENV: zygote_socket})
    assert app.stdout is not None
    worker = zygote.Forked(int(app.stdout.readline()))
    assert worker.is_alive()
    app.kill()
    app.wait()
    end = time.monotonic() + 10
    while worker.is_alive() and time.monotonic() < end:
        time.sleep(0.05)
    assert not worker.is_alive()
