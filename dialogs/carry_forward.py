"""What a new meeting inherits from the last: the minutes of the previous meeting, the update on
actions, and the presenters and deferred items due back."""

from __future__ import annotations

from dialogs.action_text import action_line
from dialogs.public import due_back_reason, progress_text
from dialogs.context import Turn
from dialogs.parsing import MINUTES_IN_DAY
from storage.models import AgendaItem, ItemEntry, Meeting
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import ActionStatus, EntryKind

UPDATE_ON_ACTIONS = "Update on actions"
PREVIOUS_MINUTES = "Minutes of the previous meeting"
# How long a carried item is planned for until the chair says otherwise.
PREVIOUS_MINUTES_MINUTES = 5
UPDATE_ON_ACTIONS_MINUTES = 5
DUE_BACK_MINUTES = 15


async def carry_forward(uow: UnitOfWork, turn: Turn, meeting: Meeting) -> list[str]:
    """Starts the new meeting's agenda; returns the titles of the items it added."""
    committee = await uow.committees.get_committee(turn.committee_id)
    if committee.next_meeting_date is not None and committee.next_meeting_date <= meeting.meeting_date:
        committee.next_meeting_date, committee.next_meeting_minute = None, None
    previous = await uow.meetings.previous_meeting(turn.committee_id, meeting.id)
    if previous is None and not committee.last_action_number:
        return []  # a first meeting: no action was ever numbered, and a presenter is due back from a meeting
    open_actions = await uow.actions.actions(turn.committee_id, (ActionStatus.OPEN,))
    for action in open_actions:  # "due: next meeting" now has its date
        if action.due_next_meeting and action.due_date is None:
            action.due_date = meeting.meeting_date
    closed = await uow.actions.actions_closed_since(turn.committee_id, previous.started_at) if previous else []
    start = turn.local_now.hour * 60 + turn.local_now.minute
    added = []
    if previous is not None:  # matters arising are notes on it; /previous approved records the approval
        await _add_item(uow, meeting, start, PREVIOUS_MINUTES_MINUTES, PREVIOUS_MINUTES, None, [], turn)
        start += PREVIOUS_MINUTES_MINUTES
        added.append(PREVIOUS_MINUTES)
    if open_actions or closed:
        lines = []
        owners = await uow.actions.owners([a.id for a in open_actions + closed])
        progress = await uow.changes.latest_progress([a.id for a in open_actions + closed],
                                                     previous.started_at if previous else None)
        for action in open_actions + closed:
            said = progress_text(progress.get(action.id), action)
            lines.append(f"{action_line(action, owners[action.id], None)} ({said or action.status})")
        await _add_item(uow, meeting, start, UPDATE_ON_ACTIONS_MINUTES, UPDATE_ON_ACTIONS, None, lines, turn)
        start += UPDATE_ON_ACTIONS_MINUTES
        added.append(UPDATE_ON_ACTIONS)
    due_backs = await uow.actions.pending_due_backs(turn.committee_id)
    sources = await uow.meetings.meetings_by_id({d.meeting_id for d in due_backs if d.meeting_id})
    for due in due_backs:
        source = sources[due.meeting_id].title if due.meeting_id in sources else "an earlier meeting"
        note = f"Due back from {source}" + (f": {due_back_reason(due)}" if due_back_reason(due) else ".")
        item = await _add_item(uow, meeting, start, DUE_BACK_MINUTES, due.title, due.presenter or None, [note], turn)
        start += DUE_BACK_MINUTES
        due.returned_meeting_id, due.returned_item_id = meeting.id, item.id
        due.next_reminder_at = None
        added.append(f"{due.title} ({due.presenter})" if due.presenter else due.title)
    return added


async def _add_item(uow: UnitOfWork, meeting: Meeting, start: int, length: int, title: str, presenter: str | None,
                    lines: list[str], turn: Turn) -> AgendaItem:
    """Until the chair builds the agenda, carried items run from when the meeting opened; they move
    to where the chair's agenda begins once it has timed items (agenda.place_carried)."""
    item = AgendaItem(meeting_id=meeting.id, is_break=False, title=title, presenter=presenter,
                      planned_start_minute=min(start, MINUTES_IN_DAY - length), planned_length_minutes=length,
                      overtime_notice_sent=False, floating=True)
    await uow.add(item)
    for line in lines:
        await uow.add(ItemEntry(item_id=item.id, kind=EntryKind.CARRIED, text=line, author="Clerk", created_at=turn.now))
    return item
