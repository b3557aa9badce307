"""What is minuted about each agenda item, and motions."""

from __future__ import annotations

from sqlalchemy import (
    select,
    update,
)

from storage.models import (
    AgendaItem,
    Committee,
    ItemEntry,
    Motion,
)
from storage.repositories.base import Repository
from storage.vocabulary import (
    EntryKind,
)


class EntryRepository(Repository):
    """What is minuted about each agenda item."""

    async def entries(self, item_ids: list[int]) -> list[ItemEntry]:
        if not item_ids:
            return []
        result = await self.session.execute(
            select(ItemEntry).where(ItemEntry.item_id.in_(item_ids)).order_by(ItemEntry.id)
        )
        return list(result.scalars())

    async def next_number(self, committee_id: int) -> int:
        """The committee's next entry reference; the counter row is locked while it moves."""
        result = await self.session.execute(
            update(Committee).where(Committee.id == committee_id)
            .values(last_entry_number=Committee.last_entry_number + 1).returning(Committee.last_entry_number))
        return result.scalar_one()

    async def get_entry(self, entry_id: int) -> ItemEntry:
        return await self.session.get(ItemEntry, entry_id)

    async def by_number(self, committee_id: int, number: int) -> ItemEntry | None:
        result = await self.session.execute(
            select(ItemEntry).where(ItemEntry.committee_id == committee_id, ItemEntry.number == number))
        return result.scalar_one_or_none()

    async def by_source(self, committee_id: int, activity_id: str) -> ItemEntry | None:
        """The entry a Teams message recorded."""
        result = await self.session.execute(
            select(ItemEntry).where(ItemEntry.committee_id == committee_id,
                                    ItemEntry.source_activity_id == activity_id).limit(1))
        return result.scalar_one_or_none()

    async def latest_open_motion(self, meeting_id: int) -> tuple[ItemEntry, Motion] | None:
        """The meeting's latest motion still awaiting its result."""
        result = await self.session.execute(
            select(ItemEntry, Motion)
            .join(Motion, Motion.entry_id == ItemEntry.id)
            .join(AgendaItem, AgendaItem.id == ItemEntry.item_id)
            .where(AgendaItem.meeting_id == meeting_id, ItemEntry.removed_at.is_(None), Motion.result.is_(None))
            .order_by(ItemEntry.id.desc()).limit(1)
        )
        row = result.first()
        return (row[0], row[1]) if row else None

    async def motions(self, entry_ids: list[int]) -> dict[int, Motion]:
        if not entry_ids:
            return {}
        result = await self.session.execute(select(Motion).where(Motion.entry_id.in_(entry_ids)))
        return {motion.entry_id: motion for motion in result.scalars()}

    async def latest_question(self, item_id: int) -> ItemEntry | None:
        result = await self.session.execute(
            select(ItemEntry)
            .where(ItemEntry.item_id == item_id, ItemEntry.kind == EntryKind.QUESTION, ItemEntry.removed_at.is_(None))
            .order_by(ItemEntry.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()
