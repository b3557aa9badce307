"""The rate-limit budget shared by every instance (PostgreSQL): sends counted per key and window."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, insert, select, text

from storage.delivery_models import SendSlot
from storage.repositories.base import Repository

# Windows longer than this are not counted: rows older than it are removed by housekeeping.
LONGEST_WINDOW = timedelta(hours=1)


class SendBudgetRepository(Repository):
    async def take(self, limits: list[tuple[str, float, int]]) -> float:
        """One more send under every (key, seconds, most) of `limits`: 0.0 when it may go now, and
        then it is counted under each key; otherwise the seconds to wait. Takers of one first key
        (the tenant) take turns under an advisory lock, and time is the database server's, so
        every instance counts the same sends on the same clock."""
        if self.session.bind.dialect.name != "postgresql":
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

    async def forget_old(self) -> None:
        """Removes sends older than the longest window, which no limit counts any more."""
        if self.session.bind.dialect.name != "postgresql":
            return  # SQLite keeps no shared budget
        await self.session.execute(delete(SendSlot).where(SendSlot.sent_at < func.clock_timestamp() - LONGEST_WINDOW))
