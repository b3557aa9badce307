"""Teams' rate limits for the messages Clerk posts, kept by each process in memory: per
conversation, in arrival order, and per tenant. A burst waits (queued, never dropped).

What this process let through is also counted in the database (bot.sweeps keeps it every second
and at a stop, and recalls it at start), so a restarted instance goes on from the sends of the one
before it; while other instances are alive, bot.outbox also takes each send from the budget they
share (dialogs.send_budget).
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import time
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable

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
                 sleep: Callable[[float], Awaitable] = asyncio.sleep,
                 wall: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        """`clock` times the windows; `wall` dates the sends the database keeps (real time, both)."""
        self.clock, self.sleep, self.wall = clock, sleep, wall
        self._unkept: list[tuple[str, datetime]] = []  # sends not yet counted in the database
        scale = per_second / TEAMS_PER_SECOND
        longer = tuple((seconds, max(1, round(most * scale))) for seconds, most in LONGER_CONVERSATION_WINDOWS)
        self._conversations = SlidingWindows(((1.0, per_second),) + longer)
        self._tenants = SlidingWindows(((1.0, tenant_per_second),))
        self._locks: dict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self.longest = timedelta(seconds=self._conversations.longest)  # no window counts an older send

    def lock(self, conversation_id: str) -> asyncio.Lock:
        return self._locks[conversation_id]

    def sent(self, conversation_id: str, tenant_id: str | None = None, counted: bool = False) -> None:
        """Call when the send has finished: its slot counts from then, so the connector can never
        receive more than the limit within a window, however long each send took. `counted`: the
        shared budget already holds it; otherwise the database is yet to (`take_unkept`)."""
        self._conversations.finished(_conversation_key(conversation_id), self.clock())
        if not counted:
            wall = self.wall()
            self._unkept += [(_tenant_key(tenant_id), wall), (_conversation_key(conversation_id), wall)]

    def limits(self, conversation_id: str, tenant_id: str | None) -> list[tuple[str, float, int]]:
        """Every window as (key, seconds, most), the tenant's first: what the shared budget counts."""
        tenant = [(_tenant_key(tenant_id), seconds, most) for seconds, most in self._tenants.windows]
        return tenant + [(_conversation_key(conversation_id), seconds, most)
                         for seconds, most in self._conversations.windows]

    def take_unkept(self) -> list[tuple[str, datetime]]:
        """The sends the database has yet to count, as (key, sent_at); `give_back` them if it cannot."""
        sends, self._unkept = self._unkept, []
        return sends

    def give_back(self, sends: list[tuple[str, datetime]]) -> None:
        oldest_counted = self.wall() - self.longest
        self._unkept[:0] = [(key, at) for key, at in sends if at > oldest_counted]

    def recall(self, sends: list[tuple[str, datetime]]) -> None:
        """Counts sends made before this process started (by the instance it replaces, or any)."""
        now, wall = self.clock(), self.wall()
        for key, at in sends:
            windows = self._tenants if key.startswith(_tenant_key("")) else self._conversations
            windows.record(key, now - (wall - at).total_seconds())

    async def wait_turn(self, conversation_id: str, tenant_id: str | None = None) -> None:
        """Call while holding lock(conversation_id); returns when one more send is allowed. A burst
        waits (queued, never dropped)."""
        conversation, tenant = _conversation_key(conversation_id), _tenant_key(tenant_id)
        while True:
            now = self.clock()
            wait = max(self._conversations.wait_needed(conversation, now), self._tenants.wait_needed(tenant, now))
            if wait <= 0:
                # No await between the check and the record: concurrent conversations of one tenant
                # cannot both take the last slot.
                self._conversations.record(conversation, now)
                self._tenants.record(tenant, now)
                return
            await self.sleep(wait)


def _tenant_key(tenant_id: str | None) -> str:
    """The key a tenant's sends are counted under, here and in the database (tenant ids in any case)."""
    return f"tenant:{(tenant_id or '').lower()}"


def _conversation_key(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"
