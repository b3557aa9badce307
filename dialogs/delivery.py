"""What Clerk owes a conversation: queued with the change it reports, then delivered in order.

Every reply, notice and reminder is written to the outbox by the same transaction that records
what it reports, so a change is never committed without its message, whatever happens to the Bot
Connector or to this process afterwards. A conversation has two queues (storage.vocabulary.
OutboxLane): answers to what people typed, and Clerk's own notices and reminders, so neither holds
the other up. Delivery takes a queue's first message (a claim with a lease, so one instance sends
it), sends it, and deletes it once the connector accepted it; the next waits until then, which
keeps each queue in order.

- A refusal (429, 5xx, the connector unreachable) is definite: tried again with a backoff that
  honours Retry-After, for as long as the outage lasts.
- A send that timed out has an unknown outcome: the connector may still post it. It is tried again,
  first after `UNKNOWN_OUTCOME_WAIT` and then with a backoff, for up to `UNKNOWN_OUTCOME_HORIZON`:
  a confirmation lost is worse than one posted twice.
- A claim has a lease. On PostgreSQL every instance says every second that it is alive
  (`heartbeat`), so the claims of one that died are taken over within seconds; SQLite runs one
  instance at a time, which takes over whatever another held when it starts (`take_over_claims`).
  Either way the chat's next message is not held up, and the one being sent is sent again.
- Anything else the connector refuses (the bot was removed, the conversation is gone) is given up
  at once, with a log line; the messages after it go on.

bot/ renders the messages (bot.outbox sends them); this module holds the rules.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from dialogs.context import Person
from dialogs.errors import DeliveryFailed
from storage.models import MinutesPost
from storage.delivery_models import OutboxMessage
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from storage.vocabulary import OutboxLane

log = logging.getLogger("clerk.delivery")

CLAIM_LEASE = timedelta(seconds=60)  # far longer than one send; an instance that died loses its claims sooner
HEARTBEAT = timedelta(seconds=1)
UNKNOWN_OUTCOME_WAIT = timedelta(seconds=60)  # a hung connector has answered or given up by then
UNKNOWN_OUTCOME_HORIZON = timedelta(hours=24)  # tried again with backoff until this long after it was queued
UNKNOWN_OUTCOME_MAX_WAIT = timedelta(hours=1)
MAX_BACKOFF_SECONDS = 60.0
QUEUES_PER_SWEEP = 200
WAIT_FOR_OTHER_SENDER_SECONDS = 0.05


@dataclass(frozen=True)
class MinutesPart:
    """Which draft minutes card a message is, so approval can update it in place once posted."""

    meeting_id: int
    part: int
    parts: int


@dataclass(frozen=True)
class Queued:
    payload: str  # the message as bot/ will send it
    minutes: MinutesPart | None = None
    text: str | None = None  # a plain-text reply's words: stale ones fold into one message


@dataclass(frozen=True)
class PersonalChat:
    """A person's personal chat with Clerk, as the outbox addresses it: by their Teams account, with
    a reference that bot/ completes by creating the chat when Clerk has not written in it yet."""

    conversation_id: str
    reference_json: str


@dataclass(frozen=True)
class Claimed:
    """A message this instance holds for sending now."""

    id: int
    conversation_id: str
    payload: str
    reply_to_id: str | None
    reference: str | None  # the conversation's stored reference (None: none, or not needed in the turn)
    minutes: MinutesPart | None = None


# Sends one message; returns the id Teams gave the posted activity. Raises DeliveryFailed.
Send = Callable[[Claimed], Awaitable[str | None]]
@dataclass(frozen=True)
class ActionRef:
    """An action by its committee and number: what a reminder's buttons act on, wherever it is read."""

    committee_id: int
    number: int


# Text and the people it @mentions, as the message bot/ will send (for reminders and notices); with
# an action, the message carries that action's buttons.
RenderText = Callable[[str, tuple[Person, ...], ActionRef | None], str]


@dataclass(frozen=True)
class Enqueued:
    ids: list[int]
    held: list[Claimed]  # those held for the sender to deliver right after the commit


async def queue(uow: UnitOfWork, conversation_id: str, messages: list[Queued], now: datetime,
                reply_to_id: str | None = None, sender: str | None = None) -> Enqueued:
    """Writes the messages in the caller's transaction. With `sender`, they are held for that
    instance, which delivers them right after the commit, unless something older is waiting in the
    queue that the sender is not itself delivering now (then they wait their turn). The sender
    delivers a queue in order (bot.outbox), so what it holds goes out after what it held before."""
    if not messages:
        return Enqueued([], [])
    lane = lane_of(reply_to_id)
    ids, held = await uow.outbox.enqueue([
        dict(conversation_id=conversation_id, lane=lane, payload=message.payload, text=message.text,
             reply_to_id=reply_to_id,
             minutes_meeting_id=message.minutes and message.minutes.meeting_id,
             minutes_part=message.minutes and message.minutes.part,
             minutes_parts=message.minutes and message.minutes.parts,
             created_at=now, not_before=now, attempts=0, unknown_outcomes=0)
        for message in messages
    ], sender, now + CLAIM_LEASE)
    return Enqueued(ids, [Claimed(message_id, conversation_id, message.payload, reply_to_id, None, message.minutes)
                          for message_id, message in zip(ids, messages)] if held else [])


def personal_chat_id(user_id: str) -> str:
    """How the outbox names a person's personal chat with Clerk (bot/ keeps its reference under it)."""
    return f"personal:{user_id}"


async def queue_privately(uow: UnitOfWork, committee_id: int, chat: PersonalChat, messages: list[Queued],
                          now: datetime) -> Enqueued:
    """Queues messages for a personal chat, in the caller's transaction; the sweep delivers them."""
    await uow.committees.keep_personal_chat(chat.conversation_id, chat.reference_json, committee_id, now)
    return await queue(uow, chat.conversation_id, messages, now)


def lane_of(reply_to_id: str | None) -> OutboxLane:
    return OutboxLane.REPLIES if reply_to_id else OutboxLane.NOTICES


async def deliver_queue(new_unit_of_work: UnitOfWorkFactory, conversation_id: str, lane: OutboxLane, instance: str,
                        clock: Callable[[], datetime], send: Send, held: list[Claimed] = (),
                        until_id: int | None = None, time_left: Callable[[], float] | None = None,
                        attempt_seconds: float = 0.0, sleep: Callable[[float], Awaitable] = asyncio.sleep) -> bool:
    """Sends a queue's messages in order: first those this instance already holds, then whatever
    it can claim. Stops at a message that cannot be sent now, once `until_id` has been delivered,
    or when `time_left()` cannot cover another attempt of `attempt_seconds` (what is left then is
    released for the sweep). Messages delivered from `held` are settled together at the end.
    True when it stopped with nothing of its own left behind."""
    held = list(held)
    delivered: list[tuple[Claimed, str | None]] = []
    complete = False
    try:
        while True:
            if time_left is not None and time_left() < attempt_seconds:
                break
            if held:
                message = held.pop(0)
            else:
                await settle_delivered(new_unit_of_work, delivered, instance, clock())  # so the next is first
                message = await _claim(new_unit_of_work, conversation_id, lane, instance, clock)
                if message is None:
                    if until_id is not None and await _held_elsewhere_before(new_unit_of_work, conversation_id, lane,
                                                                             until_id, clock()):
                        await sleep(WAIT_FOR_OTHER_SENDER_SECONDS)  # another turn or instance sends what comes first
                        continue
                    complete = not await _waiting(new_unit_of_work, conversation_id, lane, until_id)
                    break
                if until_id is not None and message.id > until_id:  # ours went out already: the rest is the sweep's
                    held = [message]
                    break
            if not await _deliver(new_unit_of_work, message, instance, clock, send, time_left, attempt_seconds, sleep,
                                  delivered):
                break
            if until_id is not None and message.id >= until_id:
                complete = True
                break
    finally:
        await settle_delivered(new_unit_of_work, delivered, instance, clock())
        await release(new_unit_of_work, [message.id for message in held], instance)
    return complete and not held


FOLDED = "While Teams could not be reached, Clerk recorded:"
STALE_AFTER = timedelta(seconds=60)  # a confirmation this old is news of the past, not an answer


async def fold_stale_replies(new_unit_of_work: UnitOfWorkFactory, conversation_id: str, lane: OutboxLane,
                             now: datetime, render: Callable[[str], str]) -> None:
    """After an outage, the plain-text confirmations a chat is owed, from the first in line while they
    are stale and were never possibly posted, become one message ("While Teams could not be reached,
    Clerk recorded: ..."), in order, answering the first one's message; a card ends the run."""
    if lane != OutboxLane.REPLIES:
        return
    async with new_unit_of_work() as uow:
        stale = []
        for message in await uow.outbox.waiting(conversation_id, lane):
            held = message.claimed_until is not None and message.claimed_until >= now
            if message.text is None or message.unknown_outcomes or held or message.created_at > now - STALE_AFTER:
                break
            stale.append(message)
        if len(stale) < 2:
            return
        first = stale[0]
        first.payload = render("\n".join([FOLDED, *(f"- {message.text}" for message in stale)]))
        first.text = None  # folded once: what follows it is not folded into it again
        await uow.outbox.remove_unclaimed([message.id for message in stale[1:]])
        await uow.commit()


async def take_over_claims(new_unit_of_work: UnitOfWorkFactory, instance: str) -> None:
    """At the start of the one instance SQLite runs: whatever another held, it held when it stopped."""
    async with new_unit_of_work() as uow:
        await uow.outbox.release_all_but(instance)
        await uow.commit()


async def live_instances(new_unit_of_work: UnitOfWorkFactory, now: datetime) -> int:
    async with new_unit_of_work() as uow:
        return await uow.outbox.live_instances(now)


async def heartbeat(new_unit_of_work: UnitOfWorkFactory, instance: str, now: datetime) -> None:
    """This instance is alive: called every HEARTBEAT."""
    async with new_unit_of_work() as uow:
        await uow.outbox.beat(instance, now)
        await uow.commit()


async def release(new_unit_of_work: UnitOfWorkFactory, message_ids: list[int], instance: str) -> None:
    """Gives back messages this instance held but will not send now: the sweep takes them."""
    if message_ids:
        async with new_unit_of_work() as uow:
            await uow.outbox.release(message_ids, instance)
            await uow.commit()


async def queue_alone(new_unit_of_work: UnitOfWorkFactory, conversation_id: str, message: Queued, now: datetime,
                      reply_to_id: str | None) -> None:
    """Queues a message that goes with no change (an answer that could not be sent in its turn), in
    a transaction of its own. Raises DatabaseUnavailable."""
    async with new_unit_of_work() as uow:
        await queue(uow, conversation_id, [message], now, reply_to_id=reply_to_id)
        await uow.commit()


async def due_queues(new_unit_of_work: UnitOfWorkFactory, now: datetime) -> list[tuple[str, OutboxLane]]:
    async with new_unit_of_work() as uow:
        return [(conversation_id, OutboxLane(lane))
                for conversation_id, lane in await uow.outbox.due_queues(now, QUEUES_PER_SWEEP)]


async def _deliver(new_unit_of_work: UnitOfWorkFactory, message: Claimed, instance: str,
                   clock: Callable[[], datetime], send: Send, time_left: Callable[[], float] | None,
                   attempt_seconds: float, sleep: Callable[[float], Awaitable],
                   delivered: list[tuple[Claimed, str | None]]) -> bool:
    """Sends one held message, retrying a refusal while time allows; True once it is delivered
    (added to `delivered`) or given up, False when it stays for later."""
    attempt = 0
    while True:
        attempt += 1
        try:
            activity_id = await send(message)
        except DeliveryFailed as error:
            failure = error
        else:
            delivered.append((message, activity_id))
            return True
        log.warning("message %s to %s not delivered (attempt %d): %s", message.id, message.conversation_id,
                    attempt, failure.reason)
        pause = backoff_seconds(attempt, failure)
        in_time = time_left is not None and time_left() >= pause + attempt_seconds
        if failure.retryable and not failure.unknown_outcome and in_time:
            await sleep(pause)
            continue
        return await _not_delivered(new_unit_of_work, message, instance, failure, attempt, clock())


def backoff_seconds(attempt: int, failure: DeliveryFailed) -> float:
    pause = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** (attempt - 1))
    if failure.retry_after is not None:
        pause = max(pause, failure.retry_after.total_seconds())
    return pause


async def _claim(new_unit_of_work: UnitOfWorkFactory, conversation_id: str, lane: OutboxLane, instance: str,
                 clock: Callable[[], datetime]) -> Claimed | None:
    now = clock()
    async with new_unit_of_work() as uow:
        found = await uow.outbox.claim_first(conversation_id, lane, instance, now, now + CLAIM_LEASE)
        await uow.commit()
    return found and _claimed(*found)


async def _held_elsewhere_before(new_unit_of_work: UnitOfWorkFactory, conversation_id: str, lane: OutboxLane,
                                 until_id: int, now: datetime) -> bool:
    """Whether message `until_id` waits behind one that another sender holds now (not behind one
    waiting for its retry, which is the sweep's)."""
    async with new_unit_of_work() as uow:
        waiting = await uow.outbox.waiting(conversation_id, lane)
        first = waiting[0] if waiting else None
        return first is not None and first.id <= until_id and first.not_before <= now \
            and first.claimed_until is not None and first.claimed_until >= now \
            and await uow.outbox.is_alive(first.claimed_by, now)


async def _waiting(new_unit_of_work: UnitOfWorkFactory, conversation_id: str, lane: OutboxLane,
                   until_id: int | None) -> bool:
    """Whether the queue still holds a message (up to `until_id`, when given)."""
    async with new_unit_of_work() as uow:
        waiting = await uow.outbox.waiting(conversation_id, lane)
    return any(until_id is None or message.id <= until_id for message in waiting)


def _claimed(message: OutboxMessage, reference: str | None) -> Claimed:
    minutes = None
    if message.minutes_meeting_id is not None:
        minutes = MinutesPart(message.minutes_meeting_id, message.minutes_part, message.minutes_parts)
    return Claimed(message.id, message.conversation_id, message.payload, message.reply_to_id, reference, minutes)


async def settle_delivered(new_unit_of_work: UnitOfWorkFactory, delivered: list[tuple[Claimed, str | None]],
                            instance: str, now: datetime) -> None:
    """Deletes delivered messages in one transaction, remembering posted minutes cards; empties the list."""
    if not delivered:
        return
    one_statement = len(delivered) == 1 and delivered[0][0].minutes is None  # a turn's reply: the common case
    async with new_unit_of_work(one_statement) as uow:
        for message, activity_id in delivered:
            if not await uow.outbox.remove(message.id, instance):
                log.warning("message %s was delivered after its claim ran out", message.id)
            elif message.minutes is not None and activity_id:
                uow.stage(MinutesPost(meeting_id=message.minutes.meeting_id, conversation_id=message.conversation_id,
                                      activity_id=activity_id, part=message.minutes.part,
                                      parts=message.minutes.parts, posted_at=now))
        await uow.commit()
    delivered.clear()


async def _not_delivered(new_unit_of_work: UnitOfWorkFactory, message: Claimed, instance: str,
                         failure: DeliveryFailed, attempts: int, now: datetime) -> bool:
    """Records the failure; True when the message is given up (the conversation goes on)."""
    async with new_unit_of_work() as uow:
        found = await uow.outbox.held(message.id, instance)
        if found is None:
            return False
        row = found[0]
        row.attempts += attempts
        row.claimed_by, row.claimed_until = None, None
        row.last_error = failure.reason[:300]
        given_up = not failure.retryable
        if failure.unknown_outcome:
            row.unknown_outcomes += 1
            given_up = now - row.created_at >= UNKNOWN_OUTCOME_HORIZON
            row.not_before = now + min(UNKNOWN_OUTCOME_WAIT * 2 ** (row.unknown_outcomes - 1), UNKNOWN_OUTCOME_MAX_WAIT)
        else:
            row.not_before = now + timedelta(seconds=backoff_seconds(row.attempts, failure))
        if given_up:
            row.given_up_at = now
            log.error("gave up message %s to %s after %d attempts: %s", row.id, row.conversation_id, row.attempts,
                      failure.reason)
        await uow.commit()
    return given_up
