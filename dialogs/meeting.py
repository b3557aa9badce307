"""Opening and closing a meeting record, who chairs it and keeps its record, where and when."""

from __future__ import annotations

import re

from dialogs.agenda import agenda_of
from dialogs.carry_forward import carry_forward
from dialogs.committee import committee_label
from dialogs.context import Person, Reply, Turn
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import current_meeting, meeting_for_the_record
from dialogs.minutes import MinutesView, build_minutes, confidential_minutes_for, confidential_recipients, has_exempt_items, minutes_update
from dialogs.minutes_model import HELD
from dialogs.transcript import start_waiting
from dialogs.parsing import MAX_NAME, MAX_TITLE, clean_name, clock_time, format_minute, parse_time
from dialogs.identity import name_key
from dialogs.changes import log_change
from storage.models import ItemEntry, Meeting, values_before_change
from storage.vocabulary import ChangeSubject, EntryKind, MeetingFact
from storage.unit_of_work import UnitOfWork

async def open_meeting(
    uow: UnitOfWork, turn: Turn, title: str | None, teams_meeting_id: str | None, chair: Person | None
) -> tuple[Meeting, bool, list[str]]:
    """The open meeting if there is one, else a new one whose agenda starts with what the last
    meeting left. Returns (meeting, created, titles of the items carried forward)."""
    committee = await uow.committees.get_committee(turn.committee_id, for_update=True)
    existing = await uow.meetings.open_meeting(turn.committee_id, fresh=True)
    if existing is not None:
        if teams_meeting_id and not existing.teams_meeting_id:
            existing.teams_meeting_id = teams_meeting_id
        return existing, False, []
    local_now = turn.local_now
    default_title = f"{committee.name or 'Committee'} meeting, {local_now:%d %B %Y}"
    teams = await turn.meeting_details() if teams_meeting_id else None
    meeting = Meeting(
        committee_id=turn.committee_id,
        conversation_id=turn.conversation_id,
        teams_meeting_id=teams_meeting_id,
        title=title or (teams.title if teams else None) or default_title,
        meeting_date=local_now.date(),
        started_at=turn.now,
        chair_name=chair.name if chair else None,
        chair_user_id=chair.user_id if chair else None,
        started_by_user_id=turn.caller.user_id if chair else None,
    )
    if teams is not None:
        meeting.scheduled_start, meeting.scheduled_end = teams.scheduled_start, teams.scheduled_end
        meeting.graph_resource_id, meeting.organizer_aad_id = teams.graph_resource_id, teams.organizer_aad_id
        if teams.scheduled_end and teams.scheduled_end.astimezone(turn.tz).date() == local_now.date():
            local_end = teams.scheduled_end.astimezone(turn.tz)
            meeting.planned_end_minute = local_end.hour * 60 + local_end.minute
    await uow.add(meeting)
    return meeting, True, await carry_forward(uow, turn, meeting)


def scheduled_line(meeting: Meeting, turn: Turn) -> str:
    """' Scheduled in Teams for 19:00–20:30.', when Teams gave the meeting's schedule."""
    if not meeting.scheduled_start or not meeting.scheduled_end:
        return ""
    return f" Scheduled in Teams for {clock_time(meeting.scheduled_start, turn.tz)}–" \
           f"{clock_time(meeting.scheduled_end, turn.tz)}."


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
        f"{meeting.chair_name}.{scheduled_line(meeting, turn)}{_carried_line(carried)} /agenda add [HH:MM] Title "
        "builds the agenda."
    )


async def start_from_teams(uow: UnitOfWork, turn: Turn, title: str) -> Reply | None:
    """The Teams meeting-start event, with the meeting's title. Says nothing when the meeting record
    is already open."""
    meeting, created, carried = await open_meeting(uow, turn, title or None, turn.teams_meeting_id, chair=None)
    if not created:
        return None
    committee = await uow.committees.get_committee(turn.committee_id)
    return Reply(
        f"{committee_label(committee)}: meeting record opened for '{meeting.title}' at "
        f"{clock_time(turn.now, turn.tz)}.{scheduled_line(meeting, turn)} The organizer, or whoever /chair names, "
        f"chairs it.{_carried_line(carried)}"
    )


async def end(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await close(uow, turn, await current_meeting(uow, turn))


async def end_from_teams(uow: UnitOfWork, turn: Turn, args: str) -> Reply | None:
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    if meeting is None:
        return None
    return await close(uow, turn, meeting)


async def close(uow: UnitOfWork, turn: Turn, meeting: Meeting) -> Reply:
    (await agenda_of(uow, meeting)).end_current(turn.now)
    meeting.ended_at = turn.now
    if await uow.transcripts.job(meeting.id) is None:
        start_waiting(uow, meeting, turn.now)
    minutes = await build_minutes(uow, meeting, turn.tz)
    privately = []
    if await has_exempt_items(uow, meeting):
        privately = confidential_minutes_for(meeting, confidential_recipients(meeting))
    return Reply(f"Meeting closed at {clock_time(turn.now, turn.tz)}: '{meeting.title}'.", view=MinutesView(minutes),
                 privately=privately)


# The meeting's own facts, as /undo puts them back.
MEETING_FACTS = ("chair_name", "chair_user_id", "secretary_name", "secretary_user_id", "venue",
                 "minutes_start_minute", "minutes_end_minute", "public_attendance")


async def _changed(uow: UnitOfWork, turn: Turn, meeting: Meeting, what: MeetingFact, previous: str | None,
                   value: str | None) -> None:
    """Keeps a change to the meeting's own facts in the change log (/history meeting, /undo)."""
    await log_change(uow, turn, ChangeSubject.MEETING, meeting.id, what, meeting=meeting, before=previous, after=value,
                     state=values_before_change(meeting, MEETING_FACTS))


async def _one_account_named(turn: Turn, name: str, command: str) -> Person:
    """Authority follows the Teams account: a typed name binds only when exactly one person of the
    conversation bears it; otherwise the person is named with an @mention."""
    roster = await turn.roster()
    found = [person for person in roster or () if person.user_id and name_key(person.name) == name_key(name)]
    if len(found) == 1:
        return found[0]
    why = ("Teams did not tell me who is in this chat" if roster is None
           else f"{'nobody' if not found else f'{len(found)} people'} in this chat {'is' if not found else 'are'} "
                f"called {name}")
    raise ClerkError(f"I can't tell which Teams account is {name} ({why}). Name them with an @mention: "
                     f"/{command} @{name}.")


async def _person_named(turn: Turn, args: str, command: str) -> Person:
    """The @mentioned person, or the one Teams account in the chat with the typed name."""
    if turn.mentions:
        return turn.mentions[0]
    name = clean_name(args)
    if not name:
        raise UsageError(f"Name them: /{command} @Name or /{command} Name.")
    if len(name) > MAX_NAME:
        raise UsageError(f"A name is at most {MAX_NAME} characters.")
    return await _one_account_named(turn, name, command)


async def set_chair(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """Names the chair. Whoever opened the meeting and hands the chair to someone else becomes its
    secretary, unless a secretary is named already."""
    meeting = await current_meeting(uow, turn)
    chosen = await _person_named(turn, args, "chair")
    previous = meeting.chair_name
    await _changed(uow, turn, meeting, MeetingFact.CHAIR, previous, chosen.name)
    meeting.chair_name = chosen.name
    meeting.chair_user_id = chosen.user_id
    reply = f"{chosen.name} is now the chair of this meeting."
    current = (await agenda_of(uow, meeting)).current
    if current is not None and previous and name_key(previous) != name_key(chosen.name):
        # minuted at the item: the minutes' "Chair:" line names who chaired when the meeting began
        await uow.add(ItemEntry(item_id=current.item.id, kind=EntryKind.CHAIR, text=f"{chosen.name} took the chair.",
                                person=previous, author="Clerk", created_at=turn.now))
        reply += f" The minutes say so at {current.label}."
    opener = turn.caller.user_id
    if (meeting.secretary_user_id is None and opener and opener == meeting.started_by_user_id
            and chosen.user_id != opener):
        await _changed(uow, turn, meeting, MeetingFact.SECRETARY, None, turn.caller.name)
        meeting.secretary_name, meeting.secretary_user_id = turn.caller.name, opener
        reply += (f" You ({turn.caller.name}) opened the meeting, so you are its secretary: /secretary none "
                  "if you are not.")
    return Reply(reply)


async def set_secretary(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    chosen = await _person_named(turn, args, "secretary")
    if chosen.user_id and chosen.user_id == meeting.chair_user_id:
        raise ClerkError(f"{chosen.name} is the chair; the secretary is someone else.")
    await _changed(uow, turn, meeting, MeetingFact.SECRETARY, meeting.secretary_name, chosen.name)
    meeting.secretary_name, meeting.secretary_user_id = chosen.name, chosen.user_id
    return Reply(f"{chosen.name} is now the secretary of this meeting: they may do what the chair may, except "
                 "approve the minutes, name the chair and give the casting vote.")


async def no_secretary(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    if meeting.secretary_name is None:
        return Reply("This meeting has no secretary.")
    await _changed(uow, turn, meeting, MeetingFact.SECRETARY, meeting.secretary_name, None)
    former, meeting.secretary_name, meeting.secretary_user_id = meeting.secretary_name, None, None
    return Reply(f"{former} is no longer the secretary of this meeting.")


# Where and when, as the minutes give them -------------------------------------------------------

_TIMES = re.compile(r"^(\d{1,2}[:.]\d{2})\s*[-\u2013\u2014]\s*(\d{1,2}[:.]\d{2})$")


async def set_venue(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """Where the meeting was held, for the minutes: replaces "Meeting held virtually via Microsoft Teams"."""
    meeting = await meeting_for_the_record(uow, turn, names_item=True)
    venue = clean_name(args)
    if not venue:
        raise UsageError("Say where the meeting is held, e.g. /venue Hybrid: Room 2, Police HQ, and Microsoft Teams.")
    if len(venue) > MAX_TITLE:
        raise UsageError(f"A venue is at most {MAX_TITLE} characters.")
    previous, meeting.venue = meeting.venue or HELD, venue
    await _changed(uow, turn, meeting, MeetingFact.VENUE, previous, venue)
    return Reply(f"The minutes now say: {venue} (was: {previous}).", view=await minutes_update(uow, meeting, turn.tz))


async def set_times(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/times 10:00-13:00`: the start and close the minutes give, instead of when /start and /end
    were typed."""
    meeting = await meeting_for_the_record(uow, turn, names_item=True)
    found = _TIMES.match(" ".join(args.split()))
    if not found:
        raise UsageError("Give the start and close, e.g. /times 10:00-13:00.")
    start, close = parse_time(found.group(1)), parse_time(found.group(2))
    if close <= start:
        raise UsageError(f"The close ({format_minute(close)}) must come after the start ({format_minute(start)}).")
    before = (await build_minutes(uow, meeting, turn.tz)).heading_time
    meeting.minutes_start_minute, meeting.minutes_end_minute = start, close
    await _changed(uow, turn, meeting, MeetingFact.TIMES, before, f"{format_minute(start)} – {format_minute(close)}")
    return Reply(f"The minutes now give {format_minute(start)} – {format_minute(close)} (was {before}).",
                 view=await minutes_update(uow, meeting, turn.tz))
