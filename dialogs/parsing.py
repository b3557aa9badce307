"""Pure parsers for what people type after a command. No I/O, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from dialogs.errors import UsageError

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_LENGTH = re.compile(r"\(\s*(\d{1,3})\s*(?:m|min|mins|minute|minutes)\s*\)", re.IGNORECASE)
DASH = re.compile(r"\s+[-\u2013\u2014]\s+")
_ITEM_PREFIX = re.compile(r"^item\s+(\S+)\s*", re.IGNORECASE)

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
    start_minute: int | None  # None: the agenda gives the item no time
    title: str
    presenter: str | None
    length_minutes: int | None
    is_break: bool


# "3. Title", "3) Title", or "3 10:10 Title": an agenda's own numbering, which Clerk gives afresh.
_NUMBERING = re.compile(r"^\d{1,3}(?:[.)]\s+|\s+(?=\d{1,2}[:.]\d{2}\b))")
_LOOKS_LIKE_TIME = re.compile(r"^\d{1,2}[:.]\d{2}$")
_PRESENTER_LABEL = re.compile(r"\s*[(,;]?\s*\bpresenter:\s*(?P<name>[^)]*?)\s*\)?\s*$", re.IGNORECASE)


def parse_agenda_line(line: str, names_a_person: Callable[[str], bool] = lambda _: False) -> AgendaLine:
    """`[HH:MM] Title [(N min)] [- Presenter | presenter: Name]`, optionally numbered ("3. 10:10 ...").

    A title keeps its dashes: the part after the last ` - ` (or en or em dash) is a presenter only when
    `names_a_person` knows it (a member, someone present, a known presenter); `presenter: Name`
    always names one. "Declarations of interest – members to declare any interests" stays a title."""
    line = line.strip()
    first, _, after_first = line.partition(" ")
    if _NUMBERING.match(line) and not _LOOKS_LIKE_TIME.match(first):
        line = _NUMBERING.sub("", line, count=1)
        first, _, after_first = line.partition(" ")
    start = None
    rest = line
    if _LOOKS_LIKE_TIME.match(first):
        start, rest = parse_time(first), after_first.strip()
    if not rest:
        raise UsageError("Give the item a title" + (" after the time." if start is not None else "."))
    presenter = None
    labelled = _PRESENTER_LABEL.search(rest)
    if labelled:
        presenter, rest = clean_name(labelled.group("name")) or None, rest[: labelled.start()].strip()
    else:
        separators = list(DASH.finditer(rest))
        if separators and names_a_person(clean_name(rest[separators[-1].end():])):
            presenter = clean_name(rest[separators[-1].end():])
            rest = rest[: separators[-1].start()].strip()
    length = None
    lengths = list(_LENGTH.finditer(rest))
    if lengths:
        last = lengths[-1]
        length = int(last.group(1))
        if length == 0:
            raise UsageError("An item's length must be at least 1 minute.")
        if start is not None and start + length > MINUTES_IN_DAY:
            raise UsageError(f"{length} min from {format_minute(start)} runs past midnight: an item must end "
                             "by 24:00 on the meeting's day.")
        rest = (rest[: last.start()] + rest[last.end():]).strip()
    title = " ".join(rest.split())
    if not title:
        raise UsageError("Give the item a title" + (" after the time." if start is not None else "."))
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
    parts = DASH.split(text, maxsplit=1)
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
