"""aiosqlite connections whose statements run on the event loop's thread, and on the connection's
own thread only when they must wait for a lock.

aiosqlite runs every sqlite3 call on a thread of its own, and each trip there and back cost 60 to
100 microseconds here, against a few for one of Clerk's statements run where it is called: small
indexed reads and writes in a local file whose commits do not wait for the disk (WAL,
synchronous=NORMAL). Those trips were most of a turn's database time. What a statement can wait
for is another writer's lock (another process on the file, or another engine of this one, as
when the tests run two instances); waiting for it on the loop would stop every other turn, so a
statement runs on the loop without waiting (busy timeout 0), and one the database answers "busy"
runs again on the connection's thread, which waits up to the busy timeout as any sqlite3
connection would. Running it again is safe: SQLite says "busy" before a statement changes anything.
What still holds the loop is SQLite's own work, a few microseconds for a turn's statement. The
log's checkpoint, which SQLite makes in the commit that takes the log past a thousand pages and
which copies those pages into the database and waits for the disk (5 to 20 ms here, every forty
turns or so), is made on a worker thread instead when the bot asks for it (`Checkpointer`).

`LoopConnection` is handed to SQLAlchemy through `create_async_engine(async_creator=...)`, so the
dialect, pool and transactions stay SQLAlchemy's. It overrides aiosqlite's `Connection._execute`,
the one way its calls reach sqlite3, as SQLAlchemy's own adapter uses aiosqlite's `_tx`: aiosqlite
is pinned, and tests/test_storage.py checks where statements run.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import threading
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL

BUSY_TIMEOUT_SECONDS = 5  # below a turn's budget (dialogs.turns.TURN_SECONDS)


class LoopConnection(aiosqlite.Connection):
    busy_timeout_ms = 1000 * BUSY_TIMEOUT_SECONDS

    def cursor(self) -> BufferedCursor:  # aiosqlite's is a call of its own before the statement
        return BufferedCursor(self)

    async def fetch(self, sql: str, parameters: Any) -> tuple[int, list]:
        """Runs one statement as a cursor would, without the cursor: its row count and every row.
        (storage.statements sends a turn's frequent statements this way.)"""
        _description, rowcount, _lastrowid, rows = await self._execute(_execute_and_fetch, self._conn, sql,
                                                                      parameters, False)
        return rowcount, rows

    async def _execute(self, fn, *args, **kwargs):
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
        return await super()._execute(_waiting_for_locks, self._connection, self.busy_timeout_ms, fn, *args, **kwargs)


class BufferedCursor:
    """A cursor whose rows come back with the statement, every one of them, in one call (one trip to
    the thread when it must wait): Clerk's queries read small results, and SQLAlchemy buffers them anyway."""

    arraysize = 1

    def __init__(self, connection: LoopConnection):
        self._connection = connection
        self.description = None
        self.rowcount = -1
        self.lastrowid = None
        self._rows: collections.deque = collections.deque()

    async def __aenter__(self) -> BufferedCursor:
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = ()) -> BufferedCursor:
        return await self._run(sql, parameters if parameters is not None else (), many=False)

    async def executemany(self, sql: str, parameters: Any) -> BufferedCursor:
        return await self._run(sql, parameters, many=True)

    async def _run(self, sql: str, parameters: Any, many: bool) -> BufferedCursor:
        self.description, self.rowcount, self.lastrowid, rows = await self._connection._execute(
            _execute_and_fetch, self._connection._conn, sql, parameters, many
        )
        self._rows = collections.deque(rows)
        return self

    async def fetchone(self):
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list:
        return [self._rows.popleft() for _ in range(min(size or self.arraysize, len(self._rows)))]

    async def fetchall(self) -> list:
        rows, self._rows = list(self._rows), collections.deque()
        return rows

    async def close(self) -> None:
        self._rows.clear()


def _execute_and_fetch(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> tuple:
    """The whole of a statement, wherever it runs."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _waiting_for_locks(connection: sqlite3.Connection, busy_timeout_ms: int, fn, *args, **kwargs):
    """Runs `fn` on the connection's thread, waiting up to the busy timeout for another writer."""
    connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
    try:
        return fn(*args, **kwargs)
    finally:
        connection.execute("PRAGMA busy_timeout = 0")


def loop_connector(url: URL):
    """An `async_creator` for create_async_engine: connects as the aiosqlite dialect would to the
    database a sqlite+aiosqlite URL names, with its options (uri, timeout, ...)."""
    args, options = SQLiteDialect_aiosqlite().create_connect_args(url)
    busy_timeout_ms = round(1000 * float(options.pop("timeout", BUSY_TIMEOUT_SECONDS)))
    options.update(timeout=0, check_same_thread=False)  # the loop's tries never wait; two threads use it

    async def connect() -> LoopConnection:
        connection = LoopConnection(lambda: sqlite3.connect(*args, **options), 64)
        connection.busy_timeout_ms = busy_timeout_ms
        connection._thread.daemon = True  # as SQLAlchemy does: a forgotten connection must not hold up exit
        return await connection

    return connect


class Checkpointer:
    """The write-ahead log's checkpoints, made on a worker thread over a connection of their own,
    for connections that make none themselves (`PRAGMA wal_autocheckpoint=0`; storage.db). A
    passive checkpoint waits for no one: a turn writing meanwhile goes on adding to the log, and the
    pages a reader still needs wait for the next one."""

    def __init__(self, url: URL):
        self._args, options = SQLiteDialect_aiosqlite().create_connect_args(url)
        self._options = {**options, "check_same_thread": False}
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    async def checkpoint(self) -> tuple[int, int]:
        """(pages in the log, pages of it now in the database)."""
        return await asyncio.to_thread(self._checkpoint)

    def _checkpoint(self) -> tuple[int, int]:
        with self._lock:
            if self._connection is None:
                self._connection = sqlite3.connect(*self._args, **self._options)
            _busy, log, checkpointed = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return log, checkpointed

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
