"""Keeping time: what /time says, the page the in-meeting notice shows, and the notice sent once
when an item reaches its allotted time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from dialogs import delivery, timing
from dialogs.agenda import agenda_of
from dialogs.committee import committee_zone
from dialogs.context import Reply, Turn
from dialogs.delivery import Queued
from dialogs.guards import current_meeting
from dialogs.parsing import clock_time
from dialogs.agenda_model import Agenda
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory


async def show_time(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    meeting = await current_meeting(uow, turn)
    return Reply("\n".join(time_lines(await agenda_of(uow, meeting), turn.now, turn.tz)))


def time_lines(agenda: Agenda, now: datetime, tz: ZoneInfo) -> list[str]:
    """What /time says, and the page a timekeeping notice shows on the meeting stage."""
    meeting = agenda.meeting
    current = agenda.current
    if current is None:
        lines = ["No item is under way: /next starts the next one."]
    else:
        what = "Break" if current.is_break else f"Item {current.number} ({current.item.title})"
        line = f"{what}: {timing.duration_text(now - current.item.actual_start)} elapsed"
        if current.allotted is not None:
            remaining = current.allotted - current.elapsed_minutes(now)
            left = f"{remaining} min left" if remaining >= 0 else f"{-remaining} min over"
            line += f" of {current.allotted} min allotted, {left}."
        lines = [line]
    elapsed = timing.duration_text(now - meeting.started_at)
    lines.append(f"Meeting: started {clock_time(meeting.started_at, tz)}, {elapsed} elapsed. "
                 f"{agenda.status_line(now, tz).rstrip('.')}.")
    return lines


async def stage_page(new_unit_of_work: UnitOfWorkFactory, meeting_id: int, now: datetime,
                     tz: ZoneInfo) -> tuple[str, list[str]] | None:
    """The meeting's title and what /time says, for the in-meeting notification's page."""
    async with new_unit_of_work() as uow:
        meeting = await uow.meetings.get_meeting(meeting_id)
        if meeting is None:
            return None
        tz = committee_zone(await uow.committees.timezone_of(meeting.committee_id), tz)
        return meeting.title, time_lines(await agenda_of(uow, meeting), now, tz)


@dataclass(frozen=True)
class Notice:
    conversation_id: str
    text: str
    meeting_id: int
    in_meeting: bool  # the chat of a Teams meeting under way: the notice shows on its stage
    teams_meeting_id: str | None = None
    chair_user_id: str | None = None  # in a Teams meeting, the chair alone is told, privately


async def send_overtime_notices(new_unit_of_work: UnitOfWorkFactory, render: Callable[[Notice], str], now: datetime,
                                tz: ZoneInfo) -> None:
    """Marks the items that reached their time and queues the notices in the same transaction, so
    each is sent once (dialogs.delivery), however the Bot Connector fares."""
    async with new_unit_of_work() as uow:
        for notice in await overtime_notices(uow, now, tz):
            await delivery.queue(uow, notice.conversation_id, [Queued(render(notice))], now)
        await uow.commit()


async def overtime_notices(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> list[Notice]:
    """Items that reached their allotted time get one notice each; marked so it never repeats."""
    notices = []
    meetings = await uow.agenda.open_meetings_with_current_item()
    agendas = await uow.agenda.items_of_meetings([meeting.id for meeting in meetings])  # one read, not one each
    for meeting in meetings:
        over = Agenda(meeting, agendas[meeting.id]).over_time(now)
        if over is None:
            continue
        over.item.overtime_notice_sent = True
        committee = await uow.committees.get_committee(meeting.committee_id)
        if not committee.timekeeping:
            continue
        what = "The break" if over.is_break else f"Item {over.number} ({over.item.title})"
        notices.append(Notice(meeting.conversation_id,
                              f"⏱ {what} has reached its {over.allotted} min. /next moves on; /time shows the schedule.",
                              meeting.id, meeting.teams_meeting_id is not None, meeting.teams_meeting_id,
                              meeting.chair_user_id))
    return notices
