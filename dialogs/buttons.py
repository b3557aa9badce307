"""What the buttons on Clerk's cards do. Each button is the command it stands for, run as the
person who pressed it, so its change is recorded, checked and kept in the history exactly as the
command's would be; what comes back is the card as that person should now see it.

bot/ reads the Teams invoke (Universal Actions, `adaptiveCard/action`) into a verb and its inputs,
and renders the views returned here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialogs import actions, agenda, minutes
from dialogs.actions import (DESK, ActionRow, action_numbered, action_rows, actions_everywhere, list_actions,
                             require_owner_chair_or_secretary)
from dialogs.context import Person, Reply, Turn
from dialogs.dates import NEXT_MEETING
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import current_meeting
from dialogs.parsing import MAX_TEXT, name_key, whole_number
from dialogs.roles import is_chair, is_chair_or_secretary
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import ActionStatus

@dataclass(frozen=True)
class Choice:
    title: str
    value: str  # "member:<id>" or "user:<Teams id>": never a comma, which joins a multi-choice's values


@dataclass(frozen=True)
class ActionCard:
    """One action and the buttons its owners, the chair and the secretary use."""

    row: ActionRow
    is_open: bool
    owners: list[Choice]
    reminder: bool = False  # a reminder's card: with Snooze a week
    notice: str | None = None  # what the last press did, or why it was refused
    committee_id: int | None = None  # named on its buttons when it is shown outside its committee's chat


@dataclass(frozen=True)
class ActionForm:
    """The form `/action` alone (or the agenda card's button) opens."""

    owners: list[Choice]
    items: list[tuple[int, str]]  # (number, title) of the open meeting's items
    current_item: int | None
    notice: str | None = None


async def owner_choices(uow: UnitOfWork, turn: Turn, ask_teams: bool = False) -> list[Choice]:
    """The committee's members, then the chat's other members: those the open meeting's attendance
    knows by Teams account, and, `ask_teams` (a web request, so only when someone opens a form),
    everyone Teams says is in the chat."""
    members = await uow.committees.members(turn.committee_id)
    choices = [Choice(member.name, f"member:{member.id}") for member in members]
    known = {member.name_key for member in members}
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    people = [Person(row.name, row.teams_user_id) for row in await uow.meetings.attendance(meeting.id)] \
        if meeting else []
    people += list(await turn.roster() or ()) if ask_teams else []
    for person in people:
        if person.user_id and name_key(person.name) not in known:
            choices.append(Choice(person.name, f"user:{person.user_id}"))
            known.add(name_key(person.name))
    return choices


async def _people_chosen(uow: UnitOfWork, turn: Turn, values: str) -> list[Person]:
    members = {f"member:{m.id}": m for m in await uow.committees.members(turn.committee_id)}
    people = []
    accounts = None
    for value in (v.strip() for v in values.split(",") if v.strip()):
        if value in members:
            people.append(Person(members[value].name))
        elif value.startswith("user:"):
            if accounts is None:
                accounts = {c.value: Person(c.title, c.value[5:]) for c in await owner_choices(uow, turn, True)}
            if value not in accounts:
                raise ClerkError("I can't tell who that is any more: /assign N @Name names the owner.")
            people.append(accounts[value])
        else:
            raise UsageError("Choose the owners from the list.")
    if not people:
        raise UsageError("Choose at least one owner.")
    return people


async def action_card(uow: UnitOfWork, turn: Turn, number: int, notice: str | None = None,
                      reminder: bool = False, ask_teams: bool = False, elsewhere: bool = False) -> Reply:
    action = await action_numbered(uow, turn, number)
    committee = await uow.committees.get_committee(turn.committee_id)
    row = (await action_rows(uow, committee, [action], turn.local_now.date()))[0]
    return Reply(notice or "", view=ActionCard(row, action.status == ActionStatus.OPEN,
                                              await owner_choices(uow, turn, ask_teams), reminder, notice,
                                              turn.committee_id if elsewhere else None))


def _number(data: dict) -> int:
    number = data.get("action")
    number = whole_number(str(number)) if isinstance(number, (int, str)) and not isinstance(number, bool) else None
    if number is None:
        raise UsageError("That button names no action.")
    return number


def _text(data: dict, key: str) -> str:
    """An input's value as typed (line breaks kept), without the blanks around it."""
    value = data.get(key)
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_TEXT:
        raise UsageError(f"That is more than {MAX_TEXT} characters; split it in two.")
    return text


async def press_action(uow: UnitOfWork, turn: Turn, verb: str, data: dict) -> Reply:
    """A button on an action's card or on a list of actions, pressed by an owner, the chair or the
    secretary; anyone else is refused (NotAllowed), and bot/ shows the refusal in the card."""
    number = _number(data)
    asked_in = turn
    committee = data.get("committee")
    elsewhere = isinstance(committee, int) and not isinstance(committee, bool) and committee != turn.committee_id
    if elsewhere:  # a reminder's buttons, pressed in the owner's personal chat: the action's committee
        turn = replace(turn, committee_id=committee)
    action = await action_numbered(uow, turn, number)
    if verb != "open" or elsewhere:
        await require_owner_chair_or_secretary(uow, turn, action)
    if verb == "done":
        said = await actions.done(uow, turn, f"{number} {_text(data, 'note')}")
    elif verb == "update":
        text = _text(data, "text")
        if not text:
            raise UsageError("Write the update first.")
        said = await actions.update(uow, turn, f"{number} {text}")
    elif verb == "due":
        due = NEXT_MEETING if data.get("nextMeeting") in (True, "true") else _text(data, "due")
        if not due:
            raise UsageError("Choose the new due date.")
        said = await actions.set_due(uow, turn, f"{number} {due}")
    elif verb == "assign":
        said = await actions.assign_owners(uow, turn, action, await _people_chosen(uow, turn, _text(data, "owners")))
    elif verb == "snooze":
        said = await actions.snooze(uow, turn, action)
    elif verb == "open":
        said = Reply("")
    else:
        raise UsageError("That button is not one of mine any more.")
    listed = data.get("list")
    if isinstance(listed, str):  # pressed on a list: the list again, as it now is
        shown = await (actions_everywhere(uow, asked_in, "") if listed == DESK else list_actions(uow, turn, listed))
        shown.view = _with_notice(shown.view, said.text)
        return shown
    return await action_card(uow, turn, number, said.text or None, reminder=bool(data.get("reminder")),
                             ask_teams=verb == "open", elsewhere=elsewhere)


def _with_notice(view, notice: str):
    return replace(view, notice=notice or None)


async def action_form(uow: UnitOfWork, turn: Turn, notice: str | None = None) -> Reply:
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    schedule = await agenda.agenda_of(uow, meeting) if meeting else None
    entries = schedule.entries if schedule else []
    current = schedule.current if schedule else None
    return Reply("", view=ActionForm(await owner_choices(uow, turn, ask_teams=True),
                                     [(e.number, e.item.title) for e in entries if e.number is not None],
                                     current.number if current else None, notice))


async def submit_action_form(uow: UnitOfWork, turn: Turn, data: dict) -> Reply:
    """The form, recorded as `/action [item N] <text> owner: ... due: ...` would be, its text
    exactly as typed (the form's fields need no parsing, so "due:" in the text is just words)."""
    text = _text(data, "text")
    if not text:
        raise UsageError("Write what is to be done.")
    owners = await _people_chosen(uow, turn, _text(data, "owners")) if _text(data, "owners") else []
    due = NEXT_MEETING if data.get("nextMeeting") in (True, "true") else _text(data, "due")
    recorded = await actions.record_request(uow, turn, whole_number(str(data.get("item") or "")),
                                            actions.ActionRequest(text, tuple(owners), due or None))
    return Reply(recorded.text, view=_confirmation(recorded, recorded.text))


async def record_action(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/action ...`: recorded, and answered with the action's card; `/action` alone: the form."""
    if not args.strip():
        return await action_form(uow, turn)
    recorded = await actions.record(uow, turn, args)
    return Reply(recorded.text, view=_confirmation(recorded))


def _confirmation(recorded: Reply, notice: str | None = None) -> ActionCard:
    """The new action's card, from what recording it knew (nothing read again); its Reassign opens
    the action's card with the people to choose from."""
    return ActionCard(recorded.view.row, True, [], notice=notice)


# Minutes and agenda: per-person views --------------------------------------------------------------


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


async def press_agenda(uow: UnitOfWork, turn: Turn, verb: str) -> Reply:
    """Next item and Start break (the command table's role for them is checked by bot/ first)."""
    if verb == "next":
        said = await agenda.next_item(uow, turn, "")
    elif verb == "break":
        said = await agenda.start_break(uow, turn, "")
    else:
        raise UsageError("That button is not one of mine any more.")
    return await agenda_for(uow, turn, said.text)
