"""One turn of conversation as one transaction: claim the activity, know the conversation's
committee, check who may, run the use case, commit.

bot/ reads the Teams activity into plain values and calls `run_turn`; what the use case raises
(ClerkError and its kinds, DatabaseUnavailable) comes back to bot/ to be said in the chat.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from dialogs import delivery
from dialogs.committee import committee_zone, register_conversation
from dialogs.context import Reply, Turn
from dialogs.delivery import Enqueued, PersonalChat, Queued
from dialogs.roles import Role, authorize
from storage.unit_of_work import DatabaseUnavailable, UnitOfWork, UnitOfWorkFactory

UseCase = Callable[[UnitOfWork, Turn], Awaitable[Reply | None]]


@dataclass(frozen=True)
class ConversationFacts:
    """What Teams says about the conversation, kept so Clerk can write into it later."""

    id: str
    reference_json: str  # the ConversationReference proactive messages need
    conversation_type: str | None
    tenant_id: str | None
    local_timezone: str | None = None  # the Teams client's (activity.localTimezone)


HANDLED_ACTIVITIES_KEPT = timedelta(days=2)  # the Bot Connector redelivers within minutes
# A turn's transaction, waits for locks and the Teams lookups included, must end well inside Teams'
# 15 s, leaving time to send the answer; past this it is rolled back and the sender told to try again.
TURN_SECONDS = 8


async def forget_handled_activities(new_unit_of_work: UnitOfWorkFactory, now: datetime) -> None:
    async with new_unit_of_work() as uow:
        await uow.activities.forget_activities_before(now - HANDLED_ACTIVITIES_KEPT)
        await uow.commit()


@dataclass(frozen=True)
class Handled:
    reply: Reply | None
    committee_id: int
    queued: Enqueued = Enqueued([], [])  # the reply's messages, in the outbox


async def run_turn(new_unit_of_work: UnitOfWorkFactory, conversation_id: str,
                   conversation: Callable[[], ConversationFacts], activity_id: str | None, now: datetime,
                   make_turn: Callable[[int], Turn], use_case: UseCase, role: Role = Role.ANYONE, doing: str = "",
                   meeting_id: int | None = None, subject: int | None = None, committee_id: int | None = None,
                   render: Callable[[Reply], list[Queued]] = lambda reply: [],
                   render_private: Callable[[Reply], list[tuple[PersonalChat, Queued]]] = lambda reply: [],
                   sender: str | None = None) -> Handled | None:
    """None when the activity was handled before (a redelivery has no second effect). `committee_id`
    may be given when the caller already knows it and the conversation's reference is unchanged;
    only otherwise are the conversation's facts read (serialising a reference costs a turn dearly).
    The reply, as `render` makes it, is queued in the same transaction (dialogs.delivery), held
    for `sender` to deliver at once; what it says privately, as `render_private` makes it, waits
    for the outbox's sweep."""
    try:
        async with asyncio.timeout(TURN_SECONDS):
            async with new_unit_of_work() as uow:
                timezone, claim_read_timezone = None, bool(activity_id) and committee_id is not None
                if activity_id:
                    claimed, timezone = await uow.activities.claim_activity(conversation_id, activity_id, now,
                                                                            committee_id)
                    if not claimed:
                        return None
                if committee_id is None:
                    facts = conversation()
                    committee_id = await register_conversation(uow, facts.id, facts.reference_json,
                                                               facts.conversation_type, facts.tenant_id, now,
                                                               facts.local_timezone)
                turn = make_turn(committee_id)
                if not claim_read_timezone:
                    timezone = await uow.committees.timezone_of(turn.committee_id)
                zone = committee_zone(timezone, turn.tz)
                if zone is not turn.tz:
                    turn = dataclasses.replace(turn, tz=zone)
                await authorize(uow, turn, role, doing, meeting_id, subject)
                reply = await use_case(uow, turn)
                queued = await delivery.queue(uow, conversation_id, render(reply) if reply else [], now,
                                              reply_to_id=turn.activity_id, sender=sender)
                for chat, message in render_private(reply) if reply else []:
                    await delivery.queue_privately(uow, committee_id, chat, [message], now)
                await uow.commit()
    except TimeoutError:  # the transaction was rolled back: nothing half-written
        raise DatabaseUnavailable(f"the turn took more than {TURN_SECONDS} s") from None
    return Handled(reply, committee_id, queued)
