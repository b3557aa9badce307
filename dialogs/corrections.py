"""Correcting the record: /edit, /delete, /undo and /history, and Teams edits and deletions of the
messages that recorded something.

Nothing is physically deleted: a removed entry keeps its row and every change is kept with who
made it and when. Who may change what is the one rule in roles.require_may_change.
"""

from __future__ import annotations

import re

from dialogs.public import entry_text, shown_text
from dialogs.agenda import agenda_of
from dialogs.committee import outcome_scale
from dialogs.context import Reply, Turn
from dialogs.dates import format_date
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import in_the_minutes_of, meeting_for_the_record
from dialogs.minutes import minutes_update
from dialogs.minutes_record import read_outcome
from dialogs.parsing import clock_time, split_item_prefix, whole_number, within_limit
from dialogs.roles import require_may_change
from dialogs.changes import log_change, undone_note
from storage.models import AgendaItem, Change, ItemEntry, Meeting
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import ChangeSubject, EntryChangeKind, EntryKind

_REFERENCE = re.compile(r"^#?\s*(\d{1,9})\b\s*", re.ASCII)


async def place_of(uow: UnitOfWork, entry: ItemEntry) -> tuple[AgendaItem, Meeting]:
    """The agenda item and the meeting an entry was recorded in."""
    item = (await uow.agenda.items_by_id([entry.item_id]))[entry.item_id]
    return item, await uow.meetings.get_meeting(item.meeting_id)


async def _entry(uow: UnitOfWork, turn: Turn, args: str) -> tuple[ItemEntry, Meeting, str]:
    match = _REFERENCE.match(args.strip())
    if not match:
        raise UsageError("Name the entry by its reference, e.g. #12 (each reply that records something gives it).")
    entry = await uow.entries.by_number(turn.committee_id, int(match[1]))
    if entry is None:
        raise ClerkError(f"There is no #{match[1]} in this committee's record.")
    _, meeting = await place_of(uow, entry)
    return entry, meeting, args.strip()[match.end():].strip()


async def entry_change(uow: UnitOfWork, turn: Turn, meeting: Meeting, entry: ItemEntry, kind: EntryChangeKind,
                       text: str | None, previous: str | None, undoes: int | None = None) -> None:
    await log_change(uow, turn, ChangeSubject.ENTRY, entry.id, kind, meeting=meeting, before=previous, after=text,
                     undoes=undoes)


async def sync_outcome(uow: UnitOfWork, entry: ItemEntry) -> None:
    """The item's outcome is its latest outcome entry still in the minutes."""
    if entry.kind != EntryKind.OUTCOME:
        return
    item, _ = await place_of(uow, entry)
    live = [e for e in await uow.entries.entries([item.id]) if e.kind == EntryKind.OUTCOME and e.removed_at is None]
    letter, _, comment = live[-1].text.partition(" ") if live else (None, "", "")
    item.outcome_letter, item.outcome_comment = letter, comment.strip() or None


async def apply_edit(uow: UnitOfWork, turn: Turn, entry: ItemEntry, meeting: Meeting, text: str) -> None:
    text = within_limit(text.strip(), "an entry")
    if not text:
        raise UsageError(f"Give the new text after #{entry.number}.")
    if entry.removed_at is not None:
        raise ClerkError(f"#{entry.number} was removed from the minutes; /history #{entry.number}.")
    await require_may_change(turn, meeting, f"#{entry.number}", entry.author, entry.author_user_id)
    if entry.kind == EntryKind.OUTCOME:
        letter, comment = read_outcome(text, outcome_scale(await uow.committees.get_committee(turn.committee_id)))
        text = f"{letter} {comment}".strip()
    previous, entry.text = entry.text, text
    await entry_change(uow, turn, meeting, entry, EntryChangeKind.EDITED, text, previous)
    await sync_outcome(uow, entry)


async def apply_removal(uow: UnitOfWork, turn: Turn, entry: ItemEntry, meeting: Meeting,
                        undoes: int | None = None) -> int:
    """Takes an entry (and a question's answers) out of the minutes; returns how many answers went with it."""
    if entry.removed_at is not None:
        raise ClerkError(f"#{entry.number} is already out of the minutes.")
    await require_may_change(turn, meeting, f"#{entry.number}", entry.author, entry.author_user_id)
    answers = []
    if entry.kind == EntryKind.QUESTION:
        answers = [e for e in await uow.entries.entries([entry.item_id])
                   if e.question_id == entry.id and e.removed_at is None]
    for removed in [entry, *answers]:
        removed.removed_at = turn.now
        await entry_change(uow, turn, meeting, removed, EntryChangeKind.REMOVED, None, removed.text, undoes)
    await sync_outcome(uow, entry)
    return len(answers)


async def edit(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    entry, meeting, text = await _entry(uow, turn, args)
    await apply_edit(uow, turn, entry, meeting, text)
    return Reply(f"Edited #{entry.number}{in_the_minutes_of(meeting)}: {entry.text}",
                 view=await minutes_update(uow, meeting, turn.tz))


async def delete(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    entry, meeting, rest = await _entry(uow, turn, args)
    if rest:
        raise UsageError(f"/delete takes only the reference, e.g. /delete #{entry.number}.")
    answers = await apply_removal(uow, turn, entry, meeting)
    also = f" with its {answers} answer{'s' if answers != 1 else ''}" if answers else ""
    return Reply(f"Removed #{entry.number}{also} from the minutes{of_meeting(meeting)}. "
                 f"It stays in /history #{entry.number}; /undo puts it back.",
                 view=await minutes_update(uow, meeting, turn.tz))


def of_meeting(meeting: Meeting) -> str:
    return "" if meeting.ended_at is None else f" of {format_date(meeting.meeting_date)}"


async def history(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """Every change to an entry (#N), an action (action N) or the meeting's own facts (meeting),
    with who made it and when, from the change log."""
    text = args.strip()
    if text.lower() == "meeting":
        meeting = await meeting_for_the_record(uow, turn, names_item=True)
        lines = [f"History of '{meeting.title}' (chair, secretary, venue, times, agenda):"]
        changes = [*await uow.changes.of_meeting(meeting.id, ChangeSubject.MEETING),
                   *await uow.changes.of_meeting(meeting.id, ChangeSubject.AGENDA)]
        lines += [f"- {_when(change.at, turn)} {change.by}: {_fact(change)} "
                  + (f"{change.before} → " if change.before else "") + (change.after or "none") + undone_note(change)
                  for change in sorted(changes, key=lambda c: c.id)] or ["- no changes recorded"]
        return Reply("\n".join(lines))
    if text.lower().startswith("action"):
        number = whole_number(text[len("action"):].lstrip(" #"))
        action = await uow.actions.action_by_number(turn.committee_id, number) if number is not None else None
        if action is None:
            raise ClerkError("Name an action that exists, e.g. /history action 3. /actions all lists them.")
        lines = [f"History of action {action.number} ({shown_text(action)}):"]
        lines += [f"- {_when(change.at, turn)} {change.by}: {change.kind}"
                  + (f" — {change.after}" if change.after and not action.confidential else "") + undone_note(change)
                  for change in await uow.changes.of(ChangeSubject.ACTION, action.id)]
        return Reply("\n".join(lines))
    entry, _, rest = await _entry(uow, turn, text)
    if rest:
        raise UsageError(f"/history takes only the reference, e.g. /history #{entry.number}.")
    state = "out of the minutes" if entry.removed_at is not None else "in the minutes"
    lines = [f"History of #{entry.number} ({entry.kind}, {state}):"]
    if entry.source_link:
        lines.append(f"From {entry.author}'s message: {entry.source_link}")
    item, _ = await place_of(uow, entry)
    for change in await uow.changes.of(ChangeSubject.ENTRY, entry.id):
        what = f"{change.kind}" + (" (amendment after approval)" if change.amendment else "")
        shown = entry_text(change.after, item) if change.kind != EntryChangeKind.REMOVED else None
        was = entry_text(change.before, item) if change.kind == EntryChangeKind.EDITED else None
        lines.append(f"- {_when(change.at, turn)} {change.by}: {what}" + (f" — {shown}" if shown else "")
                     + (f" (was: {was})" if was else "") + undone_note(change))
    return Reply("\n".join(lines))


def _fact(change: Change) -> str:
    return f"agenda item {change.kind}" if change.subject == ChangeSubject.AGENDA else change.kind


def _when(moment, turn: Turn) -> str:
    return f"{format_date(moment.astimezone(turn.tz).date())} {clock_time(moment, turn.tz)}"


# Teams edits and deletions --------------------------------------------------------------------

NOT_CHANGED = "That edit did not change the record"


async def teams_edit(uow: UnitOfWork, turn: Turn, command: str | None, args: str) -> Reply | None:
    """Someone edited in Teams a message of theirs (the turn's activity): what it recorded takes the
    new text, read as `command` with `args`. None when the message recorded nothing (people editing
    their own chat)."""
    message_id = turn.activity_id
    entry = await uow.entries.by_source(turn.committee_id, message_id)
    if entry is None:
        action = await uow.actions.by_source(turn.committee_id, message_id)
        if action is None:
            return None
        return Reply(f"{NOT_CHANGED}: action {action.number} keeps its text. /update {action.number}, "
                     f"/due {action.number} or /assign {action.number} change it.")
    if command != entry.kind:
        shown = f"/{command}" if command else "not a command"
        return Reply(f"{NOT_CHANGED}: the message recorded #{entry.number} as a {entry.kind}, and now reads as "
                     f"{shown}. /edit #{entry.number} <text> or /delete #{entry.number} change it.")
    item_number, text = split_item_prefix(args)
    item, meeting = await place_of(uow, entry)
    if item_number is not None and (await agenda_of(uow, meeting)).number_of(item.id) != item_number:
        return Reply(f"{NOT_CHANGED}: #{entry.number} stays on its item. /delete #{entry.number} and record it again "
                     "on the other item.")
    if text == entry.text:
        return None
    await apply_edit(uow, turn, entry, meeting, text)
    return Reply(f"Updated #{entry.number}{in_the_minutes_of(meeting)}: {entry.text}",
                 view=await minutes_update(uow, meeting, turn.tz))


async def teams_delete(uow: UnitOfWork, turn: Turn, args: str) -> Reply | None:
    """Someone deleted in Teams a message (the turn's activity) that recorded an entry: it leaves the minutes."""
    entry = await uow.entries.by_source(turn.committee_id, turn.activity_id)
    if entry is None or entry.removed_at is not None:
        return None
    _, meeting = await place_of(uow, entry)
    await apply_removal(uow, turn, entry, meeting)
    return Reply(f"Removed #{entry.number} from the minutes{of_meeting(meeting)}, as its message was deleted. "
                 f"/undo puts it back.", view=await minutes_update(uow, meeting, turn.tz))
