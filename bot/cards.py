"""Adaptive Cards rendered from the plain views that dialogs/ returns."""

from __future__ import annotations

import json
import re

from botbuilder.core import CardFactory
from botbuilder.schema import Attachment

from dialogs.actions import ActionsView
from dialogs.agenda import AgendaView
from dialogs.minutes import Minutes
from storage.vocabulary import ActionStatus

CARD_VERSION = "1.4"  # rendered by Teams desktop, web and mobile
# Teams refuses a message over about 28 KB; each card's JSON stays well below it.
MAX_CARD_BYTES = 24_000
APPROVE, EXPORT = "approve-minutes", "export-minutes"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#+!~>|])")
_LIST_START = re.compile(r"^(\s*)(\d+)\.", re.MULTILINE)


def plain(text: str) -> str:
    """User text shown as text: nothing in it is read as markdown (links, emphasis, lists)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    escaped = _LIST_START.sub(r"\1\2\\.", escaped)
    return re.sub(r"^(\s*)-", r"\1\\-", escaped, flags=re.MULTILINE)


def _text(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def card_content(body: list[dict], actions: list[dict] | None = None) -> dict:
    content = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        content["actions"] = actions
    return content


def card(body: list[dict], actions: list[dict] | None = None) -> Attachment:
    return CardFactory.adaptive_card(card_content(body, actions))


def agenda_card(view: AgendaView) -> Attachment:
    body = [
        _text("Agenda", weight="Bolder", size="Medium"),
        _text(plain(view.meeting_title), isSubtle=True, spacing="None"),
    ]
    if view.notice:
        body.append(_text(plain(view.notice)))
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
        status = "" if row.status == ActionStatus.OPEN else f" ({row.status})"
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


def minutes_cards(minutes: Minutes) -> list[Attachment]:
    """The draft minutes as one or more cards, in order, none over the size limit, nothing dropped."""
    blocks = _minutes_blocks(minutes)
    actions = [{"type": "Action.Submit", "title": "Export", "data": {"clerk": EXPORT, "meeting": minutes.meeting_id}}]
    if not minutes.approved:
        actions.insert(0, {"type": "Action.Submit", "title": "Approve",
                           "data": {"clerk": APPROVE, "meeting": minutes.meeting_id}})
    parts: list[list[dict]] = [[]]
    for block in blocks:
        trial = parts[-1] + [block]
        if parts[-1] and _size(_header("Draft minutes (99 of 99)", minutes) + trial, actions) > MAX_CARD_BYTES:
            parts.append([block])
        else:
            parts[-1] = trial
    total = len(parts)
    cards = []
    for index, part in enumerate(parts, start=1):
        title = "Draft minutes" if total == 1 else f"Draft minutes ({index} of {total})"
        cards.append(card(_header(title, minutes) + part, actions))
    return cards


def _size(body: list[dict], actions: list[dict]) -> int:
    return len(json.dumps(card_content(body, actions), ensure_ascii=False).encode())


def _header(title: str, minutes: Minutes) -> list[dict]:
    header = [
        _text(title, weight="Bolder", size="Large"),
        _text(f"**{plain(minutes.committee)}** · {plain(minutes.title)}", spacing="None"),
    ]
    if minutes.approved:
        header.append(_text(plain(minutes.approved), color="Good", weight="Bolder"))
    header += [_text(plain(amendment), color="Warning", spacing="None") for amendment in minutes.amendments]
    return header


def _minutes_blocks(minutes: Minutes) -> list[dict]:
    """Each block is small and whole: a card split happens only between blocks."""
    blocks = [
        _text(minutes.heading_time, weight="Bolder"),
        _text(plain(minutes.held), isSubtle=True, spacing="None"),
    ]
    if minutes.chair_line:
        blocks.append(_text(plain(minutes.chair_line), weight="Bolder", spacing="None"))
    for number, (label, people) in enumerate(minutes.people):
        blocks.append(_text(label, weight="Bolder", separator=number == 0))
        blocks += [_person(name, detail) for name, detail in people] or [_text("none", isSubtle=True)]
    if minutes.quorum_line:
        blocks.append(_text(minutes.quorum_line, spacing="Small"))
    blocks.append(_text("Declarations of interest", weight="Bolder"))
    blocks += [_text(plain(line), spacing="None") for line in minutes.declaration_lines]
    if minutes.order_note:
        blocks.append(_text(plain(minutes.order_note), isSubtle=True, separator=True))
    for item in minutes.items:
        lead = f" — {plain(item.presenter)}" if item.presenter else ""
        heading = plain(item.title) if item.is_break else f"{item.number}. {plain(item.title)}"
        blocks.append(_text(f"**{item.time}  {heading}**{lead}", separator=True, spacing="Medium"))
        for minute in item.record:
            if minute.opens_questions:
                blocks.append(_text("Committee questions/ comments:", isSubtle=True))
            if minute.is_question:
                blocks.append(_text(f"• {plain(minute.text)}"))
                blocks += [{"type": "Container", "items": [_text(f"↳ {plain(answer)}", isSubtle=True, spacing="None")],
                            "spacing": "None", "bleed": False} for answer in minute.answers]
            elif minute.is_decision:
                blocks.append(_text(f"Decision: {plain(minute.text)}"))
            else:
                blocks.append(_text(plain(minute.text)))
        if item.outcome:
            comment = f" – {plain(item.outcome_comment)}" if item.outcome_comment else ""
            blocks.append(_text(f"**{item.outcome}**{comment}"))
        if item.status:
            blocks.append(_text(f"**{plain(item.status)}**"))
    for title, actions in minutes.action_sections:
        blocks.append(_text(title, weight="Bolder", separator=True, spacing="Medium"))
        blocks += [_text(plain(action.line)) for action in actions]
    if minutes.due_back:
        blocks.append(_text("Due back at the next meeting", weight="Bolder", separator=True, spacing="Medium"))
        blocks += [_text(plain(due.line)) for due in minutes.due_back]
    if minutes.next_meeting:
        blocks.append(_text(f"Next meeting: {minutes.next_meeting}"))
    blocks.append(_text(f"**{minutes.close_time}  Meeting close**", separator=True, spacing="Medium"))
    return blocks


def _person(name: str, role: str | None) -> dict:
    return _text(plain(name) + (f" · {plain(role)}" if role else ""), spacing="None")
