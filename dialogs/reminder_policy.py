"""When reminders fall due. Pure: dates, a policy and a timezone in; aware UTC datetimes out.

An action's reminders form one series in time: N days before it is due (for each N configured),
then, while it stays open, an overdue reminder the day after it was due and every few days after.
A presenter due back gets reminders N days before the next meeting. Each falls at the start of the
working day, and one that falls outside working hours waits for the next window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

from dialogs.wording import count
from storage.vocabulary import ReminderKind

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_HOURS = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$")


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class WorkingHours:
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time

    def contains(self, local: datetime) -> bool:
        return local.weekday() in self.days and self.start <= local.time() < self.end



def parse_hours(text: str) -> WorkingHours | None:
    """`Mon-Fri 09:00-17:00`, `Sat 10:00-12:00`, or `always` (None: no window)."""
    text = " ".join(text.lower().split())
    if text == "always":
        return None
    match = _HOURS.match(text)
    if not match or match["first"] not in DAYS or (match["last"] and match["last"] not in DAYS):
        raise PolicyError(f"REMINDER_HOURS={text!r}: use e.g. 'Mon-Fri 09:00-17:00' or 'always'")
    first = DAYS.index(match["first"])
    last = DAYS.index(match["last"]) if match["last"] else first
    days = {d % 7 for d in range(first, last + 1 if last >= first else last + 8)}
    start, end = (time(*map(int, match[key].split(":"))) for key in ("start", "end"))
    if not start < end:
        raise PolicyError(f"REMINDER_HOURS={text!r}: the window must start before it ends")
    return WorkingHours(frozenset(days), start, end)


def parse_days(name: str, text: str) -> tuple[int, ...]:
    try:
        days = tuple(sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise PolicyError(f"{name}={text!r}: use whole numbers of days, e.g. 7,1") from None
    if any(day < 0 for day in days):
        raise PolicyError(f"{name}={text!r}: days cannot be negative")
    return days


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders fall due; config.py builds it from the environment (defaults there)."""

    action_days: tuple[int, ...]
    overdue_every_days: int
    dueback_days: tuple[int, ...]
    hours: WorkingHours | None  # None: at any hour

    @property
    def time_of_day(self) -> time:
        return self.hours.start if self.hours else time(9)

    def at(self, day: date, tz: ZoneInfo) -> datetime:
        return datetime.combine(day, self.time_of_day, tzinfo=tz).astimezone(timezone.utc)

    def sendable(self, now: datetime, tz: ZoneInfo) -> bool:
        return self.hours is None or self.hours.contains(now.astimezone(tz))


@dataclass(frozen=True)
class Planned:
    at: datetime  # UTC
    kind: ReminderKind
    label: str


def action_series(due: date, policy: ReminderPolicy, tz: ZoneInfo) -> Iterator[Planned]:
    """The whole series, in time order; the overdue part never ends."""
    for days in policy.action_days:
        label = "due today" if days == 0 else f"due in {count(days, 'day')}"
        yield Planned(policy.at(due - timedelta(days=days), tz), ReminderKind.BEFORE, label)
    step = max(1, policy.overdue_every_days)
    day = due + timedelta(days=1)
    while True:
        yield Planned(policy.at(day, tz), ReminderKind.OVERDUE, "overdue")
        day += timedelta(days=step)


def dueback_series(meeting: date, policy: ReminderPolicy, tz: ZoneInfo) -> Iterator[Planned]:
    for days in policy.dueback_days:
        yield Planned(policy.at(meeting - timedelta(days=days), tz), ReminderKind.DUEBACK,
                      f"next meeting in {count(days, 'day')}")


def latest_due(series: Iterator[Planned], now: datetime) -> tuple[Planned | None, Planned | None]:
    """(the latest reminder at or before now, the first one after now).

    Only the latest passed reminder is sent: after an outage, or for an action recorded late,
    people get one reminder, not a burst of stale ones."""
    latest = None
    for planned in series:
        if planned.at > now:
            return latest, planned
        latest = planned
    return latest, None

