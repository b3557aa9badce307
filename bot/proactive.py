"""Messages Clerk posts on its own initiative, into a conversation it has stored a reference for."""

from __future__ import annotations

import json
import logging

from botbuilder.core import MessageFactory
from botbuilder.schema import ChannelAccount, ConversationReference, Mention

from bot.outbox import Outbox
from dialogs.committee import conversation_reference
from dialogs.context import Person
from dialogs.errors import DeliveryFailed
from storage.db import Database

log = logging.getLogger("clerk.proactive")


class Messenger:
    def __init__(self, outbox: Outbox, db: Database):
        self.outbox = outbox
        self.db = db

    async def deliver(self, conversation_id: str, text: str, mentions: tuple[Person, ...] = ()) -> None:
        """Posts text, turning `<at>Name</at>` for each person with a Teams id into a real mention so
        Teams notifies them. Raises DeliveryFailed; returns only once the connector accepted it."""
        stored = await conversation_reference(self.db.unit_of_work, conversation_id)
        if stored is None:
            raise DeliveryFailed("no stored conversation reference", retryable=False)
        message = MessageFactory.text(text)
        message.entities = [
            Mention(mentioned=ChannelAccount(id=person.user_id, name=person.name), text=f"<at>{person.name}</at>",
                    type="mention")
            for person in mentions if person.user_id
        ]
        await self.outbox.deliver(ConversationReference().deserialize(json.loads(stored)), message)

    async def post_text(self, conversation_id: str, text: str) -> bool:
        """Best effort (timekeeping notices): False, and a log line, when it could not be sent."""
        try:
            await self.deliver(conversation_id, text)
        except DeliveryFailed as failure:
            log.warning("could not post to conversation %s: %s", conversation_id, failure.reason)
            return False
        return True
