"""aiosqlite connections that cost one trip to the connection's thread per statement.

aiosqlite runs every sqlite3 call on a thread of its own, and SQLAlchemy's adapter makes four
calls per statement: create a cursor, execute, fetch the rows, close the cursor. Each is a
thread hop of about 60 to 80 microseconds here, which made them most of the cost of a turn on
SQLite. `OneHopConnection` is an aiosqlite connection whose cursors do all four in one hop and
answer the rest from what that hop brought back. It is handed to SQLAlchemy through
`create_async_engine(async_creator=...)`, so the dialect, pool and transactions stay SQLAlchemy's.
It queues work on aiosqlite's thread with `Connection._execute`, as SQLAlchemy's own adapter uses
aiosqlite's `_tx`: aiosqlite is pinned, and tests/test_storage.py checks the one hop.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL

BUSY_TIMEOUT_SECONDS = 5  # below a turn's budget (dialogs.turns.TURN_SECONDS)


class OneHopConnection(aiosqlite.Connection):
    def cursor(self) -> BufferedCursor:  # aiosqlite's creates the sqlite3 cursor on its thread: a hop
        return BufferedCursor(self)


class BufferedCursor:
    """A cursor whose rows come back with the statement, every one of them: Clerk's queries read
    small results, and SQLAlchemy buffers them anyway."""

    arraysize = 1

    def __init__(self, connection: OneHopConnection):
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
    """Runs on the connection's thread."""
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


def one_hop_connector(url: URL):
    """An `async_creator` for create_async_engine: connects as the aiosqlite dialect would to the
    database a sqlite+aiosqlite URL names, with its options (uri, timeout, ...)."""
    args, options = SQLiteDialect_aiosqlite().create_connect_args(url)
    options.setdefault("timeout", BUSY_TIMEOUT_SECONDS)

    async def connect() -> OneHopConnection:
        connection = OneHopConnection(lambda: sqlite3.connect(*args, **options), 64)
        connection._thread.daemon = True  # as SQLAlchemy does: a forgotten connection must not hold up exit
        return await connection

    return connect
