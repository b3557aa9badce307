"""The timed agenda: building it, moving through it, and how late the meeting runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

from dialogs import timing
from dialogs.carry_forward import CARRIED
from dialogs.context import Reply, Turn
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import current_meeting
from dialogs.parsing import MINUTES_IN_DAY, AgendaLine, format_minute, parse_agenda_line, parse_time, whole_number
from storage.models import AgendaItem, Meeting
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

CLOSE_TITLES = {"close", "meeting close", "end", "meeting end"}


def numbered(items: list[AgendaItem]) -> list[tuple[int | None, AgendaItem]]:
    """Items are numbered 1, 2, 3... in agenda order; breaks take no number."""
    result, number = [], 0
    for item in items:
        if item.is_break:
            result.append((None, item))
        else:
            number += 1
            result.append((number, item))
    return result


def item_number(items: list[AgendaItem], item_id: int) -> int | None:
    for number, item in numbered(items):
        if item.id == item_id:
            return number
    return None


def find_item(items: list[AgendaItem], number: int) -> AgendaItem:
    for item_no, item in numbered(items):
        if item_no == number:
            return item
    count = sum(1 for item in items if not item.is_break)
    if count == 0:
        raise ClerkError(f"There is no item {number}: the agenda is empty.")
    raise ClerkError(f"There is no item {number}: the agenda has items 1 to {count}.")


def slots(items: list[AgendaItem]) -> list[timing.Slot]:
    return [
        timing.Slot(i.planned_start_minute, i.planned_length_minutes, i.actual_start, i.actual_end)
        for i in items
    ]


def label(number: int | None, item: AgendaItem) -> str:
    return "the break" if number is None else f"item {number} ({item.title})"


# Building the agenda -----------------------------------------------------------------------


async def _add_line(uow: UnitOfWork, meeting: Meeting, line: AgendaLine, items: list[AgendaItem]) -> AgendaItem | None:
    """Adds one agenda line. A line naming an item carried forward from the last meeting times that
    item instead of adding a second one."""
    if line.title.casefold() in CLOSE_TITLES and not line.presenter:
        meeting.planned_end_minute = line.start_minute
        return None
    carried = next((i for i in items if i.floating and i.title.casefold() == line.title.casefold()), None)
    if carried is not None:
        carried.floating = False
        carried.planned_start_minute = line.start_minute
        carried.planned_length_minutes = line.length_minutes
        carried.presenter = line.presenter or carried.presenter
        return carried
    item = AgendaItem(
        meeting_id=meeting.id,
        is_break=line.is_break,
        title=line.title,
        presenter=line.presenter,
        planned_start_minute=line.start_minute,
        planned_length_minutes=line.length_minutes,
        overtime_notice_sent=False,
        floating=False,
    )
    await uow.add(item)
    items.append(item)
    return item


def place_carried(items: list[AgendaItem]) -> None:
    """Items carried forward that the chair has not timed take their place where the chair's agenda
    begins (after its Welcome, when it opens with one), one after another for their own lengths."""
    timed = sorted((i for i in items if not i.floating), key=lambda i: (i.planned_start_minute, i.id))
    waiting = [i for i in items if i.floating and i.actual_start is None]
    if not timed or not waiting:
        return
    start = timed[0].planned_start_minute
    if timed[0].title.casefold().startswith("welcome"):
        following = timed[1].planned_start_minute if len(timed) > 1 else None
        start += timed[0].planned_length_minutes or (following - start if following is not None else 0)
    for item in sorted(waiting, key=lambda i: i.id):
        item.planned_start_minute = min(start, MINUTES_IN_DAY - 1)
        start += item.planned_length_minutes or 0


async def add(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    if not args.strip():
        raise UsageError("Give the start time and title of the item.")
    line = parse_agenda_line(args)
    items = await uow.meetings.agenda(meeting.id)
    item = await _add_line(uow, meeting, line, items)
    if item is None:
        return Reply(f"Planned close set to {format_minute(line.start_minute)}.")
    place_carried(items)
    items = await uow.meetings.agenda(meeting.id)
    number = item_number(items, item.id)
    what = "Break" if number is None else f"Item {number}"
    presenter = f" - {item.presenter}" if item.presenter else ""
    length = f" ({item.planned_length_minutes} min)" if item.planned_length_minutes else ""
    return Reply(f"{what} added at {format_minute(item.planned_start_minute)}: {item.title}{length}{presenter}.")


async def replace(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    lines = [line for line in args.splitlines() if line.strip()]
    if not lines:
        raise UsageError("Paste the agenda after /agenda set, one item a line.")
    parsed = []
    for index, text in enumerate(lines, start=1):
        try:
            parsed.append(parse_agenda_line(text))
        except UsageError as error:
            raise UsageError(f"Line {index} ('{text.strip()[:60]}'): {error.message}") from None
    existing = await uow.meetings.agenda(meeting.id)
    taken = {i.id for i in existing if await _has_minutes(uow, i)}
    if taken:
        numbers = [label(n, i) for n, i in numbered(existing) if i.id in taken]
        raise ClerkError(
            f"The agenda already has minutes recorded against {', '.join(numbers)}; "
            "edit it with /agenda add, /agenda remove and /agenda move instead."
        )
    kept = [item for item in existing if item.floating]  # carried forward: replaced only when named
    for item in existing:
        if not item.floating:
            await uow.meetings.delete_agenda_item(item)
    for line in parsed:
        await _add_line(uow, meeting, line, kept)
    place_carried(kept)
    items = await uow.meetings.agenda(meeting.id)
    count = sum(1 for i in items if not i.is_break)
    return Reply(f"Agenda set: {count} items.", view=await agenda_view(uow, turn, meeting))


async def remove(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    text = args.strip()
    if not text:
        raise UsageError("Say which item to remove: its number, or the time of a break.")
    items = await uow.meetings.agenda(meeting.id)
    number, item = _item_by_number_or_time(items, text)
    if await _has_minutes(uow, item):
        raise ClerkError(
            f"{label(number, item).capitalize()} already has minutes recorded; it stays on the agenda."
        )
    await uow.meetings.delete_agenda_item(item)
    return Reply(f"Removed {label(number, item)} from the agenda.")


async def move(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    parts = args.split()
    if len(parts) != 2:
        raise UsageError("Give the item number and its new start time.")
    new_start = parse_time(parts[1])
    items = await uow.meetings.agenda(meeting.id)
    old_number, item = _item_by_number_or_time(items, parts[0])
    item.planned_start_minute = new_start
    item.floating = False
    items = await uow.meetings.agenda(meeting.id)
    new_number = item_number(items, item.id)
    renumbered = f" (now item {new_number})" if new_number != old_number else ""
    return Reply(f"Moved {label(old_number, item)} to {format_minute(new_start)}{renumbered}.")


async def set_end(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    if not args.strip():
        raise UsageError("Give the planned close time.")
    minute = parse_time(args)
    meeting.planned_end_minute = minute
    return Reply(f"Planned close set to {format_minute(minute)}.")


async def _has_minutes(uow: UnitOfWork, item: AgendaItem) -> bool:
    """Whether removing the item would lose something people recorded (Clerk's own notes do not count)."""
    if item.actual_start is not None or item.outcome_letter:
        return True
    if any(entry.kind != CARRIED for entry in await uow.entries.entries([item.id])):
        return True
    return await uow.actions.item_has_actions(item.id)


def _item_by_number_or_time(items: list[AgendaItem], text: str) -> tuple[int | None, AgendaItem]:
    number = whole_number(text)
    if number is not None:
        return number, find_item(items, number)
    try:
        minute = parse_time(text)
    except UsageError:
        raise UsageError(f"'{text}' is neither an item number nor a time.") from None
    for number, item in numbered(items):
        if item.planned_start_minute == minute:
            return number, item
    raise ClerkError(f"Nothing on the agenda starts at {format_minute(minute)}.")


# Viewing and keeping time -------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaRow:
    number: int | None
    is_break: bool
    title: str
    presenter: str | None
    planned_start: str
    planned_length: int | None
    actual_start: str | None
    actual_length: int | None
    is_current: bool


@dataclass(frozen=True)
class AgendaView:
    meeting_title: str
    rows: list[AgendaRow]
    status_line: str


def build_agenda_view(
    meeting: Meeting, items: list[AgendaItem], tz: ZoneInfo, now: datetime
) -> AgendaView:
    """Pure: the agenda card's content from the stored rows."""
    planned = slots(items)
    allotted = timing.allotted_minutes(planned, meeting.planned_end_minute)
    current_index = next(
        (index for index, item in enumerate(items) if item.id == meeting.current_item_id), None
    )
    rows = []
    for (number, item), length in zip(numbered(items), allotted):
        actual_length = None
        if item.actual_start is not None:
            end = item.actual_end or now
            actual_length = timing.whole_minutes(end - item.actual_start)
        rows.append(
            AgendaRow(
                number=number,
                is_break=item.is_break,
                title=item.title,
                presenter=item.presenter,
                planned_start=format_minute(item.planned_start_minute),
                planned_length=length,
                actual_start=f"{item.actual_start.astimezone(tz):%H:%M}" if item.actual_start else None,
                actual_length=actual_length,
                is_current=item.id == meeting.current_item_id,
            )
        )
    if not items:
        status = "The agenda is empty: /agenda add HH:MM Title - Presenter adds an item."
    else:
        late = timing.delay(planned, meeting.planned_end_minute, current_index,
                            meeting.meeting_date, tz, now)
        close = timing.planned_close_minute(planned, meeting.planned_end_minute)
        status = timing.running_line(timing.whole_minutes(late), close)
    return AgendaView(meeting.title, rows, status)


async def agenda_view(uow: UnitOfWork, turn: Turn, meeting: Meeting) -> AgendaView:
    return build_agenda_view(meeting, await uow.meetings.agenda(meeting.id), turn.tz, turn.now)


async def show(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    view = await agenda_view(uow, turn, meeting)
    return Reply(view.status_line, view=view)


async def _go_to(uow: UnitOfWork, turn: Turn, meeting: Meeting, items: list[AgendaItem], target: AgendaItem) -> None:
    for item in items:
        if item.id == meeting.current_item_id and item.id != target.id and item.actual_end is None:
            item.actual_end = turn.now
    if target.actual_start is None:
        target.actual_start = turn.now
    target.actual_end = None
    meeting.current_item_id = target.id


async def next_item(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    items = await uow.meetings.agenda(meeting.id)
    if not items:
        raise ClerkError("The agenda is empty: /agenda add HH:MM Title - Presenter adds an item.")
    ids = [i.id for i in items]
    if meeting.current_item_id in ids:
        after = items[ids.index(meeting.current_item_id) + 1:]
    else:
        after = [i for i in items if i.actual_start is None]
    if not after:
        for item in items:
            if item.id == meeting.current_item_id and item.actual_end is None:
                item.actual_end = turn.now
        meeting.current_item_id = None
        return Reply("That was the last item on the agenda. /end closes the meeting.")
    target = after[0]
    await _go_to(uow, turn, meeting, items, target)
    return Reply(_started_line(items, target, turn))


async def go_to_item(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    number = whole_number(args)
    if number is None:
        raise UsageError("Give the item number.")
    meeting = await current_meeting(uow, turn)
    items = await uow.meetings.agenda(meeting.id)
    target = find_item(items, number)
    await _go_to(uow, turn, meeting, items, target)
    return Reply(_started_line(items, target, turn))


def _started_line(items: list[AgendaItem], target: AgendaItem, turn: Turn) -> str:
    number = item_number(items, target.id)
    allotted = dict(zip([i.id for i in items], timing.allotted_minutes(slots(items), None)))
    length = allotted.get(target.id) or target.planned_length_minutes
    planned = format_minute(target.planned_start_minute)
    at = f"{turn.local_now:%H:%M}"
    if number is None:
        return f"Break from {at} (planned {planned}" + (f", {length} min)." if length else ").")
    presenter = f", presented by {target.presenter}" if target.presenter else ""
    allotted_text = f", {length} min allotted" if length else ""
    return f"Item {number}: {target.title}{presenter}. Started {at} (planned {planned}{allotted_text})."


async def show_time(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    items = await uow.meetings.agenda(meeting.id)
    lines = []
    allotted = timing.allotted_minutes(slots(items), meeting.planned_end_minute)
    for (number, item), length in zip(numbered(items), allotted):
        if item.id != meeting.current_item_id:
            continue
        elapsed = turn.now - item.actual_start
        what = "Break" if number is None else f"Item {number} ({item.title})"
        line = f"{what}: {timing.duration_text(elapsed)} elapsed"
        if length is not None:
            remaining = length - timing.whole_minutes(elapsed)
            left = f"{remaining} min left" if remaining >= 0 else f"{-remaining} min over"
            line += f" of {length} min allotted, {left}."
        lines.append(line)
    if not lines:
        lines.append("No item is under way: /next starts the next one.")
    meeting_elapsed = timing.duration_text(turn.now - meeting.started_at)
    view = build_agenda_view(meeting, items, turn.tz, turn.now)
    started = f"{meeting.started_at.astimezone(turn.tz):%H:%M}"
    lines.append(f"Meeting: started {started}, {meeting_elapsed} elapsed. {view.status_line}.")
    return Reply("\n".join(lines))


@dataclass(frozen=True)
class Notice:
    conversation_id: str
    text: str


async def send_overtime_notices(new_unit_of_work: UnitOfWorkFactory, post: Callable[[str, str], Awaitable[bool]],
                                now: datetime, tz: ZoneInfo) -> None:
    """Marks the items that reached their time, then tells their meetings (best effort: a notice
    that cannot be posted is not retried, the chair sees the lateness in /time)."""
    async with new_unit_of_work() as uow:
        notices = await overtime_notices(uow, now, tz)
        await uow.commit()
    for notice in notices:
        await post(notice.conversation_id, notice.text)


async def overtime_notices(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> list[Notice]:
    """Items that reached their allotted time get one notice each; marked so it never repeats."""
    notices = []
    for meeting, current in await uow.meetings.open_meetings_with_current_item():
        items = await uow.meetings.agenda(meeting.id)
        allotted = dict(
            zip([i.id for i in items], timing.allotted_minutes(slots(items), meeting.planned_end_minute))
        )
        length = allotted.get(current.id)
        if length is None or current.actual_start is None:
            continue
        elapsed = now - current.actual_start
        if timing.whole_minutes(elapsed) < length:
            continue
        current.overtime_notice_sent = True
        committee = await uow.committees.get_committee(meeting.committee_id)
        if not committee.timekeeping:
            continue
        number = item_number(items, current.id)
        what = "The break" if number is None else f"Item {number} ({current.title})"
        notices.append(
            Notice(
                meeting.conversation_id,
                f"⏱ {what} has reached its {length} min. /next moves on; /time shows the schedule.",
            )
        )
    return notices
