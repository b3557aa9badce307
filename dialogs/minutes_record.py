"""What is said about each agenda item: notes, questions and answers, decisions, outcomes.

Each entry gets a reference #N, unique within the committee, by which it is corrected. Once the
meeting has ended its minutes stay open for corrections (name the item), and once they are
approved, for the chair's amendments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.agenda import agenda_of
from dialogs.committee import NO_SCALE, outcome_scale, outcome_words
from dialogs.context import Reply, Turn
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import in_the_minutes_of, meeting_for_the_record
from dialogs.attendance_minutes import INQUORATE_WARNING, is_inquorate_now
from dialogs.minutes import minutes_update
from dialogs.parsing import split_item_prefix, within_limit
from dialogs.roles import require_may_change
from dialogs.changes import new_change
from storage.models import AgendaItem, ItemEntry, Meeting
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import ChangeSubject, EntryChangeKind, EntryKind


OPENING = "the meeting's opening minutes"
_MEETING_PREFIX = re.compile(r"^meeting\b[:\s]*", re.IGNORECASE)


async def entry_target(uow: UnitOfWork, turn: Turn, args: str,
                       of_the_meeting: bool = False) -> tuple[Meeting, int | None, AgendaItem, str]:
    """The meeting and item an entry goes on ('item N ...' or the current item), and the rest of the
    text. `of_the_meeting`: a note or decision may belong to no item ('meeting ...', or before the
    first item is taken up): it goes in the opening block of the minutes, after the attendance."""
    opening = of_the_meeting and bool(_MEETING_PREFIX.match(args.strip()))
    number, text = (None, _MEETING_PREFIX.sub("", args.strip(), count=1)) if opening else split_item_prefix(args)
    meeting = await meeting_for_the_record(uow, turn, names_item=number is not None or opening)
    await require_may_change(turn, meeting, "this")
    agenda = await agenda_of(uow, meeting)
    entry = agenda.find(number) if number is not None else agenda.current
    nothing_taken_yet = all(e.item.actual_start is None for e in agenda.entries) and meeting.ended_at is None
    if opening or (entry is None and of_the_meeting and nothing_taken_yet):
        return meeting, None, await _opening_item(uow, meeting), text
    if entry is None:
        raise ClerkError("No item is under way: /next starts one, or name the item, e.g. item 3"
                         + (", or say meeting for the opening minutes, e.g. /note meeting No members of the "
                            "public were present." if of_the_meeting else "."))
    return meeting, entry.number, entry.item, text


async def _opening_item(uow: UnitOfWork, meeting: Meeting) -> AgendaItem:
    item = await uow.agenda.opening_item(meeting.id)
    if item is None:
        item = AgendaItem(meeting_id=meeting.id, title="Opening", opening=True, timed=False,
                          planned_start_minute=0, is_break=False, overtime_notice_sent=False, floating=False)
        await uow.add(item)
    return item


def _where(number: int | None, item: AgendaItem) -> str:
    if item.opening:
        return OPENING
    return "the break" if number is None else f"item {number}"


def _check_text(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise UsageError(f"Give the {what} after the command.")
    return within_limit(text, f"a {what}")


async def add_entry(uow: UnitOfWork, turn: Turn, meeting: Meeting, item: AgendaItem, kind: EntryKind, text: str,
                    question_id: int | None = None, **facts) -> ItemEntry:
    """Records an entry with its reference and the first line of its history. `facts`: the entry's
    other columns (a declaration's person, a decision's inquoracy), written with it."""
    author = turn.said_by or turn.caller
    entry = ItemEntry(item_id=item.id, committee_id=turn.committee_id, number=await uow.entries.next_number(
        turn.committee_id), kind=kind, text=text, question_id=question_id, author=author.name,
        author_user_id=author.user_id, source_activity_id=turn.activity_id, source_link=turn.source_link,
        created_at=turn.now, **facts)
    await uow.entries.add_entry(entry, new_change(turn, ChangeSubject.ENTRY, None, EntryChangeKind.RECORDED,
                                                  meeting=meeting, after=text))
    return entry


async def _record(uow: UnitOfWork, turn: Turn, args: str, kind: EntryKind) -> Reply:
    meeting, number, item, text = await entry_target(
        uow, turn, args, of_the_meeting=kind in (EntryKind.NOTE, EntryKind.DECISION))
    text = _check_text(text, kind)
    question_id = None
    if kind == EntryKind.ANSWER:
        question = await uow.entries.latest_question(item.id)
        if question is None:
            raise ClerkError(f"There is no question on {_where(number, item)} to answer: /question records one.")
        question_id = question.id
    inquorate = kind == EntryKind.DECISION and await is_inquorate_now(uow, meeting)
    entry = await add_entry(uow, turn, meeting, item, kind, text, question_id, inquorate=inquorate)
    warning = INQUORATE_WARNING if inquorate else ""
    return Reply(f"{kind.capitalize()} recorded on {_where(number, item)}{in_the_minutes_of(meeting)}. #{entry.number}"
                 + warning, view=await minutes_update(uow, meeting, turn.tz))


async def note(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await _record(uow, turn, args, EntryKind.NOTE)


async def question(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await _record(uow, turn, args, EntryKind.QUESTION)


async def answer(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await _record(uow, turn, args, EntryKind.ANSWER)


async def decision(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await _record(uow, turn, args, EntryKind.DECISION)


def read_outcome(text: str, scale: dict[str, str]) -> tuple[str, str]:
    """'B proceed once the guidance is drafted' -> ('B', 'proceed once ...'), checked against the scale."""
    if not scale:
        raise ClerkError(NO_SCALE)
    letter, _, comment = text.strip().partition(" ")
    letter, comment = letter.strip().upper(), comment.strip()
    if not letter:
        raise UsageError("Give the outcome letter.")
    if letter not in scale:
        raise ClerkError(f"'{letter}' is not on the outcome scale ({', '.join(sorted(scale))}). /outcomes shows it.")
    within_limit(comment, "an outcome comment")
    return letter, comment


async def outcome(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting, number, item, text = await entry_target(uow, turn, args)
    scale = outcome_scale(await uow.committees.get_committee(turn.committee_id))
    letter, comment = read_outcome(text, scale)
    if number is None:
        raise ClerkError("A break has no outcome: name the item, e.g. /outcome item 3 B.")
    previous = item.outcome_letter
    item.outcome_letter, item.outcome_comment = letter, comment or None
    entry = await add_entry(uow, turn, meeting, item, EntryKind.OUTCOME, f"{letter} {comment}".strip())
    item.outcome_inquorate = await is_inquorate_now(uow, meeting)
    changed = f" (was {previous})" if previous and previous != letter else ""
    return Reply(f"Item {number}: {outcome_words(letter, scale)}{changed}{in_the_minutes_of(meeting)}. #{entry.number}"
                 + (INQUORATE_WARNING if item.outcome_inquorate else ""), view=await minutes_update(uow, meeting, turn.tz))


@dataclass(frozen=True)
class ItemChoices:
    """The open meeting's items, for a form that records against one."""

    items: list[tuple[int, str]]
    current: int | None


async def item_choices(uow: UnitOfWork, turn: Turn) -> Reply:
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    schedule = await agenda_of(uow, meeting) if meeting else None
    current = schedule.current if schedule else None
    return Reply("", view=ItemChoices([(e.number, e.item.title) for e in schedule.entries if e.number is not None]
                                      if schedule else [], current.number if current else None))
