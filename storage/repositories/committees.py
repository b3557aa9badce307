"""Committees, their conversations, standing members and aliases, and personal-chat preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    bindparam,
    or_,
    select,
    update,
)

from storage.models import (
    Action,
    ActionOwner,
    Attendance,
    Committee,
    Conversation,
    DueBack,
    Meeting,
    Member,
    MemberAlias,
    ReminderPreference,
)
from storage.identity import same_person
from storage.repositories.base import Repository, column_values, insert_for
from storage.statements import get, load, run


# Built once (every named owner of an action is looked up): building a statement anew costs about
# as much as running it.
COMMITTEE_TIMEZONE = select(Committee.__table__.c.timezone).where(Committee.__table__.c.id == bindparam("committee"))
_MEMBERS = select(Member).where(Member.committee_id == bindparam("committee")).order_by(Member.id)
_MEMBER_BY_ALIAS = (select(Member).join(MemberAlias, MemberAlias.member_id == Member.id)
                    .where(MemberAlias.committee_id == bindparam("committee"),
                           MemberAlias.alias_key == bindparam("alias")))
_MEMBERS_WITH_ALIASES = (select(Member, MemberAlias.alias_key)
                         .outerjoin(MemberAlias, MemberAlias.member_id == Member.id)
                         .where(Member.committee_id == bindparam("committee")).order_by(Member.id))


class CommitteeRepository(Repository):
    """Committees, the conversations that belong to them, and their standing members."""

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        return await get(self.session, Conversation, conversation_id)

    async def add_conversation_once(self, conversation: Conversation) -> bool:
        """Inserts the conversation unless it exists; False when another transaction registered it
        (PostgreSQL waits for that transaction, then finds the row)."""
        values = column_values(conversation)
        result = await self.session.execute(
            insert_for(self.session)(Conversation).values(values).on_conflict_do_nothing().returning(Conversation.id))
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
        row = await get(self.session, ReminderPreference, user_id)
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

    async def committees_knowing(self, user_id: str | None, name_key: str, tenant_id: str | None) -> list[Committee]:
        """Committees in whose record a person appears: attendance, action owners, presenters due back."""
        attended = select(Meeting.committee_id).join(Attendance, Attendance.meeting_id == Meeting.id).where(
            same_person(Attendance.name_key, Attendance.teams_user_id, name_key, user_id, Meeting.committee_id, tenant_id))
        owns = select(Action.committee_id).join(ActionOwner, ActionOwner.action_id == Action.id).where(
            same_person(ActionOwner.name_key, ActionOwner.teams_user_id, name_key, user_id, Action.committee_id, tenant_id))
        presents = select(DueBack.committee_id).where(
            same_person(DueBack.presenter_key, DueBack.presenter_user_id, name_key, user_id, DueBack.committee_id,
                        tenant_id))
        result = await self.session.execute(select(Committee).where(
            or_(Committee.id.in_(attended), Committee.id.in_(owns), Committee.id.in_(presents))).order_by(Committee.id))
        return list(result.scalars())

    async def timezone_of(self, committee_id: int) -> str | None:
        """The committee's own timezone, read on every turn: one column, not the ORM's whole row."""
        row = (await run(self.session, COMMITTEE_TIMEZONE, {"committee": committee_id})).first()
        return row[0] if row else None

    async def get_committee(self, committee_id: int, for_update: bool = False) -> Committee:
        if for_update:
            result = await self.session.execute(
                select(Committee).where(Committee.id == committee_id).with_for_update()
            )
            return result.scalar_one()
        return await get(self.session, Committee, committee_id)

    async def members(self, committee_id: int) -> list[Member]:
        result = await self.session.execute(_MEMBERS, {"committee": committee_id})
        return list(result.scalars())

    async def members_and_aliases(self, committee_id: int) -> tuple[list[Member], dict[str, Member]]:
        """The standing members, and each alias key with the member it names, in one statement."""
        rows = await load(self.session, Member, _MEMBERS_WITH_ALIASES, {"committee": committee_id})
        members = list(dict.fromkeys(member for member, _ in rows))
        return members, {alias_key: member for member, alias_key in rows if alias_key is not None}

    async def member_by_key(self, committee_id: int, name_key: str) -> Member | None:
        result = await self.session.execute(
            select(Member).where(Member.committee_id == committee_id, Member.name_key == name_key)
        )
        return result.scalar_one_or_none()

    async def member_by_alias(self, committee_id: int, alias_key: str) -> Member | None:
        result = await self.session.execute(_MEMBER_BY_ALIAS, {"committee": committee_id, "alias": alias_key})
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
