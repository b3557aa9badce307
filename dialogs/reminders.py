"""Reminders for outstanding actions and presenters due back, and the meeting-day digest.

The database is the source of truth. Each action and due-back row carries `next_reminder_at`; a
sweep records every reminder that has fallen due as a `reminders` row (unique key, so instances
sweeping together record it once), then claims pending rows with a conditional UPDATE and, in the
same transaction, queues their messages in the outbox (dialogs.delivery) and marks them sent. A
claim left behind by a crash expires and is taken up again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from dialogs import delivery
from dialogs.action_text import effective_due, owners_text
from dialogs.committee import committee_zone
from dialogs.public import due_back_reason, shown_text
from dialogs.context import Person, Reply, Turn
from dialogs.dates import format_date
from dialogs.delivery import ActionRef, Queued, RenderText, personal_chat_id
from dialogs.errors import ClerkError, UsageError
from dialogs.parsing import clock_time, format_minute, whole_number
from dialogs.reminder_policy import ReminderPolicy, action_series, dueback_series, latest_due
from dialogs.wording import count, days_ago, in_days
from storage.models import Action, Committee, DueBack, Meeting, Reminder
from storage.unit_of_work import UnitOfWork, UnitOfWorkFactory
from storage.vocabulary import ActionStatus, OutboxLane, ReminderKind, ReminderStatus

log = logging.getLogger("clerk.reminders")

CLAIM_LEASE = timedelta(minutes=2)
WHILE_MEETING_OPEN = timedelta(minutes=10)  # how often a reminder held back by an open meeting looks again
BATCH = 200


# Keeping next_reminder_at right whenever an action or the next meeting changes -------------------


def schedule_action(action: Action, next_meeting_date: date | None, policy: ReminderPolicy, tz: ZoneInfo,
                    now: datetime) -> None:
    """Points the sweep at the action's next reminder after `now`. A point that has already passed
    when the action is recorded or its date changes is skipped: the confirmation has just told the
    owner the date, and a "due in 7 days" arriving a second later for something due tomorrow is noise."""
    due = effective_due(action, next_meeting_date)
    if action.status != ActionStatus.OPEN or not action.reminders_enabled or due is None:
        action.next_reminder_at = None
        return
    _, following = latest_due(action_series(due, policy, tz), now)
    action.next_reminder_at = following.at if following else None


def schedule_due_back(due_back: DueBack, committee: Committee, policy: ReminderPolicy, tz: ZoneInfo,
                      now: datetime) -> None:
    if due_back.returned_meeting_id is not None or committee.next_meeting_date is None:
        due_back.next_reminder_at = None
        return
    _, following = latest_due(dueback_series(committee.next_meeting_date, policy, tz), now)
    due_back.next_reminder_at = following.at if following else None


async def reschedule_committee(uow: UnitOfWork, committee: Committee, policy: ReminderPolicy, tz: ZoneInfo,
                               now: datetime) -> None:
    """After the next meeting's date changes: 'next meeting' actions and due-backs move with it."""
    for action in await uow.actions.actions(committee.id, (ActionStatus.OPEN,)):
        if action.due_next_meeting and action.due_date is None:
            await uow.reminders.cancel_pending_reminders(action_id=action.id)
            schedule_action(action, committee.next_meeting_date, policy, tz, now)
    for due_back in await uow.actions.pending_due_backs(committee.id):
        schedule_due_back(due_back, committee, policy, tz, now)


# The sweep: record what has fallen due -------------------------------------------------------------


async def record_due(uow: UnitOfWork, policy: ReminderPolicy, tz: ZoneInfo, now: datetime) -> int:
    """Records a reminder row for every action and due-back whose next reminder has passed, in a
    few statements however many fell due (up to BATCH a sweep)."""
    planned: list[dict] = []
    superseded_except: dict[int, str] = {}
    due_actions = await uow.reminders.actions_with_reminder_due(now, BATCH)
    meetings = await uow.meetings.meetings_by_id({action.meeting_id for action, _ in due_actions if action.meeting_id})
    for action, committee in due_actions:
        zone = committee_zone(committee.timezone, tz)
        due = effective_due(action, committee.next_meeting_date)
        if action.status != ActionStatus.OPEN or not action.reminders_enabled or due is None:
            action.next_reminder_at = None
            continue
        if _meeting_under_way(meetings.get(action.meeting_id), now, zone):
            # Never into the meeting chat while the meeting that recorded the action is going on.
            action.next_reminder_at = now + WHILE_MEETING_OPEN
            continue
        latest, following = latest_due(action_series(due, policy, zone), now)
        if latest is not None:
            key = f"action:{action.id}:{latest.kind}:{latest.at.isoformat()}"
            superseded_except[action.id] = key
            planned.append(_row(key, committee.id, latest, now, action_id=action.id))
        action.next_reminder_at = following.at if following else None
    for due_back, committee in await uow.reminders.due_backs_with_reminder_due(now, BATCH):
        zone = committee_zone(committee.timezone, tz)
        if due_back.returned_meeting_id is not None or committee.next_meeting_date is None:
            due_back.next_reminder_at = None
            continue
        latest, following = latest_due(dueback_series(committee.next_meeting_date, policy, zone), now)
        if latest is not None and committee.next_meeting_date >= now.astimezone(zone).date():
            planned.append(_row(f"dueback:{due_back.id}:{latest.at.isoformat()}", committee.id, latest, now,
                                due_back_id=due_back.id))
        due_back.next_reminder_at = following.at if following else None
    await uow.reminders.cancel_superseded_reminders(superseded_except)
    return await uow.reminders.add_reminders_once(planned)


def _meeting_under_way(meeting: Meeting | None, now: datetime, tz: ZoneInfo) -> bool:
    """Open and on today's date: a record somebody forgot to /end does not hold reminders for ever."""
    return meeting is not None and meeting.ended_at is None and meeting.meeting_date == now.astimezone(tz).date()


def _row(key: str, committee_id: int, planned, now: datetime, action_id: int | None = None,
         due_back_id: int | None = None) -> dict:
    return dict(key=key, committee_id=committee_id, kind=planned.kind, action_id=action_id, due_back_id=due_back_id,
                label=planned.label, due_at=planned.at, status=ReminderStatus.PENDING, next_attempt_at=now,
                created_at=now)


async def record_digests(uow: UnitOfWork, tz: ZoneInfo, now: datetime) -> int:
    """The morning digest for every committee that meets today."""
    today = now.astimezone(tz).date()
    return await uow.reminders.add_reminders_once([
        dict(key=f"digest:{committee.id}:{today.isoformat()}", committee_id=committee.id, kind=ReminderKind.DIGEST,
             label="meeting today", due_at=now, status=ReminderStatus.PENDING, next_attempt_at=now, created_at=now)
        for committee in await uow.committees.committees_meeting_on(today)
    ])


# The sweep: record, claim, queue -------------------------------------------------------------------


async def send_due(new_unit_of_work: UnitOfWorkFactory, render: RenderText, instance: str, policy: ReminderPolicy,
                   tz: ZoneInfo, clock: Callable[[], datetime]) -> None:
    """Records what has fallen due, then claims it and queues each message in the transaction that
    marks its reminder sent: the outbox (dialogs.delivery) delivers it, however long the Bot
    Connector takes, and a reminder is never marked sent without its message, nor queued twice."""
    async with new_unit_of_work() as uow:
        await record_due(uow, policy, tz, clock())
        await uow.commit()
    while True:
        async with new_unit_of_work() as uow:
            now = clock()
            claimed, outgoing = await _claim(uow, instance, policy, tz, now, BATCH)
            for message in outgoing:
                if message.conversation_id:
                    queued = Queued(render(message.text, message.mentions, message.action))
                    await delivery.queue(uow, message.conversation_id, [queued], now)
                for user_id in message.privately:
                    queued = Queued(render(message.private_text, (), message.action))
                    await delivery.queue(uow, personal_chat_id(user_id), [queued], now)
                await sent(uow, message.reminder_id, now, claimant=instance)
            await uow.commit()
        if claimed < BATCH:
            return


async def send_digests(new_unit_of_work: UnitOfWorkFactory, render: RenderText, instance: str,
                       policy: ReminderPolicy, tz: ZoneInfo, clock: Callable[[], datetime]) -> None:
    """The morning digest for every committee meeting today, sent like any reminder."""
    async with new_unit_of_work() as uow:
        await record_digests(uow, tz, clock())
        await uow.commit()
    await send_due(new_unit_of_work, render, instance, policy, tz, clock)


@dataclass(frozen=True)
class Outgoing:
    reminder_id: int
    conversation_id: str | None  # None: every owner reads it privately
    text: str
    mentions: tuple[Person, ...]
    action: ActionRef | None = None  # an action's reminder comes with its buttons
    # Owners who chose /remind me privately get it in their personal chat instead, as `private_text`.
    privately: tuple[str, ...] = ()
    private_text: str = ""


async def claim(uow: UnitOfWork, instance: str, policy: ReminderPolicy, tz: ZoneInfo, now: datetime) -> list[Outgoing]:
    """Claims the pending reminders this instance will send now and composes their messages."""
    return (await _claim(uow, instance, policy, tz, now, BATCH))[1]


async def _claim(uow: UnitOfWork, instance: str, policy: ReminderPolicy, tz: ZoneInfo, now: datetime,
                 limit: int) -> tuple[int, list[Outgoing]]:
    """(how many were claimed, the messages of those still worth sending)."""
    if not policy.sendable(now, tz):
        return 0, []
    claimed = await uow.reminders.claim_reminders(instance, now, now + CLAIM_LEASE, limit)
    if not claimed:
        return 0, []
    loaded = await uow.reminders.load_for_reminders(claimed)  # what composing reads, in a few queries
    owners = await uow.actions.owners([r.action_id for r in claimed if r.action_id is not None])
    conversations = {committee_id: await uow.committees.committee_conversation(committee_id)
                     for committee_id in {r.committee_id for r in claimed}}
    outgoing = []
    for reminder in claimed:
        message = await _compose(uow, reminder, tz, now, owners, conversations)
        if message is None:
            reminder.status = ReminderStatus.CANCELLED
            continue
        outgoing.append(message)
    del loaded
    return len(claimed), outgoing


async def sent(uow: UnitOfWork, reminder_id: int, now: datetime, claimant: str) -> None:
    """Marks a reminder sent (its message is queued in the same transaction); only the instance
    still holding the claim may (a claim that expired and went to another instance is its to send)."""
    reminder = await uow.reminders.get_reminder(reminder_id)
    if reminder.claimed_by != claimant:
        log.warning("reminder %s was claimed by %s while %s sent it", reminder_id, reminder.claimed_by, claimant)
        return
    reminder.claimed_by, reminder.claimed_until = None, None
    reminder.status, reminder.sent_at = ReminderStatus.SENT, now


async def _compose(uow: UnitOfWork, reminder: Reminder, tz: ZoneInfo, now: datetime, owners_of: dict,
                   conversations: dict[int, str | None]) -> Outgoing | None:
    committee = await uow.committees.get_committee(reminder.committee_id)
    tz = committee_zone(committee.timezone, tz)
    today = now.astimezone(tz).date()
    if reminder.kind == ReminderKind.DIGEST:
        conversation = conversations[committee.id]
        return conversation and Outgoing(reminder.id, conversation, await _digest_text(uow, committee), ())
    if reminder.action_id is not None:
        action = await uow.actions.get_action(reminder.action_id)
        due = effective_due(action, committee.next_meeting_date)
        if action.status != ActionStatus.OPEN or not action.reminders_enabled or due is None:
            return None
        people = tuple(Person(o.name, o.teams_user_id) for o in owners_of.get(action.id, []))
        meeting = await uow.meetings.get_meeting(action.meeting_id) if action.meeting_id else None
        since = f" (from {meeting.title}, {format_date(meeting.meeting_date)})" if meeting else ""
        if due < today:
            when = f"was due {format_date(due)}, {days_ago((today - due).days)}"
            opening = "Overdue action"
        else:
            when = f"is due {format_date(due)} ({in_days((due - today).days)})"
            opening = "Reminder: action"
        private = await uow.committees.private_reminder_users([p.user_id for p in people if p.user_id])
        in_chat = tuple(p for p in people if p.user_id not in private)

        def sentence(action_text: str) -> str:
            return (f"{opening} {action.number}, '{action_text}'{since}, {when}. "
                    f"When it is done, press Done below (or type /done {action.number}).")

        text = f"{_addressed(in_chat) or 'No owner yet (/assign)'}: {sentence(shown_text(action))}"
        conversation = (meeting.conversation_id if meeting else None) or conversations[committee.id]
        if people and not in_chat:  # every owner reads their reminders privately
            conversation = None
        if not conversation and not private:
            return None
        return Outgoing(reminder.id, conversation, text, tuple(p for p in in_chat if p.user_id),
                        ActionRef(committee.id, action.number),
                        tuple(sorted(private)),
                        (f"{committee.name}: " if committee.name else "") + sentence(shown_text(action, True)))
    due_back = await uow.actions.get_due_back(reminder.due_back_id)
    if due_back.returned_meeting_id is not None or committee.next_meeting_date is None:
        return None
    person = Person(due_back.presenter, due_back.presenter_user_id)
    meeting = await uow.meetings.get_meeting(due_back.meeting_id) if due_back.meeting_id else None
    days = (committee.next_meeting_date - today).days
    text = (f"{_addressed((person,))}: you are due back at the next meeting, {format_date(committee.next_meeting_date)}"
            f" ({in_days(days)}), with '{due_back.title}'"
            + (f": {due_back_reason(due_back)}" if due_back_reason(due_back) else "") + ". Time to write the paper.")
    conversation = (meeting.conversation_id if meeting else None) or conversations[committee.id]
    return conversation and Outgoing(reminder.id, conversation, text, (person,) if person.user_id else ())


def _addressed(people: tuple[Person, ...]) -> str:
    """Owners with a Teams id are @mentioned (the bot turns <at>Name</at> into a mention entity)."""
    return ", ".join(f"<at>{p.name}</at>" if p.user_id else p.name for p in people)


async def _digest_text(uow: UnitOfWork, committee: Committee) -> str:
    actions = await uow.actions.actions(committee.id, (ActionStatus.OPEN,))
    owners = await uow.actions.owners([a.id for a in actions])
    due_backs = await uow.actions.pending_due_backs(committee.id)
    at = ""
    if committee.next_meeting_minute is not None:
        at = f" at {format_minute(committee.next_meeting_minute)}"
    lines = [f"Good morning. {committee.name or 'The committee'} meets today{at}."]
    lines.append(f"Open actions ({len(actions)}):" if actions else "No open actions.")
    lines += [f"- {a.number}. {shown_text(a)} — {owners_text(owners[a.id])}" for a in actions]
    lines.append("Due back today:" if due_backs else "Nobody is due back.")
    lines += [f"- {d.presenter}: {d.title}" for d in due_backs]
    return "\n".join(lines)


# Chat commands ----------------------------------------------------------------------------------


async def command(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    words = args.lower().split()
    if not words:
        return await _list(uow, turn)
    number = whole_number(words[1].lstrip("#")) if len(words) == 2 else None
    if words[0] in ("off", "on") and number is not None:
        return await _switch(uow, turn, number, words[0] == "on")
    raise UsageError("Say /reminders, /reminders off N, /reminders on N, /reminders pause or /reminders resume.")


async def _switch(uow: UnitOfWork, turn: Turn, number: int, on: bool) -> Reply:
    action = await uow.actions.action_by_number(turn.committee_id, number)
    if action is None:
        raise ClerkError(f"There is no action {number}. /actions all lists them.")
    committee = await uow.committees.get_committee(turn.committee_id)
    action.reminders_enabled = on
    await uow.reminders.cancel_pending_reminders(action_id=action.id)
    schedule_action(action, committee.next_meeting_date, turn.policy, turn.tz, turn.now)
    return Reply(f"Reminders {'on' if on else 'off'} for action {number}.")


async def pause(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    committee = await uow.committees.get_committee(turn.committee_id)
    committee.reminders_paused = True
    return Reply("Reminders paused for this committee. /reminders resume starts them again.")


async def resume(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    committee = await uow.committees.get_committee(turn.committee_id)
    committee.reminders_paused = False
    return Reply("Reminders resumed. Anything that fell due meanwhile goes out once, at the next sweep.")


async def _list(uow: UnitOfWork, turn: Turn) -> Reply:
    committee = await uow.committees.get_committee(turn.committee_id)
    lines = []
    if committee.reminders_paused:
        lines.append("Reminders are paused (/reminders resume).")
    for reminder in await uow.reminders.unsent_reminders(turn.committee_id):
        what = await _subject(uow, reminder)
        state = "sending now" if reminder.status == ReminderStatus.SENDING else "waiting for working hours"
        lines.append(f"- {what}: pending, {state}")
    undelivered = await uow.outbox.waiting(turn.conversation_id, OutboxLane.NOTICES)
    if undelivered:
        first = undelivered[0]
        state = "going out now"
        if first.attempts:
            state = (f"{count(first.attempts, 'failed attempt')} ({first.last_error}), "
                     f"next try {_at(first.not_before, turn.tz)}")
        lines.append(f"- {count(len(undelivered), 'message')} to this chat not yet delivered: {state}")
    silenced = []
    actions = await uow.actions.actions(turn.committee_id, (ActionStatus.OPEN,))
    owners = await uow.actions.owners([a.id for a in actions])
    last_sent = await uow.reminders.last_reminded([a.id for a in actions])
    for action in actions:
        if not action.reminders_enabled:
            silenced.append(str(action.number))
        elif action.next_reminder_at is not None:
            last = _at(last_sent[action.id], turn.tz) if action.id in last_sent else "not yet"
            lines.append(f"- Action {action.number}: {shown_text(action)} — {owners_text(owners[action.id])}. "
                         f"Last reminded: {last}. Next reminder: {_at(action.next_reminder_at, turn.tz)}.")
    for due_back in await uow.actions.pending_due_backs(turn.committee_id):
        if due_back.next_reminder_at is not None:
            lines.append(f"- {due_back.presenter} due back with '{due_back.title}': next reminder "
                         f"{_at(due_back.next_reminder_at, turn.tz)}")
    if silenced:
        lines.append(f"Reminders off for action{'s' if len(silenced) > 1 else ''} {', '.join(silenced)}.")
    if not lines:
        return Reply("No reminders scheduled: actions with a due date, and presenters due back once "
                     "/nextmeeting is set, get them.")
    return Reply("Reminders:\n" + "\n".join(lines))


async def _subject(uow: UnitOfWork, reminder: Reminder) -> str:
    if reminder.action_id is not None:
        action = await uow.actions.get_action(reminder.action_id)
        return f"Action {action.number} ({reminder.label})"
    if reminder.due_back_id is not None:
        due_back = await uow.actions.get_due_back(reminder.due_back_id)
        return f"{due_back.presenter} due back ({reminder.label})"
    return "Meeting-day digest"


def _at(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{format_date(local.date())} {clock_time(moment, tz)}"

