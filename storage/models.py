"""SQLAlchemy models: the tables behind a committee's record.

Every timestamp is stored in UTC; `UTCDateTime` gives back aware datetimes on SQLite too,
which keeps naive-versus-aware mistakes out of the rules above this layer.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timezone

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy import inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def values_before_change(row: "Base", fields: tuple[str, ...]) -> dict:
    """Each field as it stood before this transaction's unflushed changes to the row: what /undo
    puts back."""
    state = inspect(row)
    before = {}
    for name in fields:
        history = state.attrs[name].history
        before[name] = history.deleted[0] if history.deleted else getattr(row, name)
    return before


@functools.cache
def _plain_columns(model: type) -> frozenset[str]:
    """The attributes of `model` that are a column and nothing more: no relationship, no listener."""
    mapper = inspect(model)
    return frozenset(prop.key for prop in mapper.column_attrs
                     if len(prop.columns) == 1 and not getattr(model, prop.key).dispatch.set)


class Base(DeclarativeBase):
    def __init__(self, **values) -> None:
        """SQLAlchemy's declarative constructor, but a plain column's value goes into the new row's
        dict directly instead of through its attribute's change tracking, which a row not yet
        written has no use for: the flush and the INSERTs of storage/ read the same dict. About a
        tenth of a millisecond for a new action, on every turn that writes one."""
        model = type(self)
        plain = _plain_columns(model)
        for key, value in values.items():
            if key in plain:
                self.__dict__[key] = value
            elif hasattr(model, key):
                setattr(self, key, value)
            else:
                raise TypeError(f"{key!r} is an invalid keyword argument for {model.__name__}")


class Committee(Base):
    __tablename__ = "committees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    quorum: Mapped[int | None] = mapped_column(Integer)
    outcome_scale: Mapped[str | None] = mapped_column(Text)  # JSON {letter: words}
    timekeeping: Mapped[bool] = mapped_column(Boolean, default=True)
    last_action_number: Mapped[int] = mapped_column(Integer, default=0)
    last_entry_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_meeting_date: Mapped[date | None] = mapped_column(Date)
    next_meeting_minute: Mapped[int | None] = mapped_column(Integer)
    reminders_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA name; None: Clerk's CLERK_TIMEZONE
    house_style: Mapped[str | None] = mapped_column(Text)  # JSON of dialogs.house_style.HouseStyle; None: the default


class Conversation(Base):
    """A Teams conversation (meeting chat, group chat, channel or personal chat)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(400), primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    conversation_type: Mapped[str | None] = mapped_column(String(40))
    tenant_id: Mapped[str | None] = mapped_column(String(100))
    reference: Mapped[str] = mapped_column(Text)  # ConversationReference as JSON
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("committee_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))


class MemberAlias(Base):
    """Another name a standing member goes by ("Jen" for Jennifer Housego)."""

    __tablename__ = "member_aliases"
    __table_args__ = (UniqueConstraint("committee_id", "alias_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(200))
    alias_key: Mapped[str] = mapped_column(String(200))


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(400))
    teams_meeting_id: Mapped[str | None] = mapped_column(String(400))
    # What Teams says of its meeting (GET /v1/meetings/{id}): its schedule, and the ids Graph needs.
    scheduled_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    graph_resource_id: Mapped[str | None] = mapped_column(String(400))
    organizer_aad_id: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    meeting_date: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    chair_name: Mapped[str | None] = mapped_column(String(200))
    chair_user_id: Mapped[str | None] = mapped_column(String(400))
    # Who typed /start: handing the chair to someone else makes them the secretary.
    started_by_user_id: Mapped[str | None] = mapped_column(String(400))
    secretary_name: Mapped[str | None] = mapped_column(String(200))
    secretary_user_id: Mapped[str | None] = mapped_column(String(400))
    planned_end_minute: Mapped[int | None] = mapped_column(Integer)
    current_item_id: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Confirmed as an accurate record at a later meeting (/previous approved), with any amendments.
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    confirmation_amendments: Mapped[str | None] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(Text)  # None: held virtually via Microsoft Teams
    # The start and close the minutes give (/times), when not the moments of /start and /end.
    minutes_start_minute: Mapped[int | None] = mapped_column(Integer)
    minutes_end_minute: Mapped[int | None] = mapped_column(Integer)
    # Members of the public, as the attendance block gives them: a count ("1") or the words typed.
    public_attendance: Mapped[str | None] = mapped_column(String(300))


class Attendance(Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(20))  # AttendanceStatus
    teams_user_id: Mapped[str | None] = mapped_column(String(400))
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    substitute_for: Mapped[str | None] = mapped_column(String(200))  # the member this person stands in for
    substituted_by: Mapped[str | None] = mapped_column(String(200))  # on the member's own row
    note: Mapped[str | None] = mapped_column(String(300))  # the reason given with an apology


class AgendaItem(Base):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    is_break: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(Text)
    presenter: Mapped[str | None] = mapped_column(String(200))
    # Minutes after midnight; an item without a planned time keeps the start of the item before it, so
    # the agenda's order holds, and `timed` is False.
    planned_start_minute: Mapped[int] = mapped_column(Integer)
    timed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # the order lines were given in
    # The meeting's own minutes (notes before the first item, /note meeting): kept as an item that is
    # never on the agenda, so entries, corrections and history treat them as any other.
    opening: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    planned_length_minutes: Mapped[int | None] = mapped_column(Integer)
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overtime_notice_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Carried forward from the last meeting and not yet timed by the chair: it moves to where the
    # agenda the chair builds begins.
    floating: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outcome_letter: Mapped[str | None] = mapped_column(String(4))
    outcome_comment: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(20))  # ItemStatus; None when taken as planned
    status_reason: Mapped[str | None] = mapped_column(Text)
    # An exempt item (confidential, "Part 2"): the public minutes give only its number, title and this.
    exempt_reason: Mapped[str | None] = mapped_column(Text)
    public_summary: Mapped[str | None] = mapped_column(Text)  # what the public minutes say of an exempt item
    outcome_inquorate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ItemEntry(Base):
    """Something said about an agenda item: a note, question, answer, decision or outcome change."""

    __tablename__ = "item_entries"
    __table_args__ = (Index("ix_item_entries_committee_number", "committee_id", "number", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    committee_id: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)  # the #N people correct it by; None for Clerk's own lines
    kind: Mapped[str] = mapped_column(String(20))  # EntryKind
    text: Mapped[str] = mapped_column(Text)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("item_entries.id"))
    author: Mapped[str | None] = mapped_column(String(200))
    author_user_id: Mapped[str | None] = mapped_column(String(400))
    source_activity_id: Mapped[str | None] = mapped_column(String(400), index=True)  # the Teams message
    source_link: Mapped[str | None] = mapped_column(String(1000))  # a chat message recorded with its author
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # taken out of the minutes, kept here
    # Whom a declaration is about, or who proposed a motion; and what the declarer did (DeclarationEffect).
    person: Mapped[str | None] = mapped_column(String(200))
    person_user_id: Mapped[str | None] = mapped_column(String(400))
    effect: Mapped[str | None] = mapped_column(String(20))
    inquorate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # decided while inquorate


class Motion(Base):
    """A motion's seconder and vote; the motion itself is an entry of kind MOTION (its text, its
    proposer in `person`, its #N and history)."""

    __tablename__ = "motions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("item_entries.id"), unique=True)
    seconder: Mapped[str | None] = mapped_column(String(200))
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    abstentions: Mapped[int | None] = mapped_column(Integer)
    unanimous: Mapped[bool] = mapped_column(Boolean, default=False)
    casting_vote: Mapped[str | None] = mapped_column(String(10))  # "for" or "against": the chair's, on a tie
    result: Mapped[str | None] = mapped_column(String(20))  # MotionResult; None while the motion is open


class Action(Base):
    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("committee_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date)
    due_next_meeting: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), index=True)  # ActionStatus
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_by_user_id: Mapped[str | None] = mapped_column(String(400))
    source_activity_id: Mapped[str | None] = mapped_column(String(400))  # the Teams message that recorded it
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # Agreed under an exempt item: its text is for the confidential minutes and its owners only.
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When the next reminder falls due; the sweep looks only at rows where this has passed.
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class ActionOwner(Base):
    __tablename__ = "action_owners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    teams_user_id: Mapped[str | None] = mapped_column(String(400), index=True)


class Change(Base):
    """One change to the record, of any kind: who made it, when, to what, and what it was before and
    after. History, /undo and the minutes' corrections read only this log. `state` holds what /undo
    needs to put back (JSON); `happened_at` is when an arrival or departure took place, where that
    differs from when it was recorded."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_subject", "subject", "subject_id"),
                      Index("ix_changes_committee_by", "committee_id", "by_user_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[int | None] = mapped_column(Integer, index=True)
    subject: Mapped[str] = mapped_column(String(20))  # ChangeSubject
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # the subject's own kinds: EntryChangeKind, ActionChange, ...
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str | None] = mapped_column(String(200))
    by_user_id: Mapped[str | None] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    happened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amendment: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # after approval
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # taken back by /undo
    undoes: Mapped[int | None] = mapped_column(Integer)  # the change this one takes back

    @property
    def when(self) -> datetime:
        return self.happened_at or self.at


class DueBack(Base):
    """A presenter asked to return to the committee at its next meeting."""

    __tablename__ = "due_backs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text)
    presenter: Mapped[str] = mapped_column(String(200))
    presenter_key: Mapped[str | None] = mapped_column(String(200))  # dialogs.identity.name_key
    presenter_user_id: Mapped[str | None] = mapped_column(String(400))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(200))
    returned_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    # The agenda item it came back as: if the chair removes that item, the presenter is due again.
    returned_item_id: Mapped[int | None] = mapped_column(Integer)
    # Given on an exempt item: its reason is for the confidential minutes only (dialogs.public).
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class MinutesPost(Base):
    """A draft minutes card Clerk posted, so approval can update it in place."""

    __tablename__ = "minutes_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(400))
    activity_id: Mapped[str] = mapped_column(String(400))
    part: Mapped[int] = mapped_column(Integer)
    parts: Mapped[int] = mapped_column(Integer)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reminder(Base):
    """One reminder, recorded when it falls due and before it is sent; `key` makes it unique, so
    several instances planning at once still record it once."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # ReminderKind
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), index=True)
    due_back_id: Mapped[int | None] = mapped_column(ForeignKey("due_backs.id"))
    label: Mapped[str | None] = mapped_column(String(100))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), index=True)  # ReminderStatus
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReminderPreference(Base):
    """Where a person's own reminders go, by their Teams account: their personal chat with Clerk
    (`privately`), or the committee's chat."""

    __tablename__ = "reminder_preferences"

    teams_user_id: Mapped[str] = mapped_column(String(400), primary_key=True)
    privately: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
