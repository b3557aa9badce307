"""A committee's house style: how its minutes word resolutions, tell the time, title the chair,
number minutes, head items and when they are approved. One value, kept with the committee and
read by dialogs.minutes, so the card and every document follow it from the same model.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from dialogs.errors import UsageError
from storage.models import Committee

RESOLUTIONS = ("motion", "resolved")  # "Motion: That … Carried unanimously." or "RESOLVED that …"
NUMBERS = ("none", "meeting", "running")  # no minute numbers; 1, 2, 3 each meeting; "YY/NN" across meetings
APPROVAL = ("close", "next")  # the chair approves at the close, or the next meeting confirms them
CHAIR_TITLES = ("Chair", "Chairman", "Chairperson", "Chairwoman", "Convenor", "Convener", "Presiding Member")


@dataclass(frozen=True)
class HouseStyle:
    resolutions: str = "motion"
    clock: int = 24
    chair_title: str = "Chair"
    numbers: str = "meeting"
    heading_times: bool = True
    approval: str = "close"

    # Telling the time ------------------------------------------------------------------------------

    def time(self, minute: int) -> str:
        """A time of day kept as minutes after midnight: '19:11', or '7.11pm' on a 12-hour clock."""
        hours, minutes = divmod(minute, 60)
        if self.clock == 24:
            return f"{hours:02d}:{minutes:02d}"
        return f"{(hours - 1) % 12 + 1}.{minutes:02d}{'am' if hours < 12 else 'pm'}"

    def clock_time(self, moment: datetime, tz: ZoneInfo) -> str:
        local = moment.astimezone(tz)
        return self.time(local.hour * 60 + local.minute)

    # Wording ---------------------------------------------------------------------------------------

    @property
    def resolves(self) -> bool:
        return self.resolutions == "resolved"

    def decision(self, text: str) -> str:
        """'Decision: <text>', or 'RESOLVED that <text>' ('RESOLVED: <text>' when it does not read on)."""
        if not self.resolves:
            return f"Decision: {text}"
        first, _, rest = text.partition(" ")
        return f"RESOLVED that {rest}" if first.casefold() == "that" and rest else f"RESOLVED: {text}"

    def minute_number(self, number: int | None, year: int, earlier_this_year: int) -> str | None:
        """What an item's heading is numbered: '3.', '26/34', or nothing. `earlier_this_year`: the
        items minuted at the committee's earlier meetings of the same year."""
        if number is None or self.numbers == "none":
            return None
        if self.numbers == "meeting":
            return f"{number}."
        return f"{year % 100:02d}/{earlier_this_year + number}"

    # Reading and showing it ----------------------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        """What /style shows, each with the words that change it."""
        return [
            f"- Resolutions: {'RESOLVED that …' if self.resolves else 'Motion: That … Carried.'} "
            f"(/style resolutions {'|'.join(RESOLUTIONS)})",
            f"- Clock: {self.clock}-hour, e.g. {self.time(19 * 60 + 11)} (/style clock 12|24)",
            f"- Chair's title: {self.chair_title} (/style chair {'|'.join(CHAIR_TITLES[:5])})",
            f"- Minute numbers: {_NUMBERS_SAID[self.numbers]} (/style numbers {'|'.join(NUMBERS)})",
            f"- Item headings: {'with' if self.heading_times else 'without'} their planned times "
            f"(/style times on|off)",
            f"- Approval: {_APPROVAL_SAID[self.approval]} (/style approval {'|'.join(APPROVAL)})",
        ]


_NUMBERS_SAID = {"none": "none", "meeting": "1, 2, 3 at each meeting", "running": "YY/NN, running through the year"}
_APPROVAL_SAID = {"close": "the chair approves them at the close",
                  "next": "confirmed at the next meeting (/previous approved)"}

ETHICS_COMMITTEE = HouseStyle()  # the reference minutes' style, and every committee's until it says otherwise
PRESETS = {
    "council": HouseStyle(resolutions="resolved", clock=12, chair_title="Chairman", numbers="running",
                          heading_times=False, approval="next"),
    "ethics committee": ETHICS_COMMITTEE,
    "board": HouseStyle(resolutions="resolved", clock=24, chair_title="Chair", numbers="meeting",
                        heading_times=False, approval="close"),
}


def style_of(committee: Committee) -> HouseStyle:
    """The committee's house style (fields it never set keep the default)."""
    if not committee.house_style:
        return ETHICS_COMMITTEE
    saved = json.loads(committee.house_style)
    known = {f.name for f in dataclasses.fields(HouseStyle)}
    return HouseStyle(**{name: value for name, value in saved.items() if name in known})


def keep_style(committee: Committee, style: HouseStyle) -> None:
    committee.house_style = json.dumps(dataclasses.asdict(style))


def changed(style: HouseStyle, text: str) -> HouseStyle:
    """`/style` arguments applied: a preset's name, or one setting and its value."""
    words = " ".join(text.split())
    if words.casefold() in PRESETS:
        return PRESETS[words.casefold()]
    setting, _, value = words.partition(" ")
    setting, value = setting.casefold(), value.strip()
    folded = value.casefold()
    if setting == "resolutions" and folded in RESOLUTIONS:
        return dataclasses.replace(style, resolutions=folded)
    if setting == "clock" and folded in ("12", "24"):
        return dataclasses.replace(style, clock=int(folded))
    if setting == "chair" and value:
        title = next((t for t in CHAIR_TITLES if t.casefold() == folded), None)
        if title is None:
            raise UsageError(f"The chair's title is one of {', '.join(CHAIR_TITLES)}.")
        return dataclasses.replace(style, chair_title=title)
    if setting == "numbers" and folded in NUMBERS:
        return dataclasses.replace(style, numbers=folded)
    if setting == "times" and folded in ("on", "off"):
        return dataclasses.replace(style, heading_times=folded == "on")
    if setting == "approval" and folded in APPROVAL:
        return dataclasses.replace(style, approval=folded)
    raise UsageError(f"Give a preset ({', '.join(PRESETS)}) or a setting and its value, e.g. /style clock 12. "
                     "/style shows every setting.")
