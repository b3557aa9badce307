"""The check most use cases share: the meeting they act on is open."""

from __future__ import annotations

from dialogs.context import Turn
from dialogs.errors import ClerkError
from storage.models import Meeting
from storage.unit_of_work import UnitOfWork

NO_MEETING = "No meeting is open. /start opens one."


async def current_meeting(uow: UnitOfWork, turn: Turn) -> Meeting:
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    if meeting is None:
        raise ClerkError(NO_MEETING)
    return meeting
