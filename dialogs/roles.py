"""Who may use a command: the one rule, applied before any use case runs.

The command table (bot/commands.py) gives each command a Role; use cases never check it again.
The chair is whoever the meeting names, by Teams user id (never by display name, which anyone can
take), or the Teams meeting organizer; asking Teams for the organizer is a web request, so it is
made only when the other tests fail.
"""

from __future__ import annotations

from enum import StrEnum

from dialogs.context import Turn
from dialogs.dates import format_date
from dialogs.errors import NotAllowed
from storage.models import Meeting
from storage.unit_of_work import UnitOfWork


class Role(StrEnum):
    ANYONE = "anyone"
    CHAIR = "chair only"
    CHAIR_ONCE_NAMED = "chair only, once a chair is named"  # anyone may name the first chair


def is_named_chair(meeting: Meeting, turn: Turn) -> bool:
    """By Teams user id only: anyone can take the chair's display name."""
    return bool(meeting.chair_user_id) and meeting.chair_user_id == turn.caller.user_id


async def is_chair(meeting: Meeting, turn: Turn) -> bool:
    return is_named_chair(meeting, turn) or await turn.is_meeting_organizer()


def _is_author(turn: Turn, author_user_id: str | None) -> bool:
    return bool(author_user_id) and author_user_id == turn.caller.user_id


async def require_may_change(turn: Turn, meeting: Meeting, what: str, author: str | None = None,
                             author_user_id: str | None = None) -> None:
    """Who may change what a meeting's record holds: its author or the chair; once the minutes
    are approved, only the chair, as an amendment."""
    if meeting.approved_at is not None:
        if not await is_chair(meeting, turn):
            chair = f" ({meeting.chair_name})" if meeting.chair_name else ""
            raise NotAllowed(f"The minutes of {format_date(meeting.meeting_date)} are approved: only the chair{chair} "
                             f"can amend them.")
        return
    if author is not None and not _is_author(turn, author_user_id) and not await is_chair(meeting, turn):
        chair = f" or the chair ({meeting.chair_name})" if meeting.chair_name else " or the chair"
        raise NotAllowed(f"Only {author}, who recorded {what},{chair} can change it.")


async def authorize(uow: UnitOfWork, turn: Turn, role: Role, doing: str, meeting_id: int | None = None) -> None:
    """Raises NotAllowed unless the caller may act in `role`. The chair is that of the meeting named
    (a card's), else of the open meeting, else of the last one; before any meeting anyone may."""
    if role is Role.ANYONE:
        return
    if meeting_id is not None:
        meeting = await uow.meetings.get_meeting(meeting_id)
    else:
        meeting = (await uow.meetings.open_meeting(turn.committee_id)
                   or await uow.meetings.latest_meeting(turn.committee_id))
    if meeting is None or meeting.committee_id != turn.committee_id:
        return  # nothing is chaired yet, or not here: the use case says what is missing
    no_chair = meeting.chair_user_id is None  # a chair counts once bound to a Teams account
    if role is Role.CHAIR_ONCE_NAMED and no_chair and meeting.ended_at is None:
        return
    if await is_chair(meeting, turn):
        return
    if no_chair:
        raise NotAllowed(f"Only the chair can {doing}, and no chair is set yet: /chair Name names one.")
    raise NotAllowed(f"Only the chair ({meeting.chair_name}) can {doing}.")
