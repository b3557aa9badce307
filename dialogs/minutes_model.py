"""The minutes as one model that every output renders (card, Word, HTML, Markdown), and the
wording of its lines. Built by dialogs.minutes; renderers never query the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogs.house_style import HouseStyle
from storage.models import ItemEntry, Motion
from storage.vocabulary import ActionStatus, DeclarationEffect, EntryKind, ItemStatus, MotionResult


HELD = "Meeting held virtually via Microsoft Teams"
INQUORATE = " (taken while inquorate)"


@dataclass(frozen=True)
class Minute:
    """One thing minuted about an item. An item's minutes keep the order things were said in: a
    question with its answers, a decision after the discussion that led to it."""

    kind: str  # EntryKind.NOTE, QUESTION or DECISION (Clerk's carried lines read as notes)
    text: str
    answers: list[str] = field(default_factory=list)
    opens_questions: bool = False  # the item's first question: "Committee questions/ comments:" before it

    @property
    def is_question(self) -> bool:
        return self.kind == EntryKind.QUESTION


@dataclass(frozen=True)
class MinutesItem:
    number: int | None  # None for a break
    time: str | None  # the planned time, when the agenda gave one and the house style heads items with it
    title: str
    presenter: str | None
    record: list[Minute]
    outcome: str | None  # in words: "Outcome B – proceed with minor amendments"
    outcome_comment: str | None
    status: str | None = None  # "Deferred to the next meeting: <reason>", "Withdrawn."
    label: str | None = None  # its minute number in the house style: "3.", "26/34", or none

    @property
    def is_break(self) -> bool:
        return self.number is None

    @property
    def heading(self) -> str:
        """'3. Title', '26/34 Title', or the title alone (a break, or minutes without numbers)."""
        return f"{self.label} {self.title}" if self.label else self.title


@dataclass(frozen=True)
class MinutesAction:
    number: int
    text: str
    owners: str
    due: str
    status: str
    progress: str | None = None  # "done: <note>", "dropped: <reason>" or "update: <text>"

    @property
    def line(self) -> str:
        """'Action 12: <text> — <owners>, due <date>', with its status or latest word when there is one."""
        said = self.progress or ("" if self.status == ActionStatus.OPEN else self.status)
        return f"Action {self.number}: {self.text} — {self.owners}, {self.due}" + (f" ({said})" if said else "")


@dataclass(frozen=True)
class DueBackLine:
    presenter: str
    title: str
    reason: str | None

    @property
    def line(self) -> str:
        return f"{self.presenter}: {self.title}" + (f" – {self.reason}" if self.reason else "")


@dataclass(frozen=True)
class Minutes:
    meeting_id: int
    committee: str
    title: str
    date_text: str
    start: str
    end: str | None
    # "Present", "In attendance", "Apologies", "Absent": (name, "Chair" or role, substitute, part attendance)
    people: list[tuple[str, list[tuple[str, str | None]]]]
    items: list[MinutesItem]
    actions: list[MinutesAction]
    earlier_actions: list[MinutesAction]
    due_back: list[DueBackLine]
    approved: str | None = None
    held: str = HELD
    next_meeting: str | None = field(default=None)
    # Under the approval: "Amended <date> by <name>: <what>", and the confirmation at a later meeting.
    amendments: list[str] = field(default_factory=list)
    declarations: list[str] = field(default_factory=list)  # "Name – item 5 (Title): interest; withdrew"
    order_note: str | None = None  # said when items were taken out of the agenda's order
    confidential: bool = False  # with the content of exempt items: for the chair and secretary only
    chair: str | None = None  # who chaired when the meeting began; a change is minuted at its item
    quorum_line: str | None = None  # "The meeting was quorate (7 members present; quorum 5)."
    keepers: tuple[str, ...] = ()  # the chair's and secretary's Teams ids: their view of the card differs
    confirmed: bool = False  # confirmed as an accurate record at a later meeting
    opening: list[Minute] = field(default_factory=list)  # minuted of the meeting, not of an item
    chair_title: str = "Chair"
    approve_at_close: bool = True  # False: the next meeting confirms them (/previous approved)

    @property
    def document_title(self) -> str:
        """'Draft minutes' until approved at the close or confirmed at a later meeting, then 'Minutes'."""
        if self.confidential:
            return "Confidential minutes – not for publication"
        return "Minutes" if self.approved or self.confirmed else "Draft minutes"

    @property
    def name(self) -> str:
        """The committee named once: the meeting's title alone when it names the committee already."""
        if not self.committee or self.committee.casefold() in self.title.casefold():
            return self.title
        return f"{self.committee} – {self.title}"

    @property
    def declaration_lines(self) -> list[str]:
        """The 'Declarations of interest' section the minutes open with."""
        return self.declarations or ["None were declared."]

    @property
    def heading_time(self) -> str:
        """'Wednesday 13 May 2026, 10:00 – 13:00'."""
        return f"{self.date_text}, {self.start} – {self.end or 'not closed'}"

    @property
    def close_time(self) -> str:
        return self.end or "—"

    @property
    def close(self) -> str:
        return f"{self.close_time} Meeting close"

    @property
    def chair_line(self) -> str | None:
        return f"{self.chair_title}: {self.chair}" if self.chair else None

    @property
    def shows_times(self) -> bool:
        """Whether any item heading has a time: the documents' Time column only then."""
        return any(item.time for item in self.items)

    @property
    def awaiting(self) -> str | None:
        """What the draft waits for."""
        if self.approved or self.confirmed or self.confidential:
            return None
        return "Awaiting the chair's approval." if self.approve_at_close else "To be confirmed at the next meeting."

    @property
    def action_sections(self) -> list[tuple[str, list[MinutesAction]]]:
        """The action lists the minutes end with, those that have something in them."""
        sections = [("Actions agreed", self.actions), ("Update on earlier actions", self.earlier_actions)]
        return [(title, actions) for title, actions in sections if actions]


def declaration_line(person: str, interest: str, effect: str | None) -> str:
    """As an item's minutes say it."""
    said = {DeclarationEffect.WITHDREW: "; they withdrew for this item",
            DeclarationEffect.DID_NOT_VOTE: "; they did not vote on it"}.get(effect, "")
    return f"{person} declared an interest: {interest}{said}."


def motion_line(entry: ItemEntry, motion: Motion | None, style: HouseStyle) -> str:
    """'Motion: <text>. Proposed by X, seconded by Y. Carried (for 7, against 2, abstentions 1).', or
    in a house style that resolves, a carried motion as 'RESOLVED that <text>. Proposed by X, seconded by
    Y; approved unanimously.'"""
    if style.resolves and motion is not None and motion.result == MotionResult.CARRIED:
        return _resolution(entry, motion, style)
    line = f"Motion: {entry.text}."
    if entry.person:
        line += f" Proposed by {entry.person}" + (f", seconded by {motion.seconder}." if motion and motion.seconder
                                                 else ".")
    elif motion and motion.seconder:
        line += f" Seconded by {motion.seconder}."
    if motion is None or motion.result is None:
        if motion is not None and motion.votes_for is not None:
            return line + f" Tied ({counts_text(motion)}): awaiting the chair's casting vote."
        return line
    result = motion.result.capitalize()
    if motion.unanimous:
        return line + f" {result} unanimously."
    if motion.casting_vote:
        return line + f" {result} on the chair's casting vote ({counts_text(motion)})."
    return line + f" {result}" + (f" ({counts_text(motion)})." if counts_text(motion) else ".")


def _resolution(entry: ItemEntry, motion: Motion, style: HouseStyle) -> str:
    text = entry.text.rstrip(".")
    line = style.decision(text[0].lower() + text[1:] if text[:5].casefold() == "that " else text) + "."
    by = [f"proposed by {entry.person}"] if entry.person else []
    by += [f"seconded by {motion.seconder}"] if motion.seconder else []
    if motion.unanimous:
        how = "approved unanimously"
    elif motion.casting_vote:
        how = f"approved on the chair's casting vote ({counts_text(motion)})"
    else:
        how = "approved" + (f" ({counts_text(motion)})" if counts_text(motion) else "")
    said = ", ".join(by + [how])
    return f"{line} {said[0].upper()}{said[1:]}."


def counts_text(motion: Motion) -> str:
    """'for 7, against 2, abstentions 1': only the counts that were given."""
    counts = [(label, count) for label, count in (("for", motion.votes_for), ("against", motion.votes_against),
                                                  ("abstentions", motion.abstentions)) if count is not None]
    return ", ".join(f"{label} {count}" for label, count in counts)


def exempt_line(reason: str) -> str:
    """What the public minutes say of an exempt item, in place of its content."""
    return f"Exempt item: {reason} (minuted separately)"


def status_line(status: str | None, reason: str | None) -> str | None:
    """As an item's minutes say it."""
    if status == ItemStatus.DEFERRED:
        return "Deferred to the next meeting" + (f": {reason}" if reason else ".")
    if status == ItemStatus.WITHDRAWN:
        return "Withdrawn" + (f": {reason}" if reason else ".")
    return None


