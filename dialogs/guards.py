"""Which meeting a use case acts on: the open one, or, for the record, the last one once it ended."""

from __future__ import annotations

from dialogs.context import Turn
from dialogs.dates import format_date
from dialogs.errors import ClerkError
from storage.models import Meeting
from storage.unit_of_work import UnitOfWork

NO_MEETING = "No meeting is open. /start opens one."


async def meeting_for_the_record(uow: UnitOfWork, turn: Turn, names_item: bool) -> Meeting:
    """The open meeting; once it has ended, the last meeting, whose minutes stay open for
    corrections (an item must then be named) and, once approved, for the chair's amendments."""
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    if meeting is not None:
        return meeting
    latest = await uow.meetings.latest_meeting(turn.committee_id)
    if latest is None:
        raise ClerkError(NO_MEETING)
    if not names_item:
        raise ClerkError(f"No meeting is open. To add to the minutes of {format_date(latest.meeting_date)}, "
                         "name the item, e.g. /note item 3 <text>.")
    return latest


def in_the_minutes_of(meeting: Meeting) -> str:
    """What a reply adds when it changed a meeting that has ended."""
    return "" if meeting.ended_at is None else f" in the minutes of {format_date(meeting.meeting_date)}"


async def current_meeting(uow: UnitOfWork, turn: Turn) -> Meeting:
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    if meeting is None:
        raise ClerkError(NO_MEETING)
    return meeting
