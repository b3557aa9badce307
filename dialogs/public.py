"""What is public: the one rule every route obeys (chat replies, cards, reminders, digests, the
personal desk, the action log and its exports, the minutes and their documents, carry-forward into
the next meeting, /history).

Anything recorded under an exempt item (/confidential) is for the confidential minutes, and an
action's text for its owners too: elsewhere only that it exists is shown. What is not hidden:
declarations of interest on an exempt item (who, which item, the interest), which councils publish.
"""

from __future__ import annotations

from storage.models import Action, AgendaItem, Change, DueBack

# What anyone but its owners, the chair and the secretary sees of an action agreed under an exempt item.
CONFIDENTIAL_ACTION = "Confidential: agreed under an exempt item (its text is in the confidential minutes)"
CONFIDENTIAL_TEXT = "(exempt item: in the confidential minutes)"


def shown_text(action: Action, in_full: bool = False) -> str:
    """An action's text as a chat, card, list or public document shows it: an action agreed under
    an exempt item is shown in full only where `in_full` (its owners, the confidential minutes)."""
    return action.text if in_full or not action.confidential else CONFIDENTIAL_ACTION


def progress_text(change: Change | None, action: Action | None = None, in_full: bool = False) -> str | None:
    """'done: paper circulated', 'dropped: overtaken by the review', 'update: draft shared'; of a
    confidential action, only what happened."""
    if change is None or not change.after:
        return None
    if action is not None and action.confidential and not in_full:
        return str(change.kind)
    return f"{change.kind}: {change.after}"


def due_back_reason(due_back: DueBack, in_full: bool = False) -> str | None:
    """Why a presenter is due back, unless it was given on an exempt item."""
    return due_back.reason if in_full or not due_back.confidential else None


def is_exempt(item: AgendaItem | None) -> bool:
    return bool(item and item.exempt_reason)


def entry_text(text: str | None, item: AgendaItem | None) -> str | None:
    """An entry's words outside the confidential minutes (its history, replies in the chat)."""
    return CONFIDENTIAL_TEXT if is_exempt(item) and text else text
