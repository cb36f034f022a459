"""Epoch blocks: a stream packs consecutive epochs into arrays; unpacked they are the same events."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from linreg_core.config import TrainConfig
from linreg_core.data import seed, synthetic
from linreg_core.engine import Run
from linreg_core.events import EpochEnded, EpochSpan, RunFinished, RunReset
from linreg_core.history import History
from linreg_core.stream import ProcessRunStream, RunStream, pack, unpack


def direct(cfg: TrainConfig, ds: object, n: int) -> list[EpochEnded]:
    run = Run(cfg, ds)  # type: ignore[arg-type]
    return [run.advance()[0] for _ in range(n)]


@pytest.mark.parametrize("bias", [False, True])
def test_pack_then_unpack_gives_the_same_events(bias: bool) -> None:
    evs = direct(TrainConfig.for_case(1, bias=bias, epochs=50), synthetic(n=10, d=3), 50)
    fin = RunFinished("completed", 50, evs[-1].w, evs[-1].b, 0.0)
    packed = pack([RunReset(0, (0.0,) * 3, None, 1.0), *evs[:20], fin, *evs[20:]])
    assert [type(e).__name__ for e in packed] == ["RunReset", "EpochSpan", "RunFinished", "EpochSpan"]
    assert unpack(packed)[1:21] == evs[:20] and unpack(packed)[22:] == evs[20:]
    # a gap or another run starts a new block; a lone epoch stays an event
    lone = evs[0]._replace(run_id=7)
    assert [type(e).__name__ for e in pack([*evs[:3], *evs[4:6], lone])] == ["EpochSpan", "EpochSpan", "EpochEnded"]


def test_history_from_blocks_equals_history_from_events() -> None:
    evs = direct(TrainConfig.for_case(4, bias=True, epochs=30), synthetic(n=10, d=2), 30)
    a, b = History(2, True), History(2, True)
    a.extend(evs)
    b.extend_block(EpochSpan.pack(evs[:13]))
    b.extend_block(EpochSpan.pack(evs[13:]))
    assert a.to_csv() == b.to_csv()
    assert np.array_equal(a.loss, b.loss)


@pytest.mark.parametrize("Stream", [RunStream, ProcessRunStream])
async def test_streams_deliver_blocks_when_asked(Stream: type) -> None:
    cfg = TrainConfig.for_case(1, epochs=5000)
    stream = Stream(cfg, seed(), speed=None)
    stream.start()
    stream.run()
    got: list[object] = []
    while not any(isinstance(e, RunFinished) for e in got):
        got.extend(await asyncio.wait_for(stream.get_batch(blocks=True), 20))
    stream.stop()
    blocks = [e for e in got if isinstance(e, EpochSpan)]
    assert blocks and sum(len(b) for b in blocks) >= 4000  # at full speed almost every epoch travels in a block
    flat = [e for e in unpack(got) if isinstance(e, EpochEnded)]  # type: ignore[arg-type]
    assert [e.epoch for e in flat] == list(range(1, 5001))
    assert flat == direct(cfg, seed(), 5000)


def test_pack_merges_adjacent_blocks_and_single_epochs_of_one_run() -> None:
    evs = direct(TrainConfig.for_case(1, bias=True, epochs=30), synthetic(n=10, d=2), 30)
    fin = RunFinished("completed", 30, evs[-1].w, evs[-1].b, 0.0)
    chunk = [EpochSpan.pack(evs[:5]), evs[5], EpochSpan.pack(evs[6:12]), EpochSpan.pack(evs[12:20]), fin,
             evs[20], EpochSpan.pack(evs[21:25]), EpochSpan.pack(evs[26:30]), evs[25]._replace(run_id=3)]
    packed = pack(chunk)  # type: ignore[arg-type]
    assert [type(e).__name__ for e in packed] == ["EpochSpan", "RunFinished", "EpochSpan", "EpochSpan",
                                                  "EpochEnded"]
    assert [(b.first, len(b)) for b in packed if isinstance(b, EpochSpan)] == [(1, 20), (21, 5), (27, 4)]
    assert unpack(packed)[:20] == evs[:20] and unpack(packed)[21:26] == evs[20:25]
