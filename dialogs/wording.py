"""How counts and spans read in what Clerk says. Pure functions, written once."""

from __future__ import annotations


def count(number: int, noun: str, plural: str | None = None) -> str:
    """'1 day', '3 days', '0 days'; `plural` for nouns that do not just take an s."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def days_ago(days: int) -> str:
    """'today', '1 day ago', 'N days ago'."""
    return "today" if days == 0 else f"{count(days, 'day')} ago"


def in_days(days: int) -> str:
    """'today', 'in 1 day', 'in N days'."""
    return "today" if days == 0 else f"in {count(days, 'day')}"
