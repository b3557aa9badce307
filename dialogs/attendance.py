"""Who was present, who sent apologies, and who is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dialogs.context import Person, Reply, Turn
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import current_meeting
from dialogs.parsing import MAX_NAME, clean_name, clock_time, name_key, parse_people
from storage.models import Attendance, Meeting
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import AttendanceStatus



async def _record(
    uow: UnitOfWork,
    meeting: Meeting,
    committee_id: int,
    name: str,
    role: str | None,
    status: str,
    recorded_by: str,
    teams_user_id: str | None = None,
    joined_at: datetime | None = None,
) -> Attendance:
    key = name_key(name)
    row = None
    if teams_user_id:
        row = await uow.meetings.attendance_by_user(meeting.id, teams_user_id)
    if row is None:
        row = await uow.meetings.attendance_by_key(meeting.id, key)
    member = await uow.committees.member_by_key(committee_id, key)
    if row is None:
        row = Attendance(
            meeting_id=meeting.id,
            name=member.name if member else name,
            name_key=key,
            member_id=member.id if member else None,
            status=status,
        )
        await uow.add(row)
    row.role = role or row.role or (member.role if member else None)
    row.status = status
    row.recorded_by = recorded_by
    if teams_user_id:
        row.teams_user_id = teams_user_id
    if status == AttendanceStatus.PRESENT:
        row.joined_at = row.joined_at or joined_at
        row.left_at = None
    return row


async def present(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    people = parse_people(args)
    meeting = await current_meeting(uow, turn)
    rows = [
        await _record(uow, meeting, turn.committee_id, name, role, AttendanceStatus.PRESENT, turn.caller.name, joined_at=turn.now)
        for name, role in people
    ]
    return Reply(f"Present: {_names_with_guests(rows)}.")


async def apologies(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    names = [clean_name(n) for n in args.split(";") if clean_name(n)]
    if not names:
        raise UsageError("Give at least one name.")
    if any(len(n) > MAX_NAME for n in names):
        raise UsageError(f"A name is at most {MAX_NAME} characters.")
    meeting = await current_meeting(uow, turn)
    rows = [
        await _record(uow, meeting, turn.committee_id, name, None, AttendanceStatus.APOLOGIES, turn.caller.name)
        for name in names
    ]
    return Reply(f"Apologies: {_names_with_guests(rows)}.")


async def absent(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    name = clean_name(args)
    if not name:
        raise UsageError("Name the person to mark absent.")
    meeting = await current_meeting(uow, turn)
    row = await uow.meetings.attendance_by_key(meeting.id, name_key(name))
    if row is None:
        raise ClerkError(f"{name} is not in this meeting's attendance. /attendance shows it.")
    row.status = AttendanceStatus.ABSENT
    row.recorded_by = turn.caller.name
    return Reply(f"{row.name} is now recorded as absent (neither present nor apologised).")


async def joined_from_teams(uow: UnitOfWork, turn: Turn, people: list[Person]) -> None:
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    if meeting is None:
        return
    for person in people:
        await _record(
            uow, meeting, turn.committee_id, person.name, None, AttendanceStatus.PRESENT, "Teams",
            teams_user_id=person.user_id, joined_at=turn.now,
        )


async def left_from_teams(uow: UnitOfWork, turn: Turn, people: list[Person]) -> None:
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    if meeting is None:
        return
    for person in people:
        row = None
        if person.user_id:
            row = await uow.meetings.attendance_by_user(meeting.id, person.user_id)
        row = row or await uow.meetings.attendance_by_key(meeting.id, name_key(person.name))
        if row is not None:
            row.left_at = turn.now


@dataclass(frozen=True)
class AttendanceView:
    present: list[tuple[str, str | None, bool, str | None]]  # name, role, guest, left at (HH:MM)
    apologies: list[str]
    missing: list[str]
    quorum: int | None
    members_present: int


async def attendance_view(uow: UnitOfWork, committee_id: int, meeting: Meeting, tz: ZoneInfo) -> AttendanceView:
    rows = await uow.meetings.attendance(meeting.id)
    members = await uow.committees.members(committee_id)
    committee = await uow.committees.get_committee(committee_id)
    present_rows = [r for r in rows if r.status == AttendanceStatus.PRESENT]
    accounted = {r.name_key for r in rows if r.status in (AttendanceStatus.PRESENT, AttendanceStatus.APOLOGIES)}
    return AttendanceView(
        present=[(r.name, r.role, r.member_id is None, clock_time(r.left_at, tz) if r.left_at else None)
                 for r in present_rows],
        apologies=[r.name for r in rows if r.status == AttendanceStatus.APOLOGIES],
        missing=[m.name for m in members if m.name_key not in accounted],
        quorum=committee.quorum,
        members_present=sum(1 for r in present_rows if r.member_id is not None),
    )


async def show(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    view = await attendance_view(uow, turn.committee_id, meeting, turn.tz)
    lines = [f"Attendance for '{meeting.title}'"]
    lines.append(f"Present ({len(view.present)}):")
    lines += [
        f"- {name}" + (f", {role}" if role else "") + (" (guest)" if guest else "")
        + (f" (left {left})" if left else "")
        for name, role, guest, left in view.present
    ] or ["- nobody yet"]
    lines.append(f"Apologies ({len(view.apologies)}): " + (", ".join(view.apologies) or "none"))
    lines.append("Members neither present nor apologised: " + (", ".join(view.missing) or "none"))
    if view.quorum:
        met = "quorate" if view.members_present >= view.quorum else "NOT quorate"
        lines.append(f"Quorum {view.quorum}: {view.members_present} members present, {met}.")
    return Reply("\n".join(lines))


def _names_with_guests(rows: list[Attendance]) -> str:
    return ", ".join(r.name + (" (guest)" if r.member_id is None else "") for r in rows)
