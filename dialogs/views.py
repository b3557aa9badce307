"""What a card looks like to the person who asks for it: the minutes (the chair sees Approve) and
the agenda (the chair and the secretary see Next item and Start break), and the presses that only
show them again or act on the minutes a card names."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialogs import agenda, minutes
from dialogs.context import Reply, Turn
from dialogs.errors import ClerkError
from dialogs.guards import current_meeting
from dialogs.roles import is_chair, is_chair_or_secretary
from storage.unit_of_work import UnitOfWork
@dataclass(frozen=True)
class MinutesCardFor:
    """The draft minutes as one person sees them: the chair sees Approve."""

    minutes: minutes.Minutes
    part: int
    may_approve: bool


async def minutes_for(uow: UnitOfWork, turn: Turn, meeting_id: int, part: int) -> Reply:
    meeting = await minutes.minutes_of(uow, turn, meeting_id)
    built = await minutes.build_minutes(uow, meeting, turn.tz)
    return Reply("", view=MinutesCardFor(built, part, await is_chair(meeting, turn)))


async def agenda_for(uow: UnitOfWork, turn: Turn, notice: str | None = None) -> Reply:
    """The agenda as the presser should see it: the chair and the secretary get Next item and Start break."""
    meeting = await current_meeting(uow, turn)
    view = await agenda.agenda_view(uow, turn, meeting)
    return Reply("", view=replace(view, notice=notice, for_keeper=await is_chair_or_secretary(meeting, turn)))


async def agenda_after_press(uow: UnitOfWork, turn: Turn, data: dict, said: Reply) -> Reply:
    """Next item and Start break answer with the agenda as the presser now sees it."""
    return await agenda_for(uow, turn, said.text)


async def agenda_pressed(uow: UnitOfWork, turn: Turn, args: str, data: dict) -> Reply:
    return await agenda_for(uow, turn)


async def minutes_pressed(uow: UnitOfWork, turn: Turn, args: str, data: dict) -> Reply:
    return await minutes_for(uow, turn, card_meeting(data), card_part(data))


async def approve_pressed(uow: UnitOfWork, turn: Turn, args: str, data: dict) -> Reply:
    return await minutes.approve(uow, turn, card_meeting(data))


async def export_pressed(uow: UnitOfWork, turn: Turn, args: str, data: dict) -> Reply:
    return await minutes.export(uow, turn, card_meeting(data))


def card_meeting(data: dict) -> int:
    """The meeting a minutes card names; minutes.minutes_of checks it is this committee's."""
    meeting_id = data.get("meeting")
    if not isinstance(meeting_id, int) or isinstance(meeting_id, bool) or not 0 < meeting_id < 2**31:
        raise ClerkError("That button is not one of mine any more. /minutes posts the minutes again.")
    return meeting_id


def card_part(data: dict) -> int:
    part = data.get("part")
    return part if isinstance(part, int) and not isinstance(part, bool) and 0 < part < 100 else 1
