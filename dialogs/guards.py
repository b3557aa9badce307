"""Checks shared by the use cases: an open meeting, and who chairs it."""

from __future__ import annotations

from dialogs.context import Turn
from dialogs.errors import ClerkError, NotAllowed
from dialogs.parsing import name_key
from storage.models import Meeting

NO_MEETING = "No meeting is open. /start opens one."


async def current_meeting(uow, turn: Turn) -> Meeting:
    meeting = await uow.repo.open_meeting(turn.committee_id)
    if meeting is None:
        raise ClerkError(NO_MEETING)
    return meeting


def is_chair(meeting: Meeting, turn: Turn) -> bool:
    if turn.caller_is_meeting_organizer:
        return True
    if meeting.chair_user_id and turn.caller.user_id:
        return meeting.chair_user_id == turn.caller.user_id
    return bool(meeting.chair_name) and name_key(meeting.chair_name) == name_key(turn.caller.name)


def require_chair(meeting: Meeting, turn: Turn, doing: str) -> None:
    if is_chair(meeting, turn):
        return
    if meeting.chair_name:
        raise NotAllowed(f"Only the chair ({meeting.chair_name}) can {doing}.")
    raise NotAllowed(f"Only the chair can {doing}, and no chair is set yet: /chair Name names one.")
