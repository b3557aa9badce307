"""Messages Clerk posts on its own initiative, into a conversation it has stored a reference for."""

from __future__ import annotations

import json
import logging

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from dialogs.committee import conversation_reference
from storage.db import Database

log = logging.getLogger("clerk.proactive")


class Messenger:
    def __init__(self, adapter: CloudAdapter, db: Database, app_id: str):
        self.adapter = adapter
        self.db = db
        self.app_id = app_id

    async def post_text(self, conversation_id: str, text: str) -> bool:
        """Posts text into the conversation; False (and a log line) when it could not be sent."""
        async with self.db.unit_of_work() as uow:
            stored = await conversation_reference(uow, conversation_id)
        if stored is None:
            log.warning("no stored reference for conversation %s", conversation_id)
            return False
        reference = ConversationReference().deserialize(json.loads(stored))

        async def send(turn_context: TurnContext):
            await turn_context.send_activity(MessageFactory.text(text))

        try:
            await self.adapter.continue_conversation(reference, send, self.app_id)
        except Exception:
            log.exception("could not post to conversation %s", conversation_id)
            return False
        return True
