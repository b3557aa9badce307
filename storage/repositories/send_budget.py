"""The rate-limit budget: sends counted per key and window, shared by every instance (PostgreSQL) and
kept across restarts (both databases)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, text

from storage.delivery_models import SendSlot
from storage.repositories.base import Repository
from storage.connections import on_postgresql

class SendBudgetRepository(Repository):
    async def take(self, limits: list[tuple[str, float, int]]) -> float:
        """One more send under every (key, seconds, most) of `limits`: 0.0 when it may go now, and
        then it is counted under each key; otherwise the seconds to wait. Takers of one first key
        (the tenant) take turns under an advisory lock, and time is the database server's, so
        every instance counts the same sends on the same clock."""
        if not on_postgresql(self.session):
            return 0.0  # SQLite runs one instance, whose own limiter keeps the budget
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": limits[0][0]})
        now = (await self.session.execute(select(func.clock_timestamp()))).scalar_one()
        wait = 0.0
        for key, seconds, most in limits:
            oldest_counted = (await self.session.execute(
                select(SendSlot.sent_at).where(SendSlot.key == key, SendSlot.sent_at > now - timedelta(seconds=seconds))
                .order_by(SendSlot.sent_at.desc()).offset(most - 1).limit(1))).scalar_one_or_none()
            if oldest_counted is not None:
                wait = max(wait, (oldest_counted + timedelta(seconds=seconds) - now).total_seconds())
        if wait <= 0:
            await self.session.execute(insert(SendSlot), [{"key": key, "sent_at": now}
                                                          for key in dict.fromkeys(key for key, _, _ in limits)])
        return max(wait, 0.0)

    async def keep(self, sends: list[tuple[str, datetime]]) -> None:
        """Counts sends an instance made under its own limiter, so its successor counts them too."""
        if sends:
            await self.session.execute(insert(SendSlot), [{"key": key, "sent_at": at} for key, at in sends])

    async def since(self, start: datetime) -> list[tuple[str, datetime]]:
        """Every (key, sent_at) counted from `start` on."""
        result = await self.session.execute(select(SendSlot.key, SendSlot.sent_at).where(SendSlot.sent_at >= start))
        return [(key, sent_at) for key, sent_at in result.all()]

    async def forget_before(self, start: datetime) -> None:
        """Removes sends older than `start`, which no limit counts any more."""
        await self.session.execute(delete(SendSlot).where(SendSlot.sent_at < start))
