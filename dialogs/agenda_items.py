"""Correcting an agenda item once it is on the agenda: its title and its presenter, at any time,
with history, its minutes kept. `/item N` alone jumps to the item."""

from __future__ import annotations

from dialogs.agenda import ITEM_FACTS, agenda_of, go_to_item
from dialogs.changes import log_change
from dialogs.context import Reply, Turn
from dialogs.errors import UsageError
from dialogs.guards import in_the_minutes_of, meeting_for_the_record
from dialogs.minutes import minutes_update
from dialogs.parsing import MAX_NAME, MAX_TITLE, whole_number
from storage.models import values_before_change
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import AgendaChange, ChangeSubject


async def item(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/item N` jumps to item N; `/item N title <text>` and `/item N presenter <name>` correct it,
    at any time and with history, its minutes kept."""
    number_text, _, rest = args.strip().partition(" ")
    field, _, value = rest.strip().partition(" ")
    if not rest.strip():
        return await go_to_item(uow, turn, number_text)
    number = whole_number(number_text)
    if number is None or field.casefold() not in ("title", "presenter"):
        raise UsageError("Use /item N, /item N title <text> or /item N presenter <name>.")
    meeting = await meeting_for_the_record(uow, turn, names_item=True)
    entry = (await agenda_of(uow, meeting)).find(number)
    value = " ".join(value.split())
    if field.casefold() == "title":
        if not value:
            raise UsageError(f"Give the new title: /item {number} title <text>.")
        if len(value) > MAX_TITLE:
            raise UsageError(f"An item title is at most {MAX_TITLE} characters.")
        kind, before, said = AgendaChange.RETITLED, entry.item.title, f"Item {number} is now titled '{value}'"
    else:
        if len(value) > MAX_NAME:
            raise UsageError(f"A presenter's name is at most {MAX_NAME} characters.")
        kind, before = AgendaChange.PRESENTER, entry.item.presenter
        said = (f"Item {number} ({entry.item.title}) is presented by {value}" if value
                else f"Item {number} ({entry.item.title}) has no presenter named")
    await log_change(uow, turn, ChangeSubject.AGENDA, entry.item.id, kind, meeting=meeting, before=before,
                     after=value or None, state=values_before_change(entry.item, ITEM_FACTS))
    if field.casefold() == "title":
        entry.item.title = value
    else:
        entry.item.presenter = value or None
    return Reply(f"{said}{in_the_minutes_of(meeting)}.", view=await minutes_update(uow, meeting, turn.tz))
