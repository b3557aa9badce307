"""Timing arithmetic for a timed agenda. Pure: plain values in, plain values out.

Planned times are minutes after local midnight on the meeting's date; actual times are aware
datetimes. Converting through the committee's timezone keeps a meeting on a clock-change day right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialogs.parsing import MINUTES_IN_DAY, format_minute


@dataclass(frozen=True)
class Slot:
    """One agenda entry as the timing arithmetic sees it, in agenda order."""

    start_minute: int
    length_minutes: int | None
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    timed: bool = True  # False: the agenda gave it no time; it is kept only by its own length, if any


def local_datetime(meeting_date: date, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(meeting_date, time(minute // 60, minute % 60), tzinfo=tz)


def allotted_minutes(slots: list[Slot], planned_end_minute: int | None) -> list[int | None]:
    """Each slot's length: its own, else until the next timed slot starts, else until the planned
    close; None when that leaves it no time (it shares its start with the next) or it has no time at
    all, so it is never 'over time'."""
    allotted: list[int | None] = []
    for index, slot in enumerate(slots):
        if slot.length_minutes is not None:
            allotted.append(slot.length_minutes)
            continue
        if not slot.timed:
            allotted.append(None)
            continue
        following = next((later for later in slots[index + 1:] if later.timed), None)
        if following is not None:
            gap = following.start_minute - slot.start_minute
        elif planned_end_minute is not None:
            gap = planned_end_minute - slot.start_minute
        else:
            gap = 0
        allotted.append(gap if gap > 0 else None)  # no time to run until: no planned length
    return allotted


def planned_close_minute(slots: list[Slot], planned_end_minute: int | None) -> int | None:
    if planned_end_minute is not None:
        return planned_end_minute
    slots = [slot for slot in slots if slot.timed]
    if not slots:
        return None
    last, length = slots[-1], allotted_minutes(slots, None)[-1]
    return last.start_minute + length if length is not None else None


def delay(
    slots: list[Slot],
    planned_end_minute: int | None,
    current_index: int | None,
    meeting_date: date,
    tz: ZoneInfo,
    now: datetime,
) -> timedelta:
    """How far the meeting runs behind its plan (negative: ahead), by the slots with planned times."""
    if current_index is not None and not slots[current_index].timed:
        current_index = None
    timed = [index for index, slot in enumerate(slots) if slot.timed]
    if current_index is not None:
        current_index = timed.index(current_index)
    slots = [slots[index] for index in timed]
    if not slots:
        return timedelta(0)
    allotted = allotted_minutes(slots, planned_end_minute)

    def planned(index: int, minutes_after_start: int = 0) -> datetime:
        return local_datetime(meeting_date, slots[index].start_minute + minutes_after_start, tz)

    if current_index is not None and slots[current_index].actual_start is not None:
        slot, length = slots[current_index], allotted[current_index]
        if length is None:
            return slot.actual_start - planned(current_index)
        projected_end = max(now, slot.actual_start + timedelta(minutes=length))
        return projected_end - planned(current_index, length)
    finished = [
        (slot.actual_end, index)
        for index, slot in enumerate(slots)
        if slot.actual_end is not None and allotted[index] is not None
    ]
    if finished:
        actual_end, index = max(finished)
        late = actual_end - planned(index, allotted[index])
        next_start = planned(index + 1) if index + 1 < len(slots) else None
        if next_start is not None and now > next_start:
            late = max(late, now - next_start)
        return late
    return max(timedelta(0), now - planned(0))


def whole_minutes(span: timedelta) -> int:
    """Rounds to the nearest minute, half away from zero, so 90 s reads as 2 min."""
    seconds = span.total_seconds()
    minutes = int(abs(seconds) / 60 + 0.5)
    return minutes if seconds >= 0 else -minutes


def running_line(delay_minutes: int, close_minute: int | None) -> str:
    if delay_minutes > 0:
        status = f"running {delay_minutes} min late"
    elif delay_minutes < 0:
        status = f"running {-delay_minutes} min early"
    else:
        status = "running on time"
    if close_minute is None:
        return status.capitalize()
    projected = (close_minute + delay_minutes) % MINUTES_IN_DAY
    return (
        f"{status.capitalize()}, projected close {format_minute(projected)} "
        f"(planned {format_minute(close_minute)})"
    )


def duration_text(span: timedelta) -> str:
    minutes = abs(whole_minutes(span))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"

