"""Writing the one change log: every change to the record, of any kind, goes through `log_change`,
with who made it (by Teams account and name), when, what it was before and after, and what /undo
needs to put back. History, /undo and the minutes' corrections read only this log."""

from __future__ import annotations

import json
from datetime import datetime

from dialogs.context import Turn
from storage.models import Change, Meeting
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import ChangeSubject


def new_change(turn: Turn, subject: ChangeSubject, subject_id: int | None, kind: str, *,
               meeting: Meeting | None = None, meeting_id: int | None = None, before: str | None = None,
               after: str | None = None, state: dict | None = None, happened_at: datetime | None = None,
               by: str | None = None, undoes: int | None = None) -> Change:
    """The change as a row, not yet written (an action's creation is written with the action)."""
    return Change(
        committee_id=turn.committee_id, meeting_id=meeting.id if meeting else meeting_id, subject=subject,
        subject_id=subject_id, kind=kind, before=before, after=after,
        state=json.dumps(state, sort_keys=True, default=str) if state is not None else None,
        by=by or turn.caller.name, by_user_id=None if by else turn.caller.user_id, at=turn.now,
        happened_at=happened_at, amendment=bool(meeting and meeting.approved_at is not None), undoes=undoes)


async def log_change(uow: UnitOfWork, turn: Turn, subject: ChangeSubject, subject_id: int, kind: str,
                     **details) -> Change:
    """Keeps one change in the log (written in the turn's transaction)."""
    change = new_change(turn, subject, subject_id, kind, **details)
    await uow.changes.add(change)
    return change


def undone_note(change: Change) -> str:
    """What a history line adds for a change /undo took back, or for the undo itself."""
    if change.undoes is not None:
        return " (/undo)"
    return " (taken back with /undo)" if change.undone_at is not None else ""


def state_of(change: Change) -> dict:
    """What /undo needs to put back, as the change kept it."""
    return json.loads(change.state) if change.state else {}
