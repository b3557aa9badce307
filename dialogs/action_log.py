"""The committee's action log: what a secretary keeps in a spreadsheet between meetings, and what a
chair checks for what is overdue. One value, built from the record, read by the web page (a Jinja2
template), the CSV download and the iCalendar file of due dates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

import icalendar

from dialogs.committee import committee_zone
from dialogs.action_text import due_text, effective_due, is_overdue
from dialogs.public import due_back_reason, progress_text, shown_text
from dialogs.context import Reply, Turn
from dialogs.dates import format_date
from dialogs.export import DocumentFormat, html_templates
from dialogs.parsing import clock_time, format_minute
from dialogs.agenda_model import Agenda
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from storage.vocabulary import ActionStatus

NO_OWNER = "No owner yet"


@dataclass(frozen=True)
class LoggedAction:
    number: int
    text: str
    owners: list[str]
    source: str  # "May meeting, Wed 13 May 2026, item 3"
    due: str
    due_date: date | None
    status: str
    overdue: bool
    latest: str | None  # "done: <note>", "dropped: <reason>" or "update: <text>"


@dataclass(frozen=True)
class OwnerGroup:
    owner: str
    actions: list[LoggedAction]


@dataclass(frozen=True)
class DueBackEntry:
    presenter: str
    title: str
    reason: str | None


@dataclass(frozen=True)
class PastMeeting:
    meeting_id: int
    title: str
    date_text: str


@dataclass(frozen=True)
class ActionLog:
    committee_id: int
    committee: str
    generated: str
    open_by_owner: list[OwnerGroup]
    closed_since_last_meeting: list[LoggedAction]
    last_meeting: str | None
    due_back: list[DueBackEntry]
    next_meeting: str | None
    next_meeting_at: datetime | date | None
    past_meetings: list[PastMeeting]

    @property
    def open_actions(self) -> list[LoggedAction]:
        seen, actions = set(), []
        for group in self.open_by_owner:
            for action in group.actions:
                if action.number not in seen:
                    seen.add(action.number)
                    actions.append(action)
        return sorted(actions, key=lambda a: a.number)


async def build_action_log(new_unit_of_work: UnitOfWorkFactory, committee_id: int, tz: ZoneInfo,
                           now: datetime) -> ActionLog | None:
    async with new_unit_of_work() as uow:
        committee = await uow.committees.get_committee(committee_id)
        if committee is None:
            return None
        tz = committee_zone(committee.timezone, tz)
        today = now.astimezone(tz).date()
        latest = await uow.meetings.latest_meeting(committee_id)
        open_actions = await uow.actions.actions(committee_id, (ActionStatus.OPEN,))
        closed = await uow.actions.actions_closed_since(committee_id, latest.started_at) if latest else []
        everything = open_actions + closed
        owners = await uow.actions.owners([a.id for a in everything])
        progress = await uow.changes.latest_progress([a.id for a in everything], None)
        meetings = await uow.meetings.meetings_by_id({a.meeting_id for a in everything if a.meeting_id})
        agendas = {m.id: Agenda(m, await uow.agenda.items(m.id)) for m in meetings.values()}

        def logged(action) -> LoggedAction:
            meeting = meetings.get(action.meeting_id)
            source = "recorded outside a meeting"
            if meeting is not None:
                source = f"{meeting.title}, {format_date(meeting.meeting_date)}"
                number = agendas[meeting.id].number_of(action.item_id) if action.item_id else None
                source += f", item {number}" if number is not None else ""
            return LoggedAction(action.number, shown_text(action), [o.name for o in owners[action.id]], source,
                                due_text(action, committee.next_meeting_date),
                                effective_due(action, committee.next_meeting_date), action.status,
                                is_overdue(action, committee.next_meeting_date, today),
                                progress_text(progress.get(action.id), action))

        groups: dict[str, list[LoggedAction]] = {}
        for action in open_actions:
            entry = logged(action)
            for owner in entry.owners or [NO_OWNER]:
                groups.setdefault(owner, []).append(entry)
        due_backs = await uow.actions.pending_due_backs(committee_id)
        past = [m for m in await uow.meetings.meetings_of(committee_id) if m.ended_at is not None]
    next_at: datetime | date | None = committee.next_meeting_date
    next_meeting = format_date(committee.next_meeting_date) if committee.next_meeting_date else None
    if committee.next_meeting_date and committee.next_meeting_minute is not None:
        minute = committee.next_meeting_minute
        next_at = datetime.combine(committee.next_meeting_date, time(minute // 60, minute % 60), tzinfo=tz)
        next_meeting += f" at {format_minute(minute)}"
    local_now = now.astimezone(tz)
    return ActionLog(
        committee_id=committee_id,
        committee=committee.name or "Committee",
        generated=f"{format_date(local_now.date())} at {clock_time(now, tz)}",
        open_by_owner=[OwnerGroup(owner, groups[owner]) for owner in sorted(groups, key=lambda o: (o == NO_OWNER, o))],
        closed_since_last_meeting=[logged(a) for a in closed],
        last_meeting=format_date(latest.meeting_date) if latest else None,
        due_back=[DueBackEntry(d.presenter, d.title, due_back_reason(d)) for d in due_backs],
        next_meeting=next_meeting,
        next_meeting_at=next_at,
        past_meetings=[PastMeeting(m.id, m.title, format_date(m.meeting_date)) for m in past],
    )


# Renderers -------------------------------------------------------------------------------------------


MinutesUrl = Callable[[int], str]  # a meeting id -> a signed link to its HTML minutes


def render_html(log: ActionLog, minutes_url: MinutesUrl) -> bytes:
    return html_templates.get_template("action_log.html.j2").render(log=log, minutes_url=minutes_url).encode()


CSV_COLUMNS = ("Action", "Text", "Owners", "From", "Due", "Due date", "Status", "Overdue", "Latest note")


# A cell a spreadsheet would read as a formula (OWASP, "CSV Injection"): "=HYPERLINK(...)" typed
# into an action must open as the text it is.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: object) -> object:
    """Text that would start a formula, with a leading apostrophe, which spreadsheets show as text."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def render_csv(log: ActionLog, minutes_url: MinutesUrl | None = None) -> bytes:
    """Open actions, then those closed since the last meeting: a row an action, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for action in log.open_actions + log.closed_since_last_meeting:
        writer.writerow([spreadsheet_text(cell) for cell in (
            action.number, action.text, "; ".join(action.owners), action.source, action.due,
            action.due_date.isoformat() if action.due_date else "", action.status,
            "yes" if action.overdue else "no", action.latest or "")])
    return out.getvalue().encode("utf-8-sig")  # the byte-order mark makes Excel read it as UTF-8


def render_ics(log: ActionLog, minutes_url: MinutesUrl | None = None) -> bytes:
    """Each open action's due date as an all-day event, and the next meeting."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Clerk//Committee action log//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{log.committee} – actions")
    for action in log.open_actions:
        if action.due_date is None:
            continue
        event = icalendar.Event()
        event.add("uid", f"action-{log.committee_id}-{action.number}@clerk")
        event.add("summary", f"Action {action.number} due: {action.text}")
        event.add("description", f"Owners: {', '.join(action.owners) or NO_OWNER}. From {action.source}.")
        event.add("dtstart", action.due_date)
        event.add("dtend", action.due_date + timedelta(days=1))
        event.add("dtstamp", datetime(2000, 1, 1))
        calendar.add_component(event)
    if log.next_meeting_at is not None:
        event = icalendar.Event()
        event.add("uid", f"next-meeting-{log.committee_id}@clerk")
        event.add("summary", f"{log.committee}: next meeting")
        event.add("dtstart", log.next_meeting_at)
        if isinstance(log.next_meeting_at, datetime):
            event.add("dtend", log.next_meeting_at + timedelta(hours=1))
        event.add("dtstamp", datetime(2000, 1, 1))
        calendar.add_component(event)
    return calendar.to_ical()


# The action log's formats; each renderer takes the log and the link to a meeting's minutes.
LOG_FORMATS: dict[str, DocumentFormat] = {f.extension: f for f in (
    DocumentFormat("html", "Web page", "text/html; charset=utf-8", True, render_html),
    DocumentFormat("csv", "CSV", "text/csv; charset=utf-8", False, render_csv),
    DocumentFormat("ics", "Calendar", "text/calendar; charset=utf-8", False, render_ics),
)}


@dataclass(frozen=True)
class ActionLogOffer:
    committee_id: int
    committee: str


async def offer(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    committee = await uow.committees.get_committee(turn.committee_id)
    return Reply("", view=ActionLogOffer(turn.committee_id, committee.name or "this committee"))
