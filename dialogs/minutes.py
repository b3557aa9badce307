"""The minutes of a meeting: one plain model, built from the record, that every renderer reads.

The structure follows a real committee's published minutes: title block, present and apologies,
the items in order with their notes, questions and answers, decisions and outcome, then the
actions agreed, the update on earlier actions, who is due back, and the close.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dialogs.attendance_minutes import people_of
from dialogs.action_text import due_text, owners_text
from dialogs.public import due_back_reason, progress_text, shown_text
from dialogs.agenda_model import Agenda
from dialogs.carry_forward import UPDATE_ON_ACTIONS
from dialogs.committee import committee_zone, outcome_scale
from dialogs.context import Person, Private, Reply, Turn
from dialogs.dates import format_date, parse_due
from dialogs.errors import ClerkError
from dialogs.committee import outcome_words
from dialogs.house_style import HouseStyle, style_of
from storage.models import Meeting, MinutesPost, Motion
from dialogs.minutes_model import (HELD, INQUORATE, DueBackLine, Minute, Minutes, MinutesAction, MinutesItem,
                                    declaration_line, exempt_line, motion_line, status_line)
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from storage.vocabulary import ActionStatus, DeclarationEffect, EntryChangeKind, EntryKind

async def build_minutes(uow: UnitOfWork, meeting: Meeting, tz: ZoneInfo, confidential: bool = False) -> Minutes:
    """The public minutes: an exempt item shows only its number, title and why it is exempt, and
    an action agreed under it only its owners and due date. `confidential`: everything."""
    committee = await uow.committees.get_committee(meeting.committee_id)
    tz = committee_zone(committee.timezone, tz)
    style = style_of(committee)
    scale = outcome_scale(committee)
    items = await uow.agenda.items(meeting.id)
    opening_item = await uow.agenda.opening_item(meeting.id)
    agenda = Agenda(meeting, items)
    people = await people_of(uow, committee, meeting, tz, agenda)
    every_item = items + ([opening_item] if opening_item else [])
    entries = await uow.entries.entries([i.id for i in every_item])
    by_item: dict[int, list] = {i.id: [] for i in every_item}
    for entry in entries:
        if entry.removed_at is None:
            by_item[entry.item_id].append(entry)
    motions = await uow.entries.motions([e.id for e in entries if e.kind == EntryKind.MOTION])
    declarations = []
    taken: list[datetime | None] = []  # when each item was first taken up
    earlier_this_year = await uow.agenda.items_minuted_earlier_in_year(meeting) if style.numbers == "running" else 0

    minutes_items = []
    for agenda_entry in agenda.entries:
        item = agenda_entry.item
        taken.append(item.actual_start)
        heading = dict(number=agenda_entry.number, title=item.title,
                       time=style.time(agenda_entry.planned_minute) if agenda_entry.planned_minute is not None
                       and style.heading_times else None,
                       label=style.minute_number(agenda_entry.number, meeting.meeting_date.year, earlier_this_year))
        if item.exempt_reason and not confidential:
            record = [Minute(EntryKind.NOTE, exempt_line(item.exempt_reason))]
            record += [Minute(EntryKind.NOTE, item.public_summary)] if item.public_summary else []
            minutes_items.append(MinutesItem(**heading, presenter=None, record=record, outcome=None,
                                             outcome_comment=None))
        else:
            record = _as_spoken(by_item[item.id], motions, style, carried=item.title != UPDATE_ON_ACTIONS)
            if item.exempt_reason:
                record.insert(0, Minute(EntryKind.NOTE, f"Exempt item: {item.exempt_reason}. Not for publication."))
            minutes_items.append(MinutesItem(
                **heading,
                presenter=item.presenter,
                record=record,
                outcome=(outcome_words(item.outcome_letter, scale) + (INQUORATE if item.outcome_inquorate else "")
                         if item.outcome_letter else None),
                outcome_comment=item.outcome_comment,
                status=status_line(item.status, item.status_reason),
            ))
        declarations += [f"{e.person} – item {agenda_entry.number} ({item.title}): {e.text}"
                         + {DeclarationEffect.WITHDREW: "; withdrew for the item",
                            DeclarationEffect.DID_NOT_VOTE: "; did not vote"}.get(e.effect, "")
                         for e in by_item[item.id] if e.kind == EntryKind.DECLARATION]

    minutes_items, order_note = _in_order_taken(minutes_items, taken)
    actions_here = await uow.actions.actions_of_meeting(meeting.id)
    earlier = await _earlier_actions(uow, meeting)
    owners = await uow.actions.owners([a.id for a in actions_here + earlier])
    previous = await uow.meetings.previous_meeting(meeting.committee_id, meeting.id)
    progress = await uow.changes.latest_progress([a.id for a in earlier], previous.started_at if previous else None)

    def action_model(action) -> MinutesAction:
        return MinutesAction(action.number, shown_text(action, confidential), owners_text(owners[action.id]),
                             due_text(action, committee.next_meeting_date), action.status,
                             progress_text(progress.get(action.id), action, confidential))

    exempt = {i.id for i in items if i.exempt_reason and not confidential}
    due_backs = await uow.actions.due_backs_of_meeting(meeting.id)
    local_start = meeting.started_at.astimezone(tz)
    approved = None
    if meeting.approved_by and meeting.approved_at:
        approved = f"Approved by {meeting.approved_by} on {_when(meeting.approved_at, tz, style)}"
    next_meeting = None
    if committee.next_meeting_date:
        next_meeting = format_date(committee.next_meeting_date)
        if committee.next_meeting_minute is not None:
            next_meeting += f" at {style.time(committee.next_meeting_minute)}"
    return Minutes(
        meeting_id=meeting.id,
        committee=committee.name or "Committee",
        title=meeting.title,
        date_text=f"{local_start:%A} {local_start.day} {local_start:%B %Y}",
        start=(style.time(meeting.minutes_start_minute) if meeting.minutes_start_minute is not None
               else style.clock_time(meeting.started_at, tz)),
        end=(style.time(meeting.minutes_end_minute) if meeting.minutes_end_minute is not None
             else style.clock_time(meeting.ended_at, tz) if meeting.ended_at else None),
        held=meeting.venue or HELD,
        people=people.sections,
        chair=people.chair,
        quorum_line=people.quorum_line,
        items=minutes_items,
        actions=[action_model(a) for a in actions_here],
        earlier_actions=[action_model(a) for a in earlier],
        due_back=[DueBackLine(d.presenter, d.title, due_back_reason(d, confidential)) for d in due_backs],
        approved=approved,
        confirmed=meeting.confirmed_on is not None,
        next_meeting=next_meeting,
        declarations=declarations,
        order_note=order_note,
        amendments=[f"Amended {_when(change.at, tz, style)} by {change.by}: #{entry.number} {entry.kind} {change.kind}"
                    + (f": {change.after}" if change.after and change.kind != EntryChangeKind.REMOVED else "")
                    for change, entry in await uow.changes.amendments([i.id for i in every_item
                                                                      if i.id not in exempt])]
                   + _confirmation(meeting),
        confidential=confidential,
        keepers=tuple(i for i in (meeting.chair_user_id, meeting.secretary_user_id) if i),
        opening=_as_spoken(by_item[opening_item.id], motions, style, carried=True) if opening_item else [],
        chair_title=style.chair_title,
        approve_at_close=style.approval == "close",
    )


def _confirmation(meeting: Meeting) -> list[str]:
    if meeting.confirmed_on is None:
        return []
    line = f"Confirmed as an accurate record at the meeting of {format_date(meeting.confirmed_on)}"
    return [line + (f", with these amendments: {meeting.confirmation_amendments}"
                    if meeting.confirmation_amendments else ".")]


def _in_order_taken(items: list[MinutesItem], taken: list[datetime | None]) -> tuple[list[MinutesItem], str | None]:
    """The items in the order the meeting took them, with their agenda numbers, when that was not
    the agenda's order (items never taken up follow, in agenda order); and the note saying so."""
    started = sorted((moment, index) for index, moment in enumerate(taken) if moment is not None)
    order = [index for _, index in started]
    if order == sorted(order):
        return items, None
    never = [index for index, moment in enumerate(taken) if moment is None]
    in_order = [items[index] for index in order + never]
    numbers = ", ".join(str(item.number) for item in in_order if not item.is_break)
    return in_order, f"Items were taken out of the agenda's order, in this order: {numbers}."


def _as_spoken(entries: list, motions: dict[int, Motion], style: HouseStyle, carried: bool) -> list[Minute]:
    """An item's live entries in the order they were recorded, answers under their question.
    Clerk's carried lines lead, except on the update on actions, whose list the minutes give below."""
    record: list[Minute] = []
    questions: dict[int, Minute] = {}
    for entry in sorted(entries, key=lambda e: (e.kind != EntryKind.CARRIED, e.id)):
        said_while = INQUORATE if entry.inquorate else ""
        if entry.kind == EntryKind.CHAIR or (entry.kind == EntryKind.CARRIED and carried):
            record.append(Minute(EntryKind.NOTE, entry.text))
        elif entry.kind == EntryKind.NOTE:
            record.append(Minute(entry.kind, entry.text + said_while))
        elif entry.kind == EntryKind.DECISION:
            record.append(Minute(entry.kind, style.decision(entry.text) + said_while))
        elif entry.kind == EntryKind.DECLARATION:
            record.append(Minute(entry.kind, declaration_line(entry.person, entry.text, entry.effect)))
        elif entry.kind == EntryKind.MOTION:
            record.append(Minute(entry.kind, motion_line(entry, motions.get(entry.id), style) + said_while))
        elif entry.kind == EntryKind.QUESTION:
            questions[entry.id] = Minute(EntryKind.QUESTION, entry.text, [], opens_questions=not questions)
            record.append(questions[entry.id])
        elif entry.kind == EntryKind.ANSWER and entry.question_id in questions:
            questions[entry.question_id].answers.append(entry.text)
    return record


async def _earlier_actions(uow: UnitOfWork, meeting: Meeting) -> list:
    """Actions from before this meeting that were open when it began or closed since the last one."""
    previous = await uow.meetings.previous_meeting(meeting.committee_id, meeting.id)
    since = previous.started_at if previous else None
    earlier = []
    for action in await uow.actions.actions(meeting.committee_id):
        if action.meeting_id == meeting.id or action.created_at >= meeting.started_at:
            continue
        if action.status == ActionStatus.OPEN or (action.status in (ActionStatus.DONE, ActionStatus.DROPPED) and since and action.closed_at
                                     and action.closed_at >= since):
            earlier.append(action)
    return earlier


def _when(moment: datetime, tz: ZoneInfo, style: HouseStyle) -> str:
    local = moment.astimezone(tz)
    return f"{format_date(local.date())} at {style.clock_time(moment, tz)}"


async def minutes_by_id(new_unit_of_work: UnitOfWorkFactory, meeting_id: int, tz: ZoneInfo,
                        confidential: bool = False) -> Minutes | None:
    """The minutes of a meeting, for a document link (its signature was checked by the caller)."""
    async with new_unit_of_work() as uow:
        meeting = await uow.meetings.get_meeting(meeting_id)
        return await build_minutes(uow, meeting, tz, confidential) if meeting is not None else None


# Use cases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinutesView:
    """Draft minutes for the bot to post as cards."""

    minutes: Minutes


async def meeting_for_minutes(uow: UnitOfWork, turn: Turn, args: str) -> Meeting:
    text = " ".join(args.split())
    if not text:
        meeting = await uow.meetings.latest_meeting(turn.committee_id)
        if meeting is None:
            raise ClerkError("There are no meetings yet. /start opens one.")
        return meeting
    day = parse_due(text, turn.local_now)
    if not isinstance(day, date):
        raise ClerkError("Give the meeting's date, e.g. /minutes 13 May.")
    meeting = await uow.meetings.meeting_on(turn.committee_id, day)
    if meeting is None:
        # a date without a year reads as the next one; minutes are of the past
        meeting = await uow.meetings.meeting_on(turn.committee_id, day.replace(year=day.year - 1))
    if meeting is None:
        raise ClerkError(f"There is no meeting on {format_date(day)}. /minutes shows the latest.")
    return meeting


async def show(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await meeting_for_minutes(uow, turn, args)
    return Reply("", view=MinutesView(await build_minutes(uow, meeting, turn.tz)))


async def minutes_of(uow: UnitOfWork, turn: Turn, meeting_id: int) -> Meeting:
    meeting = await uow.meetings.get_meeting(meeting_id)
    if meeting is None or meeting.committee_id != turn.committee_id:
        raise ClerkError("Those minutes are not this committee's.")
    return meeting


@dataclass(frozen=True)
class MinutesUpdate:
    """Minutes that changed (approved, corrected, amended), and the cards already posted that
    are to show them."""

    minutes: Minutes
    posts: list[MinutesPost]


async def minutes_update(uow: UnitOfWork, meeting: Meeting, tz: ZoneInfo) -> MinutesUpdate | None:
    """For a change to a meeting that has ended: its minutes again, for the posted cards."""
    if meeting.ended_at is None:
        return None
    return MinutesUpdate(await build_minutes(uow, meeting, tz), await uow.meetings.minutes_posts(meeting.id))


@dataclass(frozen=True)
class ConfidentialOffer:
    """Links to the confidential minutes, for one person's personal chat."""

    meeting_id: int
    title: str


def keepers(meeting: Meeting) -> list[tuple[str, Person]]:
    """The meeting's chair and secretary, by Teams account, each with which of the two they are: who
    gets the confidential minutes and the transcript."""
    people = [("chair", Person(meeting.chair_name, meeting.chair_user_id)),
              ("secretary", Person(meeting.secretary_name, meeting.secretary_user_id))]
    return [(keeper, person) for keeper, person in people if person.name and person.user_id]


def confidential_recipients(meeting: Meeting) -> list[Person]:
    return [person for _, person in keepers(meeting)]


def confidential_minutes_for(meeting: Meeting, people: list[Person]) -> list[Private]:
    return [Private(person, ConfidentialOffer(meeting.id, meeting.title)) for person in people]


async def has_exempt_items(uow: UnitOfWork, meeting: Meeting) -> bool:
    return any(item.exempt_reason for item in await uow.agenda.items(meeting.id))


async def send_confidential(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """The confidential minutes, to the caller's personal chat (the command table lets only the
    chair and the secretary ask)."""
    meeting = await meeting_for_minutes(uow, turn, args)
    if not await has_exempt_items(uow, meeting):
        raise ClerkError(f"The minutes of '{meeting.title}' have no exempt items: /minutes posts them.")
    return Reply(f"The confidential minutes of '{meeting.title}' are on their way to your personal chat with Clerk.",
                 privately=confidential_minutes_for(meeting, [turn.caller]))


@dataclass(frozen=True)
class ExportOffer:
    meeting_id: int
    title: str


async def export(uow: UnitOfWork, turn: Turn, meeting_id: int) -> Reply:
    meeting = await minutes_of(uow, turn, meeting_id)
    return Reply(f"Minutes of '{meeting.title}'", view=ExportOffer(meeting.id, meeting.title))


async def approve(uow: UnitOfWork, turn: Turn, meeting_id: int) -> Reply:
    meeting = await minutes_of(uow, turn, meeting_id)
    if meeting.ended_at is None:
        raise ClerkError("The meeting is still open: /end closes it before the minutes are approved.")
    if style_of(await uow.committees.get_committee(meeting.committee_id)).approval == "next":
        raise ClerkError("This committee confirms its minutes at its next meeting: /previous approved there "
                         "marks them confirmed (/style approval close lets the chair approve them at the close).")
    if meeting.approved_at is None:
        meeting.approved_by, meeting.approved_at = turn.caller.name, turn.now
    minutes = await build_minutes(uow, meeting, turn.tz)
    posts = await uow.meetings.minutes_posts(meeting.id)
    return Reply(f"Minutes of '{meeting.title}': {minutes.approved}.", view=MinutesUpdate(minutes, posts))


async def approve_named(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/minutes approve [date]`: the minutes of the last meeting, or of the meeting on a date."""
    meeting = await meeting_for_minutes(uow, turn, args)
    return await approve(uow, turn, meeting.id)
