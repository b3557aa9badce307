"""A committee and the Teams conversations that belong to it; its standing membership and settings."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogs.context import Reply, Turn
from dialogs.errors import ClerkError, UsageError
from dialogs.parsing import MAX_NAME, clean_name, parse_outcome_scale, parse_people, whole_number
from dialogs.house_style import PRESETS, changed, keep_style, style_of
from dialogs.identity import name_key
from dialogs.wording import count
from storage.models import Committee, Conversation, Member, MemberAlias
from storage.unit_of_work import UnitOfWork

DEFAULT_OUTCOMES = {
    "A": "proceed",
    "B": "proceed with minor amendments",
    "C": "proceed only with major amendments",
    "D": "do not proceed",
    "E": "more information needed",
}


async def register_conversation(
    uow: UnitOfWork,
    conversation_id: str,
    reference_json: str,
    conversation_type: str | None,
    tenant_id: str | None,
    now: datetime,
    local_timezone: str | None = None,
) -> int:
    """Keeps the conversation's reference fresh (for proactive messages); returns its committee id.

    A conversation seen for the first time starts a committee of its own, in the timezone of the
    Teams client that first spoke in it (`local_timezone`) when that is a real one.
    """
    conversation = await uow.committees.get_conversation(conversation_id)
    if conversation is None:
        committee = Committee(created_at=now, timekeeping=True, last_action_number=0, last_entry_number=0,
                              timezone=local_timezone if zone_named(local_timezone) else None)
        await uow.add(committee)
        registered = await uow.committees.add_conversation_once(Conversation(
            id=conversation_id,
            committee_id=committee.id,
            conversation_type=conversation_type,
            tenant_id=tenant_id,
            reference=reference_json,
            updated_at=now,
        ))
        if registered:
            return committee.id
        # Another turn registered it at the same moment (its first messages arrived together): that
        # committee is the conversation's, and the one made here goes.
        await uow.delete(committee)
        conversation = await uow.committees.get_conversation(conversation_id)
    elif conversation.reference != reference_json:
        conversation.reference = reference_json
        conversation.updated_at = now
    return conversation.committee_id


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA timezone of that name, or None for anything else."""
    if not name or not isinstance(name, str) or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return None


def committee_zone(timezone: str | None, default: ZoneInfo) -> ZoneInfo:
    """The committee's timezone (`Committee.timezone`), for every time shown, parsed and reminded;
    else Clerk's default."""
    return zone_named(timezone) or default


async def set_timezone(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/committee timezone Europe/Dublin`."""
    name = args.strip()
    zone = zone_named(name)
    if zone is None:
        raise UsageError(f"'{name[:64]}' is not a timezone Clerk knows: give its IANA name, e.g. Europe/Dublin.")
    committee = await uow.committees.get_committee(turn.committee_id)
    committee.timezone = zone.key
    now = turn.now.astimezone(zone)
    return Reply(f"The committee's timezone is {zone.key}: it is {now:%H:%M} there now.")


def outcome_scale(committee: Committee) -> dict[str, str]:
    """The committee's lettered scale; empty when it uses none (/outcomes none)."""
    return json.loads(committee.outcome_scale) if committee.outcome_scale else dict(DEFAULT_OUTCOMES)


NO_SCALE = "This committee does not use an outcome scale: /decision records what it decided (/outcomes set starts one)."


def outcome_words(letter: str, scale: dict[str, str]) -> str:
    """As the minutes write it: 'Outcome B – proceed with minor amendments'."""
    words = scale.get(letter)
    return f"Outcome {letter} – {words}" if words else f"Outcome {letter}"


def committee_label(committee: Committee) -> str:
    return committee.name or "This committee"


async def set_name(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    name = clean_name(args)
    if not name:
        raise UsageError("Give the committee a name.")
    if len(name) > MAX_NAME:
        raise UsageError(f"A committee name is at most {MAX_NAME} characters.")
    committee = await uow.committees.get_committee(turn.committee_id)
    committee.name = name
    return Reply(f"This conversation now belongs to the committee '{name}'.")


async def set_quorum(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    quorum = whole_number(args)
    if quorum is None or not 0 < quorum < 1000:
        raise UsageError("The quorum is a whole number of members, e.g. 5.")
    committee = await uow.committees.get_committee(turn.committee_id)
    committee.quorum = quorum
    return Reply(f"Quorum set to {committee.quorum} members.")


async def show_committee(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    committee = await uow.committees.get_committee(turn.committee_id)
    members = await uow.committees.members(turn.committee_id)
    quorum = f"quorum {committee.quorum}" if committee.quorum else "no quorum set"
    name = committee.name or "(not named yet: /committee name <name>)"
    return Reply(f"Committee: {name}. {len(members)} members, {quorum}. Timezone: {turn.tz.key}.")


async def set_timekeeping(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    choice = args.strip().lower()
    if choice not in ("on", "off"):
        raise UsageError("Say /timekeeping on or /timekeeping off.")
    committee = await uow.committees.get_committee(turn.committee_id)
    committee.timekeeping = choice == "on"
    if committee.timekeeping:
        return Reply("Timekeeping on: I will say when an item reaches its allotted time.")
    return Reply("Timekeeping off: no more notices when an item runs over.")


async def add_members(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    people = parse_people(args)
    members = {member.name_key: member for member in await uow.committees.members(turn.committee_id)}
    added, updated = [], []
    for name, role in people:
        key = name_key(name)
        if key in members:
            if role:
                members[key].role = role
            updated.append(members[key].name)
            continue
        members[key] = Member(committee_id=turn.committee_id, name=name, name_key=key, role=role)
        added.append(members[key])
    await uow.add(*added)  # one flush: on PostgreSQL, one INSERT
    parts = []
    if added:
        parts.append(f"Added {count(len(added), 'member')}: {', '.join(member.name for member in added)}.")
    if updated:
        parts.append(f"Already members (role updated where given): {', '.join(updated)}.")
    return Reply(" ".join(parts))


async def remove_member(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    name = clean_name(args)
    if not name:
        raise UsageError("Name the member to remove.")
    member = await uow.committees.member_by_key(turn.committee_id, name_key(name))
    if member is None:
        raise ClerkError(f"'{name}' is not a member. /members lists them.")
    await uow.delete(member)
    return Reply(f"Removed {member.name} from the members.")


async def add_alias(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/members alias Jennifer Housego = Jen`."""
    member_name, equals, alias = args.partition("=")
    member_name, alias = clean_name(member_name), clean_name(alias)
    if not equals or not member_name or not alias:
        raise UsageError("Give the member's name, =, and the other name: /members alias Jennifer Housego = Jen.")
    if len(alias) > MAX_NAME:
        raise UsageError(f"A name is at most {MAX_NAME} characters.")
    member = await uow.committees.member_by_key(turn.committee_id, name_key(member_name))
    if member is None:
        raise ClerkError(f"{member_name} is not a standing member. /members lists them; /members add adds one.")
    key = name_key(alias)
    taken = await uow.committees.member_by_alias(turn.committee_id, key) \
        or await uow.committees.member_by_key(turn.committee_id, key)
    if taken is not None and taken.id != member.id:
        raise ClerkError(f"{alias} already names {taken.name}.")
    if taken is None:
        await uow.add(MemberAlias(committee_id=turn.committee_id, member_id=member.id, alias=alias, alias_key=key))
    return Reply(f"{alias} now also names {member.name}.")


WELCOME = "Hello, I'm Clerk: I keep this committee's minutes. /help lists what I can do; /start opens a meeting record."


async def welcome(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """Clerk was added to a chat: the chat is the committee's from now on, and Clerk says how to begin."""
    return Reply(WELCOME)


async def list_members(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    members = await uow.committees.members(turn.committee_id)
    if not members:
        return Reply("No members yet. Add them with /members add Name, Role; Name, Role.")
    also: dict[int, list[str]] = {}
    for alias in await uow.committees.aliases(turn.committee_id):
        also.setdefault(alias.member_id, []).append(alias.alias)
    lines = [f"- {m.name}" + (f", {m.role}" if m.role else "")
             + (f" (also: {', '.join(also[m.id])})" if m.id in also else "") for m in members]
    return Reply(f"Members ({len(members)}):\n" + "\n".join(lines))


async def set_outcomes(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    scale = parse_outcome_scale(args)
    committee = await uow.committees.get_committee(turn.committee_id)
    committee.outcome_scale = json.dumps(scale)
    return Reply("Outcome scale set:\n" + _scale_lines(scale))


async def no_outcomes(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    committee = await uow.committees.get_committee(turn.committee_id)
    committee.outcome_scale = json.dumps({})
    return Reply("This committee uses no outcome scale now: /decision records what it decided. "
                 "/outcomes set brings a scale back.")


async def show_outcomes(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    scale = outcome_scale(await uow.committees.get_committee(turn.committee_id))
    if not scale:
        return Reply(NO_SCALE)
    return Reply("Outcome scale:\n" + _scale_lines(scale))


def _scale_lines(scale: dict[str, str]) -> str:
    return "\n".join(f"- {letter}: {words}" for letter, words in sorted(scale.items()))


async def house_style(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    """`/style` shows the house style of the committee's minutes; `/style <preset>` or
    `/style <setting> <value>` changes it for every minutes shown or exported from now on."""
    committee = await uow.committees.get_committee(turn.committee_id)
    style = style_of(committee)
    if not args.strip():
        return Reply("House style of the minutes:\n" + "\n".join(style.lines)
                     + f"\nPresets: /style {' | '.join(PRESETS)}.")
    new_style = changed(style, args)
    keep_style(committee, new_style)
    return Reply("House style set:\n" + "\n".join(new_style.lines))
