"""What is minuted about each agenda item, and motions."""

from __future__ import annotations

from sqlalchemy import (
    bindparam,
    insert,
    select,
    update,
)

from storage.models import (
    AgendaItem,
    Change,
    Committee,
    ItemEntry,
    Motion,
)
from storage.repositories.base import Repository, column_values
from storage.repositories.changes import INSERT_CHANGE
from storage.statements import get, load, run
from storage.vocabulary import (
    EntryKind,
)

# Built once: every entry moves the counter, and building a statement anew costs about as much as
# running it.
_INSERT_ENTRY = insert(ItemEntry).returning(ItemEntry.id)
_NEXT_ENTRY_NUMBER = (update(Committee).where(Committee.id == bindparam("committee"))
                      .values(last_entry_number=Committee.last_entry_number + 1)
                      .returning(Committee.last_entry_number))

# Every /answer reads it.
_LATEST_QUESTION = (select(ItemEntry)
                    .where(ItemEntry.item_id == bindparam("item"), ItemEntry.kind == EntryKind.QUESTION,
                           ItemEntry.removed_at.is_(None))
                    .order_by(ItemEntry.id.desc()).limit(1))


class EntryRepository(Repository):
    """What is minuted about each agenda item."""

    async def add_entry(self, entry: ItemEntry, recorded: Change) -> None:
        """Writes a new entry and the change log's line of it, and sets the entry's id: two plain
        INSERTs, as the ORM's flush of them cost more than the statements themselves. Rows the
        turn has only staged are written first, as the entry may refer to them."""
        if self.session.new:
            await self.session.flush()
        entry.id = (await run(self.session, _INSERT_ENTRY, column_values(entry))).scalar_one()
        recorded.subject_id = entry.id
        await run(self.session, INSERT_CHANGE, column_values(recorded))

    async def entries(self, item_ids: list[int]) -> list[ItemEntry]:
        if not item_ids:
            return []
        result = await self.session.execute(
            select(ItemEntry).where(ItemEntry.item_id.in_(item_ids)).order_by(ItemEntry.id)
        )
        return list(result.scalars())

    async def next_number(self, committee_id: int) -> int:
        """The committee's next entry reference; the counter row is locked while it moves."""
        return (await run(self.session, _NEXT_ENTRY_NUMBER, {"committee": committee_id})).scalar_one()

    async def get_entry(self, entry_id: int) -> ItemEntry:
        return await get(self.session, ItemEntry, entry_id)

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
        rows = await load(self.session, ItemEntry, _LATEST_QUESTION, {"item": item_id})
        return rows[0][0] if rows else None
