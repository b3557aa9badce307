"""'Record in the minutes' on any chat message: a Teams message action (a message-extension command
with `context: ["message"]`, appPackage/manifest.json).

Teams sends `composeExtension/fetchTask` with `value.messagePayload` (the message: `id`, `body`
with `contentType` and `content`, `from.user` with `id` and `displayName`, `mentions`,
`linkToMessage`), answered with a dialog: `{"task": {"type": "continue", "value": {"card": ...}}}`.
The form's submission comes as `composeExtension/submitAction` with `value.data` (the inputs) and
the message again (Microsoft Teams platform docs, "Create and send the dialog" and "Respond to the
dialog submit action" for action commands). The submission becomes the typed command of its kind
(`/note`, `/decision`, `/question`, `/answer`, `/action`), run through the command table as the
person who chose it, and the entry keeps the message's author.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from botbuilder.core import InvokeResponse, TurnContext

from bot.cards import CARD_VERSION
from bot.commands import BY_NAME
from bot.failed import Failed
from bot.text import storable, words_of
from dialogs.context import Person, Turn
from dialogs.minutes_record import ItemChoices, item_choices
from dialogs.roles import Role

COMMAND_ID = "recordInMinutes"
FETCH, SUBMIT = "composeExtension/fetchTask", "composeExtension/submitAction"
KINDS = ("note", "decision", "question", "answer", "action")
_BY_WHEN = re.compile(r"\bby\s+((?:next\s+)?[A-Za-z]+day|\d{1,2}\s+[A-Za-z]+|[A-Za-z]+\s+\d{1,2}|the next meeting|"
                      r"next meeting|end of [A-Za-z]+)\b", re.IGNORECASE)
_TEAMS_LINK = re.compile(r"https://teams\.microsoft\.com/l/message/[^\s\"<>]{1,900}")


@dataclass(frozen=True)
class Quoted:
    """The message a person chose to record."""

    text: str
    author: Person | None
    link: str | None  # linkToMessage, when it is Teams' own
    mentioned: tuple[str, ...]  # display names of the people the message @mentions
    due: str | None  # "by Friday" in its words: the due date prefilled


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _name(value: object) -> str | None:
    return " ".join(storable(value).split())[:200] or None if isinstance(value, str) else None


def quoted_message(value: dict) -> Quoted | None:
    """The chosen message as plain values; None when the invoke carries none. Every field is
    checked: nothing in it is trusted to have Teams' shape."""
    payload = value.get("messagePayload")
    if not isinstance(payload, dict):
        return None
    body = _dict(payload.get("body"))
    content = body.get("content") if isinstance(body.get("content"), str) else ""
    text = words_of(storable(content)) if body.get("contentType") == "html" else storable(content)
    text = "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()
    user = _dict(_dict(payload.get("from")).get("user"))
    name = _name(user.get("displayName"))
    author = Person(name, user.get("id") if isinstance(user.get("id"), str) else None) if name else None
    mentions = payload.get("mentions") if isinstance(payload.get("mentions"), list) else []
    mentioned = tuple(name for name in (_name(_dict(_dict(_dict(m).get("mentioned")).get("user")).get("displayName"))
                                        for m in mentions) if name)
    link = payload.get("linkToMessage") if isinstance(payload.get("linkToMessage"), str) else ""
    when = _BY_WHEN.search(text)
    return Quoted(text[:4000], author, link if _TEAMS_LINK.fullmatch(link) else None, mentioned,
                  when.group(1) if when else None)


def form(quoted: Quoted, items: list[tuple[int, str]], current_item: int | None) -> dict:
    """The dialog Teams shows: what to record it as, its words, and for an action its owner and due."""
    said_by = f"From {quoted.author.name}'s message" if quoted.author else "From a message"
    body: list[dict] = [{"type": "TextBlock", "text": "Record in the minutes", "weight": "Bolder", "size": "Medium",
                         "wrap": True},
                        {"type": "TextBlock", "text": said_by, "isSubtle": True, "wrap": True, "spacing": "None"}]
    body += [
        {"type": "Input.ChoiceSet", "id": "kind", "label": "Record it as", "value": "note", "isRequired": True,
         "errorMessage": "Choose what to record it as.", "choices": [{"title": kind.capitalize(), "value": kind} for kind in KINDS]},
        {"type": "Input.Text", "id": "text", "label": "Words", "isMultiline": True, "isRequired": True,
         "errorMessage": "Write what is to be minuted.", "maxLength": 4000, "value": quoted.text},
        {"type": "Input.Text", "id": "owner", "label": "Owner (for an action)", "maxLength": 200,
         "value": ", ".join(quoted.mentioned)},
        {"type": "Input.Text", "id": "due", "label": "Due (for an action), e.g. 12 June or next meeting",
         "maxLength": 100, "value": quoted.due or ""},
    ]
    if items:
        item = {"type": "Input.ChoiceSet", "id": "item", "label": "Item",
                "choices": [{"title": f"{number}. {title}", "value": str(number)} for number, title in items]}
        if current_item is not None:
            item["value"] = str(current_item)
        body.append(item)
    return {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION, "body": body,
            "actions": [{"type": "Action.Submit", "title": "Record", "data": {"commandId": COMMAND_ID}}]}


def dialog(card: dict) -> dict:
    return {"task": {"type": "continue", "value": {"title": "Record in the minutes", "height": "large",
                                                   "width": "medium",
                                                   "card": {"contentType": "application/vnd.microsoft.card.adaptive",
                                                            "content": card}}}}


def said(text: str) -> dict:
    """What the dialog closes with: a line Teams shows the person."""
    return {"task": {"type": "message", "value": text[:500]}}


def command_line(data: dict) -> tuple[str, str] | str:
    """The submitted form as (command name, its arguments), or why it cannot be one."""
    kind = data.get("kind") if data.get("kind") in KINDS else None
    text = " ".join(str(data.get("text") or "").split())
    if kind is None:
        return "Choose what to record it as."
    if not text:
        return "Write what is to be minuted."
    item = str(data.get("item") or "").strip()
    args = (f"item {item} " if item.isdigit() else "") + text
    if kind == "action":
        owner = " ".join(str(data.get("owner") or "").split())
        due = " ".join(str(data.get("due") or "").split())
        args += (f" owner: {owner}" if owner else "") + (f" due: {due}" if due else "")
    return kind, args


async def answer(bot, turn_context: TurnContext, name: str, value: dict) -> InvokeResponse:
    """A message action's invoke (`bot` is the ClerkBot), answered as Teams expects: the form, or the
    line that closes it. Who may record it is the typed command's rule, for the person who chose it."""
    quoted = quoted_message(value)
    if quoted is None or value.get("commandId") != COMMAND_ID:
        return InvokeResponse(status=400, body={"error": "not Clerk's message action"})
    if name == FETCH:
        outcome = await bot.attempt(turn_context, lambda uow, turn: item_choices(uow, turn), (), Role.ANYONE, "",
                                    None, f"{turn_context.activity.id}:form", lambda reply: [])
        if isinstance(outcome, Failed):
            return InvokeResponse(status=200, body=said(outcome.message))
        choices = outcome.reply.view if outcome is not None else ItemChoices([], None)
        return InvokeResponse(status=200, body=dialog(form(quoted, choices.items, choices.current)))
    line = command_line(value.get("data") if isinstance(value.get("data"), dict) else {})
    if isinstance(line, str):
        return InvokeResponse(status=200, body=said(line))
    command, args = BY_NAME[line[0]], line[1]

    async def use_case(uow, turn: Turn):
        return await command.handler(uow, dataclasses.replace(turn, said_by=quoted.author,
                                                              source_link=quoted.link), args)

    outcome = await bot.attempt(turn_context, use_case, (), command.role_for(args), command.doing, None, None,
                                bot.render.messages, usage_of=command)
    if isinstance(outcome, Failed):
        return InvokeResponse(status=200, body=said(outcome.message))
    if outcome is not None:
        await bot.after(turn_context, outcome)
    return InvokeResponse(status=200, body=said(outcome.reply.text if outcome and outcome.reply else "Recorded."))
