"""Plain values describing one request: who asked, where, when. No Teams types here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

from dialogs.reminder_policy import ReminderPolicy


@dataclass(frozen=True)
class Person:
    name: str
    user_id: str | None = None


@dataclass(frozen=True)
class TeamsMeetingFacts:
    """What Teams says of the meeting a chat belongs to (its meeting details)."""

    title: str | None
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    graph_resource_id: str | None  # details.msGraphResourceId: the meeting's id in Microsoft Graph
    organizer_aad_id: str | None


async def _no() -> bool:
    return False


async def _unknown() -> TeamsMeetingFacts | None:
    return None


async def _nobody() -> None:
    return None


@dataclass(frozen=True)
class Turn:
    conversation_id: str
    committee_id: int
    caller: Person
    now: datetime  # aware, UTC
    tz: ZoneInfo
    policy: ReminderPolicy
    mentions: tuple[Person, ...] = ()
    activity_id: str | None = None  # the Teams message being handled, so its edit or deletion finds what it recorded
    teams_meeting_id: str | None = None
    personal: bool = False  # a person's 1:1 chat with Clerk, where a name proves nothing
    tenant_id: str | None = None  # the Teams tenant the request comes from
    # Asks Teams whether the caller organizes this Teams meeting; a web request, so made only when needed.
    is_meeting_organizer: Callable[[], Awaitable[bool]] = field(default=lambda: _no())
    # Asks Teams who is in this conversation (None when Teams cannot say); a web request too.
    roster: Callable[[], Awaitable[tuple[Person, ...] | None]] = field(default=lambda: _nobody())
    # Recording someone else's words (a Teams message chosen with "Record in the minutes"): the
    # entry's author, and the link back to the message.
    said_by: Person | None = None
    source_link: str | None = None
    # Asks Teams for the meeting's details (schedule, subject, organizer); None when it cannot say.
    meeting_details: Callable[[], Awaitable[TeamsMeetingFacts | None]] = field(default=lambda: _unknown())

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)


@dataclass(frozen=True)
class Private:
    """Something for one person only, sent to their personal chat with Clerk."""

    to: Person
    view: object


@dataclass
class Reply:
    """What a use case answers: a line of text, and optionally a view the bot renders as a card,
    and what goes privately to someone's personal chat."""

    text: str
    view: object | None = None
    notices: list[str] = field(default_factory=list)
    privately: list[Private] = field(default_factory=list)
