"""How an action reads in chat, cards and minutes. Pure functions over stored rows."""

from __future__ import annotations

from datetime import date

from dialogs.dates import format_date
from dialogs.public import shown_text
from storage.models import Action, ActionOwner
from storage.vocabulary import ActionStatus


def effective_due(action: Action, next_meeting_date: date | None) -> date | None:
    if action.due_date is not None:
        return action.due_date
    return next_meeting_date if action.due_next_meeting else None


def is_overdue(action: Action, next_meeting_date: date | None, today: date) -> bool:
    due = effective_due(action, next_meeting_date)
    return action.status == ActionStatus.OPEN and due is not None and due < today


def owners_text(owners: list[ActionOwner]) -> str:
    return ", ".join(owner.name for owner in owners) if owners else "no owner yet"


def due_text(action: Action, next_meeting_date: date | None) -> str:
    if action.due_date is not None:
        return f"due {format_date(action.due_date)}"
    if action.due_next_meeting:
        when = format_date(next_meeting_date) if next_meeting_date else "date not set yet"
        return f"due next meeting ({when})"
    return "no due date"


def action_line(action: Action, owners: list[ActionOwner], next_meeting_date: date | None) -> str:
    """'Action 12: <text> — <owners>, due <date>'."""
    return f"Action {action.number}: {shown_text(action)} — {owners_text(owners)}, {due_text(action, next_meeting_date)}"
