"""Chunks of events: consecutive epochs packed into blocks for the pipe, and unpacked for consumers that want one
event per epoch."""

from __future__ import annotations

from linreg_core.events import EpochEnded, EpochSpan, Event


def pack(chunk: list[Event]) -> list[Event]:
    """Consecutive epochs of one run, single events and blocks alike, become one :class:`EpochSpan`; a lone
    epoch stays an :class:`EpochEnded`."""
    out: list[Event] = []
    group: list[EpochEnded | EpochSpan] = []
    singles: list[EpochEnded] = []
    parts: list[EpochSpan] = []

    def close() -> None:
        if len(group) == 1 and type(group[0]) is EpochEnded:
            out.append(group[0])
        elif group:
            for item in group:
                if type(item) is EpochEnded:
                    singles.append(item)
                else:
                    if singles:
                        parts.append(EpochSpan.pack(singles))
                        singles.clear()
                    parts.append(item)  # type: ignore[arg-type]
            if singles:
                parts.append(EpochSpan.pack(singles))
                singles.clear()
            out.append(EpochSpan.concat(parts))
            parts.clear()
        group.clear()

    for ev in chunk:
        t = type(ev)
        if t is EpochEnded or t is EpochSpan:
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
    if not any(type(ev) is EpochSpan for ev in events):
        return events
    out: list[Event] = []
    for ev in events:
        if type(ev) is EpochSpan:
            out.extend(ev.events())
        else:
            out.append(ev)
    return out
