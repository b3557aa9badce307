"""Actions as cards: an action's card with the buttons its owners, the chair and the secretary use,
the new-action form, and what each press reads from the card's data. A button runs its command's
row of the command table (bot/commands.py): the card's data becomes the command's arguments, the
role rule is the typed command's, and what comes back is the card as the presser now sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialogs import actions, agenda
from dialogs.actions import ActionRow, action_numbered, action_rows, actions_everywhere, list_actions
from dialogs.action_parsing import ActionRequest
from dialogs.context import Person, Reply, Turn
from dialogs.dates import NEXT_MEETING
from dialogs.errors import ClerkError, UsageError
from dialogs.parsing import MAX_TEXT, whole_number
from dialogs.identity import name_key
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


def _text(data: dict, key: str) -> str:
    """An input's value as typed (line breaks kept), without the blanks around it."""
    value = data.get(key)
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_TEXT:
        raise UsageError(f"That is more than {MAX_TEXT} characters; split it in two.")
    return text


def action_number(data: dict) -> int:
    """The action a button names (only ever a number of this chat's committee)."""
    number = data.get("action")
    number = whole_number(str(number)) if isinstance(number, (int, str)) and not isinstance(number, bool) else None
    if number is None:
        raise UsageError("That button names no action.")
    return number


def done_args(data: dict) -> str:
    return f"{action_number(data)} {_text(data, 'note')}"


def update_args(data: dict) -> str:
    return f"{action_number(data)} {_text(data, 'text')}"


def due_args(data: dict) -> str:
    return f"{action_number(data)} {NEXT_MEETING if data.get('nextMeeting') in (True, 'true') else _text(data, 'due')}"


def number_args(data: dict) -> str:
    return str(action_number(data))


async def assign_pressed(uow: UnitOfWork, turn: Turn, args: str, data: dict) -> Reply:
    """Reassign: the owners chosen on the card, as /assign N @Owner would name them."""
    people = await _people_chosen(uow, turn, _text(data, "owners"))
    return await actions.assign_owners(uow, turn, await action_numbered(uow, turn, action_number(data)), people)


async def open_pressed(uow: UnitOfWork, turn: Turn, args: str, data: dict) -> Reply:
    return await action_card(uow, turn, action_number(data), ask_teams=True, elsewhere=turn.personal)


async def after_press(uow: UnitOfWork, turn: Turn, data: dict, said: Reply) -> Reply:
    """The card a press on an action answers with: the list it was pressed on, or the action's card,
    each with what the press did."""
    listed = data.get("list")
    if isinstance(listed, str):  # pressed on a list: the list again, as it now is
        shown = await (actions_everywhere(uow, turn, "") if turn.personal else list_actions(uow, turn, listed))
        shown.view = replace(shown.view, notice=said.text or None)
        return shown
    if isinstance(said.view, ActionCard):
        return said
    return await action_card(uow, turn, action_number(data), said.text or None, reminder=bool(data.get("reminder")),
                             elsewhere=turn.personal)


async def action_form(uow: UnitOfWork, turn: Turn, notice: str | None = None) -> Reply:
    meeting = await uow.meetings.open_meeting(turn.committee_id)
    schedule = await agenda.agenda_of(uow, meeting) if meeting else None
    entries = schedule.entries if schedule else []
    current = schedule.current if schedule else None
    return Reply("", view=ActionForm(await owner_choices(uow, turn, ask_teams=True),
                                     [(e.number, e.item.title) for e in entries if e.number is not None],
                                     current.number if current else None, notice))


async def submit_action_form(uow: UnitOfWork, turn: Turn, args: str, data: dict) -> Reply:
    """The form, recorded as `/action [item N] <text> owner: ... due: ...` would be, its text
    exactly as typed (the form's fields need no parsing, so "due:" in the text is just words)."""
    text = _text(data, "text")
    if not text:
        raise UsageError("Write what is to be done.")
    owners = await _people_chosen(uow, turn, _text(data, "owners")) if _text(data, "owners") else []
    due = NEXT_MEETING if data.get("nextMeeting") in (True, "true") else _text(data, "due")
    recorded = await actions.record_request(uow, turn, whole_number(str(data.get("item") or "")),
                                            ActionRequest(text, tuple(owners), due or None))
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
