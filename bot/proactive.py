"""Messages as the outbox keeps them until they are sent: a small JSON of their own, not a
serialised Activity (msrest's serialisation and deserialisation of an Activity cost a turn more
than everything else the outbox does)."""

from __future__ import annotations

import json

from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, Attachment, ChannelAccount, Mention

from dialogs.context import Person


def render_text(text: str, mentions: tuple[Person, ...] = ()) -> str:
    """Text in which `<at>Name</at>`, for each person with a Teams id, becomes a real mention so
    Teams notifies them (dialogs.delivery.RenderText)."""
    return json.dumps({"text": text, "mentions": [[person.user_id, person.name] for person in mentions
                                                  if person.user_id]})


def render_card(attachment: Attachment) -> str:
    return json.dumps({"card": attachment.content, "contentType": attachment.content_type})


def activity_of(payload: str) -> Activity:
    """The activity to send for a message the outbox kept."""
    message = json.loads(payload)
    if "card" in message:
        return MessageFactory.attachment(Attachment(content_type=message["contentType"], content=message["card"]))
    activity = MessageFactory.text(message["text"])
    if message.get("mentions"):
        activity.entities = [Mention(mentioned=ChannelAccount(id=user_id, name=name), text=f"<at>{name}</at>",
                                     type="mention") for user_id, name in message["mentions"]]
    return activity
