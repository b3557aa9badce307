"""Due dates as people type them, read in the committee's timezone. Pure functions."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import dateparser

from dialogs.errors import UsageError

NEXT_MEETING = "next meeting"
_NEXT_MEETING = re.compile(r"^(?:(?:before|by|at|for|until)\s+)?(?:the\s+)?next\s+meeting$", re.IGNORECASE)
# Words around a date that do not change it: "by Friday", "close of play on Friday", "COB Monday".
_FILLER = re.compile(r"^(?:(?:by|before|on|due|until)\s+|(?:close\s+of\s+(?:play|business)|cop|cob|eod|"
                     r"end\s+of\s+(?:the\s+)?day)(?:\s+on)?\s+)+", re.IGNORECASE)
_END_OF = re.compile(r"^(?:the\s+)?end\s+of\s+(?:(this|the|next)\s+)?(week|month)$", re.IGNORECASE)
# Day first, as in the UK: 01/02/03 is 1 February 2003.
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")
_NAMED_WEEKDAY = re.compile(r"^(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|"
                            r"thur|thurs|fri|sat|sun)\b,?\s+(?=\S*\d)", re.IGNORECASE)
WORKING_WEEK_ENDS = 4  # Friday: "end of the week" is the end of the working week
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


def _end_of(which: str, unit: str, today: date) -> date:
    """'end of the week' is this week's Friday (next week's once it has passed); 'end of the month'
    its last day."""
    if unit.lower() == "week":
        friday = today + timedelta(days=(WORKING_WEEK_ENDS - today.weekday()) % 7)
        return friday + timedelta(weeks=1) if which.lower() == "next" else friday
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    if which.lower() == "next":
        first_of_next = (first_of_next + timedelta(days=32)).replace(day=1)
    return first_of_next - timedelta(days=1)


def _numeric(match: re.Match, today: date) -> date:
    day, month, year = int(match[1]), int(match[2]), match[3]
    if year is None:
        candidate = _valid_date(today.year, month, day, match[0])
        return candidate if candidate >= today else _valid_date(today.year + 1, month, day, match[0])
    return _valid_date(int(year) + (2000 if len(year) == 2 else 0), month, day, match[0])


def _valid_date(year: int, month: int, day: int, typed: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise UsageError(f"'{typed}' is not a date in the calendar (day first, as 01/02/2026 for 1 February).") \
            from None


def parse_due(text: str, local_now: datetime) -> date | str:
    """A date, or NEXT_MEETING. `local_now` is the committee's local time: "tomorrow" at 00:30 BST
    is the day after the local date, not after the UTC one. A date that has passed is returned as it
    is: the caller says so."""
    text = " ".join(text.split())
    if not text:
        raise UsageError(f"Give a due date, e.g. due: {day_month(example_date(local_now))}, due: Friday "
                         "or due: next meeting.")
    if _NEXT_MEETING.match(text):
        return NEXT_MEETING
    text = _FILLER.sub("", text) or text
    today = local_now.date()
    if match := _END_OF.match(text):
        return _end_of(match[1] or "this", match[2], today)
    if match := _NUMERIC.match(text):
        return _numeric(match, today)
    common = _common_form(text, today)
    if common is not None:
        return common
    named = _NAMED_WEEKDAY.match(text)
    if named:  # "Friday 12 November": read the date, then check the weekday agrees
        day = parse_due(text[named.end():], local_now)
        if isinstance(day, date) and day.weekday() != _weekday_number(named[1]):
            raise UsageError(f"{format_date(day)} is not a {named[1].capitalize()}: check the date.")
        return day
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


def _weekday_number(name: str) -> int:
    return next(i for i, day in enumerate(_WEEKDAYS) if day[:3] == name.lower()[:3])


def example_date(local_now: datetime) -> date:
    """A date to show in a hint: three weeks ahead, so it reads as a plausible due date whenever it is shown."""
    return local_now.date() + timedelta(weeks=3)


def day_month(day: date) -> str:
    """'12 July': how the hints write a date without its year."""
    return f"{day.day} {day:%B}"


def format_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%B %Y}"
