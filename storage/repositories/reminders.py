"""Reminders: which fall due, claimed one sender at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from storage.repositories.meetings import MeetingRepository
from storage.models import (
    Action,
    Committee,
    DueBack,
    Reminder,
)
from storage.repositories.base import Repository, insert_for
from storage.vocabulary import (
    ReminderStatus,
)


# Built once for each database: its rows go as parameters, so SQLAlchemy compiles it once too.
_ADD_ONCE = {insert: insert(Reminder).on_conflict_do_nothing().returning(Reminder.id)
             for insert in (postgresql.insert, sqlite.insert)}


class ReminderRepository(Repository):
    """Reminders: what has fallen due, who is sending it, what was sent."""

    async def actions_with_reminder_due(self, now: datetime, limit: int) -> list[tuple[Action, Committee]]:
        return await self._reminder_due(Action, now, limit)

    async def due_backs_with_reminder_due(self, now: datetime, limit: int) -> list[tuple[DueBack, Committee]]:
        return await self._reminder_due(DueBack, now, limit)

    async def _reminder_due(self, model, now: datetime, limit: int) -> list[tuple]:
        """Rows whose next reminder has passed, with their committee. Uses the index on
        next_reminder_at, so the cost follows what is due, not what is stored; rows another
        instance is working on are skipped (PostgreSQL), not waited for."""
        result = await self.session.execute(
            select(model, Committee)
            .join(Committee, Committee.id == model.committee_id)
            .where(model.next_reminder_at <= now, Committee.reminders_paused.is_(False))
            .order_by(model.next_reminder_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=model)
        )
        return [(row, committee) for row, committee in result.all()]

    async def add_reminders_once(self, rows: list[dict]) -> int:
        """Inserts the reminders whose key is new; returns how many were new. The rows go to the one
        statement as SQLAlchemy sends many (multi-row INSERTs), even a single row, not the way
        `storage.statements.run` sends one, so one compiled form serves every count: a statement
        holding the rows' values was compiled anew every sweep, 100 ms and more for 200 reminders."""
        if not rows:
            return 0
        insert = _ADD_ONCE[insert_for(self.session)]
        result = await (await self.session.connection()).execute(insert, rows)
        return len(result.all())

    async def cancel_pending_reminders(self, action_id: int) -> None:
        await self.session.execute(
            update(Reminder)
            .where(Reminder.action_id == action_id, Reminder.status == ReminderStatus.PENDING)
            .values(status=ReminderStatus.CANCELLED)
        )

    async def cancel_superseded_reminders(self, keep: dict[int, str]) -> None:
        """For each action, cancels its pending reminders other than the one kept (by key)."""
        if not keep:
            return
        await self.session.execute(
            update(Reminder)
            .where(Reminder.action_id.in_(list(keep)), Reminder.status == ReminderStatus.PENDING,
                   Reminder.key.not_in(list(keep.values())))
            .values(status=ReminderStatus.CANCELLED)
        )

    async def claim_reminders(self, instance: str, now: datetime, until: datetime, limit: int) -> list[Reminder]:
        """Claims up to `limit` sendable reminders. Atomic: of several instances claiming at once,
        each reminder goes to exactly one (PostgreSQL skips rows another holds). The candidates are
        locked by a statement of their own: as a subquery of the UPDATE, PostgreSQL may evaluate it
        again for each row, and the LIMIT then held for nothing (every sendable reminder claimed)."""
        sendable = or_(
            and_(Reminder.status == ReminderStatus.PENDING, Reminder.next_attempt_at <= now),
            and_(Reminder.status == ReminderStatus.SENDING, Reminder.claimed_until < now),
        )
        candidates = await self.session.execute(
            select(Reminder.id)
            .join(Committee, Committee.id == Reminder.committee_id)
            .where(Committee.reminders_paused.is_(False), sendable)
            .order_by(Reminder.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Reminder)
        )
        locked = [row[0] for row in candidates.all()]
        if not locked:
            return []
        result = await self.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(locked), sendable)
            .values(status=ReminderStatus.SENDING, claimed_by=instance, claimed_until=until)
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)
        )
        ids = [row[0] for row in result.all()]
        if not ids:
            return []
        rows = await self.session.execute(
            select(Reminder).where(Reminder.id.in_(ids)).order_by(Reminder.due_at)
            .execution_options(populate_existing=True)
        )
        return list(rows.scalars())

    async def load_for_reminders(self, reminders: list[Reminder]) -> list:
        """Loads, in one query per table, the rows composing these reminders reads, so that the
        lookups by primary key that follow are answered from the session. The caller keeps the
        returned rows: the session holds its rows only while something else does."""
        action_ids = {r.action_id for r in reminders if r.action_id is not None}
        due_back_ids = {r.due_back_id for r in reminders if r.due_back_id is not None}
        actions = list((await self.session.execute(select(Action).where(Action.id.in_(action_ids)))).scalars()) \
            if action_ids else []
        due_backs = list((await self.session.execute(select(DueBack).where(DueBack.id.in_(due_back_ids)))).scalars()) \
            if due_back_ids else []
        meetings = await MeetingRepository(self.session).meetings_by_id({row.meeting_id for row in actions + due_backs if row.meeting_id})
        committee_ids = {r.committee_id for r in reminders}
        committees = list((await self.session.execute(select(Committee).where(Committee.id.in_(committee_ids)))).scalars())
        return actions + due_backs + list(meetings.values()) + committees

    async def get_reminder(self, reminder_id: int) -> Reminder:
        return await self.session.get(Reminder, reminder_id, populate_existing=True)

    async def unsent_reminders(self, committee_id: int) -> list[Reminder]:
        result = await self.session.execute(
            select(Reminder)
            .where(Reminder.committee_id == committee_id, Reminder.status.in_((ReminderStatus.PENDING, ReminderStatus.SENDING)))
            .order_by(Reminder.due_at)
        )
        return list(result.scalars())

    async def last_reminded(self, action_ids: list[int]) -> dict[int, datetime]:
        """When each of these actions' owners were last sent a reminder (actions never reminded are absent)."""
        if not action_ids:
            return {}
        result = await self.session.execute(
            select(Reminder.action_id, func.max(Reminder.sent_at))
            .where(Reminder.action_id.in_(action_ids), Reminder.status == ReminderStatus.SENT)
            .group_by(Reminder.action_id)
        )
        return {action_id: sent_at for action_id, sent_at in result.all() if sent_at is not None}
