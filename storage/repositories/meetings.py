"""Meetings, their attendance and their posted minutes cards."""

from __future__ import annotations

from sqlalchemy import (
    bindparam,
    inspect,
    select,
)

from storage.models import (
    Attendance,
    Meeting,
    MinutesPost,
)
from storage.repositories.base import Repository
from storage.statements import get, load


def _open_first(query):
    """`query` of a committee's meetings narrowed to its open one: not ended, the latest."""
    return (query.where(Meeting.committee_id == bindparam("committee"), Meeting.ended_at.is_(None))
            .order_by(Meeting.id.desc()).limit(1))


# Built once: building a statement anew costs about as much as running it.
_OPEN_MEETING = _open_first(select(Meeting))
# For a statement that also reads whether a meeting is open (storage.repositories.activities).
OPEN_MEETING_ID = _open_first(select(Meeting.id)).scalar_subquery()
_ATTENDANCE = select(Attendance).where(Attendance.meeting_id == bindparam("meeting")).order_by(Attendance.id)
_ATTENDANCE_BY_KEY = select(Attendance).where(Attendance.meeting_id == bindparam("meeting"),
                                              Attendance.name_key == bindparam("key"))


def _still_open(meeting: Meeting) -> bool:
    """Whether a meeting read earlier in the unit of work is open still (_OPEN_MEETING's condition),
    told without a read: not if it has been deleted, ended, or expired (its state then is the
    database's to say)."""
    state = inspect(meeting)
    return not (state.expired_attributes or state.deleted or state.was_deleted) and meeting.ended_at is None


class MeetingRepository(Repository):
    """Meetings with their agenda, attendance and the minutes cards posted for them."""

    def __init__(self, session):
        super().__init__(session)
        self._open: dict[int, Meeting | None] = {}
        self._none_open: set[int] = set()

    def found_none_open(self, committee_id: int) -> None:
        """The unit of work's claim of its activity (storage.repositories.activities), which also
        reads whether a meeting is open, found none: the next asking, and only the next, takes
        that instead of reading again."""
        self._none_open.add(committee_id)

    async def open_meeting(self, committee_id: int, fresh: bool = False) -> Meeting | None:
        """The committee's open meeting, read once a unit of work: the authority check and the use
        case both ask for it. The meeting found is the answer while it stays open and loaded; one
        ended since, or none found, is asked of the database again. `fresh`: read now, whatever
        was found before (after the committee's row is locked, so that two turns cannot both
        find none and both open one)."""
        held = self._open.get(committee_id)
        if fresh:
            self._none_open.discard(committee_id)
        elif held is not None and _still_open(held):
            return held
        elif committee_id in self._none_open:
            self._none_open.discard(committee_id)
            return None
        rows = await load(self.session, Meeting, _OPEN_MEETING, {"committee": committee_id})
        meeting = rows[0][0] if rows else None
        self._open[committee_id] = meeting
        return meeting

    async def meetings_of(self, committee_id: int) -> list[Meeting]:
        """A committee's meetings, the latest first."""
        result = await self.session.execute(
            select(Meeting).where(Meeting.committee_id == committee_id).order_by(Meeting.id.desc()))
        return list(result.scalars())

    async def latest_meeting(self, committee_id: int) -> Meeting | None:
        result = await self.session.execute(
            select(Meeting)
            .where(Meeting.committee_id == committee_id)
            .order_by(Meeting.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def attendance_row(self, row_id: int) -> Attendance:
        return await get(self.session, Attendance, row_id)

    async def get_meeting(self, meeting_id: int) -> Meeting | None:
        return await get(self.session, Meeting, meeting_id)

    async def meeting_on(self, committee_id: int, day) -> Meeting | None:
        result = await self.session.execute(
            select(Meeting)
            .where(Meeting.committee_id == committee_id, Meeting.meeting_date == day)
            .order_by(Meeting.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def previous_meeting(self, committee_id: int, before_id: int) -> Meeting | None:
        result = await self.session.execute(
            select(Meeting)
            .where(Meeting.committee_id == committee_id, Meeting.id < before_id)
            .order_by(Meeting.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def meetings_by_id(self, meeting_ids: set[int]) -> dict[int, Meeting]:
        if not meeting_ids:
            return {}
        result = await self.session.execute(select(Meeting).where(Meeting.id.in_(meeting_ids)))
        return {meeting.id: meeting for meeting in result.scalars()}

    async def minutes_posts(self, meeting_id: int) -> list[MinutesPost]:
        result = await self.session.execute(
            select(MinutesPost).where(MinutesPost.meeting_id == meeting_id).order_by(MinutesPost.id)
        )
        return list(result.scalars())

    async def attendance(self, meeting_id: int) -> list[Attendance]:
        return [row for row, in await load(self.session, Attendance, _ATTENDANCE, {"meeting": meeting_id})]

    async def attendance_by_key(self, meeting_id: int, name_key: str) -> Attendance | None:
        rows = await load(self.session, Attendance, _ATTENDANCE_BY_KEY, {"meeting": meeting_id, "key": name_key})
        return rows[0][0] if rows else None

    async def attendance_by_user(self, meeting_id: int, teams_user_id: str) -> Attendance | None:
        result = await self.session.execute(
            select(Attendance)
            .where(Attendance.meeting_id == meeting_id, Attendance.teams_user_id == teams_user_id)
            .limit(1)
        )
        return result.scalar_one_or_none()
