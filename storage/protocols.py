"""What each repository offers the rules in dialogs/, one Protocol per aggregate. The unit of work
is typed with these, so a use case's signature says which aggregates it touches, an editor goes
from a call to its query, and a test may stand in for any of them. storage/repositories/ holds the
SQLAlchemy implementations."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from storage.models import (
    Action,
    ActionOwner,
    AgendaItem,
    Attendance,
    Change,
    Committee,
    Conversation,
    DueBack,
    ItemEntry,
    Meeting,
    Member,
    MemberAlias,
    MinutesPost,
    Motion,
    Reminder,
)
from storage.delivery_models import OutboxMessage
from storage.transcript_models import TranscriptCue, TranscriptJob
from storage.vocabulary import ChangeSubject


class CommitteeStore(Protocol):
    """Committees, the conversations that belong to them, and their standing members."""

    async def get_conversation(self, conversation_id: str) -> Conversation | None: ...

    async def add_conversation_once(self, conversation: Conversation) -> bool: ...

    async def keep_personal_chat(self, conversation_id: str, reference: str, committee_id: int, now: datetime) -> None: ...

    async def set_reminders_privately(self, user_id: str, privately: bool, now: datetime) -> None: ...

    async def private_reminder_users(self, user_ids: list[str]) -> set[str]:
        """Of these Teams accounts, those whose reminders go to their personal chat."""

    async def committees_knowing(self, user_id: str | None, name_key: str, tenant_id: str | None) -> list[Committee]:
        """Committees in whose record a person appears: attendance, action owners, presenters due back."""

    async def timezone_of(self, committee_id: int) -> str | None: ...

    async def get_committee(self, committee_id: int, for_update: bool = False) -> Committee: ...

    async def members(self, committee_id: int) -> list[Member]: ...

    async def members_and_aliases(self, committee_id: int) -> tuple[list[Member], dict[str, Member]]: ...

    async def member_by_key(self, committee_id: int, name_key: str) -> Member | None: ...

    async def member_by_alias(self, committee_id: int, alias_key: str) -> Member | None: ...

    async def aliases(self, committee_id: int) -> list[MemberAlias]: ...

    async def committee_conversation(self, committee_id: int) -> str | None: ...

    async def committees_meeting_on(self, day) -> list[Committee]: ...


class MeetingStore(Protocol):
    """Meetings with their agenda, attendance and the minutes cards posted for them."""

    async def open_meeting(self, committee_id: int, fresh: bool = False) -> Meeting | None: ...

    async def meetings_of(self, committee_id: int) -> list[Meeting]:
        """A committee's meetings, the latest first."""

    async def latest_meeting(self, committee_id: int) -> Meeting | None: ...

    async def attendance_row(self, row_id: int) -> Attendance: ...

    async def get_meeting(self, meeting_id: int) -> Meeting | None: ...

    async def meeting_on(self, committee_id: int, day) -> Meeting | None: ...

    async def previous_meeting(self, committee_id: int, before_id: int) -> Meeting | None: ...

    async def meetings_by_id(self, meeting_ids: set[int]) -> dict[int, Meeting]: ...

    async def minutes_posts(self, meeting_id: int) -> list[MinutesPost]: ...

    async def attendance(self, meeting_id: int) -> list[Attendance]: ...

    async def attendance_by_key(self, meeting_id: int, name_key: str) -> Attendance | None: ...

    async def attendance_by_user(self, meeting_id: int, teams_user_id: str) -> Attendance | None: ...


class AgendaStore(Protocol):
    """Agenda items, breaks included."""

    async def get_item(self, item_id: int) -> AgendaItem | None: ...

    async def items(self, meeting_id: int) -> list[AgendaItem]: ...

    async def opening_item(self, meeting_id: int) -> AgendaItem | None: ...

    async def items_minuted_earlier_in_year(self, meeting: Meeting) -> int: ...

    async def delete_agenda_item(self, item: AgendaItem) -> None: ...

    async def items_by_id(self, item_ids: list[int]) -> dict[int, AgendaItem]: ...

    async def items_of_meetings(self, meeting_ids: list[int]) -> dict[int, list[AgendaItem]]: ...

    async def open_meetings_with_current_item(self) -> list[Meeting]: ...


class EntryStore(Protocol):
    """What is minuted about each agenda item."""

    async def add_entry(self, entry: ItemEntry, recorded: Change) -> None:
        """Writes a new entry and the change log's line of it; sets the entry's id."""

    async def entries(self, item_ids: list[int]) -> list[ItemEntry]: ...

    async def next_number(self, committee_id: int) -> int:
        """The committee's next entry reference; the counter row is locked while it moves."""

    async def get_entry(self, entry_id: int) -> ItemEntry: ...

    async def by_number(self, committee_id: int, number: int) -> ItemEntry | None: ...

    async def by_source(self, committee_id: int, activity_id: str) -> ItemEntry | None:
        """The entry a Teams message recorded."""

    async def latest_open_motion(self, meeting_id: int) -> tuple[ItemEntry, Motion] | None:
        """The meeting's latest motion still awaiting its result."""

    async def motions(self, entry_ids: list[int]) -> dict[int, Motion]: ...

    async def latest_question(self, item_id: int) -> ItemEntry | None: ...


class ActionStore(Protocol):
    """Actions with their owners and history, and presenters due back."""

    async def add_action(self, action: Action, owners: list[ActionOwner], created: Change) -> None:
        """Numbers the action, writes it with its owners and its creation's change-log line."""

    async def action_by_number(self, committee_id: int, number: int) -> Action | None: ...

    async def get_action(self, action_id: int) -> Action: ...

    async def actions(self, committee_id: int, statuses: tuple[str, ...] | None = None) -> list[Action]: ...

    async def open_actions_of(self, user_id: str | None, name_key: str,
                              tenant_id: str | None) -> list[tuple[Committee, list[Action]]]:
        """Open actions, in every committee, owned by a Teams account or a name; by committee."""

    async def actions_closed_since(self, committee_id: int, since: datetime) -> list[Action]: ...

    async def actions_of_meeting(self, meeting_id: int) -> list[Action]: ...

    async def owners(self, action_ids: list[int]) -> dict[int, list[ActionOwner]]: ...

    async def replace_owners(self, action_id: int, owners: list[ActionOwner]) -> None: ...

    async def by_source(self, committee_id: int, activity_id: str) -> Action | None:
        """The action a Teams message recorded."""

    async def item_has_actions(self, item_id: int) -> bool: ...

    async def get_due_back(self, due_back_id: int) -> DueBack: ...

    async def pending_due_backs(self, committee_id: int) -> list[DueBack]: ...

    async def due_backs_returned_with(self, item_id: int) -> list[DueBack]: ...

    async def due_backs_of_meeting(self, meeting_id: int) -> list[DueBack]: ...


class ChangeStore(Protocol):
    async def add(self, *changes: Change) -> None:
        """Written now, in the turn's transaction, several in one statement (nothing refers to a
        change's id)."""

    async def of(self, subject: ChangeSubject, subject_id: int) -> list[Change]: ...

    async def of_meeting(self, meeting_id: int, subject: ChangeSubject, standing: bool = False) -> list[Change]:
        """`standing`: only what still holds, neither taken back by /undo nor an undo itself."""

    async def latest_undoable_by(self, committee_id: int, user_id: str | None, name: str) -> Change | None: ...

    async def amendments(self, item_ids: list[int]) -> list[tuple[Change, ItemEntry]]:
        """Changes to entries made after the minutes were approved, oldest first."""

    async def latest_progress(self, action_ids: list[int], since: datetime | None) -> dict[int, Change]: ...


class SendBudgetStore(Protocol):
    async def take(self, limits: list[tuple[str, float, int]]) -> float:
        """One more send under every (key, seconds, most): 0.0 when it may go now (and it is counted), else the wait."""

    async def keep(self, sends: list[tuple[str, datetime]]) -> None: ...

    async def since(self, start: datetime) -> list[tuple[str, datetime]]: ...

    async def forget_before(self, start: datetime) -> None: ...


class ReminderStore(Protocol):
    """Reminders: what has fallen due, who is sending it, what was sent."""

    async def actions_with_reminder_due(self, now: datetime, limit: int) -> list[tuple[Action, Committee]]: ...

    async def due_backs_with_reminder_due(self, now: datetime, limit: int) -> list[tuple[DueBack, Committee]]: ...

    async def add_reminders_once(self, rows: list[dict]) -> int:
        """Inserts the reminders whose key is new, in one statement; returns how many were new."""

    async def cancel_pending_reminders(self, action_id: int) -> None: ...

    async def cancel_superseded_reminders(self, keep: dict[int, str]) -> None:
        """For each action, cancels its pending reminders other than the one kept (by key)."""

    async def claim_reminders(self, instance: str, now: datetime, until: datetime, limit: int) -> list[Reminder]: ...

    async def load_for_reminders(self, reminders: list[Reminder]) -> list: ...

    async def get_reminder(self, reminder_id: int) -> Reminder: ...

    async def unsent_reminders(self, committee_id: int) -> list[Reminder]: ...

    async def last_reminded(self, action_ids: list[int]) -> dict[int, datetime]:
        """When each of these actions' owners were last sent a reminder (actions never reminded are absent)."""


class ActivityStore(Protocol):
    """Activities Clerk has handled, so a redelivered one has no second effect."""

    async def claim_activity(self, conversation_id: str, activity_id: str, now: datetime,
                             committee_id: int | None = None) -> tuple[bool, str | None]: ...

    async def forget_activities_before(self, cutoff: datetime) -> int:
        """Redelivery happens within minutes; older activity ids need not be kept."""


class OutboxStore(Protocol):
    """Messages Clerk owes conversations (OutboxMessage). A queue is a conversation's lane
(OutboxLane): its messages go out in `id` order."""

    async def enqueue(self, messages: list[dict], sender: str | None = None,
                      claimed_until: datetime | None = None) -> tuple[list[int], bool]:
        """Inserts one queue's messages in order; held for `sender` unless something older waits."""

    async def due_queues(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(conversation, lane) of the queues whose first message may be sent now and nobody is sending."""

    async def claim_first(self, conversation_id: str, lane: str, instance: str, now: datetime,
                          until: datetime) -> tuple[OutboxMessage, str | None] | None: ...

    async def held(self, message_id: int, instance: str) -> tuple[OutboxMessage, str | None] | None:
        """The message, with its conversation's reference, if this instance still holds it."""

    async def remove(self, message_id: int, instance: str) -> bool:
        """Deletes a delivered message; False when this instance no longer held it."""

    async def release(self, message_ids: list[int], instance: str) -> None:
        """Gives back messages this instance held but will not send now."""

    async def remove_unclaimed(self, message_ids: list[int]) -> None:
        """Deletes messages nobody is sending (folded into another)."""

    async def beat(self, instance: str, now: datetime) -> None:
        """This instance is alive now."""

    async def release_all_but(self, instance: str) -> None:
        """Gives back every claim of another instance."""

    async def live_instances(self, now: datetime) -> int:
        """How many instances said lately that they are alive."""

    async def is_alive(self, instance: str | None, now: datetime) -> bool:
        """Whether a claimant said lately that it is alive (or never said anything)."""

    async def waiting(self, conversation_id: str, lane: str) -> list[OutboxMessage]:
        """The queue's undelivered messages, first first."""



class TranscriptStore(Protocol):
    """Teams transcripts of meetings: the job that fetches each, and its cues."""

    async def job(self, meeting_id: int) -> TranscriptJob | None: ...

    def add_job(self, job: TranscriptJob) -> None: ...

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[tuple[TranscriptJob, Meeting]]:
        """Jobs whose next try has come, each held until `lease_until`."""

    async def replace_cues(self, meeting_id: int, cues: list[dict]) -> None: ...

    async def cues(self, meeting_id: int) -> list[TranscriptCue]: ...

    async def kept_past(self, approved_before: datetime) -> list[int]:
        """Meetings whose transcript is kept though their minutes were approved before then."""
