"""Pure parsers for what people type after a command. No I/O, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dialogs.errors import UsageError

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_LENGTH = re.compile(r"\(\s*(\d{1,3})\s*(?:m|min|mins|minute|minutes)\s*\)", re.IGNORECASE)
_PRESENTER_SEPARATOR = re.compile(r"\s+[-\u2013\u2014]\s+")
_ITEM_PREFIX = re.compile(r"^item\s+(\S+)\s*", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\d{1,3}[.)]?\s+(?=\d{1,2}[:.]\d{2}\b)")

MINUTES_IN_DAY = 24 * 60
MAX_TITLE = 300
MAX_NAME = 200
MAX_TEXT = 4000  # a note, question, answer, decision, action or progress note


def within_limit(text: str, what: str) -> str:
    """The text, or a UsageError saying how long `what` may be: nothing is cut short unseen."""
    if len(text) > MAX_TEXT:
        raise UsageError(f"{what[0].upper()}{what[1:]} is at most {MAX_TEXT} characters; split it in two.")
    return text


_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def whole_number(text: str) -> int | None:
    """ASCII digits only, at most nine of them: '²' and '٣' are digits to str.isdigit(), and a number
    of twenty digits overflows a database integer. None for anything else."""
    text = text.strip()
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


def clean_name(name: str) -> str:
    return " ".join(name.split())


def parse_time(text: str) -> int:
    """'10:05' -> minutes after midnight. Raises UsageError for anything that is not a clock time."""
    match = _TIME.match(text.strip())
    if not match:
        raise UsageError(f"'{text.strip()}' is not a time: use HH:MM, e.g. 10:05.")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise UsageError(f"'{text.strip()}' is not a time of day: use 00:00 to 23:59.")
    return hours * 60 + minutes


def format_minute(minute: int) -> str:
    """A time of day kept as minutes after midnight, as HH:MM."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def clock_time(moment: datetime, tz: ZoneInfo) -> str:
    """A moment as HH:MM on the committee's clock."""
    return f"{moment.astimezone(tz):%H:%M}"


@dataclass(frozen=True)
class AgendaLine:
    start_minute: int
    title: str
    presenter: str | None
    length_minutes: int | None
    is_break: bool


def parse_agenda_line(line: str) -> AgendaLine:
    """`HH:MM Title [(N min)] [- Presenter]`, optionally numbered ("3. 10:10 ...")."""
    line = _LEADING_NUMBER.sub("", line.strip())
    time_text, _, rest = line.partition(" ")
    start = parse_time(time_text)
    rest = rest.strip()
    if not rest:
        raise UsageError("Give the item a title after the time.")
    presenter = None
    separators = list(_PRESENTER_SEPARATOR.finditer(rest))
    if separators:  # the last dash names the presenter; earlier dashes stay in the title as typed
        last_separator = separators[-1]
        presenter = clean_name(rest[last_separator.end():]) or None
        rest = rest[: last_separator.start()].strip()
    length = None
    lengths = list(_LENGTH.finditer(rest))
    if lengths:
        last = lengths[-1]
        length = int(last.group(1))
        if length == 0:
            raise UsageError("An item's length must be at least 1 minute.")
        if start + length > MINUTES_IN_DAY:
            raise UsageError(f"{length} min from {format_minute(start)} runs past midnight: an item must end "
                             "by 24:00 on the meeting's day.")
        rest = (rest[: last.start()] + rest[last.end():]).strip()
    title = " ".join(rest.split())
    if not title:
        raise UsageError("Give the item a title after the time.")
    if len(title) > MAX_TITLE:
        raise UsageError(f"An item title is at most {MAX_TITLE} characters.")
    if presenter and len(presenter) > MAX_NAME:
        raise UsageError(f"A presenter's name is at most {MAX_NAME} characters.")
    is_break = title.casefold() == "break"
    return AgendaLine(start, "Break" if is_break else title, presenter, length, is_break)


_REASON_IN_BRACKETS = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def parse_apology(text: str) -> tuple[str, str | None]:
    """`Name (reason)` or `Name - reason` (or an en or em dash) -> (name, reason)."""
    text = clean_name(text)
    bracketed = _REASON_IN_BRACKETS.match(text)
    if bracketed and bracketed.group(1):
        return clean_name(bracketed.group(1)), clean_name(bracketed.group(2)) or None
    parts = _PRESENTER_SEPARATOR.split(text, maxsplit=1)
    return clean_name(parts[0]), clean_name(parts[1]) if len(parts) == 2 and parts[1].strip() else None


def parse_people(text: str) -> list[tuple[str, str | None]]:
    """`Name, Role; Name, Role` -> [(name, role)]; a role is optional."""
    people = []
    for chunk in text.split(";"):
        if not chunk.strip():
            continue
        name, _, role = chunk.partition(",")
        name, role = clean_name(name), clean_name(role) or None
        if not name:
            raise UsageError("A name is missing before a comma.")
        if len(name) > MAX_NAME or (role and len(role) > MAX_NAME):
            raise UsageError(f"Names and roles are at most {MAX_NAME} characters.")
        people.append((name, role))
    if not people:
        raise UsageError("Give at least one name.")
    return people


def split_item_prefix(text: str) -> tuple[int | None, str]:
    """`item 3 rest` -> (3, 'rest'); text without the prefix -> (None, text)."""
    match = _ITEM_PREFIX.match(text.strip())
    if not match:
        return None, text.strip()
    number = whole_number(match.group(1))
    if number is None:
        raise UsageError(f"'item {match.group(1)[:20]}': an item is named by its number, e.g. item 3.")
    return number, text.strip()[match.end():].strip()


def parse_outcome_scale(text: str) -> dict[str, str]:
    """`A=proceed; B=proceed with minor amendments` -> {'A': 'proceed', ...}."""
    scale: dict[str, str] = {}
    for chunk in text.split(";"):
        if not chunk.strip():
            continue
        letter, equals, words = chunk.partition("=")
        letter, words = letter.strip().upper(), " ".join(words.split())
        if not equals or not words:
            raise UsageError(f"'{chunk.strip()}' needs the form LETTER=words.")
        if not re.fullmatch(r"[A-Z]", letter):
            raise UsageError(f"'{letter}' is not a single letter A to Z.")
        if len(words) > MAX_NAME:
            raise UsageError(f"An outcome's words are at most {MAX_NAME} characters.")
        scale[letter] = words
    if not scale:
        raise UsageError("Give at least one outcome, e.g. A=proceed.")
    return scale
