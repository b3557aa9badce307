"""A formal committee's standing business: declarations of interest, motions with their votes,
and items deferred or withdrawn.

Declarations and motions are entries of the item they concern (dialogs.minutes_record.add_entry),
so they carry a reference #N and a history, and /edit, /delete and /history work on them like on
any entry. A member who declared an interest and withdrew from an item is not counted in a vote
on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dialogs.agenda import agenda_of
from dialogs.attendance_minutes import INQUORATE_WARNING, is_inquorate_now
from dialogs.carry_forward import PREVIOUS_MINUTES
from dialogs.context import Person, Reply, Turn
from dialogs.dates import day_month, example_date, format_date, parse_due
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import current_meeting, in_the_minutes_of, meeting_for_the_record
from dialogs.minutes import confidential_minutes_for, confidential_recipients, minutes_update
from dialogs.minutes_model import counts_text, declaration_line, motion_line, status_line
from dialogs.house_style import style_of
from dialogs.minutes_record import add_entry, entry_target
from dialogs.reminders import schedule_due_back
from dialogs.parsing import MAX_NAME, clean_name, split_item_prefix, within_limit
from dialogs.identity import identify, name_key
from dialogs.votes import read_vote, result_of
from dialogs.changes import log_change
from dialogs.public import CONFIDENTIAL_TEXT, is_exempt
from storage.models import DueBack, ItemEntry, Meeting, Motion, values_before_change
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import (AttendanceStatus, ChangeSubject, DeclarationEffect, EntryChangeKind, EntryKind,
                                ItemStatus, MotionResult)

_EFFECT = re.compile(r";\s*(withdrew|did not vote)\s*\.?\s*$", re.IGNORECASE)
# "Name: interest": a name is a few words before the first colon, without digits.
_DECLARER = re.compile(r"^\s*([^:\d]{1,%d}?)\s*:\s*(\S.*)$" % MAX_NAME, re.DOTALL)
_ROLE_WORDS = re.compile(r"\b(mover|proposer|seconder)\s*:\s*", re.IGNORECASE)


# Declarations of interest ------------------------------------------------------------------------


async def declare(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting, number, item, text = await entry_target(uow, turn, args)
    if number is None:
        raise ClerkError("A break has no business to declare an interest in: name the item, e.g. /declare item 5 ...")
    effect = None
    found = _EFFECT.search(text)
    if found:
        effect = DeclarationEffect(found.group(1).lower())
        text = text[:found.start()]
    if turn.mentions:  # "/declare @Name: interest": about the member mentioned
        person = turn.mentions[0]
        text = text.replace(f"<at>{person.name}</at>", "", 1).lstrip(" :,")
    else:
        declarer = _DECLARER.match(text)
        if declarer and await _names_someone(uow, meeting, turn.committee_id, declarer.group(1)):
            person, text = Person(clean_name(declarer.group(1)), None), declarer.group(2)
        else:  # "Shares in the supplier: sold in May" is the sender's own interest
            person = turn.caller
    interest = within_limit(text.strip().rstrip("."), "an interest")
    if not interest:
        raise UsageError("Say what the interest is.")
    entry = await add_entry(uow, turn, meeting, item, EntryKind.DECLARATION, interest, person=person.name,
                            person_user_id=person.user_id, effect=effect)
    return Reply(f"Declaration recorded on item {number}: {declaration_line(person.name, interest, effect)}"
                 f"{in_the_minutes_of(meeting)} #{entry.number}", view=await minutes_update(uow, meeting, turn.tz))


async def _names_someone(uow: UnitOfWork, meeting: Meeting, committee_id: int, words: str) -> bool:
    """Whether the words before a colon name a person: someone in the meeting's attendance or the
    committee's members, or words shaped like a name (a few, each capitalised)."""
    key = name_key(words)
    known = {row.name_key for row in await uow.meetings.attendance(meeting.id)}
    known |= {member.name_key for member in await uow.committees.members(committee_id)}
    parts = words.split()
    return key in known or (1 < len(parts) <= 4 and all(part[:1].isupper() for part in parts))


# Motions and votes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MotionTerms:
    text: str
    mover: str | None
    seconder: str | None


def read_motion(args: str) -> MotionTerms:
    """'<text> [mover: Name] [seconder: Name]' (proposer: is the mover too)."""
    parts = _ROLE_WORDS.split(args)
    text, mover, seconder = parts[0], None, None
    for role, value in zip(parts[1::2], parts[2::2]):
        name = clean_name(value.strip().rstrip("."))
        if not name or len(name) > MAX_NAME:
            raise UsageError(f"Give the {role.lower()}'s name after '{role.lower()}:'.")
        if role.lower() == "seconder":
            seconder = name
        else:
            mover = name
    text = text.strip().rstrip(".")
    if not text:
        raise UsageError("Give the motion's words.")
    return MotionTerms(within_limit(text, "a motion"), mover, seconder)


async def motion(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting, number, item, text = await entry_target(uow, turn, args)
    if number is None:
        raise ClerkError("A break has no motions: name the item, e.g. /motion item 5 ...")
    terms = read_motion(text)
    mover = (await identify(uow, turn.committee_id, terms.mover)).name if terms.mover else None
    seconder = (await identify(uow, turn.committee_id, terms.seconder)).name if terms.seconder else None
    entry = await add_entry(uow, turn, meeting, item, EntryKind.MOTION, terms.text, person=mover)
    motion_row = Motion(entry_id=entry.id, seconder=seconder)
    uow.stage(motion_row)
    return Reply(f"Motion #{entry.number} on item {number}{in_the_minutes_of(meeting)}: "
                 f"{await _motion_said(uow, entry, motion_row)} /vote for N against N records the vote.",
                 view=await minutes_update(uow, meeting, turn.tz))


async def vote(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """The vote on the latest open motion, as people say it (dialogs.votes)."""
    meeting, entry, motion_row = await _open_motion(uow, turn)
    vote = read_vote(args)
    cast = (vote.votes_for or 0) + (vote.votes_against or 0) + (vote.abstentions or 0)
    voters = await _voters(uow, meeting, entry) if cast else None
    if voters is not None and cast > voters:
        raise ClerkError(f"{cast} votes is more than the {voters} members who may vote on this item "
                         "(those present, less any who withdrew). Check the count, or /present who is missing.")
    motion_row.votes_for, motion_row.votes_against = vote.votes_for, vote.votes_against
    motion_row.abstentions, motion_row.unanimous = vote.abstentions or None, vote.unanimous
    motion_row.result = result_of(vote)
    if motion_row.result is None:
        await _history(uow, turn, meeting, entry, motion_row, f"tied {counts_text(motion_row)}")
        return Reply(f"Motion #{entry.number}: tied, {counts_text(motion_row)}. The chair's casting vote decides: "
                     "/vote casting for|against.", view=await minutes_update(uow, meeting, turn.tz))
    how = "carried unanimously" if vote.unanimous else f"{motion_row.result}" + (
        f" ({counts_text(motion_row)})" if counts_text(motion_row) else "")
    await _history(uow, turn, meeting, entry, motion_row, how)
    return Reply(f"Motion #{entry.number} {motion_row.result}{in_the_minutes_of(meeting)}: "
                 f"{await _motion_said(uow, entry, motion_row)}" + await _mark_if_inquorate(uow, meeting, entry),
                 view=await minutes_update(uow, meeting, turn.tz))


async def casting_vote(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting, entry, motion_row = await _open_motion(uow, turn)
    side = args.strip().lower()
    if side not in ("for", "against"):
        raise UsageError("Say for or against.")
    if motion_row.votes_for is None or motion_row.votes_for != (motion_row.votes_against or 0):
        raise ClerkError(f"Motion #{entry.number} is not tied: a casting vote decides only a tie. "
                         "/vote for N against N records the count.")
    motion_row.casting_vote = side
    motion_row.result = MotionResult.CARRIED if side == "for" else MotionResult.LOST
    await _history(uow, turn, meeting, entry, motion_row, f"{motion_row.result} on the chair's casting vote ({side})")
    return Reply(f"Motion #{entry.number} {motion_row.result} on the chair's casting vote: "
                 f"{await _motion_said(uow, entry, motion_row)}" + await _mark_if_inquorate(uow, meeting, entry),
                 view=await minutes_update(uow, meeting, turn.tz))


async def _motion_said(uow: UnitOfWork, entry: ItemEntry, motion_row: Motion) -> str:
    """The motion as a reply in the chat says it: on an exempt item, only that it is minuted privately."""
    item = await uow.agenda.get_item(entry.item_id)
    if is_exempt(item):
        return CONFIDENTIAL_TEXT
    meeting = await uow.meetings.get_meeting(item.meeting_id)
    return motion_line(entry, motion_row, style_of(await uow.committees.get_committee(meeting.committee_id)))


async def _mark_if_inquorate(uow: UnitOfWork, meeting: Meeting, entry: ItemEntry) -> str:
    """Marks a vote taken while the meeting is inquorate; the warning the reply ends with."""
    entry.inquorate = await is_inquorate_now(uow, meeting)
    return INQUORATE_WARNING if entry.inquorate else ""


async def _open_motion(uow: UnitOfWork, turn: Turn) -> tuple[Meeting, ItemEntry, Motion]:
    meeting = await current_meeting(uow, turn)
    found = await uow.entries.latest_open_motion(meeting.id)
    if found is None:
        raise ClerkError("There is no motion awaiting a vote: /motion records one.")
    return meeting, *found


async def _voters(uow: UnitOfWork, meeting: Meeting, entry: ItemEntry) -> int | None:
    """Who may vote on the motion's item: those present, less those who declared an interest and
    withdrew from it. None when nobody's attendance is recorded (nothing to check against)."""
    present = {row.name_key for row in await uow.meetings.attendance(meeting.id)
               if row.status == AttendanceStatus.PRESENT}
    if not present:
        return None
    withdrew = {name_key(e.person) for e in await uow.entries.entries([entry.item_id])
                if e.kind == EntryKind.DECLARATION and e.removed_at is None and e.person
                and e.effect == DeclarationEffect.WITHDREW}
    return len(present - withdrew)


# A motion's vote, as /undo puts it back.
VOTE_FACTS = ("votes_for", "votes_against", "abstentions", "unanimous", "casting_vote", "result")


async def _history(uow: UnitOfWork, turn: Turn, meeting: Meeting, entry: ItemEntry, motion: Motion,
                   what: str) -> None:
    await log_change(uow, turn, ChangeSubject.ENTRY, entry.id, EntryChangeKind.VOTED, meeting=meeting, after=what,
                     state=values_before_change(motion, VOTE_FACTS))


# Items not taken as planned -----------------------------------------------------------------------


async def defer(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await _set_status(uow, turn, args, ItemStatus.DEFERRED)


async def withdraw(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await _set_status(uow, turn, args, ItemStatus.WITHDRAWN)


async def _set_status(uow: UnitOfWork, turn: Turn, args: str, status: ItemStatus) -> Reply:
    meeting = await current_meeting(uow, turn)
    number, reason = split_item_prefix(args)
    agenda = await agenda_of(uow, meeting)
    entry = agenda.find(number) if number is not None else agenda.current
    if entry is None or entry.is_break:
        raise ClerkError(f"No item is under way: name it, e.g. /{'defer' if status == ItemStatus.DEFERRED else 'withdraw'}"
                         " item 4 awaiting the impact assessment.")
    reason = within_limit(" ".join(reason.split()), "a reason")
    item = entry.item
    item.status, item.status_reason = status, reason or None
    carried = [d for d in await uow.actions.pending_due_backs(turn.committee_id) if d.item_id == item.id]
    extra = ""
    if status == ItemStatus.DEFERRED and not carried:
        due_back = DueBack(committee_id=turn.committee_id, meeting_id=meeting.id, item_id=item.id, title=item.title,
                           presenter=item.presenter or "", presenter_key=name_key(item.presenter or ""),
                           reason=reason or "deferred", confidential=bool(item.exempt_reason), created_at=turn.now,
                           created_by=turn.caller.name)
        await uow.add(due_back)
        if item.presenter:
            committee = await uow.committees.get_committee(turn.committee_id)
            schedule_due_back(due_back, committee, turn.policy, turn.tz, turn.now)
        extra = " It goes on the next meeting's agenda."
    elif status == ItemStatus.WITHDRAWN:
        for due_back in carried:  # withdrawn after all: it does not come back
            await uow.delete(due_back)
    said = status_line(status, reason or None)
    return Reply(f"Item {entry.number} ({item.title}): {said.rstrip('.')}.{extra}",
                 view=await minutes_update(uow, meeting, turn.tz))


# Exempt (confidential) items ----------------------------------------------------------------------


async def confidential(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """Marks an item exempt: the public minutes give its number and title, "Exempt item: <reason>
    (minuted separately)" and the public summary given after "public:" (now, or later on its own);
    its content, and the text of the actions agreed under it, go only to the confidential minutes
    (and each action's text to its owners)."""
    meeting = await meeting_for_the_record(uow, turn, names_item=True)
    number, reason = split_item_prefix(args)
    agenda = await agenda_of(uow, meeting)
    entry = agenda.find(number) if number is not None else agenda.current
    if entry is None or entry.is_break:
        raise ClerkError("No item is under way: name it, e.g. /confidential item 6 information about an individual.")
    parts = re.split(r"(?i)\bpublic\s*:", " ".join(reason.split()), maxsplit=1)
    reason = within_limit(parts[0].strip(), "a reason")
    summary = within_limit(parts[1].strip() if len(parts) == 2 else "", "a public summary")
    item = entry.item
    if not reason and summary and item.exempt_reason:  # "/confidential item 6 public: <summary>", later
        item.public_summary = summary
        return Reply(f"The public minutes of item {entry.number} now say: {summary}",
                     view=await minutes_update(uow, meeting, turn.tz))
    if not reason:
        raise UsageError("Say why the item is exempt, e.g. /confidential item 6 information about an individual.")
    item.exempt_reason = reason
    item.public_summary = summary or item.public_summary
    for action in await uow.actions.actions_of_meeting(meeting.id):
        if action.item_id == item.id:
            action.confidential = True
    for due_back in await uow.actions.due_backs_of_meeting(meeting.id):
        if due_back.item_id == item.id:
            due_back.confidential = True
    recipients = confidential_recipients(meeting)
    to = " and ".join(person.name for person in recipients) or "the chair and secretary, once named,"
    return Reply(f"Item {entry.number} ({item.title}) is exempt: {reason}. The minutes posted here and the public "
                 f"documents give only its number and title; {to} get the confidential minutes privately"
                 + (" now." if meeting.ended_at else " when the meeting closes."),
                 view=await minutes_update(uow, meeting, turn.tz),
                 privately=confidential_minutes_for(meeting, recipients) if meeting.ended_at else [])


def _past_date(text: str, turn: Turn) -> date:
    """A date of minutes already held: one typed without a year is this year's, or last year's if
    that is still to come."""
    day = parse_due(text, turn.local_now)
    if not isinstance(day, date):
        raise UsageError(f"'{text[:40]}' is not a date, e.g. {day_month(example_date(turn.local_now))}.")
    return day.replace(year=day.year - 1) if day > turn.local_now.date() and not re.search(r"\d{4}", text) else day


# The minutes of the previous meeting -------------------------------------------------------------

_AMENDED = re.compile(r"^with\s+amendments\s*:?\s*(.*)$", re.IGNORECASE | re.DOTALL)


async def previous_approved(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """'/previous approved [<date>] [with amendments: <text>]': recorded on this meeting's "Minutes
    of the previous meeting" item, and in the earlier meeting's minutes when Clerk holds them. The
    date names minutes Clerk does not know (a committee's first meeting in Clerk approves the last
    ones it held without it)."""
    words = " ".join(args.split())
    found = re.search(r"(?i)\bwith\s+amendments\b", words)
    dated, rest = (words[:found.start()].strip(), words[found.start():]) if found else (words, "")
    amendments = None
    if rest:
        amendments = within_limit(_AMENDED.match(rest).group(1).strip(), "the amendments")
        if not amendments:
            raise UsageError("Give the amendments after 'with amendments:'.")
    meeting = await current_meeting(uow, turn)
    previous = await uow.meetings.previous_meeting(turn.committee_id, meeting.id)
    day = _past_date(dated, turn) if dated else None
    if day is not None and (previous is None or previous.meeting_date != day):
        previous = await uow.meetings.meeting_on(turn.committee_id, day)  # None: minutes Clerk never held
    if previous is None and day is None:
        raise UsageError("Clerk holds no earlier minutes of this committee: name their date, e.g. "
                         f"/previous approved {day_month(example_date(turn.local_now))} {turn.local_now.year}.")
    when = format_date(previous.meeting_date if previous else day)
    if previous is not None and previous.confirmed_on is not None:
        raise ClerkError(f"The minutes of the meeting held on {when} were approved already, at the meeting of "
                         f"{format_date(previous.confirmed_on)}. /edit corrects what was recorded then.")
    agenda = await agenda_of(uow, meeting)
    entry = next((e for e in agenda.entries if e.item.title == PREVIOUS_MINUTES), None) or agenda.current
    if entry is None or entry.is_break:
        raise ClerkError(f"There is no '{PREVIOUS_MINUTES}' item, and no item is under way: "
                         f"/agenda add 10:05 {PREVIOUS_MINUTES} puts it back.")
    text = f"The minutes of the meeting held on {when} were approved as an accurate record"
    text += f", with these amendments: {amendments}" if amendments else "."
    recorded = await add_entry(uow, turn, meeting, entry.item, EntryKind.NOTE, text)
    if previous is not None:
        previous.confirmed_on, previous.confirmed_by = meeting.meeting_date, turn.caller.name
        previous.confirmation_amendments = amendments
    return Reply(f"{text.rstrip('.')}. Recorded on item {entry.number}. #{recorded.number}",
                 view=await minutes_update(uow, meeting, turn.tz))
