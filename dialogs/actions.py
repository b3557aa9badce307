"""Action items, presenters due back at the next meeting, and the next meeting's date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from types import EllipsisType

from dialogs.action_text import due_text, is_overdue, owners_text
from dialogs.public import shown_text
from dialogs.action_parsing import OWNER_SEPARATOR, ActionRequest, parse_action
from dialogs.agenda import agenda_of
from dialogs.committee import committee_label
from dialogs.context import Person, Reply, Turn
from dialogs.dates import NEXT_MEETING, format_date, parse_due
from dialogs.errors import ClerkError, UsageError
from dialogs.identity import identify
from dialogs.parsing import (
    MAX_NAME,
    clean_name,
    split_item_prefix,
    whole_number,
    within_limit,
)
from dialogs.identity import is_bound_to, is_same_person, name_key
from dialogs.reminders import schedule_action
from dialogs.changes import log_change, new_change
from storage.models import Action, ActionOwner, Committee, Meeting, values_before_change
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import ActionChange, ActionStatus, ChangeSubject

def _readable(text: str, turn: Turn) -> bool:
    try:
        return parse_due(text, turn.local_now) is not None
    except UsageError:
        return False


def passed_note(day: date | str | None, turn: Turn) -> str:
    """What a confirmation adds for a due date that has already passed: recorded, and said."""
    if isinstance(day, date) and day < turn.local_now.date():
        return f" Note: {format_date(day)} has already passed."
    return ""


async def as_known(uow: UnitOfWork, turn: Turn, people: list[Person] | tuple[Person, ...],
                   meeting: Meeting | None | EllipsisType = ...) -> list[Person]:
    """Typed names as the committee knows the person ("Jen" is Jennifer Housego, "Clark, Martine"
    is Martine Clark), with the Teams account the attendance of `meeting` (None: there is none;
    left out: the open meeting, read here) knows them by, so reminders @mention them; once each.
    @mentions as Teams gives them."""
    if meeting is ... and any(not person.user_id for person in people):
        meeting = await uow.meetings.open_meeting(turn.committee_id)
    known: list[Person] = []
    for person in people:
        if not person.user_id:
            who = await identify(uow, turn.committee_id, person.name)
            row = await uow.meetings.attendance_by_key(meeting.id, who.key) if meeting else None
            person = Person(who.name, row.teams_user_id if row else None)
        if not any(name_key(other.name) == name_key(person.name) for other in known):
            known.append(person)
    return known


def owner_rows(action_id: int | None, owners: tuple[Person, ...] | list[Person]) -> list[ActionOwner]:
    return [ActionOwner(action_id=action_id, name=o.name, name_key=name_key(o.name), teams_user_id=o.user_id)
            for o in owners]


# An action's facts, as /undo puts them back.
ACTION_FACTS = ("status", "closed_at", "due_date", "due_next_meeting")


async def _event(uow: UnitOfWork, action: Action, turn: Turn, kind: ActionChange, text: str | None = None,
                 before: str | None = None, owners: list[ActionOwner] | None = None) -> None:
    """Keeps the change in the change log, with what /undo needs (the facts as they were, and the
    owners before a reassignment), and moves the action's reminders with it."""
    state = values_before_change(action, ACTION_FACTS)
    if owners is not None:
        state["owners"] = [{"name": o.name, "user_id": o.teams_user_id} for o in owners]
    await log_change(uow, turn, ChangeSubject.ACTION, action.id, kind, meeting_id=action.meeting_id, before=before,
                     after=text, state=state)
    await reschedule_action(uow, turn, action, kind)


async def reschedule_action(uow: UnitOfWork, turn: Turn, action: Action, kind: ActionChange) -> None:
    """An action's reminders follow its status and due date."""
    if kind not in (ActionChange.CREATED, ActionChange.UPDATE, ActionChange.ASSIGNED):
        await uow.reminders.cancel_pending_reminders(action_id=action.id)
        committee = await uow.committees.get_committee(turn.committee_id)
        schedule_action(action, committee.next_meeting_date, turn.policy, turn.tz, turn.now)


async def record(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    item_no, args = split_item_prefix(args)
    return await record_request(uow, turn, item_no, parse_action(args, turn.mentions, lambda text: _readable(text, turn)))


async def record_request(uow: UnitOfWork, turn: Turn, item_no: int | None, request: ActionRequest,
                         meeting: Meeting | None = None) -> Reply:
    """Records an action as `/action` reads it (the form gives its parts without the parsing);
    `meeting`: one that has ended (a line of its transcript), else the open one."""
    due, unreadable = None, None
    if request.due is not None:
        try:
            due = parse_due(request.due, turn.local_now)
        except UsageError as error:  # the action is kept; only its date waits
            unreadable = error.message
    meeting = meeting or await uow.meetings.open_meeting(turn.committee_id)
    if item_no is not None and meeting is None:
        raise ClerkError("No meeting is open, so there is no item to name. /start opens one.")
    agenda = await agenda_of(uow, meeting) if meeting else None
    entry = agenda.find(item_no) if item_no is not None else agenda.current if agenda else None
    item = entry.item if entry else None
    item_id = item.id if item else None
    # Only an action due at the next meeting needs its date (for its reminders and its answer).
    next_meeting_date = (await uow.committees.get_committee(turn.committee_id)).next_meeting_date \
        if due == NEXT_MEETING else None
    action = Action(
        committee_id=turn.committee_id,
        text=request.text,
        meeting_id=meeting.id if meeting else None,
        item_id=item_id,
        due_date=due if isinstance(due, date) else None,
        due_next_meeting=due == NEXT_MEETING,
        status=ActionStatus.OPEN,
        created_at=turn.now,
        created_by=turn.caller.name,
        created_by_user_id=turn.caller.user_id,
        source_activity_id=turn.activity_id,
        reminders_enabled=True,
        confidential=bool(item and item.exempt_reason),
    )
    schedule_action(action, next_meeting_date, turn.policy, turn.tz, turn.now)
    owners = owner_rows(None, await as_known(uow, turn, request.owners, meeting))
    created = new_change(turn, ChangeSubject.ACTION, None, ActionChange.CREATED, meeting=meeting, after=request.text)
    await uow.actions.add_action(action, owners, created)
    number = action.number
    line = f"Action {number} recorded: {request.text} — {owners_text(owners)}, {due_text(action, next_meeting_date)}."
    line += passed_note(due, turn)
    if unreadable:
        line += f" The due date was not recorded: {unreadable}"
    missing = []
    if not owners:
        missing.append(f"/assign {number} @Owner")
    if due is None:
        missing.append(f"/due {number} <date>")
    if missing:
        line += " Still missing: add " + " and ".join(missing) + "."
    row = action_row(action, owners, next_meeting_date, turn.local_now.date(), meeting, entry.number if entry else None)
    return Reply(line, view=Recorded(row))


@dataclass(frozen=True)
class Recorded:
    """The action a reply recorded, as its card shows it."""

    row: ActionRow


async def _action(uow: UnitOfWork, turn: Turn, args: str) -> tuple[Action, str]:
    word, _, rest = args.strip().partition(" ")
    number = whole_number(word.lstrip("#"))
    if number is None:
        raise UsageError("Give the action's number, e.g. 12.")
    action = await uow.actions.action_by_number(turn.committee_id, number)
    if action is None:
        raise ClerkError(f"There is no action {number}. /actions all lists them.")
    return action, rest.strip()


async def done(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    action, note = await _action(uow, turn, args)
    if action.status == ActionStatus.DONE:
        raise ClerkError(f"Action {action.number} is already done.")
    action.status, action.closed_at = ActionStatus.DONE, turn.now
    await _event(uow, action, turn, ActionChange.DONE, within_limit(note, "a done note") or None)
    return Reply(f"Action {action.number} done: {shown_text(action)}.")


async def reopen(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    action, _ = await _action(uow, turn, args)
    if action.status == ActionStatus.OPEN:
        raise ClerkError(f"Action {action.number} is already open.")
    action.status, action.closed_at = ActionStatus.OPEN, None
    await _event(uow, action, turn, ActionChange.REOPENED)
    return Reply(f"Action {action.number} reopened: {shown_text(action)}.")


async def drop(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    action, reason = await _action(uow, turn, args)
    if not reason:
        raise UsageError("Give the reason for dropping it.")
    if action.status == ActionStatus.DROPPED:
        raise ClerkError(f"Action {action.number} is already dropped.")
    action.status, action.closed_at = ActionStatus.DROPPED, turn.now
    await _event(uow, action, turn, ActionChange.DROPPED, within_limit(reason, "a reason"))
    return Reply(f"Action {action.number} dropped: {shown_text(action)}"
                 + (f" ({reason})." if not action.confidential else "."))


async def assign(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    action, rest = await _action(uow, turn, args)
    owners = list(turn.mentions)
    if not owners:
        rest = re.sub(r"(?i)^owners?\s*:\s*", "", rest)
        owners = [Person(n) for n in (clean_name(x) for x in OWNER_SEPARATOR.split(rest)) if n]
    return await assign_owners(uow, turn, action, owners)


async def assign_owners(uow: UnitOfWork, turn: Turn, action: Action, owners: list[Person]) -> Reply:
    if not owners:
        raise UsageError("Name the owner: /assign 12 @Name or /assign 12 Name.")
    if any(len(o.name) > MAX_NAME for o in owners):
        raise UsageError(f"An owner's name is at most {MAX_NAME} characters.")
    rows = owner_rows(action.id, await as_known(uow, turn, owners))
    previous = (await uow.actions.owners([action.id]))[action.id]
    await uow.actions.replace_owners(action.id, rows)
    await _event(uow, action, turn, ActionChange.ASSIGNED, owners_text(rows), owners_text(previous), previous)
    return Reply(f"Action {action.number} is now owned by {owners_text(rows)}.")


async def set_due(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    action, text = await _action(uow, turn, args)
    due = parse_due(re.sub(r"(?i)^due\s*:\s*", "", text), turn.local_now)
    action.due_date = due if isinstance(due, date) else None
    action.due_next_meeting = due == NEXT_MEETING
    committee = await uow.committees.get_committee(turn.committee_id)
    await _event(uow, action, turn, ActionChange.DUE, due_text(action, committee.next_meeting_date))
    return Reply(f"Action {action.number} is now {due_text(action, committee.next_meeting_date)}."
                 + passed_note(due, turn))


async def update(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    action, text = await _action(uow, turn, args)
    if not text:
        raise UsageError("Give the progress note.")
    within_limit(text, "a progress note")
    await _event(uow, action, turn, ActionChange.UPDATE, text)
    return Reply(f"Progress noted on action {action.number}.")


async def snooze(uow: UnitOfWork, turn: Turn, args: str, days: int = 7) -> Reply:
    """`/snooze N`: holds the action's reminders for `days`; the next one after that goes out as planned."""
    action, _ = await _action(uow, turn, args)
    if action.status != ActionStatus.OPEN:
        raise ClerkError(f"Action {action.number} is {action.status}: it has no reminders to snooze.")
    committee = await uow.committees.get_committee(turn.committee_id)
    await uow.reminders.cancel_pending_reminders(action_id=action.id)
    schedule_action(action, committee.next_meeting_date, turn.policy, turn.tz, turn.now + timedelta(days=days))
    await log_change(uow, turn, ChangeSubject.ACTION, action.id, ActionChange.SNOOZED, meeting_id=action.meeting_id,
                     after=f"{days} days")
    return Reply(f"Reminders for action {action.number} snoozed for {days} days.")


async def action_numbered(uow: UnitOfWork, turn: Turn, number: int) -> Action:
    action = await uow.actions.action_by_number(turn.committee_id, number)
    if action is None:
        raise ClerkError(f"There is no action {number}. /actions all lists them.")
    return action


# Listing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    number: int
    text: str
    owners: str
    due: str
    overdue: bool
    status: str
    source: str
    committee_id: int | None = None  # on the personal desk, which lists every committee's actions


@dataclass(frozen=True)
class ActionsView:
    title: str
    rows: list[ActionRow]
    empty_text: str
    choice: str | None = None  # what /actions was given, so a button pressed on the list shows it again
    notice: str | None = None  # what the last button pressed on it did


def action_row(action: Action, owners: list[ActionOwner], next_meeting_date: date | None, today: date,
               meeting: Meeting | None, item_number: int | None, desk_of: Committee | None = None,
               in_full: bool = False) -> ActionRow:
    """One action as lists and cards show it. `desk_of`: on its owner's personal desk, where the
    row names its committee; `in_full`: read by an owner alone, so confidential text in full."""
    source = "recorded outside a meeting"
    if meeting is not None:
        source = f"{meeting.title}, {format_date(meeting.meeting_date)}"
        source += f", item {item_number}" if item_number is not None else ""
    return ActionRow(
        number=action.number,
        text=shown_text(action, in_full),
        owners=owners_text(owners),
        due=due_text(action, next_meeting_date),
        overdue=is_overdue(action, next_meeting_date, today),
        status=action.status,
        source=f"{committee_label(desk_of)}: {source}" if desk_of else source,
        committee_id=desk_of.id if desk_of else None,
    )


async def action_rows(uow: UnitOfWork, committee: Committee, actions: list[Action], today: date,
                      desk_of: Person | None = None) -> list[ActionRow]:
    """`desk_of`: the person whose personal desk lists them (see action_row)."""
    owners = await uow.actions.owners([a.id for a in actions])
    meetings = await uow.meetings.meetings_by_id({a.meeting_id for a in actions if a.meeting_id})
    agendas = {meeting.id: await agenda_of(uow, meeting) for meeting in meetings.values()}
    return [action_row(action, owners[action.id], committee.next_meeting_date, today, meetings.get(action.meeting_id),
                       agendas[action.meeting_id].number_of(action.item_id)
                       if action.meeting_id in agendas and action.item_id else None,
                       committee if desk_of else None,
                       bool(desk_of) and any(is_bound_to(o.teams_user_id, desk_of) for o in owners[action.id]))
            for action in actions]


async def list_actions(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    choice = " ".join(args.split())
    committee = await uow.committees.get_committee(turn.committee_id)
    today = turn.local_now.date()
    statuses = None if choice.lower() == "all" else (ActionStatus.OPEN,)
    actions = await uow.actions.actions(turn.committee_id, statuses)
    owners = await uow.actions.owners([a.id for a in actions])
    if choice.lower() in ("", "all"):
        title = "All actions" if choice else "Open actions"
    elif choice.lower() == "mine":
        title = f"Open actions for {turn.caller.name}"
        actions = [a for a in actions if _owned_by(owners[a.id], turn.caller)]
    elif choice.lower() == "overdue":
        title = "Overdue actions"
        actions = [a for a in actions if is_overdue(a, committee.next_meeting_date, today)]
    else:
        person = turn.mentions[0] if turn.mentions else Person(clean_name(choice))
        title = f"Open actions for {person.name}"
        actions = [a for a in actions if _owned_by(owners[a.id], person)]
    rows = await action_rows(uow, committee, actions, today)
    view = ActionsView(title, rows, "No actions." if choice.lower() == "all" else "No open actions.",
                       choice=choice if not turn.mentions else None)
    return Reply(f"{title}: {len(rows)}", view=view)


DESK = "desk"  # the list a button on the personal desk shows again


async def actions_everywhere(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """In a personal chat: the caller's open actions in every committee that knows them, by Teams
    account or by name (in their own tenant); an exempt action's text in full only where the owner
    is bound to the caller's account."""
    if args.strip().lower() not in ("", "mine"):
        raise UsageError("In a personal chat, /actions lists your own actions in every committee.")
    today = turn.local_now.date()
    rows = []
    found = await uow.actions.open_actions_of(turn.caller.user_id, name_key(turn.caller.name), turn.tenant_id)
    for committee, actions in found:
        rows += await action_rows(uow, committee, actions, today, desk_of=turn.caller)
    title = f"Your open actions, {turn.caller.name}"
    return Reply(f"{title}: {len(rows)}", view=ActionsView(title, rows, "You have no open actions in any committee.",
                                                           choice=DESK))


def _owned_by(owners: list[ActionOwner], person: Person) -> bool:
    return any(is_same_person(owner.name_key, owner.teams_user_id, person) for owner in owners)
