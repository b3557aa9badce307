"""A unit of work's connection out of the engine's pool, with an ORM Session over it only when one
is needed.

SQLAlchemy's Session costs a turn more than most of its statements: for every unit of work it begins
a SessionTransaction, checks a connection out through it, commits through its state machine and
closes, about a tenth of a turn. storage.statements sends a turn's frequent statements and reads
itself, so most turns need none of that: a `Transaction` is the unit of work's transaction on a
pooled connection, and makes its Session only when a repository asks for the ORM's ways (a query, a
row added or deleted). A `PooledConnection` is the same without a transaction, for a unit of work of
one statement, which PostgreSQL commits by itself.
"""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.util import greenlet_spawn


def on_postgresql(session: AsyncSession | PooledConnection) -> bool:
    """Whether the session's database is PostgreSQL: the one test every PostgreSQL-only statement
    and direct path makes."""
    return session.bind.dialect.name == "postgresql"


class PooledConnection:
    """A connection out of the engine's pool with no ORM Session over it, in the place of a session
    for a unit of work of one statement sent by storage.statements.run: on PostgreSQL the
    statement commits by itself (asyncpg outside a transaction sends no BEGIN); on SQLite `commit`
    ends the transaction sqlite3 began for it."""

    transactional = False  # whether `run` begins a transaction before the first statement

    def __init__(self, engine: AsyncEngine):
        self.bind = engine  # as AsyncSession.bind
        self.dialect = engine.dialect
        self._raw = None

    async def raw(self):
        """The pooled DBAPI connection, checked out the first time it is asked for. A failure to
        connect is raised as SQLAlchemy's Connection raises it."""
        if self._raw is None:
            try:
                self._raw = await self.bind.raw_connection()
            except self.dialect.loaded_dbapi.Error as error:
                Connection._handle_dbapi_exception_noconnection(error, self.dialect, self.bind.sync_engine)
                raise
        return self._raw

    async def commit(self) -> None:
        raw = self._raw
        if raw is None:
            return
        adapted = raw.dbapi_connection
        try:
            if not on_postgresql(self):
                await raw.driver_connection.commit()
            elif adapted._transaction is not None:
                await adapted._call_and_discard(adapted._transaction.commit)
        except Exception as error:
            await raise_as_sqlalchemy(self, adapted, "COMMIT", [], error)

    async def invalidate(self) -> None:
        """The connection was lost: closed, and the pool replaces it (as AsyncConnection.invalidate)."""
        raw, self._raw = self._raw, None
        if raw is not None:
            await greenlet_spawn(raw.invalidate)

    async def close(self) -> None:
        """Back to the pool, whatever was not committed rolled back (a connection that cannot roll
        back is replaced); a greenlet, as closing an overflow connection awaits the driver."""
        raw = self._raw
        if raw is None:
            return
        try:
            if not on_postgresql(self):
                if raw.driver_connection.in_transaction:
                    await raw.driver_connection.rollback()
            elif raw.dbapi_connection._transaction is not None:
                await raw.dbapi_connection._call_and_discard(raw.dbapi_connection._transaction.rollback)
        except Exception:
            await self.invalidate()
            return
        self._raw = None
        await greenlet_spawn(raw.close)


class Transaction(PooledConnection):
    """A unit of work's transaction on a pooled connection (storage.db), in the place of its
    session. storage.statements' `run`, `load` and `get` need no Session: the objects `load` reads
    are kept in `loaded`, by identity, as the Session's identity map would keep them. Anything else
    a repository asks of it (`execute`, `add`, `flush`, ...) is asked of the ORM Session, made then
    in the same transaction and holding those objects; a loaded object changed with no Session is
    written at commit by storage.statements.write_changes (or by a Session made for a read before
    then). Nothing changed is lost: a Session made sees every change."""

    transactional = True

    def __init__(self, engine: AsyncEngine, sessions: async_sessionmaker):
        super().__init__(engine)
        self._sessions = sessions
        self.orm: AsyncSession | None = None
        self._bridge: AsyncConnection | None = None
        self.loaded: dict = {}  # by identity: what `load` read (see `hold`)

    @property
    def identity_map(self) -> dict:
        """Where `load` and `get` look for an object already read, as in a Session's: `loaded`
        (asked only while this, not a Session, answers)."""
        return self.loaded

    @property
    def new(self):
        """Rows staged and not yet written, as a Session's `new`: none until there is a Session,
        which alone stages rows (asked here, it makes none)."""
        return self.orm.new if self.orm is not None else ()

    def hold(self, identity, held) -> None:
        """Keeps an object `load` read for the transaction's life: in `loaded`, its identity map
        until there is a Session, and then beside the Session's own map as well, which refers to an
        unchanged object only weakly, so that one read early in a turn (the committee, say) is not
        read again later when nothing else refers to it by then."""
        self.loaded[identity] = held
        if self.orm is not None:
            self.orm.add(held)

    def session(self) -> AsyncSession:
        """The ORM Session, made on the first call: over this transaction's connection once a
        statement has run, otherwise one that checks out its own."""
        if self.orm is None:
            if self._raw is None:
                self.orm = self._sessions()
            else:
                self._bridge = AsyncConnection(self.bind, Connection(self.bind.sync_engine, connection=self._raw))
                self.orm = self._sessions(bind=self._bridge)
            self.orm.add_all(list(self.loaded.values()))
        return self.orm

    def answering(self) -> AsyncSession | Transaction:
        """What reads and commits now: the Session when there is one, or when an object `load`
        read with no Session has a change not yet written (made then, so the change is written
        before the next read, as the ORM's autoflush would); otherwise this."""
        if self.orm is not None or any(inspect(held).committed_state for held in self.loaded.values()):
            return self.session()
        return self

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.session(), name)  # the ORM's ways

    async def commit(self) -> None:
        answering = self.answering()
        await (super().commit() if answering is self else answering.commit())

    async def close(self) -> None:
        self.loaded = {}
        if self.orm is None:
            await super().close()
            return
        orm, bridge, self.orm, self._bridge = self.orm, self._bridge, None, None
        try:
            await orm.close()  # rolls back what was not committed
        finally:
            if bridge is not None:
                self._raw = None
                await bridge.close()  # the bridge's Connection hands the pooled connection back


async def raise_as_sqlalchemy(connection, adapted, sql: str, arguments: list, error: Exception):
    """Raises what SQLAlchemy would have raised for the same failure (IntegrityError, an
    OperationalError, a lost connection invalidated), so callers and the unit of work see no
    difference. Errors that are not the database's (a timeout, a cancelled turn) pass unchanged."""
    try:
        if isinstance(error, adapted.dbapi.Error):
            raise error  # already translated (BEGIN goes through the adapter)
        adapted._handle_exception(error)
    except adapted.dbapi.Error as dbapi_error:
        lost = connection.dialect.is_disconnect(dbapi_error, adapted, None)
        if lost:
            await connection.invalidate()
        raise DBAPIError.instance(sql, arguments, dbapi_error, adapted.dbapi.Error,
                                  connection_invalidated=lost, dialect=connection.dialect) from error
