"""Messages Clerk posts on its own initiative, into a conversation it has stored a reference for."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ChannelAccount, ConversationReference, Mention

from dialogs.committee import conversation_reference
from dialogs.context import Person
from storage.db import Database

log = logging.getLogger("clerk.proactive")
SEND_TIMEOUT_SECONDS = 15


class DeliveryFailed(Exception):
    """The Bot Connector did not accept the message (an HTTP error, a timeout, no reference)."""

    def __init__(self, reason: str, retry_after: timedelta | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Messenger:
    def __init__(self, adapter: CloudAdapter, db: Database, app_id: str):
        self.adapter = adapter
        self.db = db
        self.app_id = app_id

    async def deliver(self, conversation_id: str, text: str, mentions: tuple[Person, ...] = ()) -> None:
        """Posts text, turning `<at>Name</at>` for each person with a Teams id into a real mention so
        Teams notifies them. Raises DeliveryFailed; returns only once the connector accepted it."""
        async with self.db.unit_of_work() as uow:
            stored = await conversation_reference(uow, conversation_id)
        if stored is None:
            raise DeliveryFailed("no stored conversation reference")
        reference = ConversationReference().deserialize(json.loads(stored))
        message = MessageFactory.text(text)
        message.entities = [
            Mention(mentioned=ChannelAccount(id=person.user_id, name=person.name), text=f"<at>{person.name}</at>",
                    type="mention")
            for person in mentions if person.user_id
        ]

        errors: list[Exception] = []

        async def send(turn_context: TurnContext):
            # Caught here: the adapter would hand it to on_turn_error and report success.
            try:
                await turn_context.send_activity(message)
            except Exception as error:
                errors.append(error)

        try:
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                await self.adapter.continue_conversation(reference, send, self.app_id)
        except TimeoutError:
            raise DeliveryFailed("timed out") from None
        except Exception as error:
            raise _failure(error) from None
        if errors:
            raise _failure(errors[0])

    async def post_text(self, conversation_id: str, text: str) -> bool:
        """Best effort (timekeeping notices): False, and a log line, when it could not be sent."""
        try:
            await self.deliver(conversation_id, text)
        except DeliveryFailed as failure:
            log.warning("could not post to conversation %s: %s", conversation_id, failure.reason)
            return False
        return True


def _failure(error: Exception) -> DeliveryFailed:
    """What the connector said, from the msrest error botbuilder raises."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if status is None:
        return DeliveryFailed(f"{type(error).__name__}: {str(error)[:200]}")
    retry_after = None
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    if value and str(value).strip().isdigit():
        retry_after = timedelta(seconds=int(str(value).strip()))
    return DeliveryFailed(f"HTTP {status}", retry_after)
