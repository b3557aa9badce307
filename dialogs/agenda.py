"""The timed agenda: building it, moving through it, and how late the meeting runs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from dialogs.context import Reply, Turn
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import current_meeting
from dialogs.reminders import schedule_due_back
from dialogs.parsing import (
    MINUTES_IN_DAY,
    DASH,
    AgendaLine,
    clock_time,
    format_minute,
    parse_agenda_line,
    parse_time,
    whole_number,
)
from dialogs.agenda_model import EMPTY, Agenda, Entry
from dialogs.changes import log_change
from dialogs.identity import known_name_keys, name_key
from storage.models import AgendaItem, Meeting, values_before_change
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import AgendaChange, ChangeSubject, EntryKind

CLOSE_TITLES = {"close", "meeting close", "end", "meeting end"}


# Building the agenda -----------------------------------------------------------------------


def _place_line(meeting: Meeting, line: AgendaLine, items: list[AgendaItem]) -> tuple[AgendaItem | None, bool]:
    """Places one agenda line among `items`: (the item, whether it is new and still to be added).
    A line naming an item carried forward from the last meeting times that item instead of adding
    a second one; a closing line plans the meeting's end and places no item."""
    if line.title.casefold() in CLOSE_TITLES and not line.presenter:
        if line.start_minute is not None:
            meeting.planned_end_minute = line.start_minute
        return None, False
    # An item without a time keeps the start of the last item, so it follows it in the agenda's order.
    start = line.start_minute if line.start_minute is not None else max(
        (i.planned_start_minute for i in items if not i.floating), default=0)
    position = max((i.position or 0 for i in items), default=0) + 1
    carried = next((i for i in items if i.floating and i.title.casefold() == line.title.casefold()), None)
    if carried is not None:
        carried.floating = False
        carried.planned_start_minute, carried.timed, carried.position = start, line.start_minute is not None, position
        carried.planned_length_minutes = line.length_minutes
        carried.presenter = line.presenter or carried.presenter
        return carried, False
    item = AgendaItem(
        meeting_id=meeting.id,
        is_break=line.is_break,
        title=line.title,
        presenter=line.presenter,
        planned_start_minute=start,
        timed=line.start_minute is not None,
        position=position,
        planned_length_minutes=line.length_minutes,
        overtime_notice_sent=False,
        floating=False,
    )
    items.append(item)
    return item, True


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


# An agenda item's facts, as /undo puts them back (a removed item is added again from them).
ITEM_FACTS = ("title", "presenter", "is_break", "planned_start_minute", "planned_length_minutes", "floating", "timed",
              "position")


async def _reader(uow: UnitOfWork, meeting: Meeting, items: list[AgendaItem]) -> Callable[[str], AgendaLine]:
    """Reads agenda lines, taking a presenter after a dash only when the record knows the name
    (`items`: the agenda as it stands)."""
    known = await known_name_keys(uow, meeting, items)
    return lambda text: parse_agenda_line(text, lambda name: name_key(name) in known)


async def add(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    if not args.strip():
        raise UsageError("Give the title of the item, with its start time first if it has one.")
    items = await uow.agenda.items(meeting.id)
    line = (await _reader(uow, meeting, items))(args)
    item, new = _place_line(meeting, line, items)
    if new:
        await uow.add(item)
    if item is None:
        if line.start_minute is None:
            return Reply("The meeting closes after the last item: /agenda end HH:MM plans a time for it.")
        return Reply(f"Planned close set to {format_minute(line.start_minute)}.")
    place_carried(items)
    await log_change(uow, turn, ChangeSubject.AGENDA, item.id, AgendaChange.ADDED, meeting=meeting, after=item.title)
    number = Agenda(meeting, await uow.agenda.items(meeting.id)).number_of(item.id)
    what = "Break" if number is None else f"Item {number}"
    at = f" at {format_minute(item.planned_start_minute)}" if item.timed else ""
    presenter = f" - {item.presenter}" if item.presenter else ""
    length = f" ({item.planned_length_minutes} min)" if item.planned_length_minutes else ""
    return Reply(f"{what} added{at}: {item.title}{length}{presenter}.{_dash_hint(item, number)}")


def _dash_hint(item: AgendaItem, number: int | None) -> str:
    """Said when a dash was kept in a title: how to name a presenter Clerk did not know."""
    dashes = list(DASH.finditer(item.title))
    if item.presenter or number is None or not dashes:
        return ""
    return (f" The title keeps its dash; if '{item.title[dashes[-1].end():]}' presents it: "
            f"/item {number} presenter <name>.")


async def replace(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    lines = [line for line in args.splitlines() if line.strip()]
    replace_carried = bool(lines) and lines[0].strip().casefold() == "replace"
    lines = lines[1:] if replace_carried else lines
    if not lines:
        raise UsageError("Paste the agenda after /agenda set, one item a line.")
    parsed = []
    existing = await uow.agenda.items(meeting.id)
    read_line = await _reader(uow, meeting, existing)
    for index, text in enumerate(lines, start=1):
        try:
            parsed.append(read_line(text))
        except UsageError as error:
            raise UsageError(f"Line {index} ('{text.strip()[:60]}'): {error.message}") from None
    taken = {i.id for i in existing if await _has_minutes(uow, i)}
    if taken:
        numbers = [entry.label for entry in Agenda(meeting, existing).entries if entry.item.id in taken]
        raise ClerkError(
            f"The agenda already has minutes recorded against {', '.join(numbers)}; "
            "edit it with /agenda add, /agenda remove and /agenda move instead."
        )
    carried = [item for item in existing if item.floating]  # kept unless named, or the chair says replace
    for item in existing:
        if not item.floating or replace_carried:
            await _remove_item(uow, turn, item)
    kept = [] if replace_carried else carried
    placed = [_place_line(meeting, line, kept) for line in parsed]
    await uow.add(*(item for item, new in placed if new))  # one flush: on PostgreSQL one INSERT
    place_carried(kept)
    items = await uow.agenda.items(meeting.id)
    count = sum(1 for i in items if not i.is_break)
    still_carried = [_carried_name(item) for item in kept if item.floating]
    kept_line = (f" Kept from the last meeting: {'; '.join(still_carried)} (/agenda set replace leaves them out)."
                 if still_carried else "")
    said = f"Agenda set: {count} items.{kept_line}"
    view = build_agenda_view(Agenda(meeting, items), turn.tz, turn.now)
    return Reply(said, view=dataclasses.replace(view, notice=said))


def _carried_name(item: AgendaItem) -> str:
    return f"{item.title} ({item.presenter})" if item.presenter else item.title


async def _remove_item(uow: UnitOfWork, turn: Turn, item: AgendaItem) -> None:
    """Takes an item off the agenda; a presenter who was due back with it is due back again."""
    for due_back in await uow.actions.due_backs_returned_with(item.id):
        due_back.returned_meeting_id, due_back.returned_item_id = None, None
        schedule_due_back(due_back, await uow.committees.get_committee(turn.committee_id), turn.policy, turn.tz,
                          turn.now)
    await uow.agenda.delete_agenda_item(item)


async def remove(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    text = args.strip()
    if not text:
        raise UsageError("Say which item to remove: its number, or the time of a break.")
    entry = _entry_by_number_or_time(Agenda(meeting, await uow.agenda.items(meeting.id)), text)
    if await _has_minutes(uow, entry.item):
        raise ClerkError(f"{entry.label.capitalize()} already has minutes recorded; it stays on the agenda.")
    due_again = [d.presenter for d in await uow.actions.due_backs_returned_with(entry.item.id)]
    await log_change(uow, turn, ChangeSubject.AGENDA, entry.item.id, AgendaChange.REMOVED, meeting=meeting,
                     before=entry.item.title, state=values_before_change(entry.item, ITEM_FACTS))
    await _remove_item(uow, turn, entry.item)
    again = f" {' and '.join(due_again)} will be due back at the next meeting instead." if due_again else ""
    return Reply(f"Removed {entry.label} from the agenda.{again}")


async def move(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    parts = args.split()
    if len(parts) != 2:
        raise UsageError("Give the item number and its new start time.")
    new_start = parse_time(parts[1])
    entry = _entry_by_number_or_time(Agenda(meeting, await uow.agenda.items(meeting.id)), parts[0])
    await log_change(uow, turn, ChangeSubject.AGENDA, entry.item.id, AgendaChange.MOVED, meeting=meeting,
                     before=format_minute(entry.planned_minute) if entry.planned_minute is not None else None,
                     after=format_minute(new_start), state=values_before_change(entry.item, ITEM_FACTS))
    entry.item.planned_start_minute, entry.item.timed = new_start, True
    entry.item.floating = False
    new_number = Agenda(meeting, await uow.agenda.items(meeting.id)).number_of(entry.item.id)
    renumbered = f" (now item {new_number})" if new_number != entry.number else ""
    return Reply(f"Moved {entry.label} to {format_minute(new_start)}{renumbered}.")


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
    if any(entry.kind != EntryKind.CARRIED for entry in await uow.entries.entries([item.id])):
        return True
    return await uow.actions.item_has_actions(item.id)


def _entry_by_number_or_time(agenda: Agenda, text: str) -> Entry:
    number = whole_number(text)
    if number is not None:
        return agenda.find(number)
    try:
        minute = parse_time(text)
    except UsageError:
        raise UsageError(f"'{text}' is neither an item number nor a time.") from None
    for entry in agenda.entries:
        if entry.planned_minute == minute:
            return entry
    raise ClerkError(f"Nothing on the agenda starts at {format_minute(minute)}.")


# Viewing and keeping time -------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaRow:
    number: int | None
    is_break: bool
    title: str
    presenter: str | None
    planned_start: str | None  # None: the agenda gave it no time
    planned_length: int | None
    actual_start: str | None
    actual_length: int | None
    is_current: bool


@dataclass(frozen=True)
class AgendaView:
    meeting_title: str
    rows: list[AgendaRow]
    status_line: str
    notice: str | None = None  # what the command that changed it has to say, shown above it
    # The chair's and secretary's Teams ids: their view of the card adds Next item and Start break.
    keepers: tuple[str, ...] = ()
    for_keeper: bool = False


def build_agenda_view(agenda: Agenda, tz: ZoneInfo, now: datetime) -> AgendaView:
    """Pure: the agenda card's content."""
    current = agenda.current
    rows = [
        AgendaRow(
            number=entry.number,
            is_break=entry.is_break,
            title=entry.item.title,
            presenter=entry.item.presenter,
            planned_start=format_minute(entry.planned_minute) if entry.planned_minute is not None else None,
            planned_length=entry.allotted,
            actual_start=clock_time(entry.item.actual_start, tz) if entry.item.actual_start else None,
            actual_length=entry.elapsed_minutes(now),
            is_current=entry is current,
        )
        for entry in agenda.entries
    ]
    keepers = tuple(i for i in (agenda.meeting.chair_user_id, agenda.meeting.secretary_user_id) if i)
    return AgendaView(agenda.meeting.title, rows, agenda.status_line(now, tz), keepers=keepers)


async def agenda_of(uow: UnitOfWork, meeting: Meeting) -> Agenda:
    return Agenda(meeting, await uow.agenda.items(meeting.id))


async def agenda_view(uow: UnitOfWork, turn: Turn, meeting: Meeting) -> AgendaView:
    return build_agenda_view(await agenda_of(uow, meeting), turn.tz, turn.now)


async def show(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    view = await agenda_view(uow, turn, meeting)
    return Reply(view.status_line, view=view)


async def next_item(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    agenda = await agenda_of(uow, await current_meeting(uow, turn))
    if not agenda.entries:
        raise ClerkError(EMPTY)
    target = agenda.following
    if target is None:
        agenda.end_current(turn.now)
        return Reply("That was the last item on the agenda. /end closes the meeting.")
    agenda.start(target, turn.now)
    return Reply(_started_line(target, turn))


async def start_break(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """Starts the next break on the agenda (the agenda card's Start break button)."""
    agenda = await agenda_of(uow, await current_meeting(uow, turn))
    current = agenda.current
    after = agenda.entries[agenda.entries.index(current) + 1:] if current else agenda.entries
    target = next((entry for entry in after if entry.is_break and entry.item.actual_start is None), None)
    if target is None:
        raise ClerkError("There is no break left on the agenda: /agenda add HH:MM Break adds one.")
    agenda.start(target, turn.now)
    return Reply(_started_line(target, turn))


async def go_to_item(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    number = whole_number(args)
    if number is None:
        raise UsageError("Give the item number.")
    agenda = await agenda_of(uow, await current_meeting(uow, turn))
    target = agenda.find(number)
    agenda.start(target, turn.now)
    return Reply(_started_line(target, turn))


def _started_line(entry: Entry, turn: Turn) -> str:
    at = clock_time(turn.now, turn.tz)
    plan = [f"planned {format_minute(entry.planned_minute)}"] if entry.planned_minute is not None else []
    plan += [f"{entry.allotted} min" + ("" if entry.is_break else " allotted")] if entry.allotted else []
    planned = f" ({', '.join(plan)})" if plan else ""
    if entry.is_break:
        return f"Break from {at}{planned}."
    presenter = f", presented by {entry.item.presenter}" if entry.item.presenter else ""
    return f"Item {entry.number}: {entry.item.title}{presenter}. Started {at}{planned}."
