"""Who may use a command: the one rule, applied before any use case runs.

The command table (bot/commands.py) gives each command a Role; use cases never check it again.
The chair is whoever the meeting names, by Teams user id (never by display name, which anyone can
take), or the Teams meeting organizer; asking Teams for the organizer is a web request, so it is
made only when the other tests fail. The secretary, named the same way, may do what the chair may
except approve the minutes, name the chair and give the casting vote.
"""

from __future__ import annotations

from enum import StrEnum

from dialogs.action_text import owners_text
from dialogs.context import Turn
from dialogs.dates import format_date
from dialogs.errors import NotAllowed
from dialogs.identity import is_bound_to, is_same_person
from storage.models import Meeting
from storage.unit_of_work import UnitOfWork


class Role(StrEnum):
    ANYONE = "anyone"
    CHAIR = "chair only"
    CHAIR_OR_SECRETARY = "chair or secretary"
    CHAIR_ONCE_NAMED = "chair only, once a chair is named"  # anyone may name the first chair
    ACTION_OWNER = "the action's owners, the chair or the secretary"  # the command names the action
    ENTRY_AUTHOR = "its author, the chair or the secretary"  # the command names the entry, #N


def is_named_chair(meeting: Meeting, turn: Turn) -> bool:
    """By Teams user id only: anyone can take the chair's display name."""
    return bool(meeting.chair_user_id) and meeting.chair_user_id == turn.caller.user_id


async def is_chair(meeting: Meeting, turn: Turn) -> bool:
    """The named chair, or the organizer of the committee's own Teams meeting: the chat's meeting id
    must be the one the meeting record keeps, so a forged channelData.meeting names nothing."""
    if is_named_chair(meeting, turn):
        return True
    own_meeting = bool(meeting.teams_meeting_id) and meeting.teams_meeting_id == turn.teams_meeting_id
    return own_meeting and await turn.is_meeting_organizer()


def is_secretary(meeting: Meeting, turn: Turn) -> bool:
    return bool(meeting.secretary_user_id) and meeting.secretary_user_id == turn.caller.user_id


async def is_chair_or_secretary(meeting: Meeting, turn: Turn) -> bool:
    return is_secretary(meeting, turn) or await is_chair(meeting, turn)


def _chair_or_secretary_named(meeting: Meeting) -> str:
    """'the chair (Marion Oswald) or the secretary (Sam Todd)', as a refusal names them."""
    chair = f"the chair ({meeting.chair_name})" if meeting.chair_name else "the chair"
    return chair + (f" or the secretary ({meeting.secretary_name})" if meeting.secretary_name else "")


def _is_author(turn: Turn, author_user_id: str | None) -> bool:
    return bool(author_user_id) and author_user_id == turn.caller.user_id


async def require_may_change(turn: Turn, meeting: Meeting, what: str, author: str | None = None,
                             author_user_id: str | None = None) -> None:
    """Who may change what a meeting's record holds: its author, the chair or the secretary; once
    the minutes are approved, only the chair or the secretary, as an amendment."""
    if meeting.approved_at is not None:
        if not await is_chair_or_secretary(meeting, turn):
            raise NotAllowed(f"The minutes of {format_date(meeting.meeting_date)} are approved: only "
                             f"{_chair_or_secretary_named(meeting)} can amend them.")
        return
    if author is not None and not _is_author(turn, author_user_id) and not await is_chair_or_secretary(meeting, turn):
        raise NotAllowed(f"Only {author}, who recorded {what}, or {_chair_or_secretary_named(meeting)} can change it.")


async def _owner_chair_or_secretary(uow: UnitOfWork, turn: Turn, number: int | None) -> None:
    """An action's own changes: its owners (one identity rule; in a personal chat, where a name proves
    nothing, by Teams account only), the chair and the secretary."""
    action = await uow.actions.action_by_number(turn.committee_id, number) if number is not None else None
    if action is None and turn.personal:  # a card naming another committee's action: say nothing of it
        raise NotAllowed("That button is not one of mine any more. /actions lists yours.")
    if action is None:
        return  # the use case says which action there is not
    owners = (await uow.actions.owners([action.id]))[action.id]
    if turn.personal:
        if any(is_bound_to(owner.teams_user_id, turn.caller) for owner in owners):
            return
        raise NotAllowed(f"Only the owners of action {action.number} can change it here; the chair and the secretary "
                         "change it in the committee's chat.")
    if any(is_same_person(owner.name_key, owner.teams_user_id, turn.caller) for owner in owners):
        return
    meeting = await uow.meetings.open_meeting(turn.committee_id) or await uow.meetings.latest_meeting(turn.committee_id)
    if meeting is not None and await is_chair_or_secretary(meeting, turn):
        return
    raise NotAllowed(f"Only the owners of action {action.number} ({owners_text(owners)}), the chair or the "
                     "secretary can change it.")


async def _author_chair_or_secretary(uow: UnitOfWork, turn: Turn, number: int | None) -> None:
    entry = await uow.entries.by_number(turn.committee_id, number) if number is not None else None
    if entry is None:
        return  # the use case says which entry there is not
    item = (await uow.agenda.items_by_id([entry.item_id]))[entry.item_id]
    meeting = await uow.meetings.get_meeting(item.meeting_id)
    await require_may_change(turn, meeting, f"#{entry.number}", entry.author, entry.author_user_id)


async def authorize(uow: UnitOfWork, turn: Turn, role: Role, doing: str, meeting_id: int | None = None,
                    subject: int | None = None) -> None:
    """Raises NotAllowed unless the caller may act in `role`. The chair is that of the meeting named
    (a card's), else of the open meeting, else of the last one; before any meeting anyone may.
    `subject`: the action or entry number the command names, for the roles that follow ownership."""
    if role is Role.ANYONE:
        return
    if role is Role.ACTION_OWNER:
        return await _owner_chair_or_secretary(uow, turn, subject)
    if role is Role.ENTRY_AUTHOR:
        return await _author_chair_or_secretary(uow, turn, subject)
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
    if role is Role.CHAIR_OR_SECRETARY and is_secretary(meeting, turn):
        return
    if await is_chair(meeting, turn):
        return
    who = _chair_or_secretary_named(meeting) if role is Role.CHAIR_OR_SECRETARY else "the chair"
    if no_chair:
        raise NotAllowed(f"Only {who} can {doing}, and no chair is set yet: /chair Name names one.")
    if role is not Role.CHAIR_OR_SECRETARY:
        who = f"the chair ({meeting.chair_name})"
    raise NotAllowed(f"Only {who} can {doing}.")
