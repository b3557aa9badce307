"""The change log: every change to the record, of any kind, in the order it was made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from storage.models import Change, ItemEntry
from storage.repositories.base import Repository, column_values
from storage.statements import run
from storage.vocabulary import ActionChange, ChangeSubject

# Built once, and written as a plain INSERT: nearly every turn keeps a change, and the ORM's flush
# of one new row cost more than the statement itself.
INSERT_CHANGE = insert(Change)


class ChangeRepository(Repository):
    async def add(self, *changes: Change) -> None:
        """Writes the changes now, in the turn's transaction, several in one statement (nothing
        refers to a change's id)."""
        if changes:
            await run(self.session, INSERT_CHANGE, [column_values(change) for change in changes])

    async def of(self, subject: ChangeSubject, subject_id: int) -> list[Change]:
        result = await self.session.execute(
            select(Change).where(Change.subject == subject, Change.subject_id == subject_id).order_by(Change.id))
        return list(result.scalars())

    async def of_meeting(self, meeting_id: int, subject: ChangeSubject, standing: bool = False) -> list[Change]:
        """`standing`: only what still holds, neither taken back by /undo nor an undo itself."""
        query = select(Change).where(Change.meeting_id == meeting_id, Change.subject == subject)
        if standing:
            query = query.where(Change.undone_at.is_(None), Change.undoes.is_(None))
        return list((await self.session.execute(query.order_by(Change.id))).scalars())

    async def latest_undoable_by(self, committee_id: int, user_id: str | None, name: str) -> Change | None:
        """Someone's most recent change in this committee that /undo has not taken back and that is
        not itself an undo."""
        who = Change.by_user_id == user_id if user_id else Change.by == name
        result = await self.session.execute(
            select(Change).where(Change.committee_id == committee_id, who, Change.undone_at.is_(None),
                                 Change.undoes.is_(None))
            .order_by(Change.id.desc()).limit(1))
        return result.scalar_one_or_none()

    async def amendments(self, item_ids: list[int]) -> list[tuple[Change, ItemEntry]]:
        """Changes to entries made after the minutes were approved, oldest first."""
        if not item_ids:
            return []
        result = await self.session.execute(
            select(Change, ItemEntry).join(ItemEntry, ItemEntry.id == Change.subject_id)
            .where(Change.subject == ChangeSubject.ENTRY, ItemEntry.item_id.in_(item_ids),
                   Change.amendment.is_(True)).order_by(Change.id))
        return [(change, entry) for change, entry in result.all()]

    async def latest_progress(self, action_ids: list[int], since: datetime | None) -> dict[int, Change]:
        """Each action's latest done note, drop reason or progress update still standing (since a
        moment, if given)."""
        if not action_ids:
            return {}
        query = (select(Change)
                 .where(Change.subject == ChangeSubject.ACTION, Change.subject_id.in_(action_ids),
                        Change.after.is_not(None), Change.undone_at.is_(None), Change.undoes.is_(None),
                        Change.kind.in_((ActionChange.DONE, ActionChange.DROPPED, ActionChange.UPDATE)))
                 .order_by(Change.id))
        if since is not None:
            query = query.where(Change.at >= since)
        return {change.subject_id: change for change in (await self.session.execute(query)).scalars()}
