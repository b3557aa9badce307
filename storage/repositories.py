"""Repositories: the only way the rules in dialogs/ read and write the database."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, bindparam, delete, func, inspect, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Action,
    ActionEvent,
    ActionOwner,
    AgendaItem,
    DueBack,
    EntryChange,
    Attendance,
    AttendanceChange,
    Committee,
    Conversation,
    ItemEntry,
    Meeting,
    Member,
    MeetingChange,
    MemberAlias,
    MinutesPost,
    Motion,
    OutboxMessage,
    Reminder,
    ProcessedActivity,
    ReminderPreference,
)
from storage.vocabulary import ActionChange, ActionStatus, EntryKind, ReminderStatus


def _insert(session: AsyncSession):
    """INSERT with ON CONFLICT, in the dialect of the database behind the session."""
    if session.bind.dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


# The statements of the commonest turns are built once, here. Building a statement anew costs
# about as much as running it; bound parameters carry what changes from turn to turn.
_CLAIM_ACTIVITY = {
    name: dialect.insert(ProcessedActivity).on_conflict_do_nothing().returning(ProcessedActivity.activity_id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_OPEN_MEETING = (
    select(Meeting)
    .where(Meeting.committee_id == bindparam("committee"), Meeting.ended_at.is_(None))
    .order_by(Meeting.id.desc())
    .limit(1)
)
_NEXT_ACTION_NUMBER = (
    update(Committee)
    .where(Committee.id == bindparam("committee"))
    .values(last_action_number=Committee.last_action_number + 1)
    .returning(Committee.last_action_number, Committee.next_meeting_date)
)
_INSERT_ACTION = insert(Action).returning(Action.id)
_INSERT_ACTION_OWNER = insert(ActionOwner)
_INSERT_ACTION_EVENT = insert(ActionEvent)


def _column_values(row) -> dict:
    """The column values set on a new ORM object; columns left unset take their defaults."""
    columns = row.__table__.columns
    return {key: value for key, value in inspect(row).dict.items() if key in columns}


class _Repository:
    def __init__(self, session: AsyncSession):
        self.session = session


class ActivityRepository(_Repository):
    """Activities Clerk has handled, so a redelivered one has no second effect."""

    async def claim_activity(self, conversation_id: str, activity_id: str, now: datetime) -> bool:
        """Records an activity as handled, in one statement; False when it was handled before.
        A copy delivered at the same moment waits for this transaction, then finds the row."""
        connection = await self.session.connection()
        result = await connection.execute(
            _CLAIM_ACTIVITY[connection.dialect.name],
            {"conversation_id": conversation_id, "activity_id": activity_id, "processed_at": now},
        )
        return result.first() is not None

    async def forget_activities_before(self, cutoff: datetime) -> int:
        """Redelivery happens within minutes; older activity ids need not be kept."""
        result = await self.session.execute(
            delete(ProcessedActivity).where(ProcessedActivity.processed_at < cutoff)
        )
        return result.rowcount or 0


class CommitteeRepository(_Repository):
    """Committees, the conversations that belong to them, and their standing members."""

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        return await self.session.get(Conversation, conversation_id)

    async def add_conversation_once(self, conversation: Conversation) -> bool:
        """Inserts the conversation unless it exists; False when another transaction registered it
        (PostgreSQL waits for that transaction, then finds the row)."""
        values = _column_values(conversation)
        result = await self.session.execute(
            _insert(self.session)(Conversation).values(values).on_conflict_do_nothing().returning(Conversation.id))
        return result.first() is not None

    async def keep_personal_chat(self, conversation_id: str, reference: str, committee_id: int, now: datetime) -> None:
        """Stores (or refreshes) how to reach a person's personal chat; the row names the committee
        that first wrote to it."""
        if not await self.add_conversation_once(Conversation(id=conversation_id, committee_id=committee_id,
                                                             conversation_type="personal", reference=reference,
                                                             updated_at=now)):
            await self.session.execute(update(Conversation).where(Conversation.id == conversation_id)
                                       .values(reference=reference, updated_at=now))

    async def set_reminders_privately(self, user_id: str, privately: bool, now: datetime) -> None:
        row = await self.session.get(ReminderPreference, user_id)
        if row is None:
            self.session.add(ReminderPreference(teams_user_id=user_id, privately=privately, updated_at=now))
        else:
            row.privately, row.updated_at = privately, now

    async def private_reminder_users(self, user_ids: list[str]) -> set[str]:
        """Of these Teams accounts, those whose reminders go to their personal chat."""
        if not user_ids:
            return set()
        result = await self.session.execute(select(ReminderPreference.teams_user_id).where(
            ReminderPreference.teams_user_id.in_(user_ids), ReminderPreference.privately.is_(True)))
        return set(result.scalars())

    async def committees_knowing(self, user_id: str | None, name_key: str) -> list[Committee]:
        """Committees in whose record a person appears: attendance, action owners, presenters due back."""
        by_user = [Attendance.teams_user_id == user_id] if user_id else []
        attended = select(Meeting.committee_id).join(Attendance, Attendance.meeting_id == Meeting.id).where(
            or_(Attendance.name_key == name_key, *by_user))
        owns = select(Action.committee_id).join(ActionOwner, ActionOwner.action_id == Action.id).where(
            or_(ActionOwner.name_key == name_key, *([ActionOwner.teams_user_id == user_id] if user_id else [])))
        presents = select(DueBack.committee_id).where(
            or_(func.lower(DueBack.presenter) == name_key,
                *([DueBack.presenter_user_id == user_id] if user_id else [])))
        result = await self.session.execute(select(Committee).where(
            or_(Committee.id.in_(attended), Committee.id.in_(owns), Committee.id.in_(presents))).order_by(Committee.id))
        return list(result.scalars())

    async def get_committee(self, committee_id: int, for_update: bool = False) -> Committee:
        if for_update:
            result = await self.session.execute(
                select(Committee).where(Committee.id == committee_id).with_for_update()
            )
            return result.scalar_one()
        return await self.session.get(Committee, committee_id)

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

    async def member_by_alias(self, committee_id: int, alias_key: str) -> Member | None:
        result = await self.session.execute(
            select(Member).join(MemberAlias, MemberAlias.member_id == Member.id)
            .where(MemberAlias.committee_id == committee_id, MemberAlias.alias_key == alias_key))
        return result.scalar_one_or_none()

    async def aliases(self, committee_id: int) -> list[MemberAlias]:
        result = await self.session.execute(
            select(MemberAlias).where(MemberAlias.committee_id == committee_id).order_by(MemberAlias.id))
        return list(result.scalars())

    async def committee_conversation(self, committee_id: int) -> str | None:
        result = await self.session.execute(
            select(Conversation.id)
            .where(Conversation.committee_id == committee_id)
            .order_by(Conversation.updated_at.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def committees_meeting_on(self, day) -> list[Committee]:
        result = await self.session.execute(
            select(Committee).where(Committee.next_meeting_date == day, Committee.reminders_paused.is_(False))
        )
        return list(result.scalars())


class MeetingRepository(_Repository):
    """Meetings with their agenda, attendance and the minutes cards posted for them."""

    async def open_meeting(self, committee_id: int) -> Meeting | None:
        result = await self.session.execute(_OPEN_MEETING, {"committee": committee_id})
        return result.scalar_one_or_none()

    async def meetings_of(self, committee_id: int) -> list[Meeting]:
        """A committee's meetings, the latest first."""
        result = await self.session.execute(
            select(Meeting).where(Meeting.committee_id == committee_id).order_by(Meeting.id.desc()))
        return list(result.scalars())

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

    async def previous_meeting(self, committee_id: int, before_id: int) -> Meeting | None:
        result = await self.session.execute(
            select(Meeting)
            .where(Meeting.committee_id == committee_id, Meeting.id < before_id)
            .order_by(Meeting.id.desc())
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def meetings_by_id(self, meeting_ids: set[int]) -> dict[int, Meeting]:
        if not meeting_ids:
            return {}
        result = await self.session.execute(select(Meeting).where(Meeting.id.in_(meeting_ids)))
        return {meeting.id: meeting for meeting in result.scalars()}

    async def minutes_posts(self, meeting_id: int) -> list[MinutesPost]:
        result = await self.session.execute(
            select(MinutesPost).where(MinutesPost.meeting_id == meeting_id).order_by(MinutesPost.id)
        )
        return list(result.scalars())

    async def attendance(self, meeting_id: int) -> list[Attendance]:
        result = await self.session.execute(
            select(Attendance).where(Attendance.meeting_id == meeting_id).order_by(Attendance.id)
        )
        return list(result.scalars())

    async def meeting_changes(self, meeting_id: int) -> list[MeetingChange]:
        result = await self.session.execute(
            select(MeetingChange).where(MeetingChange.meeting_id == meeting_id).order_by(MeetingChange.id))
        return list(result.scalars())

    async def attendance_changes(self, meeting_id: int) -> list[AttendanceChange]:
        result = await self.session.execute(
            select(AttendanceChange).join(Attendance, Attendance.id == AttendanceChange.attendance_id)
            .where(Attendance.meeting_id == meeting_id).order_by(AttendanceChange.at, AttendanceChange.id))
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
        await self.session.delete(item)
        await self.session.flush()

    async def items_of(self, item_ids: list[int]) -> dict[int, AgendaItem]:
        if not item_ids:
            return {}
        result = await self.session.execute(select(AgendaItem).where(AgendaItem.id.in_(item_ids)))
        return {item.id: item for item in result.scalars()}

    async def open_meetings_with_current_item(self) -> list[tuple[Meeting, AgendaItem]]:
        result = await self.session.execute(
            select(Meeting, AgendaItem)
            .join(AgendaItem, AgendaItem.id == Meeting.current_item_id)
            .where(Meeting.ended_at.is_(None), AgendaItem.overtime_notice_sent.is_(False))
        )
        return [(meeting, item) for meeting, item in result.all()]


class EntryRepository(_Repository):
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

    async def changes(self, entry_id: int) -> list[EntryChange]:
        result = await self.session.execute(
            select(EntryChange).where(EntryChange.entry_id == entry_id).order_by(EntryChange.id))
        return list(result.scalars())

    async def latest_change_by(self, committee_id: int, user_id: str | None,
                               name: str) -> tuple[EntryChange, ItemEntry] | None:
        """Someone's most recent recording or change of an entry in this committee."""
        who = EntryChange.by_user_id == user_id if user_id else EntryChange.by == name
        result = await self.session.execute(
            select(EntryChange, ItemEntry).join(ItemEntry, ItemEntry.id == EntryChange.entry_id)
            .where(ItemEntry.committee_id == committee_id, who)
            .order_by(EntryChange.id.desc()).limit(1))
        row = result.first()
        return (row[0], row[1]) if row else None

    async def amendments(self, item_ids: list[int]) -> list[tuple[EntryChange, ItemEntry]]:
        """Changes made after the minutes were approved, oldest first."""
        if not item_ids:
            return []
        result = await self.session.execute(
            select(EntryChange, ItemEntry).join(ItemEntry, ItemEntry.id == EntryChange.entry_id)
            .where(ItemEntry.item_id.in_(item_ids), EntryChange.amendment.is_(True)).order_by(EntryChange.id))
        return [(change, entry) for change, entry in result.all()]

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


class ActionRepository(_Repository):
    """Actions with their owners and history, and presenters due back."""

    async def next_action_number(self, committee_id: int) -> tuple[int, date | None]:
        """(the committee's next action number, its next meeting's date). Numbers run per committee
        and never repeat: the counter row is locked while it moves."""
        connection = await self.session.connection()
        number, next_meeting_date = (await connection.execute(_NEXT_ACTION_NUMBER, {"committee": committee_id})).one()
        return number, next_meeting_date

    async def add_action(self, action: Action, owners: list[ActionOwner], created: ActionEvent) -> None:
        """Writes a new action, its owners and the event of its creation, and sets their ids.
        Three plain INSERTs: the ORM's flush would cost more than the statements themselves."""
        connection = await self.session.connection()
        action.id = (await connection.execute(_INSERT_ACTION, _column_values(action))).scalar_one()
        for row in [*owners, created]:
            row.action_id = action.id
        if owners:
            await connection.execute(_INSERT_ACTION_OWNER, [_column_values(owner) for owner in owners])
        await connection.execute(_INSERT_ACTION_EVENT, _column_values(created))

    async def action_by_number(self, committee_id: int, number: int) -> Action | None:
        result = await self.session.execute(
            select(Action).where(Action.committee_id == committee_id, Action.number == number)
        )
        return result.scalar_one_or_none()

    async def get_action(self, action_id: int) -> Action:
        return await self.session.get(Action, action_id)

    async def actions(self, committee_id: int, statuses: tuple[str, ...] | None = None) -> list[Action]:
        query = select(Action).where(Action.committee_id == committee_id)
        if statuses:
            query = query.where(Action.status.in_(statuses))
        result = await self.session.execute(query.order_by(Action.number))
        return list(result.scalars())

    async def open_actions_of(self, user_id: str | None, name_key: str) -> list[tuple[Committee, list[Action]]]:
        """Open actions, in every committee, owned by a Teams account or a name; by committee."""
        owned = or_(ActionOwner.name_key == name_key, ActionOwner.teams_user_id == user_id) if user_id \
            else ActionOwner.name_key == name_key
        result = await self.session.execute(
            select(Action, Committee).join(Committee, Committee.id == Action.committee_id)
            .where(Action.status == ActionStatus.OPEN,
                   Action.id.in_(select(ActionOwner.action_id).where(owned)))
            .order_by(Action.committee_id, Action.number))
        by_committee: dict[int, tuple[Committee, list[Action]]] = {}
        for action, committee in result.all():
            by_committee.setdefault(committee.id, (committee, []))[1].append(action)
        return list(by_committee.values())

    async def actions_closed_since(self, committee_id: int, since: datetime) -> list[Action]:
        result = await self.session.execute(
            select(Action)
            .where(Action.committee_id == committee_id, Action.status != ActionStatus.OPEN, Action.closed_at >= since)
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

    async def action_events(self, action_id: int) -> list[ActionEvent]:
        result = await self.session.execute(
            select(ActionEvent).where(ActionEvent.action_id == action_id).order_by(ActionEvent.id)
        )
        return list(result.scalars())

    async def latest_progress(self, action_ids: list[int], since: datetime | None) -> dict[int, ActionEvent]:
        """Each action's latest done note, drop reason or progress update (since a moment, if given)."""
        if not action_ids:
            return {}
        query = (select(ActionEvent)
                 .where(ActionEvent.action_id.in_(action_ids), ActionEvent.text.is_not(None),
                        ActionEvent.kind.in_((ActionChange.DONE, ActionChange.DROPPED, ActionChange.UPDATE)))
                 .order_by(ActionEvent.id))
        if since is not None:
            query = query.where(ActionEvent.at >= since)
        return {event.action_id: event for event in (await self.session.execute(query)).scalars()}

    async def by_source(self, committee_id: int, activity_id: str) -> Action | None:
        """The action a Teams message recorded."""
        result = await self.session.execute(
            select(Action).where(Action.committee_id == committee_id, Action.source_activity_id == activity_id).limit(1))
        return result.scalar_one_or_none()

    async def latest_created_by(self, committee_id: int, user_id: str | None, name: str) -> Action | None:
        """Someone's most recently recorded action in this committee."""
        who = Action.created_by_user_id == user_id if user_id else Action.created_by == name
        result = await self.session.execute(
            select(Action).where(Action.committee_id == committee_id, who).order_by(Action.id.desc()).limit(1))
        return result.scalar_one_or_none()

    async def item_has_actions(self, item_id: int) -> bool:
        result = await self.session.execute(select(Action.id).where(Action.item_id == item_id).limit(1))
        return result.first() is not None

    async def get_due_back(self, due_back_id: int) -> DueBack:
        return await self.session.get(DueBack, due_back_id)

    async def pending_due_backs(self, committee_id: int) -> list[DueBack]:
        result = await self.session.execute(
            select(DueBack)
            .where(DueBack.committee_id == committee_id, DueBack.returned_meeting_id.is_(None))
            .order_by(DueBack.id)
        )
        return list(result.scalars())

    async def due_backs_returned_with(self, item_id: int) -> list[DueBack]:
        result = await self.session.execute(select(DueBack).where(DueBack.returned_item_id == item_id))
        return list(result.scalars())

    async def due_backs_of_meeting(self, meeting_id: int) -> list[DueBack]:
        result = await self.session.execute(
            select(DueBack).where(DueBack.meeting_id == meeting_id).order_by(DueBack.id)
        )
        return list(result.scalars())


class ReminderRepository(_Repository):
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
        """Inserts the reminders whose key is new, in one statement; returns how many were new."""
        if not rows:
            return 0
        insert = _insert(self.session)(Reminder).values(rows)
        result = await self.session.execute(insert.on_conflict_do_nothing().returning(Reminder.id))
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


class OutboxRepository(_Repository):
    """Messages Clerk owes conversations (OutboxMessage). A queue is a conversation's lane
    (OutboxLane): its messages go out in `id` order."""

    async def enqueue(self, messages: list[dict]) -> list[int]:
        """Inserts the messages (column values) in one statement; returns their ids in order. Core,
        not the ORM: a turn writes one of these with every reply, and the ORM's flush cost more
        than the rest of the outbox together."""
        result = await self.session.execute(
            insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True), messages)
        return [row[0] for row in result.all()]

    async def has_undelivered(self, conversation_id: str, lane: str, instance: str, now: datetime) -> bool:
        """Whether the queue holds a message other than those `instance` is delivering now."""
        not_mine = or_(OutboxMessage.claimed_by.is_(None), OutboxMessage.claimed_by != instance,
                       OutboxMessage.claimed_until <= now)
        result = await self.session.execute(
            select(OutboxMessage.id).where(*_queue(conversation_id, lane), not_mine).limit(1))
        return result.first() is not None

    async def due_queues(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(conversation, lane) of the queues whose first message may be sent now and nobody is sending."""
        first = (select(func.min(OutboxMessage.id)).where(OutboxMessage.given_up_at.is_(None))
                 .group_by(OutboxMessage.conversation_id, OutboxMessage.lane))
        result = await self.session.execute(
            select(OutboxMessage.conversation_id, OutboxMessage.lane)
            .where(OutboxMessage.id.in_(first), OutboxMessage.not_before <= now, _unclaimed(now))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return [(conversation_id, lane) for conversation_id, lane in result.all()]

    async def claim_first(self, conversation_id: str, lane: str, instance: str, now: datetime,
                          until: datetime) -> tuple[OutboxMessage, str | None] | None:
        """Claims the queue's first message when it is due and nobody holds it; with the
        conversation's stored reference. Of instances claiming at once, one gets it (PostgreSQL
        re-checks the claim on the row the other instance just updated)."""
        first = select(func.min(OutboxMessage.id)).where(*_queue(conversation_id, lane)).scalar_subquery()
        result = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == first, OutboxMessage.not_before <= now, _unclaimed(now))
            .values(claimed_by=instance, claimed_until=until)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        claimed = result.scalar()
        if claimed is None:
            return None
        return await self.held(claimed, instance)

    async def held(self, message_id: int, instance: str) -> tuple[OutboxMessage, str | None] | None:
        """The message, with its conversation's reference, if this instance still holds it."""
        result = await self.session.execute(
            select(OutboxMessage, Conversation.reference)
            .outerjoin(Conversation, Conversation.id == OutboxMessage.conversation_id)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == instance)
            .execution_options(populate_existing=True)
        )
        row = result.first()
        return (row[0], row[1]) if row else None

    async def remove(self, message_id: int, instance: str) -> bool:
        """Deletes a delivered message; False when this instance no longer held it."""
        result = await self.session.execute(
            delete(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == instance)
        )
        return bool(result.rowcount)

    async def release(self, message_ids: list[int], instance: str) -> None:
        """Gives back messages this instance held but will not send now."""
        if message_ids:
            await self.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == instance)
                .values(claimed_by=None, claimed_until=None)
                .execution_options(synchronize_session=False)
            )

    async def waiting(self, conversation_id: str, lane: str) -> list[OutboxMessage]:
        """The queue's undelivered messages, first first."""
        result = await self.session.execute(
            select(OutboxMessage).where(*_queue(conversation_id, lane)).order_by(OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
        return list(result.scalars())


def _queue(conversation_id: str, lane: str) -> tuple:
    return (OutboxMessage.conversation_id == conversation_id, OutboxMessage.lane == lane,
            OutboxMessage.given_up_at.is_(None))


def _unclaimed(now: datetime):
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
