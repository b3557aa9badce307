"""A meeting's Teams transcript as Clerk keeps it: the job that fetches it (kept in the database,
so waiting survives a restart) and its cues, deleted when the committee no longer needs them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime


class TranscriptJob(Base):
    __tablename__ = "transcript_jobs"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(30))  # dialogs.transcript.Status
    detail: Mapped[str | None] = mapped_column(Text)  # what Graph said last, for /transcript
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # None: nothing more to try
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    with_speakers: Mapped[bool] = mapped_column(default=True)


class TranscriptCue(Base):
    __tablename__ = "transcript_cues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    speaker: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
