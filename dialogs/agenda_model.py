"""The agenda of one meeting as one value: built once from its rows, it answers every timing
question (numbers, allotments, the current and next item, lateness, projected close), so /item,
/next, /time, /agenda, the minutes and the timekeeping notice all agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dialogs import timing
from dialogs.errors import ClerkError
from storage.models import AgendaItem, Meeting

EMPTY = "The agenda is empty: /agenda add [HH:MM] Title adds an item."
UNTIMED = "The agenda has no planned times, so Clerk keeps no time against it"


@dataclass(frozen=True)
class Entry:
    """One agenda row with what the whole agenda says about it."""

    item: AgendaItem
    number: int | None  # items are numbered 1, 2, 3... in agenda order; breaks take no number
    allotted: int | None  # minutes: its own length, else until the next starts, else until the close

    @property
    def is_break(self) -> bool:
        return self.number is None

    @property
    def planned_minute(self) -> int | None:
        """When the agenda planned it to start; None when the agenda gave it no time."""
        return self.item.planned_start_minute if self.item.timed else None

    @property
    def label(self) -> str:
        """'item 3 (Title)' or 'the break', as a reply names it mid-sentence."""
        return "the break" if self.number is None else f"item {self.number} ({self.item.title})"

    def elapsed_minutes(self, now: datetime) -> int | None:
        if self.item.actual_start is None:
            return None
        return timing.whole_minutes((self.item.actual_end or now) - self.item.actual_start)


class Agenda:
    def __init__(self, meeting: Meeting, items: list[AgendaItem]):
        """`items` in agenda order, as the meeting repository returns them."""
        self.meeting = meeting
        self._items = items
        allotted = timing.allotted_minutes(self._slots, meeting.planned_end_minute)
        self.entries: list[Entry] = []
        number = 0
        for item, length in zip(items, allotted):
            if not item.is_break:
                number += 1
            self.entries.append(Entry(item, None if item.is_break else number, length))

    @property
    def _slots(self) -> list[timing.Slot]:
        """Read afresh each time: starting and ending items changes their actual times."""
        return [timing.Slot(i.planned_start_minute, i.planned_length_minutes, i.actual_start, i.actual_end, i.timed)
                for i in self._items]

    # Finding entries ----------------------------------------------------------------------------

    def entry_of(self, item_id: int | None) -> Entry | None:
        return next((entry for entry in self.entries if entry.item.id == item_id), None)

    def number_of(self, item_id: int | None) -> int | None:
        entry = self.entry_of(item_id)
        return entry.number if entry else None

    def find(self, number: int) -> Entry:
        """Item `number`, or a ClerkError that says which numbers there are."""
        for entry in self.entries:
            if entry.number == number:
                return entry
        count = sum(1 for entry in self.entries if not entry.is_break)
        if count == 0:
            raise ClerkError(f"There is no item {number}: the agenda is empty.")
        raise ClerkError(f"There is no item {number}: the agenda has items 1 to {count}.")

    def under_way_at(self, moment: datetime) -> Entry | None:
        """The item or break in progress at a moment."""
        return next((entry for entry in self.entries if entry.item.actual_start is not None
                     and entry.item.actual_start <= moment
                     and (entry.item.actual_end is None or moment < entry.item.actual_end)), None)

    def start_of(self, entry: Entry, tz: ZoneInfo) -> datetime:
        """When an entry began, or, not yet begun, when it is planned to."""
        return entry.item.actual_start or timing.local_datetime(self.meeting.meeting_date,
                                                                 entry.item.planned_start_minute, tz)

    @property
    def current(self) -> Entry | None:
        return self.entry_of(self.meeting.current_item_id)

    @property
    def following(self) -> Entry | None:
        """What /next starts: the entry after the current one, else the first not yet started."""
        current = self.current
        if current is not None:
            index = self.entries.index(current)
            return self.entries[index + 1] if index + 1 < len(self.entries) else None
        return next((entry for entry in self.entries if entry.item.actual_start is None), None)

    # Timing ---------------------------------------------------------------------------------------

    @property
    def planned_close(self) -> int | None:
        return timing.planned_close_minute(self._slots, self.meeting.planned_end_minute)

    def lateness(self, now: datetime, tz: ZoneInfo) -> int:
        """Whole minutes the meeting runs behind its plan (negative: ahead)."""
        current = self.current
        index = self.entries.index(current) if current is not None else None
        return timing.whole_minutes(timing.delay(self._slots, self.meeting.planned_end_minute, index,
                                                 self.meeting.meeting_date, tz, now))

    def status_line(self, now: datetime, tz: ZoneInfo) -> str:
        """'Running 4 min late, projected close 13:04 (planned 13:00)'."""
        if not self.entries:
            return EMPTY
        if not any(entry.item.timed for entry in self.entries):
            return UNTIMED
        return timing.running_line(self.lateness(now, tz), self.planned_close)

    def over_time(self, now: datetime) -> Entry | None:
        """The current entry once it has used all its allotted time (never one with none)."""
        current = self.current
        if current is None or current.allotted is None or current.item.actual_start is None:
            return None
        return current if current.elapsed_minutes(now) >= current.allotted else None

    # Moving through it ------------------------------------------------------------------------------

    def end_current(self, now: datetime) -> None:
        """The item under way ends now; nothing is under way after it."""
        current = self.current
        if current is not None and current.item.actual_end is None:
            current.item.actual_end = now
        self.meeting.current_item_id = None

    def start(self, entry: Entry, now: datetime) -> None:
        """Ends the item under way and starts `entry` (again, if it had been started before)."""
        if self.current is not entry:
            self.end_current(now)
        if entry.item.actual_start is None:
            entry.item.actual_start = now
        entry.item.actual_end = None
        self.meeting.current_item_id = entry.item.id
