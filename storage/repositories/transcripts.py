"""Transcript jobs and the cues of the transcripts they fetched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select

from storage.models import Meeting
from storage.repositories.base import Repository
from storage.connections import on_postgresql
from storage.statements import get
from storage.transcript_models import TranscriptCue, TranscriptJob


class TranscriptRepository(Repository):
    async def job(self, meeting_id: int) -> TranscriptJob | None:
        return await get(self.session, TranscriptJob, meeting_id)

    def add_job(self, job: TranscriptJob) -> None:
        self.session.add(job)

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[tuple[TranscriptJob, Meeting]]:
        """Jobs whose next try has come, each held until `lease_until` so that no other sweep takes it."""
        query = (select(TranscriptJob, Meeting).join(Meeting, Meeting.id == TranscriptJob.meeting_id)
                 .where(TranscriptJob.next_try_at <= now).order_by(TranscriptJob.next_try_at).limit(limit))
        if on_postgresql(self.session):
            query = query.with_for_update(skip_locked=True, of=TranscriptJob)
        rows = [(job, meeting) for job, meeting in (await self.session.execute(query)).all()]
        for job, _ in rows:
            job.next_try_at = lease_until
        return rows

    async def replace_cues(self, meeting_id: int, cues: list[dict]) -> None:
        await self.session.execute(delete(TranscriptCue).where(TranscriptCue.meeting_id == meeting_id))
        if cues:
            await self.session.execute(insert(TranscriptCue), [{**cue, "meeting_id": meeting_id} for cue in cues])

    async def cues(self, meeting_id: int) -> list[TranscriptCue]:
        result = await self.session.execute(select(TranscriptCue).where(TranscriptCue.meeting_id == meeting_id)
                                            .order_by(TranscriptCue.start, TranscriptCue.id))
        return list(result.scalars())

    async def kept_past(self, approved_before: datetime) -> list[int]:
        """Meetings whose transcript Clerk still keeps though their minutes were approved before then."""
        result = await self.session.execute(
            select(TranscriptJob.meeting_id).join(Meeting, Meeting.id == TranscriptJob.meeting_id)
            .where(TranscriptJob.ready_at.is_not(None), TranscriptJob.deleted_at.is_(None),
                   Meeting.approved_at.is_not(None), Meeting.approved_at < approved_before))
        return list(result.scalars())
