"""Adaptive Cards rendered from the plain views that dialogs/ returns."""

from __future__ import annotations

import re

from botbuilder.core import CardFactory
from botbuilder.schema import Attachment

from dialogs.actions import ActionsView
from dialogs.agenda import AgendaView

CARD_VERSION = "1.4"  # rendered by Teams desktop, web and mobile

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#+!~>|])")
_LIST_START = re.compile(r"^(\s*)(\d+)\.", re.MULTILINE)


def plain(text: str) -> str:
    """User text shown as text: nothing in it is read as markdown (links, emphasis, lists)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    escaped = _LIST_START.sub(r"\1\2\\.", escaped)
    return re.sub(r"^(\s*)-", r"\1\\-", escaped, flags=re.MULTILINE)


def _text(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def card(body: list[dict]) -> Attachment:
    return CardFactory.adaptive_card(
        {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION,
            "body": body,
        }
    )


def agenda_card(view: AgendaView) -> Attachment:
    body = [
        _text("Agenda", weight="Bolder", size="Medium"),
        _text(plain(view.meeting_title), isSubtle=True, spacing="None"),
    ]
    for row in view.rows:
        number = "" if row.number is None else str(row.number)
        title = plain(row.title)
        if row.is_current:
            title = f"▶ **{title}**"
        details = []
        if row.presenter:
            details.append(plain(row.presenter))
        if row.planned_length is not None:
            details.append(f"{row.planned_length} min planned")
        if row.actual_start:
            taken = f"started {row.actual_start}"
            if row.actual_length is not None:
                taken += f", {row.actual_length} min"
            details.append(taken)
        item = [_text(title)]
        if details:
            item.append(_text(" · ".join(details), isSubtle=True, spacing="None", size="Small"))
        body.append(
            {
                "type": "ColumnSet",
                "style": "emphasis" if row.is_current else "default",
                "separator": True,
                "columns": [
                    {"type": "Column", "width": "30px", "items": [_text(number, weight="Bolder")]},
                    {"type": "Column", "width": "50px", "items": [_text(row.planned_start)]},
                    {"type": "Column", "width": "stretch", "items": item},
                ],
            }
        )
    body.append(_text(view.status_line, weight="Bolder", separator=True, spacing="Medium"))
    return card(body)


def actions_card(view: ActionsView) -> Attachment:
    body = [_text(plain(view.title), weight="Bolder", size="Medium")]
    if not view.rows:
        body.append(_text(view.empty_text, isSubtle=True))
    for row in view.rows:
        status = "" if row.status == "open" else f" ({row.status})"
        due = f"**OVERDUE** · {row.due}" if row.overdue else row.due
        body.append(
            {
                "type": "Container",
                "separator": True,
                "style": "attention" if row.overdue else "default",
                "items": [
                    _text(f"**{row.number}.** {plain(row.text)}{status}"),
                    _text(f"{plain(row.owners)} · {due}", spacing="None", size="Small"),
                    _text(plain(row.source), isSubtle=True, spacing="None", size="Small"),
                ],
            }
        )
    return card(body)
