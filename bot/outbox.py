"""Everything Clerk posts goes through here: per-conversation order, Teams' rate limit, and retries.

Teams allows about 7 messages a second in one conversation; a burst waits its turn instead of
being dropped. A reply the Bot Connector refuses (429, 5xx) or does not answer is retried with
backoff, honouring Retry-After, within the turn's budget, so Teams gets its answer well inside its
15-second limit; what is still undelivered then is retried in the background.
"""

from __future__ import annotations

import asyncio
import bisect
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


# Microsoft's limits for a bot (Teams platform docs, "Optimize your bot with rate limiting in
# Teams", learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit): per bot per thread,
# "Send to conversation" allows 7 operations in 1 s, 8 in 2 s, 60 in 30 s and 1800 in 3600 s; and
# all of an app's requests in one tenant, 50 a second (OUTBOUND_PER_TENANT_PER_SECOND). The
# one-second figure is OUTBOUND_PER_SECOND; the longer windows scale with it.
TEAMS_PER_SECOND = 7
LONGER_CONVERSATION_WINDOWS = ((2.0, 8), (30.0, 60), (3600.0, 1800))


class SlidingWindows:
    """Send times per key, and how long until one more send keeps every window within its limit."""

    def __init__(self, windows: tuple[tuple[float, int], ...]):
        self.windows = windows
        self.longest = max(seconds for seconds, _ in windows)
        self._sent: dict[str, list[float]] = collections.defaultdict(list)

    def wait_needed(self, key: str, now: float) -> float:
        sent = self._sent[key]
        expired = bisect.bisect_right(sent, now - self.longest)
        if expired:
            del sent[:expired]
        wait = 0.0
        for seconds, most in self.windows:
            if len(sent) >= most:
                # the send `most` places back must leave this window before another may go
                wait = max(wait, sent[-most] + seconds - now)
        return wait

    def record(self, key: str, at: float) -> None:
        sent = self._sent[key]
        bisect.insort(sent, at)

    def finished(self, key: str, at: float) -> None:
        """The latest send ended at `at`: its slot counts from then."""
        sent = self._sent[key]
        if sent:
            sent[-1] = max(sent[-1], at)


class RateLimiter:
    """Every window of Microsoft's table, per conversation in arrival order, and the per-tenant limit."""

    def __init__(self, per_second: int, tenant_per_second: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable] = asyncio.sleep):
        self.clock, self.sleep = clock, sleep
        scale = per_second / TEAMS_PER_SECOND
        longer = tuple((seconds, max(1, round(most * scale))) for seconds, most in LONGER_CONVERSATION_WINDOWS)
        self._conversations = SlidingWindows(((1.0, per_second),) + longer)
        self._tenants = SlidingWindows(((1.0, tenant_per_second),))
        self._locks: dict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)

    def lock(self, conversation_id: str) -> asyncio.Lock:
        return self._locks[conversation_id]

    def sent(self, conversation_id: str) -> None:
        """Call when the send has finished: its slot counts from then, so the connector can never
        receive more than the limit within a window, however long each send took."""
        self._conversations.finished(conversation_id, self.clock())

    async def wait_turn(self, conversation_id: str, tenant_id: str | None = None) -> None:
        """Call while holding lock(conversation_id); returns when one more send is allowed. A burst
        waits (queued, never dropped)."""
        tenant = (tenant_id or "").lower()
        while True:
            now = self.clock()
            wait = max(self._conversations.wait_needed(conversation_id, now), self._tenants.wait_needed(tenant, now))
            if wait <= 0:
                # No await between the check and the record: concurrent conversations of one tenant
                # cannot both take the last slot.
                self._conversations.record(conversation_id, now)
                self._tenants.record(tenant, now)
                return
            await self.sleep(wait)


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
                await self.limiter.wait_turn(conversation_id, turn_context.activity.conversation.tenant_id)
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
            await self.limiter.wait_turn(conversation_id, reference.conversation.tenant_id)
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
