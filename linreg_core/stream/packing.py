"""Chunks of events: consecutive epochs packed into blocks for the pipe, and unpacked for consumers that want one
event per epoch."""

from __future__ import annotations

from linreg_core.events import EpochBlock, EpochEnded, Event


def pack(chunk: list[Event]) -> list[Event]:
    """Consecutive epochs of one run, single events and blocks alike, become one :class:`EpochBlock`; a lone
    epoch stays an :class:`EpochEnded`."""
    out: list[Event] = []
    group: list[EpochEnded | EpochBlock] = []
    singles: list[EpochEnded] = []
    parts: list[EpochBlock] = []

    def close() -> None:
        if len(group) == 1 and type(group[0]) is EpochEnded:
            out.append(group[0])
        elif group:
            for item in group:
                if type(item) is EpochEnded:
                    singles.append(item)
                else:
                    if singles:
                        parts.append(EpochBlock.pack(singles))
                        singles.clear()
                    parts.append(item)  # type: ignore[arg-type]
            if singles:
                parts.append(EpochBlock.pack(singles))
                singles.clear()
            out.append(EpochBlock.concat(parts))
            parts.clear()
        group.clear()

    for ev in chunk:
        t = type(ev)
        if t is EpochEnded or t is EpochBlock:
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
    if not any(type(ev) is EpochBlock for ev in events):
        return events
    out: list[Event] = []
    for ev in events:
        if type(ev) is EpochBlock:
            out.extend(ev.events())
        else:
            out.append(ev)
    return out
