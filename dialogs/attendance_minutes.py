"""Who was at a meeting, as the minutes give it: present (the chair first), in attendance,
apologies with their reasons, absent members, members of the public, part attendance, and the
quorum. Read from the attendance rows and the change log; nothing here records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dialogs.agenda import agenda_of
from dialogs.identity import name_key
from dialogs.house_style import HouseStyle, style_of
from dialogs.agenda_model import Agenda
from storage.models import Attendance, Change, Committee, Meeting
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import AttendanceChangeKind, AttendanceStatus, ChangeSubject, EntryKind

# A Teams join this long after the meeting opened is a late arrival the minutes give ("from 10:45").
LATE_AFTER = timedelta(minutes=5)


def with_reason(row: Attendance) -> str:
    """'J Patel (unable to join: IT problems)': an apology as the minutes give it."""
    return row.name + (f" ({row.note})" if row.note else "")


@dataclass(frozen=True)
class PersonLine:
    name: str
    detail: str | None  # "Chair", a role, "substitute for X", and part attendance, as the minutes give it


@dataclass(frozen=True)
class People:
    chair: str | None
    present: list[PersonLine]  # members and substitutes, the chair first (everyone, if the committee lists no members)
    in_attendance: list[PersonLine]
    apologies: list[PersonLine]
    absent: list[PersonLine]
    members_present: int  # members and substitutes present at any time
    quorum: int | None
    public: str | None = None  # members of the public: a count or the words typed (/public)

    @property
    def sections(self) -> list[tuple[str, list[tuple[str, str | None]]]]:
        sections = [("Present", self.present), ("In attendance", self.in_attendance), ("Apologies", self.apologies),
                    ("Absent", self.absent)]
        shown = [(label, [(p.name, p.detail) for p in people]) for label, people in sections
                 if people or label in ("Present", "Apologies")]
        return shown + ([("Members of the public", [(self.public, None)])] if self.public else [])

    @property
    def quorum_line(self) -> str | None:
        if not self.quorum:
            return None
        state = "quorate" if self.members_present >= self.quorum else "not quorate"
        return f"The meeting was {state} ({self.members_present} members present; quorum {self.quorum})."


def counts_for_quorum(row: Attendance) -> bool:
    """A standing member counts toward the quorum, and so does a substitute, in the member's place."""
    return row.member_id is not None or bool(row.substitute_for)


def opening_chair(meeting: Meeting, chair_changes: list) -> str | None:
    """Who chaired when the meeting began: the chair before the first change during an item."""
    return chair_changes[0].person if chair_changes else meeting.chair_name


def part_attendance(changes: list[Change], start: datetime, agenda: Agenda, tz: ZoneInfo,
                    style: HouseStyle) -> list[str]:
    """'from 10:45', 'left 11:00, during item 4', 'returned 11:20': what a person's moves say."""
    notes, there, ever_there = [], False, False
    for change in changes:
        when = style.clock_time(change.when, tz)
        if change.kind in (AttendanceChangeKind.PRESENT, AttendanceChangeKind.SUBSTITUTE):
            there = ever_there = True
        elif change.kind == AttendanceChangeKind.ARRIVED and not there:
            if ever_there:
                notes.append(f"returned {when}")
            elif change.when > start + LATE_AFTER:
                notes.append(f"from {when}")
            there = ever_there = True
        elif change.kind == AttendanceChangeKind.LEFT and there:
            during = agenda.under_way_at(change.when)
            notes.append(f"left {when}" + (f", during item {during.number}" if during and during.number else ""))
            there = False
    return notes


def _detail(*parts: str | None) -> str | None:
    return ", ".join(part for part in parts if part) or None


async def people_of(uow: UnitOfWork, committee: Committee, meeting: Meeting, tz: ZoneInfo,
                    agenda: Agenda | None = None) -> People:
    agenda = agenda or await agenda_of(uow, meeting)
    rows = await uow.meetings.attendance(meeting.id)
    members = await uow.committees.members(committee.id)
    changes: dict[int, list[Change]] = {}
    for change in await uow.changes.of_meeting(meeting.id, ChangeSubject.ATTENDANCE, standing=True):
        changes.setdefault(change.subject_id, []).append(change)
    entries = await uow.entries.entries([e.item.id for e in agenda.entries])
    chair = opening_chair(meeting, sorted((e for e in entries if e.kind == EntryKind.CHAIR), key=lambda e: e.id))
    chair_key = name_key(chair) if chair else None
    style = style_of(committee)
    standing_roles = {member.id: member.role for member in members}

    def role_of(row: Attendance) -> str | None:
        """The chair is shown by the house style's title, unless a role was typed for them at this meeting."""
        if row.name_key != chair_key:
            return row.role
        typed = row.role if row.role and row.role != standing_roles.get(row.member_id) else None
        return typed or style.chair_title

    def line(row: Attendance) -> PersonLine:
        notes = "; ".join(part_attendance(changes.get(row.id, []), meeting.started_at, agenda, tz, style))
        described = _detail(role_of(row),
                            f"substitute for {row.substitute_for}" if row.substitute_for else None)
        return PersonLine(row.name, " ".join(part for part in (described, notes and f"({notes})") if part) or None)

    present = [r for r in rows if r.status == AttendanceStatus.PRESENT]
    counts = [r for r in present if counts_for_quorum(r)]
    standing = counts if members else present
    others = [r for r in present if r not in standing and r.name_key != chair_key]
    standing = sorted([r for r in present if r in standing or r.name_key == chair_key],
                      key=lambda r: r.name_key != chair_key)
    present_lines = [line(r) for r in standing]
    if chair and not any(r.name_key == chair_key for r in present):
        present_lines.insert(0, PersonLine(chair, style.chair_title))
    accounted = {r.name_key for r in rows if r.status in (AttendanceStatus.PRESENT, AttendanceStatus.APOLOGIES)}
    return People(
        chair=chair,
        present=present_lines,
        in_attendance=[line(r) for r in others],
        apologies=[PersonLine(with_reason(r), _detail(r.role, f"substituted by {r.substituted_by}"
                                                       if r.substituted_by else None))
                   for r in rows if r.status == AttendanceStatus.APOLOGIES],
        absent=[PersonLine(m.name, m.role) for m in members if m.name_key not in accounted and m.name_key != chair_key],
        public=meeting.public_attendance,
        members_present=len(counts),
        quorum=committee.quorum,
    )


async def is_inquorate_now(uow: UnitOfWork, meeting: Meeting) -> bool:
    """The meeting is under way, a quorum is set, and fewer members (and substitutes) are in it now:
    what is decided now is marked "(taken while inquorate)"."""
    committee = await uow.committees.get_committee(meeting.committee_id)
    if not committee.quorum or meeting.ended_at is not None:
        return False
    rows = await uow.meetings.attendance(meeting.id)
    moves: dict[int, str] = {}
    for change in await uow.changes.of_meeting(meeting.id, ChangeSubject.ATTENDANCE, standing=True):
        if change.kind in (AttendanceChangeKind.ARRIVED, AttendanceChangeKind.LEFT):
            moves[change.subject_id] = change.kind
    here = [r for r in rows if r.status == AttendanceStatus.PRESENT and counts_for_quorum(r)
            and moves.get(r.id) != AttendanceChangeKind.LEFT]
    return len(here) < committee.quorum


INQUORATE_WARNING = " Warning: the meeting is not quorate, so this is marked as taken while inquorate."


