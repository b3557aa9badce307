"""Engine, migrations and the unit of work.

A unit of work is one database transaction: `async with db.unit_of_work() as uow:` gives the
repositories on one transaction (storage.connections), and nothing is written unless
`await uow.commit()` is reached.
SQLite allows one writer at a time, so on SQLite the units of work of this process take turns
(an asyncio lock) instead of failing with "database is locked"; PostgreSQL needs no such lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from functools import cached_property
from pathlib import Path
from typing import AsyncIterator

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from storage.repositories.actions import ActionRepository
from storage.repositories.activities import ActivityRepository
from storage.repositories.agenda import AgendaRepository
from storage.repositories.changes import ChangeRepository
from storage.repositories.transcripts import TranscriptRepository
from storage.repositories.committees import CommitteeRepository
from storage.repositories.entries import EntryRepository
from storage.repositories.meetings import MeetingRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.reminders import ReminderRepository
from storage.repositories.send_budget import SendBudgetRepository
from storage.models import Base
from storage.sqlite import Checkpointer, loop_connector
from storage.connections import PooledConnection, Transaction
from storage.statements import write_changes
from storage.unit_of_work import DatabaseUnavailable, UnitOfWork

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CONNECT_SECONDS = 3
POOL_SECONDS = 3
STATEMENT_MS = 5_000
LOCK_MS = 3_000
# What a database that is down, restarting or stalled raises through SQLAlchemy and its drivers,
# and a pool with no connection free within POOL_SECONDS (SQLAlchemy's own TimeoutError).
UNAVAILABLE = (OperationalError, InterfaceError, OSError, TimeoutError, PoolTimeout)


def describe_database(url: str) -> str:
    """Where the data lives, for the start-up lines (never the password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite file {parsed.database}" if parsed.database not in (None, "", ":memory:") else "SQLite in memory"
    port = f":{parsed.port}" if parsed.port else ""
    return f"PostgreSQL database {parsed.database} on {parsed.host}{port}"


class Database:
    def __init__(self, url: str, background_checkpoints: bool = False):
        """`background_checkpoints`: on a SQLite file, commits leave the log's checkpoints to
        `checkpoint`, which the caller runs every second or so (bot.sweeps), so that no turn's
        commit stops the event loop to make one (storage.sqlite.Checkpointer)."""
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        on_file = self.is_sqlite and self.url.database not in (None, "", ":memory:")
        if on_file:
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        self.checkpointer = Checkpointer(self.url) if on_file and background_checkpoints else None
        # No pre-ping: it would cost a round trip on every turn. A connection that went stale (the
        # server restarted) fails its turn with "try again" and is replaced.
        # A stalled server answers "try again" in time instead of holding a turn past Teams' 15 s:
        # connecting, waiting for a pooled connection, a lock and a statement are all bounded.
        # Last in, first out: a turn takes the connection the last one gave back, so turns one after
        # another keep to one PostgreSQL server process, warm, instead of going round all the pooled
        # ones.
        options = {"pool_size": 10, "max_overflow": 20, "pool_use_lifo": True, "pool_reset_on_return": None,
                   "pool_timeout": POOL_SECONDS, "connect_args": {"timeout": CONNECT_SECONDS, "server_settings": {
                       "statement_timeout": str(STATEMENT_MS), "lock_timeout": str(LOCK_MS)}}}
        if self.is_sqlite:
            options = {"async_creator": loop_connector(self.url), "pool_reset_on_return": None}
        self.engine = create_async_engine(self.url, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas(checkpoints=self.checkpointer is None))
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    async def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade_to_head)

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(3):
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    @contextlib.asynccontextmanager
    async def unit_of_work(self, one_statement: bool = False) -> AsyncIterator[UnitOfWork]:
        """One transaction on a pooled connection, with an ORM Session only if something asks for one
        (storage.connections.Transaction; a `UnitOfWorkFactory`). With `one_statement`, one statement
        with no transaction, which PostgreSQL commits by itself: no BEGIN nor COMMIT. A
        database that does not answer, in the body or at commit, raises DatabaseUnavailable;
        nothing of the transaction is kept."""
        lock = self._write_lock or contextlib.nullcontext()
        async with lock:
            session = PooledConnection(self.engine) if one_statement else Transaction(self.engine, self._sessions)
            try:
                yield (StatementUnitOfWork if one_statement else SessionUnitOfWork)(session)
            except UNAVAILABLE as error:
                raise DatabaseUnavailable(f"{type(error).__name__}: {str(error)[:200]}") from error
            except DBAPIError as error:
                if not _stalled(error):
                    raise
                raise DatabaseUnavailable(f"{type(error).__name__}: {str(error)[:200]}") from error
            finally:
                # Rolls back whatever was not committed and hands the connection back. The pool
                # does not roll back again on return (reset_on_return=None): that would be one
                # more round trip on every turn for a connection that is already clean.
                await session.close()

    async def checkpoint(self) -> None:
        """Copies the write-ahead log into the database on a worker thread (with
        `background_checkpoints`; otherwise SQLite's commits do it themselves)."""
        if self.checkpointer is not None:
            await self.checkpointer.checkpoint()

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.checkpointer is not None:
            self.checkpointer.close()


class SessionUnitOfWork:
    """The UnitOfWork of storage.unit_of_work on one transaction (a Transaction, whose SQLAlchemy
    session is made when the ORM is asked for). A repository is made the first time it is asked
    for: a turn uses a few of the eleven."""

    def __init__(self, session: AsyncSession | Transaction):
        self.session = session

    committees = cached_property(lambda self: CommitteeRepository(self.session))
    meetings = cached_property(lambda self: MeetingRepository(self.session))
    agenda = cached_property(lambda self: AgendaRepository(self.session))
    entries = cached_property(lambda self: EntryRepository(self.session))
    actions = cached_property(lambda self: ActionRepository(self.session))
    changes = cached_property(lambda self: ChangeRepository(self.session))
    transcripts = cached_property(lambda self: TranscriptRepository(self.session))
    reminders = cached_property(lambda self: ReminderRepository(self.session))
    activities = cached_property(lambda self: ActivityRepository(self.session, self.meetings.found_none_open))
    outbox = cached_property(lambda self: OutboxRepository(self.session))
    send_budget = cached_property(lambda self: SendBudgetRepository(self.session))

    async def add(self, *rows: Base) -> None:
        if rows:
            self.session.add_all(rows)
            await self.session.flush()

    def stage(self, row: Base) -> None:
        self.session.add(row)

    async def delete(self, row: Base) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def commit(self) -> None:
        if isinstance(self.session, Transaction):
            await write_changes(self.session)
        await self.session.commit()


class StatementUnitOfWork(SessionUnitOfWork):
    """The unit of work of one statement: its repositories' statements sent by storage.statements.run
    on a PooledConnection. The ORM's ways (a query, a row added) need a Session: they are refused."""

    async def add(self, *rows: Base) -> None:
        raise TypeError("a unit of work of one statement adds no ORM rows")

    def stage(self, row: Base) -> None:
        raise TypeError("a unit of work of one statement adds no ORM rows")

    async def delete(self, row: Base) -> None:
        raise TypeError("a unit of work of one statement deletes no ORM rows")


# PostgreSQL's codes for a server that cannot answer now: a lock or statement timeout, a cancelled
# query, too many connections, a shutdown, a lost connection (class 08).
_STALLED_STATES = {"55P03", "57014", "53300", "57P01", "57P02", "57P03"}


def _stalled(error: DBAPIError) -> bool:
    driver_error = error.orig
    state = getattr(driver_error, "sqlstate", None) or getattr(driver_error.__cause__, "sqlstate", None)
    return isinstance(state, str) and (state in _STALLED_STATES or state.startswith("08"))


def _sqlite_pragmas(checkpoints: bool):
    """Set on each new connection; `checkpoints`: whether its commits make the log's checkpoints."""
    def set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if not checkpoints:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()
    return set_pragmas


MIGRATION_LOCK = 7_262_019  # any constant shared by every instance


def _upgrade_to_head(connection) -> None:
    if connection.dialect.name == "postgresql":
        # Instances starting together take turns; the lock ends with the migration's transaction.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def create_postgres_database(server_url: str, prefix: str, template: str | None = None) -> str:
    """Creates a new database on a PostgreSQL server, empty or a copy of database `template`;
    returns its URL. For tests and the benchmark, which give each run a database of its own."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            copying = f' TEMPLATE "{template}"' if template else ""
            await connection.execute(text(f'CREATE DATABASE "{name}"{copying}'))
    finally:
        await admin.dispose()
    return str(make_url(server_url).set(database=name).render_as_string(hide_password=False))
