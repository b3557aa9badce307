"""/undo: takes back the sender's own latest change of any kind, read from the one change log, and
says exactly what it undid. The change is marked taken back and its reversal is logged as undoing
it, so a second /undo takes back the change before, never the undo itself."""

from __future__ import annotations

from datetime import datetime

from dialogs.action_text import owners_text
from dialogs.public import shown_text
from dialogs.actions import ACTION_FACTS, owner_rows, reschedule_action
from dialogs.agenda import ITEM_FACTS
from dialogs.attendance import UNDONE_FIELDS
from dialogs.changes import log_change, state_of
from dialogs.context import Person, Reply, Turn
from dialogs.corrections import apply_removal, entry_change, of_meeting, place_of, sync_outcome
from dialogs.errors import ClerkError
from dialogs.formal import VOTE_FACTS
from dialogs.meeting import MEETING_FACTS
from dialogs.minutes import minutes_update
from dialogs.roles import require_may_change
from storage.models import AgendaItem, Change
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import ActionChange, ActionStatus, AgendaChange, ChangeSubject, EntryChangeKind, EntryKind

_DATE_TIMES = {"closed_at", "joined_at", "left_at"}


def _put_back(row, state: dict, fields: tuple[str, ...]) -> None:
    """Sets each field to what the change log kept of it (JSON keeps moments and dates as text)."""
    for name in fields:
        if name not in state:
            continue
        value = state[name]
        if isinstance(value, str) and name in _DATE_TIMES:
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and name == "due_date":
            value = datetime.fromisoformat(value).date()
        setattr(row, name, value)


async def undo(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    change = await uow.changes.latest_undoable_by(turn.committee_id, turn.caller.user_id, turn.caller.name)
    if change is None:
        raise ClerkError("You have changed nothing here that /undo can take back.")
    reply = await _TAKE_BACK[change.subject](uow, turn, change)
    change.undone_at = turn.now
    return reply


async def _entry(uow: UnitOfWork, turn: Turn, change: Change) -> Reply:
    entry = await uow.entries.get_entry(change.subject_id)
    if change.kind == EntryChangeKind.REMOVED and entry.kind == EntryKind.ANSWER and entry.question_id:
        question = await uow.entries.get_entry(entry.question_id)
        if question.removed_at == entry.removed_at:  # it went with its question: both come back
            entry = question
    _, meeting = await place_of(uow, entry)
    await require_may_change(turn, meeting, f"#{entry.number}")
    if change.kind in (EntryChangeKind.RECORDED, EntryChangeKind.RESTORED):
        await apply_removal(uow, turn, entry, meeting, undoes=change.id)
        said = f"#{entry.number} ({entry.kind}) is out of the minutes"
    elif change.kind == EntryChangeKind.EDITED:
        previous, entry.text = entry.text, change.before
        await entry_change(uow, turn, meeting, entry, EntryChangeKind.EDITED, entry.text, previous, change.id)
        await sync_outcome(uow, entry)
        said = f"#{entry.number} reads again: {entry.text}"
    elif change.kind == EntryChangeKind.VOTED:
        motion = (await uow.entries.motions([entry.id]))[entry.id]
        _put_back(motion, state_of(change), VOTE_FACTS)
        await entry_change(uow, turn, meeting, entry, EntryChangeKind.VOTED, "vote taken back", change.after, change.id)
        said = f"the vote on motion #{entry.number} ({change.after})"
    else:  # removed: put it back, with the answers that went with a question
        went_with = [e for e in await uow.entries.entries([entry.item_id])
                     if e.question_id == entry.id and e.removed_at is not None and e.removed_at == entry.removed_at]
        for restored in [entry, *went_with]:
            restored.removed_at = None
            await entry_change(uow, turn, meeting, restored, EntryChangeKind.RESTORED, restored.text, None, change.id)
        await sync_outcome(uow, entry)
        said = f"#{entry.number} is back in the minutes"
    return Reply(f"Undone: {said}{of_meeting(meeting)}" + ("" if said.endswith(".") else "."),
                 view=await minutes_update(uow, meeting, turn.tz))


async def _action(uow: UnitOfWork, turn: Turn, change: Change) -> Reply:
    action = await uow.actions.get_action(change.subject_id)
    state = state_of(change)
    kind = ActionChange(change.kind)
    if kind == ActionChange.CREATED:
        if action.status == ActionStatus.DROPPED:
            raise ClerkError(f"Action {action.number} is already dropped; nothing to undo.")
        action.status, action.closed_at = ActionStatus.DROPPED, turn.now
        said = f"action {action.number} ({shown_text(action)}) is dropped"
        logged, text = ActionChange.DROPPED, "taken back with /undo"
    elif kind == ActionChange.ASSIGNED:
        owners = [Person(o["name"], o["user_id"]) for o in state.get("owners", [])]
        rows = owner_rows(action.id, owners)
        await uow.actions.replace_owners(action.id, rows)
        said = f"action {action.number} is owned again by {owners_text(rows)}"
        logged, text = ActionChange.ASSIGNED, owners_text(rows)
    elif kind in (ActionChange.UPDATE, ActionChange.SNOOZED):
        said = (f"the progress note on action {action.number} ({change.after})" if kind == ActionChange.UPDATE
                else f"the snooze of action {action.number}'s reminders")
        logged, text = kind, None
    elif kind == ActionChange.DUE:
        _put_back(action, state, ACTION_FACTS)
        said = f"the new due date of action {action.number}"
        logged, text = ActionChange.DUE, None
    else:  # done, dropped, reopened: its status as it was
        _put_back(action, state, ACTION_FACTS)
        said = f"{kind} on action {action.number}: it is {action.status} again"
        logged = ActionChange.REOPENED if action.status == ActionStatus.OPEN else ActionChange(action.status)
        text = None
    await log_change(uow, turn, ChangeSubject.ACTION, action.id, logged, meeting_id=action.meeting_id, after=text,
                     undoes=change.id)
    await reschedule_action(uow, turn, action, ActionChange.DUE)  # its reminders follow what it is again
    return Reply(f"Undone: {said}.")


async def _meeting(uow: UnitOfWork, turn: Turn, change: Change) -> Reply:
    meeting = await uow.meetings.get_meeting(change.subject_id)
    _put_back(meeting, state_of(change), MEETING_FACTS)
    await log_change(uow, turn, ChangeSubject.MEETING, meeting.id, change.kind, meeting=meeting, before=change.after,
                     after=change.before, undoes=change.id)
    return Reply(f"Undone: the {change.kind} is {change.before or 'none'} again (was {change.after or 'none'}).",
                 view=await minutes_update(uow, meeting, turn.tz))


async def _attendance(uow: UnitOfWork, turn: Turn, change: Change) -> Reply:
    row = await uow.meetings.attendance_row(change.subject_id)
    _put_back(row, state_of(change), UNDONE_FIELDS)
    await log_change(uow, turn, ChangeSubject.ATTENDANCE, row.id, change.kind, meeting_id=row.meeting_id,
                     after="taken back", undoes=change.id)
    return Reply(f"Undone: {row.name} {change.kind}" + (f" ({change.after})" if change.after else "") + ".")


async def _agenda(uow: UnitOfWork, turn: Turn, change: Change) -> Reply:
    meeting = await uow.meetings.get_meeting(change.meeting_id)
    item = await uow.agenda.get_item(change.subject_id)
    if change.kind == AgendaChange.REMOVED:
        item = AgendaItem(meeting_id=meeting.id, overtime_notice_sent=False)
        _put_back(item, state_of(change), ITEM_FACTS)
        await uow.add(item)
        said = f"'{item.title}' is back on the agenda"
    elif item is None:
        raise ClerkError(f"'{change.after or change.before}' is no longer on the agenda; nothing to undo.")
    elif change.kind == AgendaChange.ADDED:
        if await uow.entries.entries([item.id]) or await uow.actions.item_has_actions(item.id):
            raise ClerkError(f"'{item.title}' has minutes recorded now; /agenda remove cannot take it off either.")
        await uow.agenda.delete_agenda_item(item)
        said = f"'{item.title}' is off the agenda"
    else:  # moved, retitled or its presenter changed
        _put_back(item, state_of(change), ITEM_FACTS)
        said = (f"'{item.title}' is back at {change.before or 'its place'}" if change.kind == AgendaChange.MOVED
                else f"the item is '{item.title}'" + (f", presented by {item.presenter}" if item.presenter else
                                                      ", with no presenter named") + " again")
    await log_change(uow, turn, ChangeSubject.AGENDA, item.id, change.kind, meeting=meeting, before=change.after,
                     after=change.before, undoes=change.id)
    return Reply(f"Undone: {said}.")


_TAKE_BACK = {
    ChangeSubject.ENTRY: _entry,
    ChangeSubject.ACTION: _action,
    ChangeSubject.MEETING: _meeting,
    ChangeSubject.ATTENDANCE: _attendance,
    ChangeSubject.AGENDA: _agenda,
}
