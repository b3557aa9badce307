"""The meeting's live panel: the page Teams shows in the meeting's side panel (and on its stage) with
the agenda, the item under way with its time used and left, how late the meeting runs, and the
actions recorded so far. Everyone in the meeting may see it, so it shows what the public minutes
show (dialogs.public): an exempt item's actions give their owners and due date, not their words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dialogs.action_text import due_text, owners_text
from dialogs.agenda import agenda_of
from dialogs.committee import committee_zone
from dialogs.context import Reply, Turn
from dialogs.guards import current_meeting
from dialogs.minutes_model import MinutesAction
from dialogs.parsing import clock_time, format_minute
from dialogs.public import shown_text
from dialogs.timekeeping import time_lines
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class PanelRow:
    label: str  # "3", or "Break"
    title: str
    presenter: str | None
    planned: str | None  # "10:05", or None when the agenda gave no time
    state: str  # "done", "under way" or "to come"
    minutes: str | None  # "12 of 20 min", "14 min" (done), or None


@dataclass(frozen=True)
class Panel:
    title: str
    now: str
    lines: list[str]  # what /time says
    rows: list[PanelRow]
    actions: list[str]  # as the minutes list them: "Action 3: <text> — <owners>, <due>"


async def build_panel(new_unit_of_work: UnitOfWorkFactory, meeting_id: int, now: datetime,
                      default_tz: ZoneInfo) -> Panel | None:
    async with new_unit_of_work() as uow:
        meeting = await uow.meetings.get_meeting(meeting_id)
        if meeting is None:
            return None
        committee = await uow.committees.get_committee(meeting.committee_id)
        tz = committee_zone(committee.timezone, default_tz)
        agenda = await agenda_of(uow, meeting)
        rows = []
        for entry in agenda.entries:
            elapsed = entry.elapsed_minutes(now)
            state = ("under way" if entry is agenda.current else "done" if entry.item.actual_start is not None
                     else "to come")
            used = None if elapsed is None else (f"{elapsed} of {entry.allotted} min" if entry.allotted and
                                                 state == "under way" else f"{elapsed} min")
            rows.append(PanelRow("Break" if entry.is_break else str(entry.number), entry.item.title,
                                 entry.item.presenter,
                                 format_minute(entry.planned_minute) if entry.planned_minute is not None else None,
                                 state, used))
        actions = await uow.actions.actions_of_meeting(meeting.id)
        owners = await uow.actions.owners([a.id for a in actions])
        lines = time_lines(agenda, now, tz) if meeting.ended_at is None else \
            [f"The meeting closed at {clock_time(meeting.ended_at, tz)}."]
        return Panel(meeting.title, clock_time(now, tz), lines, rows,
                     [MinutesAction(a.number, shown_text(a), owners_text(owners[a.id]),
                                    due_text(a, committee.next_meeting_date), a.status).line for a in actions])


@dataclass(frozen=True)
class PanelOffer:
    meeting_id: int
    title: str


async def offer(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/panel`: the signed link to the open meeting's live panel, for its side panel or stage."""
    meeting = await current_meeting(uow, turn)
    return Reply("", view=PanelOffer(meeting.id, meeting.title))
