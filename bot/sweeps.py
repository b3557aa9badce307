"""Work the bot does on a timer (reminders, digests, timekeeping, the outbox, housekeeping), wired
to its services; app.py schedules them, tests call them with an injected clock."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.activity import personal_chat_from
from bot.graph import Graph
from bot.links import LinkSigner
from bot.outbox import Outbox
from bot.proactive import render_in_meeting, render_targeted_notification, render_text
from bot.render import Renderer
from config import Settings
from dialogs import delivery, reminders
from dialogs.delivery import HEARTBEAT
from dialogs.timekeeping import Notice, send_overtime_notices
from dialogs.transcript import Telling, TranscriptTimes, fetch_due, forget_transcripts
from dialogs.turns import forget_handled_activities
from storage.db import Database
from storage.unit_of_work import DatabaseUnavailable

log = logging.getLogger("clerk.sweeps")
OUTBOX_SWEEP_SECONDS = 2
TRANSCRIPT_SWEEP_SECONDS = 30
KEEP_SENDS_SECONDS = 1
CHECKPOINT_SECONDS = 1
STOP_SECONDS = 3


class Sweeps:
    """Work the bot does on a timer, wired to its services. Tests call these with an injected clock.
    What a sweep queues is delivered before it returns; `deliver` takes up what could not go at once."""

    def __init__(self, db: Database, outbox: Outbox, settings: Settings, clock: Callable[[], datetime],
                 links: LinkSigner, graph: Graph):
        self.db, self.outbox, self.settings, self.clock, self.links = db, outbox, settings, clock, links
        self.instance = outbox.instance
        self.graph = graph
        self.transcript_times = TranscriptTimes(timedelta(seconds=settings.transcript_poll_seconds),
                                                timedelta(hours=settings.transcript_wait_hours),
                                                timedelta(days=settings.transcript_keep_days))
        self._telling = Telling(personal_chat_from, Renderer(links, clock).transcript_link)

    async def transcripts(self) -> None:
        """Asks Graph for the transcripts whose time has come; tells the chair and secretary of those ready."""
        await fetch_due(self.db.unit_of_work, self.graph, self.transcript_times, self._telling, self.clock())
        await self.outbox.sweep()

    async def reminders(self) -> None:
        await reminders.send_due(self.db.unit_of_work, render_text, self.instance,
                                 self.settings.reminder_policy, self.settings.timezone, self.clock)
        await self.outbox.sweep()

    async def digest(self) -> None:
        await reminders.send_digests(self.db.unit_of_work, render_text, self.instance,
                                     self.settings.reminder_policy, self.settings.timezone, self.clock)
        await self.outbox.sweep()

    async def housekeeping(self) -> None:
        await forget_handled_activities(self.db.unit_of_work, self.clock())
        await forget_transcripts(self.db.unit_of_work, self.transcript_times, self.clock())
        await self.outbox.forget_old_sends()

    async def timekeeping(self) -> None:
        await send_overtime_notices(self.db.unit_of_work, self._notice, self.clock(), self.settings.timezone)
        await self.outbox.sweep()

    def _notice(self, notice: Notice) -> str:
        """In a Teams meeting under way, the chair alone sees the notice, on the meeting's stage (a
        targeted meeting notification); with no chair known by Teams account, the whole meeting does
        (an in-meeting notification in its chat). Elsewhere it is a message in the chat."""
        if not notice.in_meeting:
            return render_text(notice.text)
        page = self.links.link(f"/meetings/{notice.meeting_id}/time.html", self.clock())
        if notice.chair_user_id and notice.teams_meeting_id:
            return render_targeted_notification(notice.text, page, notice.teams_meeting_id, [notice.chair_user_id])
        return render_in_meeting(notice.text, page, self.settings.APP_ID)

    async def start(self) -> None:
        """At start: the sends Teams' windows still count; on SQLite, which runs one instance at a
        time, the claims a stopped one left."""
        await self.outbox.recall_sends()
        if self.db.is_sqlite:
            await delivery.take_over_claims(self.db.unit_of_work, self.instance)

    async def stop(self) -> None:
        """At a stop: the sends a successor must count (bounded: a stop never waits on the database
        for long; the budget written every second covers what is not kept now)."""
        try:
            async with asyncio.timeout(STOP_SECONDS):
                await self.outbox.keep_sends()
        except (TimeoutError, DatabaseUnavailable):
            log.warning("could not keep this instance's last sends at the stop")

    async def heartbeat(self) -> None:
        await delivery.heartbeat(self.db.unit_of_work, self.instance, self.clock())

    async def deliver(self) -> None:
        await self.outbox.sweep()

    def schedule(self, scheduler: AsyncIOScheduler) -> None:
        settings, now = self.settings, datetime.now(timezone.utc)
        scheduler = _Stoppable(scheduler)
        scheduler.add_job(self.timekeeping, "interval", seconds=settings.timekeeping_sweep_seconds,
                          id="timekeeping", max_instances=1, coalesce=True)
        # The first sweep runs at start: reminders missed while the bot was down go out now.
        scheduler.add_job(self.reminders, "interval", seconds=settings.reminder_sweep_seconds,
                          id="reminders", max_instances=1, coalesce=True, next_run_time=now)
        scheduler.add_job(self.digest, CronTrigger.from_crontab(settings.digest_cron, timezone=settings.timezone),
                          id="digest", max_instances=1, coalesce=True)
        # Delivers what turns, reminders and notices left queued; at start, what a stop left.
        scheduler.add_job(self.deliver, "interval", seconds=OUTBOX_SWEEP_SECONDS, id="outbox", max_instances=1,
                          coalesce=True, next_run_time=now)
        # The sends of the last second, so that even after kill -9 a successor counts all but those.
        scheduler.add_job(self.outbox.keep_sends, "interval", seconds=KEEP_SENDS_SECONDS, id="keep sends",
                          max_instances=1, coalesce=True)
        if self.db.checkpointer is not None:  # SQLite's log, copied into the database off the event loop
            scheduler.add_job(self.db.checkpoint, "interval", seconds=CHECKPOINT_SECONDS, id="checkpoint",
                              max_instances=1, coalesce=True)
        if not self.db.is_sqlite:  # instances alive, for one another's claims and the shared send budget
            scheduler.add_job(self.heartbeat, "interval", seconds=HEARTBEAT.total_seconds(), id="heartbeat",
                              max_instances=1, coalesce=True, next_run_time=now)
        scheduler.add_job(self.transcripts, "interval", seconds=TRANSCRIPT_SWEEP_SECONDS, id="transcripts",
                          max_instances=1, coalesce=True)
        scheduler.add_job(self.housekeeping, "interval", minutes=10, id="housekeeping", max_instances=1,
                          coalesce=True, next_run_time=now)


class _Stoppable:
    """Adds jobs that end quietly when Clerk stops in the middle of one (its transaction is rolled
    back; the next start takes it up): a stop is not an error, and logs no traceback."""

    def __init__(self, scheduler: AsyncIOScheduler):
        self._scheduler = scheduler

    def add_job(self, job, *args, **kwargs):
        async def run() -> None:
            try:
                await job()
            except asyncio.CancelledError:
                log.info("%s stopped: Clerk is shutting down", job.__name__)

        return self._scheduler.add_job(run, *args, **kwargs)
