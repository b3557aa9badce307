"""The transactional outbox: messages owed to conversations, in order, claimed by one sender."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    bindparam,
    case,
    delete,
    func,
    insert,
    null,
    or_,
    select,
    update,
)

from storage.models import Conversation
from storage.delivery_models import LiveInstance, OutboxMessage
from storage.repositories.base import Repository, insert_for
from storage.statements import run


class OutboxRepository(Repository):
    """Messages Clerk owes conversations (OutboxMessage). A queue is a conversation's lane
    (OutboxLane): its messages go out in `id` order."""

    async def enqueue(self, messages: list[dict], sender: str | None = None,
                      claimed_until: datetime | None = None) -> tuple[list[int], bool]:
        """Inserts the messages (column values of one queue) in order; returns their ids and whether
        they are claimed for `sender`: they are, unless the queue holds something older that the
        sender is not itself delivering now. The first INSERT decides that itself, so the check
        costs no statement of its own; Core, not the ORM, whose flush cost a turn more than the rest
        of the outbox together."""
        ids, held, rest = [], False, messages
        if sender is not None:
            row = (await run(self.session, _ENQUEUE_UNLESS_OLDER_WAITING, {
                **messages[0], "sender": sender, "claimed_until": claimed_until})).one()
            ids, held, rest = [row.id], row.claimed_by is not None, messages[1:]
        if rest:
            claim = {"claimed_by": sender if held else None, "claimed_until": claimed_until if held else None}
            result = await run(self.session, _ENQUEUE, [{**message, **claim} for message in rest])
            ids += [row[0] for row in result.all()]
        return ids, held

    async def due_queues(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(conversation, lane) of the queues whose first message may be sent now and nobody is sending."""
        first = (select(func.min(OutboxMessage.id)).where(OutboxMessage.given_up_at.is_(None))
                 .group_by(OutboxMessage.conversation_id, OutboxMessage.lane))
        result = await self.session.execute(
            select(OutboxMessage.conversation_id, OutboxMessage.lane)
            .where(OutboxMessage.id.in_(first), OutboxMessage.not_before <= now, _unclaimed(now))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return [(conversation_id, lane) for conversation_id, lane in result.all()]

    async def claim_first(self, conversation_id: str, lane: str, instance: str, now: datetime,
                          until: datetime) -> tuple[OutboxMessage, str | None] | None:
        """Claims the queue's first message when it is due and nobody holds it; with the
        conversation's stored reference. Of instances claiming at once, one gets it (PostgreSQL
        re-checks the claim on the row the other instance just updated)."""
        first = select(func.min(OutboxMessage.id)).where(*_queue(conversation_id, lane)).scalar_subquery()
        result = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first, OutboxMessage.not_before <= now, _unclaimed(now))
            .values(claimed_by=instance, claimed_until=until)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        claimed = result.scalar()
        if claimed is None:
            return None
        return await self.held(claimed, instance)

    async def held(self, message_id: int, instance: str) -> tuple[OutboxMessage, str | None] | None:
        """The message, with its conversation's reference, if this instance still holds it."""
        result = await self.session.execute(
            select(OutboxMessage, Conversation.reference)
            .outerjoin(Conversation, Conversation.id == OutboxMessage.conversation_id)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == instance)
            .execution_options(populate_existing=True)
        )
        row = result.first()
        return (row[0], row[1]) if row else None

    async def remove(self, message_id: int, instance: str) -> bool:
        """Deletes a delivered message; False when this instance no longer held it."""
        result = await run(self.session, _REMOVE, {"message": message_id, "instance": instance})
        return bool(result.rowcount)

    async def release(self, message_ids: list[int], instance: str) -> None:
        """Gives back messages this instance held but will not send now."""
        if message_ids:
            await self.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == instance)
                .values(claimed_by=None, claimed_until=None)
                .execution_options(synchronize_session=False)
            )

    async def remove_unclaimed(self, message_ids: list[int]) -> None:
        """Deletes messages nobody is sending (folded into another)."""
        await self.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(message_ids),
                                                               OutboxMessage.claimed_by.is_(None)))

    async def beat(self, instance: str, now: datetime) -> None:
        """This instance is alive now."""
        insert = insert_for(self.session)
        await self.session.execute(insert(LiveInstance).values(instance=instance, seen_at=now)
                                   .on_conflict_do_update(index_elements=[LiveInstance.instance],
                                                          set_={"seen_at": now}))

    async def release_all_but(self, instance: str) -> None:
        """Gives back every claim of another instance (on SQLite, which one instance runs at a time,
        any other has stopped)."""
        await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.claimed_by.is_not(None), OutboxMessage.claimed_by != instance)
            .values(claimed_by=None, claimed_until=None).execution_options(synchronize_session=False))

    async def live_instances(self, now: datetime) -> int:
        """How many instances said lately that they are alive."""
        return (await self.session.execute(
            select(func.count()).select_from(LiveInstance).where(LiveInstance.seen_at >= now - LIVENESS))).scalar_one()

    async def is_alive(self, instance: str | None, now: datetime) -> bool:
        """Whether a claimant is alive: it said so lately, or never said anything (an instance without
        the scheduler, as in tests, is judged by its claim's lease alone)."""
        if instance is None:
            return False
        seen = (await self.session.execute(
            select(LiveInstance.seen_at).where(LiveInstance.instance == instance))).scalar_one_or_none()
        return seen is None or seen >= now - LIVENESS

    async def waiting(self, conversation_id: str, lane: str) -> list[OutboxMessage]:
        """The queue's undelivered messages, first first."""
        result = await self.session.execute(
            select(OutboxMessage).where(*_queue(conversation_id, lane)).order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
        return list(result.scalars())


def _queue(conversation_id: str, lane: str) -> tuple:
    return (OutboxMessage.conversation_id == conversation_id, OutboxMessage.lane == lane,
            OutboxMessage.given_up_at.is_(None))


# An instance beats every second (bot.sweeps); one silent for this long has stopped.
LIVENESS = timedelta(seconds=3)


def _unclaimed(now: datetime):
    """Nobody is sending it: never claimed, its lease ran out, or its claimant stopped beating."""
    dead = select(LiveInstance.instance).where(LiveInstance.seen_at < now - LIVENESS)
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now,
               OutboxMessage.claimed_by.in_(dead))


# Built once, as a turn runs each of these with its reply: building a statement anew costs about as
# much as running it. Core on the session's connection, not ORM-enabled DML, whose bulk path cost more
# than the statements.
_TABLE = OutboxMessage.__table__
_ENQUEUE = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)
_COLUMNS = [column for column in _TABLE.c
            if column.name not in ("id", "claimed_by", "claimed_until", "last_error", "given_up_at")]
_OLDER_WAITING = (
    select(OutboxMessage.id)
    .where(*_queue(bindparam("conversation_id"), bindparam("lane")),
           or_(OutboxMessage.claimed_by.is_(None), OutboxMessage.claimed_by != bindparam("sender"),
               OutboxMessage.claimed_until <= bindparam("created_at")))
    .exists())
_ENQUEUE_UNLESS_OLDER_WAITING = (
    insert(_TABLE)
    .from_select([*_COLUMNS, _TABLE.c.claimed_by, _TABLE.c.claimed_until], select(
        *(bindparam(column.name, type_=column.type) for column in _COLUMNS),
        case((_OLDER_WAITING, null()), else_=bindparam("sender", type_=OutboxMessage.claimed_by.type)),
        case((_OLDER_WAITING, null()), else_=bindparam("claimed_until", type_=OutboxMessage.claimed_until.type))))
    .returning(_TABLE.c.id, _TABLE.c.claimed_by))
_REMOVE = delete(_TABLE).where(_TABLE.c.id == bindparam("message"), _TABLE.c.claimed_by == bindparam("instance"))
