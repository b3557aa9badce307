"""Repositories: the only way the rules in dialogs/ read and write the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Action,
    ActionEvent,
    ActionOwner,
    AgendaItem,
    DueBack,
    Attendance,
    Committee,
    Conversation,
    ItemEntry,
    Meeting,
    Member,
    MinutesPost,
    ProcessedActivity,
)


class Repositories:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, row) -> None:
        self.session.add(row)
        await self.session.flush()

    async def delete(self, row) -> None:
        await self.session.delete(row)
        await self.session.flush()

    # Activities -----------------------------------------------------------------------------

    async def claim_activity(self, conversation_id: str, activity_id: str, now: datetime) -> bool:
        """Record an activity as handled; False when it was handled before."""
        existing = await self.session.get(ProcessedActivity, (conversation_id, activity_id))
        if existing is not None:
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(
                    ProcessedActivity(
                        conversation_id=conversation_id, activity_id=activity_id, processed_at=now
                    )
                )
        except IntegrityError:
            return False
        return True

    # Committees and conversations ------------------------------------------------------------

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        return await self.session.get(Conversation, conversation_id)

    async def get_committee(self, committee_id: int, for_update: bool = False) -> Committee:
        if for_update:
            result = await self.session.execute(
                select(Committee).where(Committee.id == committee_id).with_for_update()
            )
            return result.scalar_one()
        return await self.session.get(Committee, committee_id)

    async def conversations_of(self, committee_id: int) -> list[Conversation]:
        result = await self.session.execute(
            select(Conversation).where(Conversation.committee_id == committee_id)
        )
        return list(result.scalars())

    # Members --------------------------------------------------------------------------------

    async def members(self, committee_id: int) -> list[Member]:
        result = await self.session.execute(
            select(Member).where(Member.committee_id == committee_id).order_by(Member.id)
        )
        return list(result.scalars())

    async def member_by_key(self, committee_id: int, name_key: str) -> Member | None:
        result = await self.session.execute(
            select(Member).where(Member.committee_id == committee_id, Member.name_key == name_key)
        )
        return result.scalar_one_or_none()

    # Meetings -------------------------------------------------------------------------------

    async def open_meeting(self, committee_id: int) -> Meeting | None:
        result = await self.session.execute(
            select(Meeting)
            .where(Meeting.committee_id == committee_id, Meeting.ended_at.is_(None))
            .order_by(Meeting.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def latest_meeting(self, committee_id: int) -> Meeting | None:
        result = await self.session.execute(
            select(Meeting)
            .where(Meeting.committee_id == committee_id)
            .order_by(Meeting.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def get_meeting(self, meeting_id: int) -> Meeting | None:
        return await self.session.get(Meeting, meeting_id)

    async def meeting_on(self, committee_id: int, day) -> Meeting | None:
        result = await self.session.execute(
            select(Meeting)
            .where(Meeting.committee_id == committee_id, Meeting.meeting_date == day)
            .order_by(Meeting.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def minutes_posts(self, meeting_id: int) -> list[MinutesPost]:
        result = await self.session.execute(
            select(MinutesPost).where(MinutesPost.meeting_id == meeting_id).order_by(MinutesPost.id)
        )
        return list(result.scalars())

    async def meeting_by_teams_id(self, committee_id: int, teams_meeting_id: str) -> Meeting | None:
        result = await self.session.execute(
            select(Meeting)
            .where(
                Meeting.committee_id == committee_id,
                Meeting.teams_meeting_id == teams_meeting_id,
            )
            .order_by(Meeting.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    # Attendance -----------------------------------------------------------------------------

    async def attendance(self, meeting_id: int) -> list[Attendance]:
        result = await self.session.execute(
            select(Attendance).where(Attendance.meeting_id == meeting_id).order_by(Attendance.id)
        )
        return list(result.scalars())

    async def attendance_by_key(self, meeting_id: int, name_key: str) -> Attendance | None:
        result = await self.session.execute(
            select(Attendance).where(
                Attendance.meeting_id == meeting_id, Attendance.name_key == name_key
            )
        )
        return result.scalar_one_or_none()

    async def attendance_by_user(self, meeting_id: int, teams_user_id: str) -> Attendance | None:
        result = await self.session.execute(
            select(Attendance)
            .where(Attendance.meeting_id == meeting_id, Attendance.teams_user_id == teams_user_id)
            .limit(1)
        )
        return result.scalar_one_or_none()

    # Agenda and what is said ----------------------------------------------------------------

    async def agenda(self, meeting_id: int) -> list[AgendaItem]:
        result = await self.session.execute(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.planned_start_minute, AgendaItem.id)
        )
        return list(result.scalars())

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
        await self.delete(item)

    async def entries(self, item_ids: list[int]) -> list[ItemEntry]:
        if not item_ids:
            return []
        result = await self.session.execute(
            select(ItemEntry).where(ItemEntry.item_id.in_(item_ids)).order_by(ItemEntry.id)
        )
        return list(result.scalars())

    async def latest_question(self, item_id: int) -> ItemEntry | None:
        result = await self.session.execute(
            select(ItemEntry)
            .where(ItemEntry.item_id == item_id, ItemEntry.kind == "question")
            .order_by(ItemEntry.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def open_meetings_with_current_item(self) -> list[tuple[Meeting, AgendaItem]]:
        result = await self.session.execute(
            select(Meeting, AgendaItem)
            .join(AgendaItem, AgendaItem.id == Meeting.current_item_id)
            .where(Meeting.ended_at.is_(None), AgendaItem.overtime_notice_sent.is_(False))
        )
        return [(meeting, item) for meeting, item in result.all()]

    # Actions and due-backs ------------------------------------------------------------------

    async def next_action_number(self, committee_id: int) -> int:
        """Numbers run per committee and never repeat: the counter row is locked while it moves."""
        result = await self.session.execute(
            update(Committee)
            .where(Committee.id == committee_id)
            .values(last_action_number=Committee.last_action_number + 1)
            .returning(Committee.last_action_number)
        )
        return result.scalar_one()

    async def action_by_number(self, committee_id: int, number: int) -> Action | None:
        result = await self.session.execute(
            select(Action).where(Action.committee_id == committee_id, Action.number == number)
        )
        return result.scalar_one_or_none()

    async def actions(self, committee_id: int, statuses: tuple[str, ...] | None = None) -> list[Action]:
        query = select(Action).where(Action.committee_id == committee_id)
        if statuses:
            query = query.where(Action.status.in_(statuses))
        result = await self.session.execute(query.order_by(Action.number))
        return list(result.scalars())

    async def actions_closed_since(self, committee_id: int, since: datetime) -> list[Action]:
        result = await self.session.execute(
            select(Action)
            .where(Action.committee_id == committee_id, Action.status != "open", Action.closed_at >= since)
            .order_by(Action.number)
        )
        return list(result.scalars())

    async def actions_of_meeting(self, meeting_id: int) -> list[Action]:
        result = await self.session.execute(
            select(Action).where(Action.meeting_id == meeting_id).order_by(Action.number)
        )
        return list(result.scalars())

    async def owners(self, action_ids: list[int]) -> dict[int, list[ActionOwner]]:
        owners: dict[int, list[ActionOwner]] = {action_id: [] for action_id in action_ids}
        if not action_ids:
            return owners
        result = await self.session.execute(
            select(ActionOwner).where(ActionOwner.action_id.in_(action_ids)).order_by(ActionOwner.id)
        )
        for owner in result.scalars():
            owners[owner.action_id].append(owner)
        return owners

    async def replace_owners(self, action_id: int, owners: list[ActionOwner]) -> None:
        await self.session.execute(delete(ActionOwner).where(ActionOwner.action_id == action_id))
        self.session.add_all(owners)
        await self.session.flush()

    async def action_events(self, action_id: int) -> list[ActionEvent]:
        result = await self.session.execute(
            select(ActionEvent).where(ActionEvent.action_id == action_id).order_by(ActionEvent.id)
        )
        return list(result.scalars())

    async def item_has_actions(self, item_id: int) -> bool:
        result = await self.session.execute(select(Action.id).where(Action.item_id == item_id).limit(1))
        return result.first() is not None

    async def meetings_by_id(self, meeting_ids: set[int]) -> dict[int, Meeting]:
        if not meeting_ids:
            return {}
        result = await self.session.execute(select(Meeting).where(Meeting.id.in_(meeting_ids)))
        return {meeting.id: meeting for meeting in result.scalars()}

    async def items_by_id(self, item_ids: set[int]) -> dict[int, AgendaItem]:
        if not item_ids:
            return {}
        result = await self.session.execute(select(AgendaItem).where(AgendaItem.id.in_(item_ids)))
        return {item.id: item for item in result.scalars()}

    async def pending_due_backs(self, committee_id: int) -> list[DueBack]:
        result = await self.session.execute(
            select(DueBack)
            .where(DueBack.committee_id == committee_id, DueBack.returned_meeting_id.is_(None))
            .order_by(DueBack.id)
        )
        return list(result.scalars())

    async def due_backs_of_meeting(self, meeting_id: int) -> list[DueBack]:
        result = await self.session.execute(
            select(DueBack).where(DueBack.meeting_id == meeting_id).order_by(DueBack.id)
        )
        return list(result.scalars())

    async def previous_meeting(self, committee_id: int, before_id: int) -> Meeting | None:
        result = await self.session.execute(
            select(Meeting)
            .where(Meeting.committee_id == committee_id, Meeting.id < before_id)
            .order_by(Meeting.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()
