"""Everything Clerk posts goes through here: the outbox's sender, Teams' rate limits, and the turn's time.

What Clerk owes a conversation is in the database (dialogs.delivery holds the rules: order,
retries, unknown outcomes). This module sends it: a turn's reply at once, within the time Teams
allows for its HTTP answer (15 s, so `ANSWER_SECONDS` from the request's arrival), and everything
else from the sweep (`Outbox.sweep`), which a scheduler runs every few seconds on every instance
and which therefore outlives restarts and outages of any length. Each send waits for Teams' rate
limits (per conversation and per tenant) and lasts at most `ATTEMPT_SECONDS`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import datetime, timedelta
from typing import Awaitable, Callable

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationParameters, ConversationReference

from bot.rate_limits import RateLimiter
from bot.activity import reference_from_body
from bot.connector import post_activity
from bot.proactive import activity_of, activity_text, addressed, meeting_notification_of, render_text
from bot.teams_api import TeamsMeetings
from dialogs import delivery, send_budget
from dialogs.delivery import Claimed, Enqueued, Queued
from dialogs.errors import DeliveryFailed
from storage.unit_of_work import DatabaseUnavailable, UnitOfWorkFactory
from storage.vocabulary import OutboxLane

log = logging.getLogger("clerk.outbox")

ATTEMPT_SECONDS = 5.0
ANSWER_SECONDS = 12.0  # from the request's arrival to Teams' HTTP answer; Teams gives up at 15 s
ANSWER_BY = "clerk.answer_by"  # turn_state key: the monotonic time by which Teams must have its answer
INCOMING = "clerk.incoming"  # turn_state key: the activity's body as Teams posted it (JSON)
SWEEP_CONCURRENCY = 16  # conversations delivered at once by a sweep: a hung one holds up no other
LIVE_COUNT_SECONDS = 2.0  # how long the count of live instances is trusted


def accepted_without_body(error: Exception) -> bool:
    """A 202 Accepted with an empty body is a message posted, but botbuilder's msrest client fails
    reading the body it expects. The Agents Playground answers so for a message with both text and
    a card (it posts them as two messages)."""
    return isinstance(error, ValueError) and str(error).startswith("Body is not available")


def failure_from(error: Exception) -> DeliveryFailed:
    """What the connector said, from the msrest error botbuilder raises. A timeout, or a connection
    lost after the request went out, leaves the outcome unknown: the message may have been posted."""
    if isinstance(error, DeliveryFailed):
        return error
    if isinstance(error, TimeoutError):
        return DeliveryFailed("timed out", unknown_outcome=True)
    if isinstance(error, (aiohttp.ClientConnectorError, ConnectionRefusedError)):
        return DeliveryFailed(f"unreachable: {str(error)[:200]}")  # never reached the connector
    response = getattr(error, "response", None)  # a requests or an aiohttp response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    if status is None:
        return DeliveryFailed(f"{type(error).__name__}: {str(error)[:200]}", unknown_outcome=True)
    retry_after = None
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    if value and str(value).strip().isdigit():
        retry_after = timedelta(seconds=int(str(value).strip()))
    return DeliveryFailed(f"HTTP {status}", retry_after, retryable=status == 429 or status >= 500)


class Outbox:
    def __init__(self, adapter: CloudAdapter, app_id: str, limiter: RateLimiter, new_unit_of_work: UnitOfWorkFactory,
                 instance: str, clock: Callable[[], datetime], sleep: Callable[[float], Awaitable] = asyncio.sleep,
                 shared_budget: bool = False, meetings: TeamsMeetings | None = None):
        """`shared_budget`: when other instances are alive, every instance counts its sends in the
        database (PostgreSQL), so the rate limits hold for all of them together; alone, this
        process's own limiter keeps them, at no cost to a turn."""
        self.shared_budget = shared_budget
        self.meetings = meetings
        self._others_checked_at, self._others_alive = -LIVE_COUNT_SECONDS, False
        self.adapter = adapter
        self.app_id = app_id
        self.limiter = limiter
        self.new_unit_of_work = new_unit_of_work
        self.instance = instance
        self.clock = clock
        self.sleep = sleep
        # Queues where this instance left something undelivered: its next reply there may not go
        # ahead of it (dialogs.delivery.queue holds a reply when only this instance's sends precede it).
        self._behind: set[tuple[str, str]] = set()

    async def deliver_turn(self, turn_context: TurnContext, queued: Enqueued) -> None:
        """Delivers the turn's queued reply now, in order after anything older in the conversation,
        and stops in time for Teams' answer: what is left is the sweep's."""
        if not queued.ids:
            return
        conversation_id = turn_context.activity.conversation.id
        answer_by = turn_context.turn_state.get(ANSWER_BY) or time.monotonic() + ANSWER_SECONDS

        def time_left() -> float:
            return answer_by - time.monotonic()

        lane = delivery.lane_of(turn_context.activity.id)
        lock = self.limiter.lock(conversation_id)
        try:
            async with asyncio.timeout(max(0.0, time_left() - ATTEMPT_SECONDS)):
                await lock.acquire()
        except TimeoutError:  # another turn of this conversation is still sending: the sweep takes these
            await delivery.release(self.new_unit_of_work, [message.id for message in queued.held], self.instance)
            self._note(conversation_id, lane, complete=False)
            return
        held = queued.held
        try:
            if held and (conversation_id, lane) in self._behind:  # what was left goes first
                await delivery.release(self.new_unit_of_work, [message.id for message in held], self.instance)
                held = []

            async def send(message: Claimed) -> str | None:
                return await self._send(message, turn_context, time_left)

            complete = await delivery.deliver_queue(
                self.new_unit_of_work, conversation_id, lane, self.instance, self.clock, send, held=held,
                until_id=queued.ids[-1], time_left=time_left, attempt_seconds=ATTEMPT_SECONDS, sleep=self.sleep)
            self._note(conversation_id, lane, complete)
        except DatabaseUnavailable:  # the turn's change and its reply are kept: the sweep delivers it
            log.warning("the database did not answer while delivering to %s; the sweep delivers the rest",
                        conversation_id)
            self._note(conversation_id, lane, complete=False)
        finally:
            lock.release()

    async def sweep(self) -> None:
        """Delivers what is due in every conversation: left by a turn that ran out of time, by an
        outage, by a restart, or queued by a reminder or a notice."""
        queues = await delivery.due_queues(self.new_unit_of_work, self.clock())
        slots = asyncio.Semaphore(SWEEP_CONCURRENCY)

        async def deliver(conversation_id: str, lane: OutboxLane) -> None:
            async with slots, self.limiter.lock(conversation_id):
                await delivery.fold_stale_replies(self.new_unit_of_work, conversation_id, lane, self.clock(),
                                                  render_text)
                complete = await delivery.deliver_queue(self.new_unit_of_work, conversation_id, lane, self.instance,
                                                        self.clock, self._send, sleep=self.sleep)
                self._note(conversation_id, lane, complete)

        results = await asyncio.gather(*(deliver(*queue) for queue in queues), return_exceptions=True)
        for (conversation_id, lane), result in zip(queues, results):
            if isinstance(result, Exception):
                log.error("delivering %s to %s failed", lane, conversation_id, exc_info=result)

    async def say_now(self, turn_context: TurnContext, text: str) -> None:
        """An answer that reports nothing recorded (a refusal, "try again"): sent in the turn and
        retried while Teams' answer allows; what still cannot go (the connector refuses it, or
        Teams' rate limit holds it) is queued for the sweep, unless the database is what failed."""
        message = render_text(text)
        conversation_id = turn_context.activity.conversation.id
        answer_by = turn_context.turn_state.get(ANSWER_BY) or time.monotonic() + ANSWER_SECONDS
        attempt = 0
        try:
            async with asyncio.timeout(max(0.0, answer_by - time.monotonic() - ATTEMPT_SECONDS)):
                await self.limiter.lock(conversation_id).acquire()
        except TimeoutError:
            await self._queue_answer(turn_context, text)
            return
        try:
            while True:
                attempt += 1
                try:
                    await self._attempt(conversation_id, turn_context.activity.conversation.tenant_id,
                                        lambda: self._reply(turn_context, message),
                                        answer_by - time.monotonic() - ATTEMPT_SECONDS)
                    return
                except DeliveryFailed as failure:
                    pause = delivery.backoff_seconds(attempt, failure)
                    log.warning("answer in %s not accepted (attempt %d): %s", conversation_id, attempt, failure.reason)
                    if not failure.retryable or failure.unknown_outcome:
                        return
                    if answer_by - time.monotonic() < pause + ATTEMPT_SECONDS:
                        await self._queue_answer(turn_context, text)
                        return
                    await self.sleep(pause)
        finally:
            self.limiter.lock(conversation_id).release()

    async def _send(self, message: Claimed, turn_context: TurnContext | None = None,
                    time_left: Callable[[], float] | None = None) -> str | None:
        """One attempt at one queued message: the turn's own reply with the turn's connector client,
        anything else through the conversation's stored reference. Returns the posted activity's id."""
        max_wait = time_left() - ATTEMPT_SECONDS if time_left else None
        notification = meeting_notification_of(message.payload)
        if notification is not None:
            return await self._notify(message, notification, max_wait)
        if turn_context is not None and message.reply_to_id == turn_context.activity.id \
                and message.conversation_id == turn_context.activity.conversation.id:
            return await self._attempt(message.conversation_id, turn_context.activity.conversation.tenant_id,
                                       lambda: self._reply(turn_context, message.payload), max_wait)
        if message.reference is None:
            raise DeliveryFailed("no stored conversation reference", retryable=False)
        reference = json.loads(message.reference)
        tenant_id = (reference.get("conversation") or {}).get("tenantId")
        if not (reference.get("conversation") or {}).get("id"):  # a person's personal chat, yet to be opened
            return await self._attempt(message.conversation_id, tenant_id,
                                       lambda: self._open_personal_chat(reference, message.payload), max_wait)

        async def post() -> str | None:
            client = await self._proactive_client(reference["serviceUrl"])
            # A reply stays a reply to the message it answers (its thread, in a channel).
            return await post_activity(self._session(), client, reference["conversation"]["id"], message.reply_to_id,
                                       addressed(activity_text(message.payload), reference, message.reply_to_id))

        return await self._attempt(message.conversation_id, tenant_id, post, max_wait)

    async def _reply(self, turn_context: TurnContext, payload: str) -> str | None:
        """Posts a reply with the connector client botbuilder chose for the turn (its service URL
        and credentials)."""
        incoming = turn_context.activity
        client = turn_context.turn_state[turn_context.adapter.BOT_CONNECTOR_CLIENT_KEY]
        reference = reference_from_body(turn_context.turn_state[INCOMING])
        return await post_activity(self._session(), client, incoming.conversation.id, incoming.id,
                                   addressed(activity_text(payload), reference, incoming.id))

    async def _proactive_client(self, service_url: str):
        """The connector client botbuilder's continue_conversation would use: the app's own claims."""
        factory = self.adapter.bot_framework_authentication.create_connector_factory(
            self.adapter.create_claims_identity(self.app_id))
        return await factory.create(service_url, None)

    def _session(self):
        return self.adapter.bot_framework_authentication.session()

    async def _open_personal_chat(self, reference: dict, payload: str) -> str | None:
        """The Bot Connector creates, or finds, the person's chat with Clerk and the message goes
        there (botbuilder's create_conversation)."""
        stored = ConversationReference().deserialize(reference)
        responses, errors = [], []

        async def callback(proactive_context: TurnContext):
            # Caught here: the adapter would hand it to on_turn_error and report success.
            try:
                responses.append(await proactive_context.send_activity(activity_of(payload)))
            except Exception as error:
                if not accepted_without_body(error):
                    errors.append(error)

        await self.adapter.create_conversation(self.app_id, callback, _personal_chat(stored), stored.channel_id,
                                               stored.service_url)
        if errors:
            raise errors[0]
        return responses[0].id if responses and responses[0] is not None else None

    async def _notify(self, message: Claimed, notification: dict, max_wait: float | None) -> None:
        """A targeted meeting notification, posted to the meeting's own endpoint (bot.teams_api)."""
        if message.reference is None or self.meetings is None:
            raise DeliveryFailed("no stored conversation reference", retryable=False)
        reference = json.loads(message.reference)
        await self._attempt(message.conversation_id, (reference.get("conversation") or {}).get("tenantId"),
                            lambda: self.meetings.notify(reference.get("serviceUrl"), notification["meetingId"],
                                                         notification["body"]), max_wait)

    async def _attempt(self, conversation_id: str, tenant_id: str | None, call: Callable[[], Awaitable],
                       max_wait: float | None):
        """Waits for the rate limits (at most `max_wait`), then makes one call of at most
        ATTEMPT_SECONDS. The caller holds the conversation's lock."""
        counted = False  # in the shared budget
        try:
            async with asyncio.timeout(max(0.0, max_wait) if max_wait is not None else None):
                await self.limiter.wait_turn(conversation_id, tenant_id)
                while self.shared_budget and await self._not_alone():
                    wait = await self._take_shared(conversation_id, tenant_id)
                    if wait is None or wait <= 0:
                        counted = wait is not None
                        break
                    await self.sleep(wait)
        except TimeoutError:
            raise DeliveryFailed("waiting for Teams' rate limit") from None  # nothing was sent
        try:
            async with asyncio.timeout(ATTEMPT_SECONDS):
                return await call()
        except Exception as error:
            if accepted_without_body(error):
                return None
            raise failure_from(error) from None
        finally:
            self.limiter.sent(conversation_id, tenant_id, counted)

    async def _not_alone(self) -> bool:
        """Whether another instance is alive (asked of the database every LIVE_COUNT_SECONDS)."""
        if time.monotonic() - self._others_checked_at >= LIVE_COUNT_SECONDS:
            try:
                self._others_alive = await delivery.live_instances(self.new_unit_of_work, self.clock()) > 1
            except DatabaseUnavailable:
                self._others_alive = True  # cannot tell: count in the shared budget, which itself falls back
            self._others_checked_at = time.monotonic()
        return self._others_alive

    async def _take_shared(self, conversation_id: str, tenant_id: str | None) -> float | None:
        """The wait before the send may go (0.0: now, and it is counted), or None when the database
        cannot count it: this process's own limiter holds then."""
        try:
            return await send_budget.take_send_slot(self.new_unit_of_work, self.limiter.limits(conversation_id, tenant_id))
        except DatabaseUnavailable:
            log.warning("the shared send budget is unavailable; sending under this instance's limits")
            return None

    async def keep_sends(self) -> None:
        """Counts in the database what this process's own limiter let through (bot.rate_limits)."""
        sends = self.limiter.take_unkept()
        if sends:
            try:
                await send_budget.keep_sends(self.new_unit_of_work, sends)
            except DatabaseUnavailable:
                self.limiter.give_back(sends)

    async def recall_sends(self) -> None:
        """At start: the sends of the last hour, which Teams' windows still count."""
        self.limiter.recall(await send_budget.sends_since(self.new_unit_of_work, self.limiter.wall() - self.limiter.longest))

    async def forget_old_sends(self) -> None:
        await send_budget.forget_sends_before(self.new_unit_of_work, self.limiter.wall() - self.limiter.longest)

    async def _queue_answer(self, turn_context: TurnContext, text: str) -> None:
        activity = turn_context.activity
        try:
            await delivery.queue_alone(self.new_unit_of_work, activity.conversation.id, Queued(render_text(text)),
                                       self.clock(), activity.id)
        except DatabaseUnavailable:
            log.warning("could not answer in %s, nor keep the answer: the database is unavailable",
                        activity.conversation.id)
        else:
            self._note(activity.conversation.id, delivery.lane_of(activity.id), complete=False)

    def _note(self, conversation_id: str, lane: str, complete: bool) -> None:
        if complete:
            self._behind.discard((conversation_id, lane))
        else:
            self._behind.add((conversation_id, lane))


def _personal_chat(reference: ConversationReference) -> ConversationParameters:
    """The 1:1 chat between Clerk and the reference's user. Creating it when it exists returns the
    existing chat. Source: Microsoft Teams platform docs, "Proactive messages" (create the
    conversation, then send; learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/
    send-proactive-messages) and the Bot Connector REST API's Create Conversation."""
    tenant_id = reference.conversation.tenant_id
    return ConversationParameters(is_group=False, bot=reference.bot, members=[reference.user], tenant_id=tenant_id,
                                  channel_data={"tenant": {"id": tenant_id}})

