"""Whether two ways of naming someone are the same person: the one identity rule.

A recorded person (an owner, a presenter due back, an attendance row) is matched to whoever acts
by their Teams account when the record is bound to one and the person comes with theirs, and
otherwise by their name's key: titles,
case, spacing, full stops, a bracketed note and "Surname, Given" make no difference. A typed name
is first read as the committee knows the person (`identify`): a standing member by key, by an alias
recorded for them, or, typed as one word, by the given name or surname exactly one member has.
storage's queries state the same rule in SQL (storage.identity.same_person).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.context import Person
from dialogs.errors import ClerkError
from dialogs.parsing import clean_name
from storage.models import AgendaItem, Meeting, Member
from storage.unit_of_work import UnitOfWork

# Titles and ranks a name may be typed with: "Dr Martine Clark" and "Martine Clark" are one person.
TITLES = frozenset(
    "mr mrs ms miss mx dr prof professor sir dame lord lady rev revd cllr councillor "
    "cc dcc acc ch chief supt superintendent ci insp inspector dci di ds dc sgt pc pcso det".split())
_BRACKETED = re.compile(r"\([^)]*\)")


def name_key(name: str) -> str:
    """How people's names are compared. Case, spacing, full stops, a bracketed note and leading
    titles are ignored, and a Teams display name "Clark, Martine" reads as "Martine Clark"."""
    text = _BRACKETED.sub(" ", name)
    surname, comma, given = text.partition(",")
    if comma and given.strip() and "," not in given:
        text = f"{given} {surname}"
    words = text.replace(".", " ").casefold().split()
    while len(words) > 1 and words[0] in TITLES:
        words.pop(0)
    return " ".join(words)


def is_same_person(recorded_key: str, recorded_user_id: str | None, person: Person) -> bool:
    """Whether a recorded person is `person`: by Teams account when both have one (a display name
    proves nothing then), else by name."""
    if recorded_user_id and person.user_id:
        return recorded_user_id == person.user_id
    return recorded_key == name_key(person.name)


def is_bound_to(recorded_user_id: str | None, person: Person) -> bool:
    """By Teams account only: where a name proves nothing (a personal chat, another tenant)."""
    return bool(recorded_user_id) and recorded_user_id == person.user_id


@dataclass(frozen=True)
class Known:
    name: str  # as the committee knows them
    member: Member | None

    @property
    def key(self) -> str:
        return name_key(self.name)


async def identify(uow: UnitOfWork, committee_id: int, typed: str) -> Known:
    """The person a typed name is. Raises ClerkError, asking which, when it fits several members."""
    return (await directory(uow, committee_id)).identify(typed)


@dataclass(frozen=True)
class Directory:
    """The committee's standing members and their aliases, read in one statement; a command that
    names several people reads it once, and each name is then a lookup, not a read."""
    members: list[Member]
    alias_of: dict[str, Member]

    def identify(self, typed: str) -> Known:
        """As `identify`."""
        name = clean_name(typed)
        return _known(name, self.members, self.alias_of.get(name_key(name)))


async def directory(uow: UnitOfWork, committee_id: int) -> Directory:
    return Directory(*await uow.committees.members_and_aliases(committee_id))


def _known(name: str, members: list[Member], aliased: Member | None) -> Known:
    """`name` as the committee knows the person: a member by key, by the alias `aliased` is known
    by, or typed as one word by the given name or surname exactly one member has."""
    key = name_key(name)
    exact = next((m for m in members if m.name_key == key), None)
    if exact is not None:
        return Known(exact.name, exact)
    if aliased is not None:
        return Known(aliased.name, aliased)
    if " " not in key:
        fits = [m for m in members if key in m.name_key.split()]
        if len(fits) == 1:
            return Known(fits[0].name, fits[0])
        if len(fits) > 1:
            raise ClerkError(f"Which {name}: {' or '.join(m.name for m in fits)}? Give the full name.")
    return Known(name, None)


async def known_name_keys(uow: UnitOfWork, meeting: Meeting, items: list[AgendaItem]) -> set[str]:
    """Everyone the record already names: standing members and their aliases, the meeting's
    attendance, presenters on its agenda (`items`, as the caller read them) and those due back.
    What /agenda reads a presenter from."""
    members, alias_of = await uow.committees.members_and_aliases(meeting.committee_id)
    keys = {member.name_key for member in members} | set(alias_of)
    keys |= {row.name_key for row in await uow.meetings.attendance(meeting.id)}
    keys |= {name_key(item.presenter) for item in items if item.presenter}
    keys |= {name_key(due.presenter) for due in await uow.actions.pending_due_backs(meeting.committee_id)}
    return keys
