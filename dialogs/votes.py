"""Reading a vote as people say it: "for 7 against 2 abstain 1", "7 for, 1 abstention", "7-1",
"7-2-1", "carried with 1 abstention", "carried", "lost", "unanimous". Counts nobody gave stay
unknown (None) and are not printed. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.errors import UsageError
from dialogs.parsing import whole_number
from storage.vocabulary import MotionResult

_SIDE = r"(for|against|abstain(?:ed|ing|s)?|abstentions?)"
_NUMBER_FIRST = re.compile(rf"\b(\S+)\s+{_SIDE}\b")
_SIDE_FIRST = re.compile(rf"\b{_SIDE}\s*:?\s+(\S+)")
_DASHED = re.compile(r"^(\d{1,4})\s*[-\u2013\u2014]\s*(\d{1,4})(?:\s*[-\u2013\u2014]\s*(\d{1,4}))?$")
_OUTCOME = re.compile(r"^(carried|lost)\b(.*)$")


@dataclass(frozen=True)
class VoteRead:
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    result: MotionResult | None = None  # said outright ("carried"), else from the counts
    unanimous: bool = False


def _side(word: str) -> str:
    return "for" if word == "for" else "against" if word == "against" else "abstain"


def _counts(text: str) -> dict[str, int]:
    """The counts as said: "for 7 against 2" (the side, then its number) or "7 for, 2 against"
    (the number, then its side), whichever way the text begins."""
    text = text.strip(" ,.")
    counts: dict[str, int] = {}
    side_first = re.match(_SIDE, text) is not None or re.match(r"with\b", text) is not None
    pairs = [(word, number) for word, number in _SIDE_FIRST.findall(text)] if side_first else \
        [(word, number) for number, word in _NUMBER_FIRST.findall(text)]
    for word, number in pairs:
        value = whole_number(number.strip(",;."))
        if value is None:
            raise UsageError(f"'{number[:20]}' is not a number of votes.")
        counts[_side(word)] = value
    return counts


def read_vote(text: str) -> VoteRead:
    words = " ".join(text.lower().split()).strip(" ,.")
    if words in ("unanimous", "unanimously", "carried unanimously", "agreed unanimously"):
        return VoteRead(result=MotionResult.CARRIED, unanimous=True)
    dashed = _DASHED.match(words)
    if dashed:
        third = dashed.group(3)
        return VoteRead(int(dashed.group(1)), int(dashed.group(2)), int(third) if third else None)
    outcome = _OUTCOME.match(words)
    if outcome:
        rest = _counts(re.sub(r"^\s*with\b", "", outcome.group(2)))
        return VoteRead(rest.get("for"), rest.get("against"), rest.get("abstain"), MotionResult(outcome.group(1)))
    counts = _counts(words)
    if "for" not in counts and "against" not in counts:
        raise UsageError("Give the votes, e.g. 7 for, 2 against, 1 abstention; 7-2; carried; lost; or unanimous.")
    return VoteRead(counts.get("for"), counts.get("against"), counts.get("abstain"))


def result_of(vote: VoteRead) -> MotionResult | None:
    """Carried by a simple majority of the votes cast; None on a tie (the chair's casting vote decides)."""
    if vote.result is not None:
        return vote.result
    cast_for, cast_against = vote.votes_for or 0, vote.votes_against or 0
    if cast_for == cast_against:
        return None
    return MotionResult.CARRIED if cast_for > cast_against else MotionResult.LOST
