"""Action items, presenters due back at the next meeting, and the next meeting's date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from dialogs.action_text import due_text, is_overdue, owners_text, shown_text
from dialogs.agenda import agenda_of
from dialogs.committee import committee_label
from dialogs.context import Person, Reply, Turn
from dialogs.dates import NEXT_MEETING, day_month, example_date, format_date, parse_due
from dialogs.errors import ClerkError, NotAllowed, UsageError
from dialogs.guards import current_meeting
from dialogs.people import identify
from dialogs.parsing import (
    MAX_NAME,
    MAX_TEXT,
    clean_name,
    format_minute,
    name_key,
    parse_time,
    split_item_prefix,
    whole_number,
    within_limit,
)
from dialogs.reminders import reschedule_committee, schedule_action, schedule_due_back
from dialogs.roles import is_chair_or_secretary
from storage.models import Action, ActionEvent, ActionOwner, Committee, DueBack, Meeting
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import ActionChange, ActionStatus

_KEYWORD = re.compile(r"(?i)(?:^|\s)(owners?|due)\s*:")
_OWNER_SEPARATOR = re.compile(r"\s*(?:,|;|\band\b|&)\s*", re.IGNORECASE)
_TRAILING_BY = re.compile(r"\s+(?:by|before)\s+(\S.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class ActionRequest:
    text: str
    owners: tuple[Person, ...]
    due: str | None  # as typed after "due:", or after a trailing "by"
    due_from_text: bool = False  # read from "... by <date>" at the end of the text


def _without_names(text: str, names: list[str]) -> str:
    """'Nicki and Sam to circulate the paper' with both mentioned: 'circulate the paper'. The owners'
    names lead or end the text; what is between them is the task."""
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    leading = re.compile(rf"^(?:(?:{alternatives})\b[\s,:;&]*(?:and\s+)?)+", re.IGNORECASE)
    stripped = leading.sub("", text)
    if stripped != text:
        stripped = re.sub(r"^to\s+", "", stripped, flags=re.IGNORECASE)
    trailing = re.compile(rf"(?:[\s,]*(?:and\s+|&\s*)?\b(?:{alternatives}))+$", re.IGNORECASE)
    return trailing.sub("", stripped).strip()


def parse_action(args: str, mentions: tuple[Person, ...], reads_as_date: Callable[[str], bool]) -> ActionRequest:
    """`<text> [@Owner | owner: Name, Name] [due: <date>]` with owners also taken from mentions, and
    the due date from a trailing "by <date>" when no due: is given."""
    pieces = _KEYWORD.split(" " + args.strip())
    text, owners, due = pieces[0].strip(), list(mentions), None
    for keyword, value in zip(pieces[1::2], pieces[2::2]):
        value = value.strip()
        if keyword.lower().startswith("owner"):
            names = [clean_name(n) for n in _OWNER_SEPARATOR.split(value) if clean_name(n)]
            if not names:
                raise UsageError("Name the owner after owner:, e.g. owner: Jack Tracey.")
            owners += [Person(name) for name in names if name_key(name) not in {name_key(o.name) for o in owners}]
        elif due is not None:
            raise UsageError(f"Give one due date: due: {due} and due: {value} are both given.")
        else:
            due = value
    if mentions:  # "@Tom circulate the paper": the mention names the owner, not the task
        text = _without_names(text, [mention.name for mention in mentions])
    due_from_text = False
    trailing = _TRAILING_BY.search(text)
    if due is None and trailing and reads_as_date(trailing[1]):
        text, due, due_from_text = text[: trailing.start()].strip(), trailing[1], True
    if not text:
        raise UsageError("Say what the action is.")
    within_limit(text, "an action")
    if any(len(o.name) > MAX_NAME for o in owners):
        raise UsageError(f"An owner's name is at most {MAX_NAME} characters.")
    return ActionRequest(text, tuple(owners), due, due_from_text)


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


async def as_known(uow: UnitOfWork, turn: Turn, people: list[Person] | tuple[Person, ...]) -> list[Person]:
    """Typed names as the committee knows the person ("Jen" is Jennifer Housego, "Clark, Martine"
    is Martine Clark), with the Teams account the open meeting's attendance knows them by, so
    reminders @mention them; once each. @mentions as Teams gives them."""
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


def _owner_rows(action_id: int | None, owners: tuple[Person, ...] | list[Person]) -> list[ActionOwner]:
    return [ActionOwner(action_id=action_id, name=o.name, name_key=name_key(o.name), teams_user_id=o.user_id)
            for o in owners]


async def _event(uow: UnitOfWork, action: Action, turn: Turn, kind: ActionChange, text: str | None = None) -> None:
    """Keeps the change with who made it and when, and moves the action's reminders with it."""
    uow.stage(ActionEvent(action_id=action.id, kind=kind, text=text, by=turn.caller.name, at=turn.now))
    if kind not in (ActionChange.CREATED, ActionChange.UPDATE, ActionChange.ASSIGNED):
        await uow.reminders.cancel_pending_reminders(action_id=action.id)
        committee = await uow.committees.get_committee(turn.committee_id)
        schedule_action(action, committee.next_meeting_date, turn.policy, turn.tz, turn.now)


async def record(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    item_no, args = split_item_prefix(args)
    return await record_request(uow, turn, item_no, parse_action(args, turn.mentions, lambda text: _readable(text, turn)))


async def record_request(uow: UnitOfWork, turn: Turn, item_no: int | None, request: ActionRequest) -> Reply:
    """Records an action as `/action` reads it (the form gives its parts without the parsing)."""
    due, unreadable = None, None
    if request.due is not None:
        try:
            due = parse_due(request.due, turn.local_now)
        except UsageError as error:  # the action is kept; only its date waits
            unreadable = error.message
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    if item_no is not None and meeting is None:
        raise ClerkError("No meeting is open, so there is no item to name. /start opens one.")
    agenda = await agenda_of(uow, meeting) if meeting else None
    entry = agenda.find(item_no) if item_no is not None else agenda.current if agenda else None
    item = entry.item if entry else None
    item_id = item.id if item else None
    number, next_meeting_date = await uow.actions.next_action_number(turn.committee_id)
    action = Action(
        committee_id=turn.committee_id,
        number=number,
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
    owners = _owner_rows(None, await as_known(uow, turn, request.owners))
    created = ActionEvent(kind=ActionChange.CREATED, text=request.text, by=turn.caller.name, at=turn.now)
    await uow.actions.add_action(action, owners, created)
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
    return Reply(f"Action {action.number} dropped: {shown_text(action)} ({reason}).")


async def assign(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    action, rest = await _action(uow, turn, args)
    owners = list(turn.mentions)
    if not owners:
        rest = re.sub(r"(?i)^owners?\s*:\s*", "", rest)
        owners = [Person(n) for n in (clean_name(x) for x in _OWNER_SEPARATOR.split(rest)) if n]
    return await assign_owners(uow, turn, action, owners)


async def assign_owners(uow: UnitOfWork, turn: Turn, action: Action, owners: list[Person]) -> Reply:
    if not owners:
        raise UsageError("Name the owner: /assign 12 @Name or /assign 12 Name.")
    if any(len(o.name) > MAX_NAME for o in owners):
        raise UsageError(f"An owner's name is at most {MAX_NAME} characters.")
    rows = _owner_rows(action.id, await as_known(uow, turn, owners))
    await uow.actions.replace_owners(action.id, rows)
    await _event(uow, action, turn, ActionChange.ASSIGNED, owners_text(rows))
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


async def snooze(uow: UnitOfWork, turn: Turn, action: Action, days: int = 7) -> Reply:
    """Holds the action's reminders for `days`; the next one after that goes out as planned."""
    if action.status != ActionStatus.OPEN:
        raise ClerkError(f"Action {action.number} is {action.status}: it has no reminders to snooze.")
    committee = await uow.committees.get_committee(turn.committee_id)
    await uow.reminders.cancel_pending_reminders(action_id=action.id)
    schedule_action(action, committee.next_meeting_date, turn.policy, turn.tz, turn.now + timedelta(days=days))
    uow.stage(ActionEvent(action_id=action.id, kind=ActionChange.SNOOZED, text=f"{days} days", by=turn.caller.name,
                          at=turn.now))
    return Reply(f"Reminders for action {action.number} snoozed for {days} days.")


async def action_numbered(uow: UnitOfWork, turn: Turn, number: int) -> Action:
    action = await uow.actions.action_by_number(turn.committee_id, number)
    if action is None:
        raise ClerkError(f"There is no action {number}. /actions all lists them.")
    return action


async def require_owner_chair_or_secretary(uow: UnitOfWork, turn: Turn, action: Action) -> None:
    """Who may change an action with its card's buttons: its owners, the chair and the secretary."""
    owners = (await uow.actions.owners([action.id]))[action.id]
    if any(owner.teams_user_id == turn.caller.user_id if owner.teams_user_id  # by account, when Teams gave one
           else owner.name_key == name_key(turn.caller.name) for owner in owners):
        return
    meeting = await uow.meetings.open_meeting(turn.committee_id) or await uow.meetings.latest_meeting(turn.committee_id)
    if meeting is not None and await is_chair_or_secretary(meeting, turn):
        return
    raise NotAllowed(f"Only the owners of action {action.number} ({owners_text(owners)}), the chair or the "
                     "secretary can change it.")


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
               meeting: Meeting | None, item_number: int | None, desk_of: Committee | None = None) -> ActionRow:
    """One action as lists and cards show it. `desk_of`: on its owner's personal desk, read by them
    alone: confidential text in full, and the row names its committee."""
    source = "recorded outside a meeting"
    if meeting is not None:
        source = f"{meeting.title}, {format_date(meeting.meeting_date)}"
        source += f", item {item_number}" if item_number is not None else ""
    return ActionRow(
        number=action.number,
        text=shown_text(action, desk_of is not None),
        owners=owners_text(owners),
        due=due_text(action, next_meeting_date),
        overdue=is_overdue(action, next_meeting_date, today),
        status=action.status,
        source=f"{committee_label(desk_of)}: {source}" if desk_of else source,
        committee_id=desk_of.id if desk_of else None,
    )


async def action_rows(uow: UnitOfWork, committee: Committee, actions: list[Action], today: date,
                      desk: bool = False) -> list[ActionRow]:
    """`desk`: the owner's personal desk (see action_row)."""
    owners = await uow.actions.owners([a.id for a in actions])
    meetings = await uow.meetings.meetings_by_id({a.meeting_id for a in actions if a.meeting_id})
    agendas = {meeting.id: await agenda_of(uow, meeting) for meeting in meetings.values()}
    return [action_row(action, owners[action.id], committee.next_meeting_date, today, meetings.get(action.meeting_id),
                       agendas[action.meeting_id].number_of(action.item_id)
                       if action.meeting_id in agendas and action.item_id else None,
                       committee if desk else None)
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
    account or by name, each in full (nobody else reads a personal chat)."""
    if args.strip().lower() not in ("", "mine"):
        raise UsageError("In a personal chat, /actions lists your own actions in every committee.")
    today = turn.local_now.date()
    rows = []
    for committee, actions in await uow.actions.open_actions_of(turn.caller.user_id, name_key(turn.caller.name)):
        rows += await action_rows(uow, committee, actions, today, desk=True)
    title = f"Your open actions, {turn.caller.name}"
    return Reply(f"{title}: {len(rows)}", view=ActionsView(title, rows, "You have no open actions in any committee.",
                                                           choice=DESK))


def _owned_by(owners: list[ActionOwner], person: Person) -> bool:
    return any(
        (person.user_id and owner.teams_user_id == person.user_id) or owner.name_key == name_key(person.name)
        for owner in owners
    )


# Due back at the next meeting and the next meeting's date -------------------------------------


async def due_back(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    agenda = await agenda_of(uow, meeting)
    name_part, number, reason = _split_due_back(args)
    entry = agenda.find(number) if number is not None else agenda.current
    if entry is None or entry.is_break:
        raise ClerkError("No item is under way: name it, e.g. /dueback Data Lab item 3.")
    item, number = entry.item, entry.number
    presenter = turn.mentions[0] if turn.mentions else None
    if presenter is not None and name_part and not reason:  # "@Sam Todd with the rates": the rest is the reason
        said = presenter.name.casefold()
        reason = name_part[len(said):].strip() if name_part.casefold().startswith(said) else name_part
    if presenter is None and name_part:
        presenter = Person((await identify(uow, turn.committee_id, name_part)).name)
    if presenter is None and item.presenter:
        presenter = Person(item.presenter)
    if presenter is None:
        raise UsageError(f"Item {number} has no presenter: name who is due back.")
    if len(presenter.name) > MAX_NAME or len(reason) > MAX_TEXT:
        raise UsageError("That name or reason is too long.")
    due_back = DueBack(
        committee_id=turn.committee_id, meeting_id=meeting.id, item_id=item.id, title=item.title,
        presenter=presenter.name, presenter_user_id=presenter.user_id, reason=reason or None,
        created_at=turn.now, created_by=turn.caller.name,
    )
    await uow.add(due_back)
    committee = await uow.committees.get_committee(turn.committee_id)
    schedule_due_back(due_back, committee, turn.policy, turn.tz, turn.now)
    when = format_date(committee.next_meeting_date) if committee.next_meeting_date else "date not set yet: /nextmeeting <date>"
    return Reply(f"{presenter.name} is due back at the next meeting ({when}) with item {number}: {item.title}.")


def _split_due_back(args: str) -> tuple[str, int | None, str]:
    """`[Name] [item N] [reason]`, or `[Name] - reason` when no item is named."""
    text = " ".join(args.split())
    match = re.search(r"(?i)(?:^|\s)item\s+(\S+)", text)
    if match:
        number, rest = split_item_prefix(text[match.start():].strip())
        name, reason = text[: match.start()].strip(), rest
    else:
        number = None
        pieces = re.split(r"(?:^|\s+)[-\u2013\u2014]\s+", text, maxsplit=1)
        name, reason = (pieces[0], pieces[1]) if len(pieces) == 2 else (text, "")
    return clean_name(name), number, reason.strip().lstrip("-\u2013\u2014:").strip()


async def set_next_meeting(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    words = args.split()
    if not words:
        raise UsageError("Give the date of the next meeting.")
    minute = None
    if re.fullmatch(r"\d{1,2}[:.]\d{2}", words[-1]):
        minute = parse_time(words[-1])
        words = words[:-1]
    day = parse_due(" ".join(words), turn.local_now)
    if not isinstance(day, date):
        raise UsageError(f"Give the next meeting's date, e.g. {day_month(example_date(turn.local_now))}.")
    if day < turn.local_now.date():
        raise ClerkError(f"{format_date(day)} has passed: give a date from today on.")
    committee = await uow.committees.get_committee(turn.committee_id)
    committee.next_meeting_date, committee.next_meeting_minute = day, minute
    await reschedule_committee(uow, committee, turn.policy, turn.tz, turn.now)
    at = f" at {format_minute(minute)}" if minute is not None else ""
    return Reply(f"Next meeting: {format_date(day)}{at}. Actions due 'next meeting' are now due that day.")
