"""Everything Clerk posts goes through here: per-conversation order, Teams' rate limit, and retries.

Teams allows about 7 messages a second in one conversation; a burst waits its turn instead of
being dropped. A reply the Bot Connector refuses (429, 5xx) or does not answer is retried with
backoff, honouring Retry-After, within the turn's budget, so Teams gets its answer well inside its
15-second limit; what is still undelivered then is retried in the background.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from datetime import timedelta
from typing import Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ConversationReference

from dialogs.errors import DeliveryFailed

log = logging.getLogger("clerk.outbox")

ATTEMPT_TIMEOUT = 5.0
REPLY_BUDGET = 10.0  # seconds a turn may spend delivering its replies
BACKGROUND_ATTEMPTS = 6


def failure_from(error: Exception) -> DeliveryFailed:
    """What the connector said, from the msrest error botbuilder raises."""
    if isinstance(error, DeliveryFailed):
        return error
    if isinstance(error, TimeoutError):
        return DeliveryFailed("timed out")
    response = getattr(error, "response", None)  # a requests or an aiohttp response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    if status is None:
        return DeliveryFailed(f"{type(error).__name__}: {str(error)[:200]}")
    retry_after = None
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    if value and str(value).strip().isdigit():
        retry_after = timedelta(seconds=int(str(value).strip()))
    return DeliveryFailed(f"HTTP {status}", retry_after, retryable=status == 429 or status >= 500)


class RateLimiter:
    """At most `per_second` sends in any one-second window, per conversation, in arrival order."""

    def __init__(self, per_second: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable] = asyncio.sleep):
        self.per_second, self.clock, self.sleep = per_second, clock, sleep
        self._sent: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self._locks: dict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)

    def lock(self, conversation_id: str) -> asyncio.Lock:
        return self._locks[conversation_id]

    def sent(self, conversation_id: str) -> None:
        """Call when the send has finished: its slot counts from then, so the connector can never
        receive more than `per_second` within a second, however long each send took."""
        sent = self._sent[conversation_id]
        if sent:
            sent[-1] = self.clock()

    async def wait_turn(self, conversation_id: str) -> None:
        """Call while holding lock(conversation_id); returns when one more send is allowed."""
        sent = self._sent[conversation_id]
        while True:
            now = self.clock()
            while sent and now - sent[0] >= 1.0:
                sent.popleft()
            if len(sent) < self.per_second:
                sent.append(now)
                return
            await self.sleep(1.0 - (now - sent[0]))


class Outbox:
    def __init__(self, adapter: CloudAdapter, app_id: str, limiter: RateLimiter,
                 sleep: Callable[[float], Awaitable] = asyncio.sleep):
        self.adapter = adapter
        self.app_id = app_id
        self.limiter = limiter
        self.sleep = sleep
        self._background: set[asyncio.Task] = set()

    async def reply(self, turn_context: TurnContext, message: Activity):
        """Sends a reply in the turn; returns the connector's ResourceResponse, or None when it is
        still undelivered at the end of the budget (it is then retried in the background)."""
        conversation_id = turn_context.activity.conversation.id
        deadline = time.monotonic() + REPLY_BUDGET
        attempt = 0
        async with self.limiter.lock(conversation_id):
            while True:
                attempt += 1
                await self.limiter.wait_turn(conversation_id)
                try:
                    async with asyncio.timeout(ATTEMPT_TIMEOUT):
                        return await turn_context.send_activity(message)
                except Exception as error:
                    failure = failure_from(error)
                finally:
                    self.limiter.sent(conversation_id)
                log.warning("reply to %s not accepted (attempt %d): %s", conversation_id, attempt, failure.reason)
                pause = _backoff(attempt, failure)
                if not failure.retryable:
                    return None
                if time.monotonic() + pause + ATTEMPT_TIMEOUT > deadline:
                    break
                await self.sleep(pause)
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        task = asyncio.create_task(self._retry_in_background(reference, message, attempt))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return None

    async def deliver(self, reference: ConversationReference, message: Activity) -> None:
        """Sends one message outside a turn (reminders, notices). Raises DeliveryFailed; returns
        only once the connector accepted it. The caller decides about retrying."""
        errors: list[Exception] = []

        async def send(turn_context: TurnContext):
            # Caught here: the adapter would hand it to on_turn_error and report success.
            try:
                await turn_context.send_activity(message)
            except Exception as error:
                errors.append(error)

        conversation_id = reference.conversation.id
        async with self.limiter.lock(conversation_id):
            await self.limiter.wait_turn(conversation_id)
            try:
                async with asyncio.timeout(ATTEMPT_TIMEOUT):
                    await self.adapter.continue_conversation(reference, send, self.app_id)
            except Exception as error:
                raise failure_from(error) from None
            finally:
                self.limiter.sent(conversation_id)
        if errors:
            raise failure_from(errors[0])

    async def _retry_in_background(self, reference: ConversationReference, message: Activity, attempt: int) -> None:
        for attempt in range(attempt + 1, attempt + 1 + BACKGROUND_ATTEMPTS):
            try:
                await self.deliver(reference, message)
                log.info("reply to %s delivered on attempt %d", reference.conversation.id, attempt)
                return
            except DeliveryFailed as failure:
                log.warning("reply to %s not accepted (attempt %d): %s", reference.conversation.id, attempt,
                            failure.reason)
                if not failure.retryable:
                    break
                await self.sleep(_backoff(attempt, failure))
        log.error("gave up delivering a reply to %s", reference.conversation.id)

    async def drain(self) -> None:
        """Waits for background retries (tests, and a clean shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)


def _backoff(attempt: int, failure: DeliveryFailed) -> float:
    pause = min(8.0, 0.5 * 2 ** (attempt - 1))
    if failure.retry_after is not None:
        pause = max(pause, failure.retry_after.total_seconds())
    return pause
