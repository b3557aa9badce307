"""Who was at a meeting: one row a person, whichever way they are named (dialogs.identity), with
every arrival, departure and correction kept as that row's history.

The minutes' attendance is built here too (`people_of`): members present with the chair first,
then "In attendance" (everyone present who is not a standing member), apologies and absent
members, each with their part attendance, "(from 10:45; left 12:10, during item 6)".
"""

from __future__ import annotations

import re
from datetime import datetime

from dialogs import timing
from dialogs.agenda import agenda_of
from dialogs.context import Reply, Turn
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import current_meeting
from dialogs.parsing import MAX_NAME, clean_name, clock_time, parse_apology, parse_people, parse_time
from dialogs.identity import name_key
from dialogs.identity import Known, directory, identify
from dialogs.attendance_minutes import is_inquorate_now, people_of, with_reason
from dialogs.changes import log_change, new_change, undone_note
from storage.models import Attendance, Meeting, values_before_change
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import AttendanceChangeKind, AttendanceStatus, ChangeSubject, MeetingFact

_FROM_ITEM = re.compile(r"\s+from\s+item\s+(\d{1,3})\s*$", re.IGNORECASE)
_AT_TIME = re.compile(r"^(.*?)\s+(\d{1,2}[:.]\d{2})$")


async def _row(uow: UnitOfWork, meeting: Meeting, known: Known, user_id: str | None = None) -> Attendance:
    """The person's one row in the meeting's attendance, made if they have none."""
    row = await uow.meetings.attendance_by_user(meeting.id, user_id) if user_id else None
    row = row or await uow.meetings.attendance_by_key(meeting.id, known.key)
    if row is None:
        row = _new_row(meeting, known)
        await uow.add(row)
    if user_id and not row.teams_user_id:
        row.teams_user_id = user_id
    return row


def _new_row(meeting: Meeting, known: Known) -> Attendance:
    return Attendance(meeting_id=meeting.id, name=known.name, name_key=known.key,
                      member_id=known.member.id if known.member else None, status=AttendanceStatus.ABSENT,
                      role=known.member.role if known.member else None)


async def _rows_named(uow: UnitOfWork, turn: Turn, meeting: Meeting, names: list[str]) -> list[Attendance]:
    """Each named person's one row, as `_row` finds or makes it, for a command that names several:
    the members and the attendance are read once, and a row made here is written by `_record`."""
    known = await directory(uow, turn.committee_id)
    rows = {}
    for row in await uow.meetings.attendance(meeting.id):
        rows.setdefault(row.name_key, row)  # two rows of one name (two Teams accounts): the first
    named = []
    for name in names:
        person = known.identify(name)
        if person.key not in rows:
            rows[person.key] = _new_row(meeting, person)
        named.append(rows[person.key])
    return named


# What /undo puts back of a person's attendance row.
UNDONE_FIELDS = ("status", "recorded_by", "joined_at", "left_at", "substitute_for", "substituted_by", "role", "note")


async def _change(uow: UnitOfWork, row: Attendance, kind: AttendanceChangeKind, at: datetime, turn: Turn,
                  by: str | None = None, detail: str | None = None) -> None:
    before = values_before_change(row, UNDONE_FIELDS)
    await log_change(uow, turn, ChangeSubject.ATTENDANCE, row.id, kind, meeting_id=row.meeting_id, after=detail,
                     happened_at=at, by=by, state=before)


async def _record(uow: UnitOfWork, turn: Turn, rows: list[Attendance],
                  changes: list[tuple[Attendance, dict, AttendanceChangeKind, datetime, str | None]]) -> None:
    """Writes the rows `_rows_named` made, in their recorded state (one flush), then each change
    (row, its fields as they stood before, kind, when, detail) in one statement."""
    await uow.add(*(row for row in dict.fromkeys(rows) if row.id is None))
    await uow.changes.add(*(new_change(turn, ChangeSubject.ATTENDANCE, row.id, kind, meeting_id=row.meeting_id,
                                       after=detail, happened_at=at, state=before)
                            for row, before, kind, at, detail in changes))


def _fields(row: Attendance) -> dict:
    """What /undo would put back, as the row stands now."""
    return {field: getattr(row, field) for field in UNDONE_FIELDS}


def _set_status(row: Attendance, status: AttendanceStatus, by: str) -> None:
    row.status, row.recorded_by = status, by


async def present(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/present Name, Role; Name, Role from item 4`: a role given is kept; "from item N" records
    that the person came for that item."""
    meeting = await current_meeting(uow, turn)
    chunks = []
    for chunk in args.split(";"):
        found = _FROM_ITEM.search(chunk)
        chunks.append((chunk[:found.start()] if found else chunk, int(found.group(1)) if found else None))
    people = [(parse_people(text)[0], item) for text, item in chunks if text.strip()]
    if not people:
        raise UsageError("Give at least one name.")
    agenda = await agenda_of(uow, meeting) if any(item for _, item in people) else None
    rows = await _rows_named(uow, turn, meeting, [name for (name, _), _ in people])
    changes = []
    for row, ((_, role), item_number) in zip(rows, people):
        before = _fields(row)
        row.role = role or row.role
        _set_status(row, AttendanceStatus.PRESENT, turn.caller.name)
        if item_number is not None:
            at = agenda.start_of(agenda.find(item_number), turn.tz)
            changes.append((row, before, AttendanceChangeKind.ARRIVED, at, f"from item {item_number}"))
        else:
            changes.append((row, before, AttendanceChangeKind.PRESENT, turn.now, None))
    await _record(uow, turn, rows, changes)
    return Reply(f"Present: {_names(rows)}.")


async def apologies(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/apologies Name (reason); Name - reason`: the reason is kept and the minutes give it."""
    given = [parse_apology(chunk) for chunk in args.split(";") if clean_name(chunk)]
    if not given:
        raise UsageError("Give at least one name.")
    if any(len(name) > MAX_NAME or len(reason or "") > MAX_NOTE for name, reason in given):
        raise UsageError(f"A name is at most {MAX_NAME} characters, and a reason {MAX_NOTE}.")
    meeting = await current_meeting(uow, turn)
    rows = await _rows_named(uow, turn, meeting, [name for name, _ in given])
    changes = []
    for row, (_, reason) in zip(rows, given):
        changes.append((row, _fields(row), AttendanceChangeKind.APOLOGIES, turn.now, reason))
        _set_status(row, AttendanceStatus.APOLOGIES, turn.caller.name)
        row.note = reason
    await _record(uow, turn, rows, changes)
    return Reply(f"Apologies: {', '.join(with_reason(row) for row in rows)}.")


MAX_NOTE = 300


async def _existing_row(uow: UnitOfWork, turn: Turn, meeting: Meeting, name: str) -> Attendance:
    known = await identify(uow, turn.committee_id, name)
    row = await uow.meetings.attendance_by_key(meeting.id, known.key)
    if row is None:
        raise ClerkError(f"{known.name} is not in this meeting's attendance. /attendance shows it.")
    return row


async def absent(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """Corrects a mistake; the history keeps what was recorded before."""
    name = clean_name(args)
    if not name:
        raise UsageError("Name the person to mark absent.")
    meeting = await current_meeting(uow, turn)
    row = await _existing_row(uow, turn, meeting, name)
    detail = f"was {row.status}"
    _set_status(row, AttendanceStatus.ABSENT, turn.caller.name)
    await _change(uow, row, AttendanceChangeKind.ABSENT, turn.now, turn, detail=detail)
    return Reply(f"{row.name} is now recorded as absent (neither present nor apologised); /attendance history "
                 "keeps what was recorded before.")


def _name_and_time(args: str, turn: Turn, meeting: Meeting) -> tuple[str, datetime]:
    """`Name [HH:MM]`: the time on the meeting's day, or now."""
    text = clean_name(args)
    found = _AT_TIME.match(text)
    if found:
        moment = timing.local_datetime(meeting.meeting_date, parse_time(found.group(2)), turn.tz)
        text = found.group(1)
    else:
        moment = turn.now
    if not text:
        raise UsageError("Name the person.")
    if len(text) > MAX_NAME:
        raise UsageError(f"A name is at most {MAX_NAME} characters.")
    return text, moment


_PUBLIC_ARRIVING = re.compile(r"(?i)^(a|an|one|\d{1,3})\s+members?\s+of\s+the\s+public\b\s*(.*)$")


async def public(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/public 1` or `/public No members of the public were present`: the attendance block's line."""
    meeting = await current_meeting(uow, turn)
    text = clean_name(args)
    if not text:
        raise UsageError("Give how many members of the public are present, or the words for the minutes.")
    if len(text) > MAX_NOTE:
        raise UsageError(f"That is more than {MAX_NOTE} characters.")
    return await _set_public(uow, turn, meeting, text)


async def _set_public(uow: UnitOfWork, turn: Turn, meeting: Meeting, text: str) -> Reply:
    await log_change(uow, turn, ChangeSubject.MEETING, meeting.id, MeetingFact.PUBLIC, meeting=meeting,
                     before=meeting.public_attendance, after=text,
                     state=values_before_change(meeting, ("public_attendance",)))
    meeting.public_attendance = text
    return Reply(f"Members of the public: {text}.")


async def arrived(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    arriving = _PUBLIC_ARRIVING.match(clean_name(args))
    if arriving:  # "a member of the public 19:05": counted, not named
        count = 1 if not arriving.group(1).isdigit() else int(arriving.group(1))
        known = meeting.public_attendance or "0"
        return await _set_public(uow, turn, meeting, str(int(known) + count) if known.isdigit() else
                                 f"{known}; {count} more arrived")
    name, moment = _name_and_time(args, turn, meeting)
    row = await _row(uow, meeting, await identify(uow, turn.committee_id, name))
    _set_status(row, AttendanceStatus.PRESENT, turn.caller.name)
    await _change(uow, row, AttendanceChangeKind.ARRIVED, moment, turn)
    return Reply(f"{row.name} arrived at {clock_time(moment, turn.tz)}.")


async def left(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    name, moment = _name_and_time(args, turn, meeting)
    row = await _existing_row(uow, turn, meeting, name)
    if row.status != AttendanceStatus.PRESENT:
        raise ClerkError(f"{row.name} is not recorded as present: /present {row.name} first.")
    await _change(uow, row, AttendanceChangeKind.LEFT, moment, turn)
    during = (await agenda_of(uow, meeting)).under_way_at(moment)
    return Reply(f"{row.name} left at {clock_time(moment, turn.tz)}"
                 + (f", during {during.label}." if during else "."))


async def substitute(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/substitute Name for Member`: the substitute counts toward the quorum in the member's place."""
    names = re.split(r"\s+for\s+", clean_name(args), maxsplit=1, flags=re.IGNORECASE)
    if len(names) != 2 or not all(names):
        raise UsageError("Say who stands in for whom: /substitute Kerry Reid for Tom Sorrell.")
    name, member_name = names
    meeting = await current_meeting(uow, turn)
    member = await identify(uow, turn.committee_id, member_name)
    if member.member is None:
        raise ClerkError(f"{member.name} is not a standing member: only a member has a substitute. /members lists them.")
    stand_in = await identify(uow, turn.committee_id, name)
    if stand_in.key == member.key:
        raise ClerkError("A member cannot substitute for themselves.")
    row = await _row(uow, meeting, stand_in)
    _set_status(row, AttendanceStatus.PRESENT, turn.caller.name)
    row.substitute_for = member.name
    await _change(uow, row, AttendanceChangeKind.SUBSTITUTE, turn.now, turn, detail=f"for {member.name}")
    member_row = await _row(uow, meeting, member)
    _set_status(member_row, AttendanceStatus.APOLOGIES, turn.caller.name)
    member_row.substituted_by = row.name
    await _change(uow, member_row, AttendanceChangeKind.APOLOGIES, turn.now, turn, detail=f"substituted by {row.name}")
    return Reply(f"Present: {row.name} (substitute for {member.name}). Apologies: {member.name} "
                 f"(substituted by {row.name}).")


async def joined_from_teams(uow: UnitOfWork, turn: Turn, args: str) -> None:
    """Teams says people joined the meeting (the people the event names come as the turn's mentions)."""
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    if meeting is None:
        return
    for person in turn.mentions:
        row = await _row(uow, meeting, await _known_or_as_typed(uow, turn, person.name), person.user_id)
        _set_status(row, AttendanceStatus.PRESENT, "Teams")
        await _change(uow, row, AttendanceChangeKind.ARRIVED, turn.now, turn, by="Teams")


async def left_from_teams(uow: UnitOfWork, turn: Turn, args: str) -> None:
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    if meeting is None:
        return
    for person in turn.mentions:
        row = await uow.meetings.attendance_by_user(meeting.id, person.user_id) if person.user_id else None
        row = row or await uow.meetings.attendance_by_key(meeting.id, name_key(person.name))
        if row is not None:
            await _change(uow, row, AttendanceChangeKind.LEFT, turn.now, turn, by="Teams")


async def _known_or_as_typed(uow: UnitOfWork, turn: Turn, name: str) -> Known:
    """A Teams event cannot be asked which Jones it meant: an ambiguous name is kept as Teams gave it."""
    try:
        return await identify(uow, turn.committee_id, name)
    except ClerkError:
        return Known(clean_name(name), None)


# The attendance the minutes and /attendance give -----------------------------------------------


async def show(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    committee = await uow.committees.get_committee(turn.committee_id)
    people = await people_of(uow, committee, meeting, turn.tz)
    lines = [f"Attendance for '{meeting.title}'"]
    for label, listed in people.sections:
        lines.append(f"{label} ({len(listed)}):")
        lines += [f"- {name}" + (f" – {detail}" if detail else "") for name, detail in listed] or ["- none"]
    if people.quorum:
        state = "NOT quorate" if await is_inquorate_now(uow, meeting) else "quorate"
        lines.append(f"Quorum {people.quorum}: {people.members_present} members present so far; {state} now.")
    return Reply("\n".join(lines))


async def history(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """Every attendance change, corrections included, with who recorded it and when."""
    meeting = await current_meeting(uow, turn)
    names = {row.id: row.name for row in await uow.meetings.attendance(meeting.id)}
    changes = await uow.changes.of_meeting(meeting.id, ChangeSubject.ATTENDANCE)
    lines = [f"Attendance history of '{meeting.title}':"]
    moves = (AttendanceChangeKind.ARRIVED, AttendanceChangeKind.LEFT)
    lines += [f"- {clock_time(c.at, turn.tz)} {c.by}: {names[c.subject_id]} {c.kind}"
              + (f" {clock_time(c.when, turn.tz)}" if c.kind in moves else "")
              + (f" ({c.after})" if c.after else "") + undone_note(c)
              for c in changes] or ["- nothing recorded yet"]
    return Reply("\n".join(lines))


def _names(rows: list[Attendance]) -> str:
    """'Tom Sorrell, Anne Moss, Clerk to the Council, Jo Bloggs (guest)': someone who is not a member
    is shown with the role typed for them, and is a guest only without one."""
    return ", ".join(r.name + ("" if r.member_id is not None else f", {r.role}" if r.role else " (guest)")
                     for r in rows)
