"""Messages Clerk posts on its own initiative (reminders, notices), as the outbox stores them."""

from __future__ import annotations

import json

from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, ChannelAccount, Mention

from dialogs.context import Person


def render_text(text: str, mentions: tuple[Person, ...] = ()) -> str:
    """Text in which `<at>Name</at>`, for each person with a Teams id, becomes a real mention so
    Teams notifies them; as the outbox keeps it (dialogs.delivery.RenderText)."""
    message = MessageFactory.text(text)
    message.entities = [
        Mention(mentioned=ChannelAccount(id=person.user_id, name=person.name), text=f"<at>{person.name}</at>",
                type="mention")
        for person in mentions if person.user_id
    ]
    return payload(message)


def payload(message: Activity) -> str:
    """An activity as the outbox keeps it until it is sent."""
    return json.dumps(message.serialize())
