"""Who a typed name is: one person, whichever way they are named.

A name matches a standing member by its key (dialogs.parsing.name_key: titles, case, spacing and
"Surname, Given" make no difference), by an alias recorded for them, or, typed as one word, by
their given name or surname when exactly one member has it; when several do, Clerk asks instead
of guessing. Anyone else is known by the name as typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.context import Reply, Turn
from dialogs.errors import ClerkError, UsageError
from dialogs.parsing import MAX_NAME, clean_name, name_key
from storage.models import Member, MemberAlias
from storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Known:
    name: str  # as the committee knows them
    member: Member | None

    @property
    def key(self) -> str:
        return name_key(self.name)


async def identify(uow: UnitOfWork, committee_id: int, typed: str) -> Known:
    """The person a typed name is. Raises ClerkError, asking which, when it fits several members."""
    name = clean_name(typed)
    key = name_key(name)
    members = await uow.committees.members(committee_id)
    exact = next((m for m in members if m.name_key == key), None)
    if exact is not None:
        return Known(exact.name, exact)
    aliased = await uow.committees.member_by_alias(committee_id, key)
    if aliased is not None:
        return Known(aliased.name, aliased)
    if " " not in key:
        fits = [m for m in members if key in m.name_key.split()]
        if len(fits) == 1:
            return Known(fits[0].name, fits[0])
        if len(fits) > 1:
            raise ClerkError(f"Which {name}: {' or '.join(m.name for m in fits)}? Give the full name.")
    return Known(name, None)


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
