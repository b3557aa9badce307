"""A person's own desk, in their personal chat with Clerk or anywhere: their committees' next
meetings and what they are due back for, and where their own reminders go."""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.committee import committee_label
from dialogs.context import Private, Reply, Turn
from dialogs.dates import format_date
from dialogs.errors import ClerkError, UsageError
from dialogs.parsing import format_minute
from dialogs.identity import is_bound_to, is_same_person, name_key
from dialogs.public import due_back_reason
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PrivateNote:
    """Plain words for someone's personal chat."""

    text: str


async def remind_me(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/remind me privately` or `/remind me in the committee`: where the caller's own reminders go."""
    choice = " ".join(args.lower().split())
    if choice not in ("me privately", "me in the committee"):
        raise UsageError("Say /remind me privately or /remind me in the committee.")
    if not turn.caller.user_id:
        raise ClerkError("Teams did not say who you are, so I can't keep your choice.")
    privately = choice == "me privately"
    await uow.committees.set_reminders_privately(turn.caller.user_id, privately, turn.now)
    if not privately:
        return Reply("Your reminders will come in each committee's chat, with an @mention.")
    return Reply("Your reminders will come to your personal chat with Clerk.",
                 privately=[Private(turn.caller, PrivateNote(
                     "Your reminders will come here from now on. /remind me in the committee sends them back to "
                     "each committee's chat."))])


async def my_meetings(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """The caller's committees (those whose record names them), their next meetings, and what the
    caller is due back for."""
    key = name_key(turn.caller.name)
    committees = await uow.committees.committees_knowing(turn.caller.user_id, key, turn.tenant_id)
    if not committees:
        return Reply("No committee's record names you yet.")
    lines = [f"Your committees, {turn.caller.name}:"]
    for committee in committees:
        when = "next meeting not set yet"
        if committee.next_meeting_date:
            when = f"next meeting {format_date(committee.next_meeting_date)}"
            if committee.next_meeting_minute is not None:
                when += f" at {format_minute(committee.next_meeting_minute)}"
        lines.append(f"- {committee_label(committee)}: {when}")
        for due_back in await uow.actions.pending_due_backs(committee.id):
            if is_same_person(due_back.presenter_key or name_key(due_back.presenter), due_back.presenter_user_id,
                              turn.caller):
                reason = due_back_reason(due_back, in_full=turn.personal and is_bound_to(due_back.presenter_user_id,
                                                                                          turn.caller))
                lines.append(f"  - you are due back with '{due_back.title}'" + (f": {reason}" if reason else ""))
    return Reply("\n".join(lines))



