"""Activities Clerk has handled, so a redelivered one has no second effect."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from storage.delivery_models import ProcessedActivity
from storage.repositories.base import Repository
from storage.repositories.committees import COMMITTEE_TIMEZONE
from storage.repositories.meetings import OPEN_MEETING_ID
from storage.statements import run

# Built once: building a statement anew costs about as much as running it. The claim returns the
# committee's timezone, which every turn reads next, and its open meeting's id, which most turns
# ask for next: when none is open, one statement instead of three (a round trip each on PostgreSQL).
_CLAIM_ACTIVITY = {
    name: dialect.insert(ProcessedActivity).on_conflict_do_nothing().returning(
        COMMITTEE_TIMEZONE.scalar_subquery(), OPEN_MEETING_ID)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


class ActivityRepository(Repository):
    """Activities Clerk has handled, so a redelivered one has no second effect."""

    def __init__(self, session, found_none_open: Callable[[int], None]):
        super().__init__(session)
        self._found_none_open = found_none_open  # the unit of work's meetings, told when the claim finds none open

    async def claim_activity(self, conversation_id: str, activity_id: str, now: datetime,
                             committee_id: int | None = None) -> tuple[bool, str | None]:
        """Records an activity as handled, in one statement that also reads the timezone of
        `committee_id` and whether it has a meeting open (for the unit of work's meetings):
        (False, None) when it was handled before. A copy delivered at the same moment waits for
        this transaction, then finds the row."""
        row = (await run(
            self.session, _CLAIM_ACTIVITY[self.session.bind.dialect.name],
            {"conversation_id": conversation_id, "activity_id": activity_id, "processed_at": now,
             "committee": committee_id},
        )).first()
        if row is None:
            return False, None
        timezone, open_meeting_id = row
        if committee_id is not None and open_meeting_id is None:
            self._found_none_open(committee_id)
        return True, timezone

    async def forget_activities_before(self, cutoff: datetime) -> int:
        """Redelivery happens within minutes; older activity ids need not be kept."""
        result = await self.session.execute(
            delete(ProcessedActivity).where(ProcessedActivity.processed_at < cutoff)
        )
        return result.rowcount or 0
