"""Due dates as people type them, read in the committee's timezone. Pure functions."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import dateparser

from dialogs.errors import UsageError

NEXT_MEETING = "next meeting"
_NEXT_MEETING = re.compile(r"^(the\s+)?next\s+meeting$", re.IGNORECASE)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = re.compile(
    r"^(?:(next|this)\s+)?(monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri|"
    r"saturday|sat|sunday|sun)$",
    re.IGNORECASE,
)
_IN_N = re.compile(r"^in\s+(\d{1,3})\s+(day|days|week|weeks)$", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _common_form(text: str, today: date) -> date | None:
    """The forms people type most, read without dateparser (which takes milliseconds a call), with
    dateparser's meaning: a weekday is the next one after today ("this Friday" on a Friday is today)."""
    lowered = text.lower()
    if lowered == "today":
        return today
    if lowered == "tomorrow":
        return today + timedelta(days=1)
    if _ISO.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    match = _WEEKDAY.match(text)
    if match:
        target = next(i for i, day in enumerate(_WEEKDAYS) if day[:3] == match[2].lower()[:3])
        ahead = (target - today.weekday()) % 7
        if ahead == 0 and (match[1] or "").lower() != "this":
            ahead = 7
        return today + timedelta(days=ahead)
    match = _IN_N.match(text)
    if match:
        unit = 7 if match[2].lower().startswith("week") else 1
        return today + timedelta(days=int(match[1]) * unit)
    return None


def parse_due(text: str, local_now: datetime) -> date | str:
    """A date, or NEXT_MEETING. `local_now` is the committee's local time: "tomorrow" at 00:30 BST
    is the day after the local date, not after the UTC one."""
    text = " ".join(text.split())
    if not text:
        raise UsageError(f"Give a due date, e.g. due: {day_month(example_date(local_now))}, due: Friday "
                         "or due: next meeting.")
    if _NEXT_MEETING.match(text):
        return NEXT_MEETING
    common = _common_form(text, local_now.date())
    if common is not None:
        return common
    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "DATE_ORDER": "DMY",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if parsed is None:
        example = example_date(local_now)
        raise UsageError(f"I can't read '{text[:40]}' as a date: try {example.isoformat()}, {day_month(example)}, "
                         "Friday, in 2 weeks or next meeting.")
    return parsed.date()


def example_date(local_now: datetime) -> date:
    """A date to show in a hint: three weeks ahead, so it reads as a plausible due date whenever it is shown."""
    return local_now.date() + timedelta(weeks=3)


def day_month(day: date) -> str:
    """'12 July': how the hints write a date without its year."""
    return f"{day.day} {day:%B}"


def format_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%B %Y}"
