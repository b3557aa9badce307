"""Reading `/action <text> [@Owner | owner: Name] [due: <date>]` into its parts. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from dialogs.context import Person
from dialogs.errors import UsageError
from dialogs.identity import name_key
from dialogs.parsing import MAX_NAME, clean_name, within_limit


_KEYWORD = re.compile(r"(?i)(?:^|\s)(owners?|due)\s*:")
OWNER_SEPARATOR = re.compile(r"\s*(?:,|;|\band\b|&)\s*", re.IGNORECASE)
_TRAILING_BY = re.compile(r"\s+(?:by|before)\s+(\S.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class ActionRequest:
    text: str
    owners: tuple[Person, ...]
    due: str | None  # as typed after "due:", or after a trailing "by"
    due_from_text: bool = False  # read from "... by <date>" at the end of the text


def _without_names(text: str, names: list[str]) -> str:
    """'Nicki and Sam to circulate the paper' with both mentioned: 'circulate the paper'. The owners'
    names lead or end the text; what is between them is the task."""
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    leading = re.compile(rf"^(?:(?:{alternatives})\b[\s,:;&]*(?:and\s+)?)+", re.IGNORECASE)
    stripped = leading.sub("", text)
    if stripped != text:
        stripped = re.sub(r"^to\s+", "", stripped, flags=re.IGNORECASE)
    trailing = re.compile(rf"(?:[\s,]*(?:and\s+|&\s*)?\b(?:{alternatives}))+$", re.IGNORECASE)
    return trailing.sub("", stripped).strip()


def parse_action(args: str, mentions: tuple[Person, ...], reads_as_date: Callable[[str], bool]) -> ActionRequest:
    """`<text> [@Owner | owner: Name, Name] [due: <date>]` with owners also taken from mentions, and
    the due date from a trailing "by <date>" when no due: is given."""
    pieces = _KEYWORD.split(" " + args.strip())
    text, owners, due = pieces[0].strip(), list(mentions), None
    for keyword, value in zip(pieces[1::2], pieces[2::2]):
        value = value.strip()
        if keyword.lower().startswith("owner"):
            names = [clean_name(n) for n in OWNER_SEPARATOR.split(value) if clean_name(n)]
            if not names:
                raise UsageError("Name the owner after owner:, e.g. owner: Jack Tracey.")
            owners += [Person(name) for name in names if name_key(name) not in {name_key(o.name) for o in owners}]
        elif due is not None:
            raise UsageError(f"Give one due date: due: {due} and due: {value} are both given.")
        else:
            due = value
    if mentions:  # "@Tom circulate the paper": the mention names the owner, not the task
        text = _without_names(text, [mention.name for mention in mentions])
    due_from_text = False
    trailing = _TRAILING_BY.search(text)
    if due is None and trailing and reads_as_date(trailing[1]):
        text, due, due_from_text = text[: trailing.start()].strip(), trailing[1], True
    if not text:
        raise UsageError("Say what the action is.")
    within_limit(text, "an action")
    if any(len(o.name) > MAX_NAME for o in owners):
        raise UsageError(f"An owner's name is at most {MAX_NAME} characters.")
    return ActionRequest(text, tuple(owners), due, due_from_text)


