"""Presenters due back at the next meeting, and the date of the next meeting."""

from __future__ import annotations

import re
from datetime import date

from dialogs.agenda import agenda_of
from dialogs.context import Person, Reply, Turn
from dialogs.dates import day_month, example_date, format_date, parse_due
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import current_meeting
from dialogs.identity import identify, name_key
from dialogs.parsing import MAX_NAME, MAX_TEXT, clean_name, format_minute, parse_time, split_item_prefix
from dialogs.reminders import reschedule_committee, schedule_due_back
from dialogs.public import is_exempt
from storage.models import DueBack
from storage.unit_of_work import UnitOfWork


async def due_back(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    agenda = await agenda_of(uow, meeting)
    name_part, number, reason = _split_due_back(args)
    entry = agenda.find(number) if number is not None else agenda.current
    if entry is None or entry.is_break:
        raise ClerkError("No item is under way: name it, e.g. /dueback Data Lab item 3.")
    item, number = entry.item, entry.number
    presenter = turn.mentions[0] if turn.mentions else None
    if presenter is not None and name_part and not reason:  # "@Sam Todd with the rates": the rest is the reason
        said = presenter.name.casefold()
        reason = name_part[len(said):].strip() if name_part.casefold().startswith(said) else name_part
    if presenter is None and name_part:
        presenter = Person((await identify(uow, turn.committee_id, name_part)).name)
    if presenter is None and item.presenter:
        presenter = Person(item.presenter)
    if presenter is None:
        raise UsageError(f"Item {number} has no presenter: name who is due back.")
    if len(presenter.name) > MAX_NAME or len(reason) > MAX_TEXT:
        raise UsageError("That name or reason is too long.")
    due_back = DueBack(
        committee_id=turn.committee_id, meeting_id=meeting.id, item_id=item.id, title=item.title,
        presenter=presenter.name, presenter_key=name_key(presenter.name), presenter_user_id=presenter.user_id,
        reason=reason or None, confidential=is_exempt(item),
        created_at=turn.now, created_by=turn.caller.name,
    )
    await uow.add(due_back)
    committee = await uow.committees.get_committee(turn.committee_id)
    schedule_due_back(due_back, committee, turn.policy, turn.tz, turn.now)
    when = format_date(committee.next_meeting_date) if committee.next_meeting_date else "date not set yet: /nextmeeting <date>"
    return Reply(f"{presenter.name} is due back at the next meeting ({when}) with item {number}: {item.title}.")


def _split_due_back(args: str) -> tuple[str, int | None, str]:
    """`[Name] [item N] [reason]`, or `[Name] - reason` when no item is named."""
    text = " ".join(args.split())
    match = re.search(r"(?i)(?:^|\s)item\s+(\S+)", text)
    if match:
        number, rest = split_item_prefix(text[match.start():].strip())
        name, reason = text[: match.start()].strip(), rest
    else:
        number = None
        pieces = re.split(r"(?:^|\s+)[-\u2013\u2014]\s+", text, maxsplit=1)
        name, reason = (pieces[0], pieces[1]) if len(pieces) == 2 else (text, "")
    return clean_name(name), number, reason.strip().lstrip("-\u2013\u2014:").strip()


async def set_next_meeting(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    words = args.split()
    if not words:
        raise UsageError("Give the date of the next meeting.")
    minute = None
    if re.fullmatch(r"\d{1,2}[:.]\d{2}", words[-1]):
        minute = parse_time(words[-1])
        words = words[:-1]
    day = parse_due(" ".join(words), turn.local_now)
    if not isinstance(day, date):
        raise UsageError(f"Give the next meeting's date, e.g. {day_month(example_date(turn.local_now))}.")
    if day < turn.local_now.date():
        raise ClerkError(f"{format_date(day)} has passed: give a date from today on.")
    committee = await uow.committees.get_committee(turn.committee_id)
    committee.next_meeting_date, committee.next_meeting_minute = day, minute
    await reschedule_committee(uow, committee, turn.policy, turn.tz, turn.now)
    at = f" at {format_minute(minute)}" if minute is not None else ""
    return Reply(f"Next meeting: {format_date(day)}{at}. Actions due 'next meeting' are now due that day.")
