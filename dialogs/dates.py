"""Due dates as people type them, read in the committee's timezone. Pure functions."""

from __future__ import annotations

import re
from datetime import date, datetime

import dateparser

from dialogs.errors import UsageError

NEXT_MEETING = "next meeting"
_NEXT_MEETING = re.compile(r"^(the\s+)?next\s+meeting$", re.IGNORECASE)


def parse_due(text: str, local_now: datetime) -> date | str:
    """A date, or NEXT_MEETING. `local_now` is the committee's local time: "tomorrow" at 00:30 BST
    is the day after the local date, not after the UTC one."""
    text = " ".join(text.split())
    if not text:
        raise UsageError("Give a due date, e.g. due: 12 July, due: Friday or due: next meeting.")
    if _NEXT_MEETING.match(text):
        return NEXT_MEETING
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
        raise UsageError(
            f"I can't read '{text[:40]}' as a date: try 2026-07-12, 12 July, Friday, in 2 weeks or next meeting."
        )
    return parsed.date()


def format_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%B %Y}"
