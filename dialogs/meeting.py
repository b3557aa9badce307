"""Opening and closing a meeting record, and who chairs it."""

from __future__ import annotations

from dialogs.agenda import agenda_of
from dialogs.carry_forward import carry_forward
from dialogs.committee import committee_label
from dialogs.context import Person, Reply, Turn
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import current_meeting
from dialogs.minutes import MinutesView, build_minutes
from dialogs.parsing import MAX_TITLE, clean_name, clock_time, name_key
from storage.models import Meeting
from storage.unit_of_work import UnitOfWork

async def open_meeting(
    uow: UnitOfWork, turn: Turn, title: str | None, teams_meeting_id: str | None, chair: Person | None
) -> tuple[Meeting, bool, list[str]]:
    """The open meeting if there is one, else a new one whose agenda starts with what the last
    meeting left. Returns (meeting, created, titles of the items carried forward)."""
    await uow.committees.get_committee(turn.committee_id, for_update=True)
    existing = await uow.meetings.open_meeting(turn.committee_id)
    if existing is not None:
        if teams_meeting_id and not existing.teams_meeting_id:
            existing.teams_meeting_id = teams_meeting_id
        return existing, False, []
    committee = await uow.committees.get_committee(turn.committee_id)
    local_now = turn.local_now
    default_title = f"{committee.name or 'Committee'} meeting, {local_now:%d %B %Y}"
    meeting = Meeting(
        committee_id=turn.committee_id,
        conversation_id=turn.conversation_id,
        teams_meeting_id=teams_meeting_id,
        title=title or default_title,
        meeting_date=local_now.date(),
        started_at=turn.now,
        chair_name=chair.name if chair else None,
        chair_user_id=chair.user_id if chair else None,
    )
    await uow.add(meeting)
    return meeting, True, await carry_forward(uow, turn, meeting)


def _carried_line(carried: list[str]) -> str:
    return f" The agenda starts with: {'; '.join(carried)}." if carried else ""


async def start(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    title = clean_name(args) or None
    if title and len(title) > MAX_TITLE:
        raise UsageError(f"A meeting title is at most {MAX_TITLE} characters.")
    meeting, created, carried = await open_meeting(uow, turn, title, turn.teams_meeting_id, turn.caller)
    if not created:
        return Reply(f"A meeting is already open: '{meeting.title}'. /end closes it.")
    return Reply(
        f"Meeting opened: '{meeting.title}' at {clock_time(turn.now, turn.tz)}, chaired by "
        f"{meeting.chair_name}.{_carried_line(carried)} /agenda add HH:MM Title - Presenter builds the agenda."
    )


async def start_from_teams(uow: UnitOfWork, turn: Turn, title: str | None, teams_meeting_id: str | None) -> Reply | None:
    """The Teams meeting-start event. Says nothing when the meeting record is already open."""
    meeting, created, carried = await open_meeting(uow, turn, title, teams_meeting_id, chair=None)
    if not created:
        return None
    committee = await uow.committees.get_committee(turn.committee_id)
    return Reply(
        f"{committee_label(committee)}: meeting record opened for '{meeting.title}' at "
        f"{clock_time(turn.now, turn.tz)}. The organizer, or whoever /chair names, chairs it.{_carried_line(carried)}"
    )


async def end(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await close(uow, turn, await current_meeting(uow, turn))


async def end_from_teams(uow: UnitOfWork, turn: Turn) -> Reply | None:
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    if meeting is None:
        return None
    return await close(uow, turn, meeting)


async def close(uow: UnitOfWork, turn: Turn, meeting: Meeting) -> Reply:
    (await agenda_of(uow, meeting)).end_current(turn.now)
    meeting.ended_at = turn.now
    minutes = await build_minutes(uow, meeting, turn.tz)
    return Reply(f"Meeting closed at {clock_time(turn.now, turn.tz)}: '{meeting.title}'.", view=MinutesView(minutes))


async def _one_account_named(turn: Turn, name: str) -> Person:
    """Authority follows the Teams account: a typed name binds only when exactly one person of the
    conversation bears it; otherwise the chair is named with an @mention."""
    roster = await turn.roster()
    found = [person for person in roster or () if person.user_id and name_key(person.name) == name_key(name)]
    if len(found) == 1:
        return found[0]
    why = ("Teams did not tell me who is in this chat" if roster is None
           else f"{'nobody' if not found else f'{len(found)} people'} in this chat {'is' if not found else 'are'} "
                f"called {name}")
    raise ClerkError(f"I can't tell which Teams account is {name} ({why}). Name the chair with an @mention: "
                     f"/chair @{name}.")


async def set_chair(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    if turn.mentions:
        chosen = turn.mentions[0]
    else:
        name = clean_name(args)
        if not name:
            raise UsageError("Name the chair: /chair @Name or /chair Name.")
        if len(name) > 200:
            raise UsageError("A name is at most 200 characters.")
        chosen = await _one_account_named(turn, name)
    meeting.chair_name = chosen.name
    meeting.chair_user_id = chosen.user_id
    return Reply(f"{chosen.name} is now the chair of this meeting.")
