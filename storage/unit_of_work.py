"""The unit of work: one database transaction and the repositories that read and write in it.

Use cases in dialogs/ take a `UnitOfWork` (or, when they run several transactions of their own, a
`UnitOfWorkFactory`): `async with new_unit_of_work() as uow: ...; await uow.commit()`. Nothing is
written unless `commit()` is reached. A database that does not answer raises `DatabaseUnavailable`.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from storage.models import Base
from storage.protocols import (
    ActionStore,
    ActivityStore,
    AgendaStore,
    ChangeStore,
    CommitteeStore,
    EntryStore,
    MeetingStore,
    OutboxStore,
    ReminderStore,
    SendBudgetStore,
    TranscriptStore,
)


class DatabaseUnavailable(Exception):
    """The database did not answer (down, restarting, stalled); nothing was recorded. Try again."""


class UnitOfWork(Protocol):
    committees: CommitteeStore
    meetings: MeetingStore
    agenda: AgendaStore
    entries: EntryStore
    actions: ActionStore
    changes: ChangeStore
    reminders: ReminderStore
    activities: ActivityStore
    outbox: OutboxStore
    send_budget: SendBudgetStore
    transcripts: TranscriptStore

    async def add(self, *rows: Base) -> None:
        """Adds and writes the rows now, so their generated ids can be used: in one flush (on
        PostgreSQL the rows of one table are one INSERT). No rows: nothing is done."""

    def stage(self, row: Base) -> None:
        """Adds a row that nothing reads back in this transaction: written with the rest at commit."""

    async def delete(self, row: Base) -> None: ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, one_statement: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        """A new unit of work. `one_statement`: the caller runs a single statement in it, which the
        database may then commit on its own (on PostgreSQL, without the round trips of BEGIN and COMMIT)."""
