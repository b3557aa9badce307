"""The tables of delivery, not of the record: activities already handled, instances alive, the
shared send budget and the outbox. Kept apart from storage.models, which holds what the record is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime


class ProcessedActivity(Base):
    """Activity ids already handled, so a redelivered activity has no second effect."""

    __tablename__ = "processed_activities"

    conversation_id: Mapped[str] = mapped_column(String(400), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(400), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LiveInstance(Base):
    """When each running instance last said it was alive: a claim of one that stopped saying so is
    taken over at once, without waiting for the claim's lease."""

    __tablename__ = "live_instances"

    instance: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SendSlot(Base):
    """A message sent, under each rate-limit key it counts for ("conversation:<id>", "tenant:<id>"):
    the budget every instance shares (PostgreSQL), and what a restarted instance still counts."""

    __tablename__ = "send_slots"
    __table_args__ = (Index("ix_send_slots_key_sent_at", "key", "sent_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(450))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """A message Clerk owes a conversation, written in the same transaction as the change it
    reports and deleted once the Bot Connector accepted it. Delivered in `id` order per conversation
    and lane."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_conversation_lane", "conversation_id", "lane", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(400))
    lane: Mapped[str] = mapped_column(String(10))  # OutboxLane: order holds within a lane
    payload: Mapped[str] = mapped_column(Text)  # the message, as bot/ sends it
    text: Mapped[str | None] = mapped_column(Text)  # a plain-text reply's words, so stale ones fold into one
    reply_to_id: Mapped[str | None] = mapped_column(String(400))
    # A draft minutes card: which one, so approval can update it in place once it is posted.
    minutes_meeting_id: Mapped[int | None] = mapped_column(Integer)
    minutes_part: Mapped[int | None] = mapped_column(Integer)
    minutes_parts: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    unknown_outcomes: Mapped[int] = mapped_column(Integer, default=0)  # sends that timed out
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    given_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
