"""Adaptive Cards rendered from the plain views that dialogs/ returns."""

from __future__ import annotations

import json
import re

from botbuilder.core import CardFactory
from botbuilder.schema import Attachment

from dialogs.actions import ActionRow, ActionsView
from dialogs.agenda import AgendaView
from dialogs.action_cards import ActionCard, ActionForm, Choice
from dialogs.views import MinutesCardFor
from dialogs.context import Person
from dialogs.delivery import ActionRef
from dialogs.minutes_model import Minutes
from storage.vocabulary import ActionStatus

CARD_VERSION = "1.4"  # rendered by Teams desktop, web and mobile
# Teams refuses a message over about 28 KB; each card's JSON stays well below it.
MAX_CARD_BYTES = 24_000
APPROVE, EXPORT = "approve-minutes", "export-minutes"  # Action.Submit data, from cards posted before buttons
# Universal Actions: a button is an Action.Execute with one of these verbs; Teams sends it to the bot
# as an `adaptiveCard/action` invoke, and the card in the invoke response replaces it for the presser.
# Source: Microsoft Teams platform docs, "Work with Universal Actions for Adaptive Cards"
# (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-
# adaptive-cards/work-with-universal-actions-for-adaptive-cards). `refresh.userIds` lists who gets a
# view of their own when they see the card; Teams takes at most 60.
VERB_PREFIX = "clerk."
MAX_REFRESH_USERS = 60

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#+!~>|])")
_LIST_START = re.compile(r"^(\s*)(\d+)\.", re.MULTILINE)


def plain(text: str) -> str:
    """User text shown as text: nothing in it is read as markdown (links, emphasis, lists)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    escaped = _LIST_START.sub(r"\1\2\\.", escaped)
    return re.sub(r"^(\s*)-", r"\1\\-", escaped, flags=re.MULTILINE)


def _text(text: str, **style) -> dict:
    """Clerk's own words (never text people typed: that goes in `_rich`)."""
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


_BLOCK_PROPERTIES = ("spacing", "separator", "horizontalAlignment")


def _rich(*parts: str | tuple[str, dict] | None, **style) -> dict:
    """Text people typed, shown exactly as typed: a RichTextBlock of TextRuns, which no Teams client
    reads as markdown (Adaptive Cards schema, TextRun: plain text with its own styling; backslash
    escapes are not processed on Teams mobile, so they cannot protect text there). A part is text,
    or (text, its own style); `style` applies to every run, except spacing and separator, which
    are the block's."""
    block = {key: style.pop(key) for key in _BLOCK_PROPERTIES if key in style}
    inlines = []
    for part in parts:
        text, own = (part, {}) if isinstance(part, str) or part is None else part
        if text:
            inlines.append({"type": "TextRun", "text": text, **style, **own})
    return {"type": "RichTextBlock", "inlines": inlines, **block}


BOLD = {"weight": "Bolder"}


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


def card(body: list[dict], actions: list[dict] | None = None, refresh: dict | None = None) -> Attachment:
    content = card_content(body, actions)
    if refresh:
        content["refresh"] = refresh
    return CardFactory.adaptive_card(content)


def _execute(title: str, verb: str, data: dict, **extra) -> dict:
    return {"type": "Action.Execute", "title": title, "verb": VERB_PREFIX + verb, "data": data, **extra}


def _refresh(verb: str, data: dict, user_ids: tuple[str, ...]) -> dict | None:
    """Who sees a view of their own (by Teams user id) and how it is asked for."""
    if not user_ids:
        return None
    return {"action": _execute("Refresh", verb, data), "userIds": list(user_ids[:MAX_REFRESH_USERS])}


def _show(title: str, inputs: list[dict], submit: dict) -> dict:
    """A button that opens a small form under the card, and the button that sends it."""
    return {"type": "Action.ShowCard", "title": title,
            "card": {"type": "AdaptiveCard", "body": inputs, "actions": [submit]}}


def _choices(choices: list[Choice]) -> list[dict]:
    return [{"title": choice.title, "value": choice.value} for choice in choices]


def _notice(text: str | None) -> list[dict]:
    return [_rich(text, color="Accent", weight="Bolder")] if text else []


def agenda_card(view: AgendaView) -> Attachment:
    body = [
        _text("Agenda", weight="Bolder", size="Medium"),
        _rich(view.meeting_title, isSubtle=True, spacing="None"),
    ]
    if view.notice:
        body.append(_rich(view.notice))
    for row in view.rows:
        number = "" if row.number is None else str(row.number)
        title = _rich(("▶ ", BOLD) if row.is_current else None, (row.title, BOLD if row.is_current else {}))
        details = []
        if row.presenter:
            details.append(row.presenter)
        if row.planned_length is not None:
            details.append(f"{row.planned_length} min planned")
        if row.actual_start:
            taken = f"started {row.actual_start}"
            if row.actual_length is not None:
                taken += f", {row.actual_length} min"
            details.append(taken)
        item = [title]
        if details:
            item.append(_rich(" · ".join(details), isSubtle=True, spacing="None", size="Small"))
        body.append(
            {
                "type": "ColumnSet",
                "style": "emphasis" if row.is_current else "default",
                "separator": True,
                "columns": [
                    {"type": "Column", "width": "30px", "items": [_text(number, weight="Bolder")]},
                    {"type": "Column", "width": "50px", "items": [_text(row.planned_start or "–")]},
                    {"type": "Column", "width": "stretch", "items": item},
                ],
            }
        )
    body.append(_text(view.status_line, weight="Bolder", separator=True, spacing="Medium"))
    actions = [_execute("New action", "action.form", {})]
    if view.for_keeper:
        actions = [_execute("Next item", "agenda.next", {}), _execute("Start break", "agenda.break", {})] + actions
    return card(body, actions, _refresh("agenda.refresh", {}, view.keepers))


def actions_card(view: ActionsView) -> Attachment:
    body = [_rich(view.title, weight="Bolder", size="Medium")] + _notice(view.notice)
    if not view.rows:
        body.append(_text(view.empty_text, isSubtle=True))
    for row in view.rows:
        buttons = view.choice is not None and row.status == ActionStatus.OPEN
        body.append({"type": "Container", "separator": True, "style": "attention" if row.overdue else "default",
                     "items": _row_blocks(row) + ([_list_buttons(row, view.choice)] if buttons else [])})
    return card(body)


def _list_buttons(row: ActionRow, choice: str) -> dict:
    """Done, and More… (the action's own card, with every button), on each open action of a list;
    on the personal desk they name the action's committee."""
    where = {"committee": row.committee_id} if row.committee_id is not None else {}
    return {"type": "ActionSet", "actions": [
        _execute("Done", "action.done", {"action": row.number, "list": choice, **where}),
        _execute("More…", "action.open", {"action": row.number, **where}),
    ]}


def _row_blocks(row: ActionRow) -> list[dict]:
    status = "" if row.status == ActionStatus.OPEN else f" ({row.status})"
    return [
        _rich((f"{row.number}. ", BOLD), row.text + status),
        _rich(("OVERDUE · ", BOLD) if row.overdue else None, f"{row.owners} · {row.due}", spacing="None",
              size="Small"),
        _rich(row.source, isSubtle=True, spacing="None", size="Small"),
    ]


def action_buttons(number: int, owners: list[Choice], reminder: bool = False,
                   committee_id: int | None = None) -> list[dict]:
    """What an action's owners, the chair and the secretary can do with it, without typing a command."""
    data = {"action": number, **({"reminder": True} if reminder else {}),
            **({"committee": committee_id} if committee_id is not None else {})}
    buttons = [
        _show("Done", [{"type": "Input.Text", "id": "note", "label": "Note (optional)", "maxLength": 4000}],
              _execute("Mark done", "action.done", data)),
        _show("Add update", [{"type": "Input.Text", "id": "text", "label": "Update", "isMultiline": True,
                              "isRequired": True, "errorMessage": "Write the update.", "maxLength": 4000}],
              _execute("Add update", "action.update", data)),
        _show("New due date", [{"type": "Input.Date", "id": "due", "label": "Due"},
                               {"type": "Input.Toggle", "id": "nextMeeting", "title": "Due at the next meeting",
                                "valueOn": "true", "valueOff": "false"}],
              _execute("Set due date", "action.due", data)),
    ]
    if owners:
        buttons.append(_show("Reassign", [{"type": "Input.ChoiceSet", "id": "owners", "label": "Owners",
                                           "isMultiSelect": True, "isRequired": True,
                                           "errorMessage": "Choose at least one owner.",
                                           "choices": _choices(owners)}],
                             _execute("Reassign", "action.assign", data)))
    else:
        buttons.append(_execute("Reassign", "action.open", {k: v for k, v in data.items() if k != "reminder"}))
    if reminder:
        buttons.append(_execute("Snooze a week", "action.snooze", data))
    return buttons


def action_card(view: ActionCard) -> Attachment:
    body = _notice(view.notice) + _row_blocks(view.row)
    buttons = action_buttons(view.row.number, view.owners, view.reminder, view.committee_id) if view.is_open else None
    return card(body, buttons)


def message_card(text: str) -> Attachment:
    """A card that only says something: the answer to a button that cannot do what it did."""
    return card([_rich(text)])


_AT_TAG = re.compile(r"</?at>")


def reminder_card(text: str, mentions: tuple[Person, ...], action: ActionRef) -> Attachment:
    """An action's reminder as one card: the owners @mentioned (a mention in a card is an `<at>`
    tag in a TextBlock with its entity under `msteams.entities`; source: Microsoft Teams platform
    docs, "Format cards in Teams", mention support within Adaptive Cards: learn.microsoft.com/
    microsoftteams/platform/task-modules-and-cards/cards/cards-format), the reminder's
    words as text runs, and the action's buttons, so the owner presses Done instead of typing
    /done. The buttons name the committee, so they work in the owner's personal chat too."""
    body = [_rich(_AT_TAG.sub("", text))]
    content = card_content(body, action_buttons(action.number, [], reminder=True, committee_id=action.committee_id))
    if mentions:
        body.insert(0, _text(" ".join(f"<at>{person.name}</at>" for person in mentions), weight="Bolder"))
        content["msteams"] = {"entities": [{"type": "mention", "text": f"<at>{person.name}</at>",
                                            "mentioned": {"id": person.user_id, "name": person.name}}
                                           for person in mentions]}
    return CardFactory.adaptive_card(content)


def action_form(view: ActionForm) -> Attachment:
    body = [_text("New action", weight="Bolder", size="Medium")] + _notice(view.notice) + [
        {"type": "Input.Text", "id": "text", "label": "What is to be done", "isMultiline": True,
         "isRequired": True, "errorMessage": "Write what is to be done.", "maxLength": 4000},
        {"type": "Input.ChoiceSet", "id": "owners", "label": "Owners", "isMultiSelect": True,
         "choices": _choices(view.owners)},
        {"type": "Input.Date", "id": "due", "label": "Due"},
        {"type": "Input.Toggle", "id": "nextMeeting", "title": "Due at the next meeting", "valueOn": "true",
         "valueOff": "false"},
    ]
    if view.items:
        item = {"type": "Input.ChoiceSet", "id": "item", "label": "Item",
                "choices": [{"title": f"{number}. {title}", "value": str(number)} for number, title in view.items]}
        if view.current_item is not None:
            item["value"] = str(view.current_item)
        body.append(item)
    return card(body, [_execute("Record the action", "action.new", {})])


def minutes_cards(minutes: Minutes, for_chair: bool = False) -> list[Attachment]:
    """The draft minutes as one or more cards, in order, none over the size limit, nothing dropped.
    Everyone sees Export and, until approval, "Awaiting the chair's approval"; the chair's own view
    (a refresh by Teams user id, or `for_chair`) has Approve."""
    # A part's size, as JSON writes it, is its card's with the header alone plus each block's and
    # the ", " before it: added up block by block, not the whole card written out again for each.
    empty = _size(_header(f"{minutes.document_title} (99 of 99)", minutes), _minutes_actions(minutes, 99, True))
    parts: list[list[dict]] = [[]]
    size = empty
    for block in _minutes_blocks(minutes):
        added = len(", ") + _json_bytes(block)
        if parts[-1] and size + added > MAX_CARD_BYTES:
            parts.append([block])
            size = empty + added
        else:
            parts[-1].append(block)
            size += added
    total = len(parts)
    cards = []
    for index, part in enumerate(parts, start=1):
        title = minutes.document_title if total == 1 else f"{minutes.document_title} ({index} of {total})"
        waiting = ([_text(minutes.awaiting, isSubtle=True)]
                   if minutes.awaiting and not (for_chair and minutes.approve_at_close) else [])
        refresh = None if minutes.approved else _refresh("minutes.refresh", {"meeting": minutes.meeting_id,
                                                                            "part": index}, minutes.keepers)
        cards.append(card(_header(title, minutes) + waiting + part, _minutes_actions(minutes, index, for_chair),
                          refresh))
    return cards


def minutes_card_for(view: MinutesCardFor) -> Attachment:
    """One part of the minutes as the person who refreshed or pressed on it sees it."""
    parts = minutes_cards(view.minutes, view.may_approve)
    return parts[min(max(view.part, 1), len(parts)) - 1]


def _minutes_actions(minutes: Minutes, part: int, for_chair: bool) -> list[dict]:
    actions = [{"type": "Action.Submit", "title": "Export", "data": {"clerk": EXPORT, "meeting": minutes.meeting_id}}]
    if for_chair and minutes.approve_at_close and not minutes.approved:
        actions.insert(0, _execute("Approve", "minutes.approve", {"meeting": minutes.meeting_id, "part": part}))
    return actions


def _size(body: list[dict], actions: list[dict]) -> int:
    return _json_bytes(card_content(body, actions))


def _json_bytes(value: dict) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())


def _header(title: str, minutes: Minutes) -> list[dict]:
    header = [
        _text(title, weight="Bolder", size="Large"),
        _rich((minutes.name, BOLD), spacing="None"),
    ]
    if minutes.approved:
        header.append(_rich(minutes.approved, color="Good", weight="Bolder"))
    header += [_rich(amendment, color="Warning", spacing="None") for amendment in minutes.amendments]
    return header


def _minutes_blocks(minutes: Minutes) -> list[dict]:
    """Each block is small and whole: a card split happens only between blocks."""
    blocks = [
        _text(minutes.heading_time, weight="Bolder"),
        _rich(minutes.held, isSubtle=True, spacing="None"),
    ]
    if minutes.chair_line:
        blocks.append(_rich(minutes.chair_line, weight="Bolder", spacing="None"))
    for number, (label, people) in enumerate(minutes.people):
        blocks.append(_text(label, weight="Bolder", separator=number == 0))
        blocks += [_person(name, detail) for name, detail in people] or [_text("none", isSubtle=True)]
    if minutes.quorum_line:
        blocks.append(_text(minutes.quorum_line, spacing="Small"))
    blocks += [_rich(minute.text) for minute in minutes.opening]
    blocks.append(_text("Declarations of interest", weight="Bolder"))
    blocks += [_rich(line, spacing="None") for line in minutes.declaration_lines]
    if minutes.order_note:
        blocks.append(_rich(minutes.order_note, isSubtle=True, separator=True))
    for item in minutes.items:
        heading = f"{item.time}  {item.heading}" if item.time else item.heading
        blocks.append(_rich((heading, BOLD), f" — {item.presenter}" if item.presenter else None,
                            separator=True, spacing="Medium"))
        for minute in item.record:
            if minute.opens_questions:
                blocks.append(_text("Committee questions/ comments:", isSubtle=True))
            if minute.is_question:
                blocks.append(_rich(f"• {minute.text}"))
                blocks += [{"type": "Container", "items": [_rich(f"↳ {answer}", isSubtle=True, spacing="None")],
                            "spacing": "None", "bleed": False} for answer in minute.answers]
            else:
                blocks.append(_rich(minute.text))
        if item.outcome:
            blocks.append(_rich((item.outcome, BOLD), f" – {item.outcome_comment}" if item.outcome_comment else None))
        if item.status:
            blocks.append(_rich(item.status, weight="Bolder"))
    for title, actions in minutes.action_sections:
        blocks.append(_text(title, weight="Bolder", separator=True, spacing="Medium"))
        blocks += [_rich(action.line) for action in actions]
    if minutes.due_back:
        blocks.append(_text("Due back at the next meeting", weight="Bolder", separator=True, spacing="Medium"))
        blocks += [_rich(due.line) for due in minutes.due_back]
    if minutes.next_meeting:
        blocks.append(_rich(f"Next meeting: {minutes.next_meeting}"))
    blocks.append(_text(f"**{minutes.close_time}  Meeting close**", separator=True, spacing="Medium"))
    return blocks


def _person(name: str, detail: str | None) -> dict:
    return _rich(name + (f" · {detail}" if detail else ""), spacing="None")
