"""A Teams transcript cut to the agenda. Pure: WebVTT text and the times Clerk recorded in, each
cue placed in the item, break, or the time before the first item or after the close it belongs to.

Teams writes WebVTT with `<v Speaker>` voice tags (absent when speaker attribution is off), cue ids,
cues over several lines, HTML entities, and times relative to the transcript's own start; a
meeting stopped and restarted has several transcripts, each with its own start.
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# "00:04:50.000", and as Graph's own example writes it, "0:0:5.320".
_TIMING = re.compile(r"^\s*((?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3})")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)

BEFORE, AFTER = "Before the first item", "After the close"


@dataclass(frozen=True)
class Cue:
    start: datetime
    end: datetime
    speaker: str | None
    text: str
    id: int | None = None  # once kept: what a line of the page is recorded by

    @property
    def seconds(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds())


def _offset(text: str) -> timedelta:
    parts = text.replace(",", ".").split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2])
    hours = int(parts[-3]) if len(parts) == 3 else 0
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def parse_vtt(text: str, began: datetime) -> list[Cue]:
    """The cues of one transcript, their times as clock times from `began` (its createdDateTime)."""
    cues: list[Cue] = []
    for block in re.split(r"\r?\n\s*\r?\n", text.replace("\ufeff", "")):
        lines = [line for line in block.splitlines() if line.strip()]
        timing_at = next((i for i, line in enumerate(lines) if _TIMING.match(line)), None)
        if timing_at is None:
            continue  # the WEBVTT header, NOTE and STYLE blocks
        match = _TIMING.match(lines[timing_at])
        body = " ".join(lines[timing_at + 1:])
        voice = _VOICE.search(body)
        speaker = " ".join(html.unescape(voice.group(1)).split())[:200] or None if voice else None
        words = " ".join(html.unescape(_TAG.sub("", body)).split())
        if not words:
            continue
        start, end = began + _offset(match.group(1)), began + _offset(match.group(2))
        cues.append(Cue(start, max(start, end), speaker, words))
    return cues


@dataclass(frozen=True)
class Interval:
    label: str  # "3. Title", "Break", BEFORE or AFTER
    start: datetime | None  # None: from the beginning of time (BEFORE) ...
    end: datetime | None  # ... or to its end (AFTER), and an item under way when the meeting closed
    planned: str | None = None  # "10:05, 20 min"
    allotted: int | None = None  # the planned minutes in it
    item_id: int | None = None
    exempt: bool = False


@dataclass
class Section:
    interval: Interval
    cues: list[Cue] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(cue.seconds for cue in self.cues)

    @property
    def by_speaker(self) -> list[tuple[str, float]]:
        """Speaking time per speaker, longest first ('Unattributed' for cues without a voice)."""
        totals: dict[str, float] = {}
        for cue in self.cues:
            totals[cue.speaker or "Unattributed"] = totals.get(cue.speaker or "Unattributed", 0.0) + cue.seconds
        return sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))


def cut(cues: list[Cue], intervals: list[Interval]) -> list[Section]:
    """Each cue in the interval that holds its start, or, crossing a boundary, the one that holds
    most of its time. `intervals`: in time order, not overlapping; BEFORE first, AFTER last."""
    sections = [Section(interval) for interval in intervals]
    starts = [interval.start or datetime.min.replace(tzinfo=cue_tz(cues)) for interval in intervals]
    for cue in cues:
        at = max(0, bisect.bisect_right(starts, cue.start) - 1)
        best, most = at, _overlap(cue, intervals[at])
        following = at + 1
        while following < len(intervals) and intervals[following].start is not None \
                and intervals[following].start < cue.end:
            share = _overlap(cue, intervals[following])
            if share > most:
                best, most = following, share
            following += 1
        sections[best].cues.append(cue)
    return sections


def cue_tz(cues: list[Cue]):
    return cues[0].start.tzinfo if cues else None


def _overlap(cue: Cue, interval: Interval) -> float:
    start = max(cue.start, interval.start) if interval.start else cue.start
    end = min(cue.end, interval.end) if interval.end else cue.end
    return max(0.0, (end - start).total_seconds())
