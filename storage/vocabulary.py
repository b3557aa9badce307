"""The words the record is kept in: every status and kind, shared by storage and the rules.

They are stored as their text (StrEnum), so a row read back compares equal to its member.
"""

from enum import StrEnum


class ChangeSubject(StrEnum):
    """What a row of the change log is about."""

    ENTRY = "entry"
    ACTION = "action"
    MEETING = "meeting"  # its chair, secretary, venue and times
    ATTENDANCE = "attendance"
    AGENDA = "agenda"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class ActionChange(StrEnum):
    """What an action's history records."""

    CREATED = "created"
    DONE = "done"
    REOPENED = "reopened"
    DROPPED = "dropped"
    ASSIGNED = "assigned"
    DUE = "due"
    UPDATE = "update"
    SNOOZED = "snoozed"  # its reminders held for a while


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"


class AttendanceChangeKind(StrEnum):
    """What a person's attendance history records."""

    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"  # a correction: neither present nor apologised
    ARRIVED = "arrived"
    LEFT = "left"
    SUBSTITUTE = "substitute"


class MeetingFact(StrEnum):
    """What a meeting's history of its own facts records."""

    CHAIR = "chair"
    SECRETARY = "secretary"
    VENUE = "venue"
    TIMES = "times"
    PUBLIC = "public"  # members of the public present


class AgendaChange(StrEnum):
    """What the agenda's history records."""

    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"
    RETITLED = "retitled"
    PRESENTER = "presenter"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


class EntryKind(StrEnum):
    """What is minuted about an agenda item."""

    NOTE = "note"
    QUESTION = "question"
    ANSWER = "answer"
    DECISION = "decision"
    OUTCOME = "outcome"
    DECLARATION = "declaration"  # a member's interest in the item
    MOTION = "motion"  # its proposer, seconder and vote are in `motions`
    CHAIR = "chair"  # written by Clerk when someone else takes the chair during an item; `person` was chair before
    CARRIED = "carried"  # written by Clerk when an item is carried forward; the chair may still remove the item


class DeclarationEffect(StrEnum):
    """What a member who declared an interest did about the item."""

    WITHDREW = "withdrew"  # left for the item: not counted in its votes
    DID_NOT_VOTE = "did not vote"


class ItemStatus(StrEnum):
    """An agenda item the committee did not take as planned."""

    DEFERRED = "deferred"  # carried into the next meeting's agenda, like a presenter due back
    WITHDRAWN = "withdrawn"


class MotionResult(StrEnum):
    CARRIED = "carried"
    LOST = "lost"


class EntryChangeKind(StrEnum):
    """What an entry's history records."""

    RECORDED = "recorded"
    VOTED = "voted"  # a motion's vote
    EDITED = "edited"
    REMOVED = "removed"
    RESTORED = "restored"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


class OutboxLane(StrEnum):
    """Each conversation's messages go out in order within a lane: answers to what people typed are
    never held up behind a reminder or notice that waits for its retry, nor the other way round."""

    REPLIES = "replies"
    NOTICES = "notices"


class ReminderKind(StrEnum):
    BEFORE = "before"
    OVERDUE = "overdue"
    DUEBACK = "dueback"
    DIGEST = "digest"
