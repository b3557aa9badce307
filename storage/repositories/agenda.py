"""The agenda items of meetings."""

from __future__ import annotations

from sqlalchemy import (
    bindparam,
    delete,
    func,
    select,
    update,
)

from storage.models import (
    AgendaItem,
    ItemEntry,
    Meeting,
)
from storage.repositories.base import Repository
from storage.statements import get, load

# Built once: every note, question, answer and outcome reads the agenda, and building a statement
# anew costs about as much as running it.
_ON_AGENDA = AgendaItem.opening.is_(False)  # the meeting's own minutes are kept as an item never on it
_IN_AGENDA_ORDER = (AgendaItem.planned_start_minute, AgendaItem.position, AgendaItem.id)
_ITEMS = select(AgendaItem).where(AgendaItem.meeting_id == bindparam("meeting"), _ON_AGENDA).order_by(*_IN_AGENDA_ORDER)


class AgendaRepository(Repository):
    """Agenda items, breaks included."""

    async def get_item(self, item_id: int) -> AgendaItem | None:
        return await get(self.session, AgendaItem, item_id)

    async def items(self, meeting_id: int) -> list[AgendaItem]:
        return [item for item, in await load(self.session, AgendaItem, _ITEMS, {"meeting": meeting_id})]

    async def items_of_meetings(self, meeting_ids: list[int]) -> dict[int, list[AgendaItem]]:
        """`items` of several meetings, in one statement: each meeting's list, in the same order."""
        if not meeting_ids:
            return {}
        result = await self.session.execute(
            select(AgendaItem).where(AgendaItem.meeting_id.in_(meeting_ids), _ON_AGENDA)
            .order_by(*_IN_AGENDA_ORDER))
        agendas = {meeting_id: [] for meeting_id in meeting_ids}
        for item in result.scalars():
            agendas[item.meeting_id].append(item)
        return agendas

    async def items_minuted_earlier_in_year(self, meeting: Meeting) -> int:
        """The agenda items (breaks aside) of the committee's meetings before this one in its year:
        where a running minute number ('26/34') continues from."""
        year_start = meeting.meeting_date.replace(month=1, day=1)
        result = await self.session.execute(
            select(func.count(AgendaItem.id)).join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(Meeting.committee_id == meeting.committee_id, Meeting.id != meeting.id,
                   Meeting.meeting_date >= year_start, Meeting.started_at < meeting.started_at,
                   AgendaItem.is_break.is_(False), AgendaItem.opening.is_(False)))
        return result.scalar_one()

    async def opening_item(self, meeting_id: int) -> AgendaItem | None:
        """Where the meeting's own minutes are kept (never on the agenda); None until one is recorded."""
        result = await self.session.execute(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting_id, AgendaItem.opening.is_(True)).limit(1))
        return result.scalar_one_or_none()

    async def delete_agenda_item(self, item: AgendaItem) -> None:
        await self.session.execute(
            update(Meeting)
            .where(Meeting.current_item_id == item.id)
            .values(current_item_id=None)
        )
        await self.session.execute(
            update(ItemEntry).where(ItemEntry.item_id == item.id).values(question_id=None)
        )
        await self.session.execute(delete(ItemEntry).where(ItemEntry.item_id == item.id))
        await self.session.delete(item)
        await self.session.flush()

    async def items_by_id(self, item_ids: list[int]) -> dict[int, AgendaItem]:
        if not item_ids:
            return {}
        result = await self.session.execute(select(AgendaItem).where(AgendaItem.id.in_(item_ids)))
        return {item.id: item for item in result.scalars()}

    async def open_meetings_with_current_item(self) -> list[Meeting]:
        """Open meetings whose item under way has had no notice that it reached its time."""
        result = await self.session.execute(
            select(Meeting)
            .join(AgendaItem, AgendaItem.id == Meeting.current_item_id)
            .where(Meeting.ended_at.is_(None), AgendaItem.overtime_notice_sent.is_(False))
        )
        return list(result.scalars())
