"""The SQLite connections behind the unit of work: statements run on the event loop's thread, and
on aiosqlite's only to wait for another writer's lock; otherwise the behaviour of any DBAPI
connection (rows, errors, rollback, URL options)."""

import asyncio
import sqlite3
import time

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.db import Database
from storage.statements import run
from storage.unit_of_work import DatabaseUnavailable


@pytest.fixture
async def sqlite_db(tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/clerk.db")
    async with db.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)"))
    yield db
    await db.dispose()


@pytest.fixture
def thread_trips(monkeypatch):
    """Counts the calls aiosqlite sends to its connection's thread."""
    trips = []
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return trips


_T = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("name", String))


async def _insert_through_sqlalchemy(session, name: str) -> None:
    await session.execute(text("INSERT INTO t (name) VALUES (:name)"), {"name": name})


async def _insert_directly(session, name: str) -> None:
    await run(session, insert(_T), {"name": name})


# Both ways a statement reaches SQLite: SQLAlchemy's cursor, and storage.statements' direct one.
_WAYS = pytest.mark.parametrize("insert_row", [_insert_through_sqlalchemy, _insert_directly])


@_WAYS
async def test_statements_run_without_a_trip_to_the_sqlite_thread(sqlite_db, thread_trips, insert_row):
    async with sqlite_db.unit_of_work() as uow:
        await insert_row(uow.session, "a")
        await insert_row(uow.session, "b")
        rows = (await uow.session.execute(text("SELECT name FROM t ORDER BY id"))).all()
        await uow.commit()
    assert [row.name for row in rows] == ["a", "b"]
    assert thread_trips == []


@_WAYS
async def test_a_statement_that_must_wait_for_another_writer_waits_off_the_loop(sqlite_db, tmp_path, thread_trips,
                                                                               insert_row):
    """Waiting for the lock on the loop would stop every other turn until the writer is done."""
    holder = sqlite3.connect(tmp_path / "clerk.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock

    async def write() -> None:
        async with sqlite_db.unit_of_work() as uow:
            await insert_row(uow.session, "waited")
            await uow.commit()

    try:
        writing = asyncio.create_task(write())
        started = time.monotonic()
        for _ in range(20):  # the loop goes on while the statement waits
            await asyncio.sleep(0.01)
        assert time.monotonic() - started < 1
        assert not writing.done()
        holder.execute("INSERT INTO t (name) VALUES ('first')")
        holder.execute("COMMIT")
        await asyncio.wait_for(writing, 5)
    finally:
        holder.close()
    assert thread_trips == ["_waiting_for_locks"]
    async with sqlite_db.unit_of_work() as uow:
        assert (await uow.session.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all() == ["first", "waited"]


async def test_a_writer_that_holds_the_lock_past_the_busy_timeout_fails_the_statement(tmp_path):
    """As before statements ran on the loop: the URL's timeout is the wait, then "try again"."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/clerk.db?timeout=0.2")
    async with db.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
    holder = sqlite3.connect(tmp_path / "clerk.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseUnavailable, match="locked"):
            async with db.unit_of_work() as uow:
                await uow.session.execute(text("INSERT INTO t (name) VALUES ('x')"))
    finally:
        holder.close()
        await db.dispose()


async def test_rows_come_back_whole_however_they_are_fetched(sqlite_db):
    names = [{"name": f"n{i}"} for i in range(500)]
    async with sqlite_db.unit_of_work() as uow:
        await uow.session.execute(text("INSERT INTO t (name) VALUES (:name)"), names)  # executemany
        result = await uow.session.execute(text("SELECT name FROM t ORDER BY id"))
        assert [row.name for row in result.fetchmany(3)] == ["n0", "n1", "n2"]
        assert result.fetchone().name == "n3"
        assert len(result.all()) == 496
        await uow.commit()
    async with sqlite_db.engine.connect() as connection:
        streamed = await connection.stream(text("SELECT name FROM t ORDER BY id"))  # a server-side cursor
        assert [row.name async for row in streamed] == [n["name"] for n in names]
        inserted = await connection.execute(text("INSERT INTO t (name) VALUES ('last')"))
        assert inserted.lastrowid == 501
        assert inserted.rowcount == 1


async def test_an_error_rolls_back_and_loses_nothing_committed(sqlite_db):
    async with sqlite_db.unit_of_work() as uow:
        await uow.session.execute(text("INSERT INTO t (name) VALUES ('kept')"))
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with sqlite_db.unit_of_work() as uow:
            await uow.session.execute(text("INSERT INTO t (name) VALUES ('lost')"))
            await uow.session.execute(text("INSERT INTO t (name) VALUES ('kept')"))
    async with sqlite_db.unit_of_work() as uow:
        rows = (await uow.session.execute(text("SELECT name FROM t"))).scalars().all()
    assert rows == ["kept"]


async def test_options_in_the_database_url_reach_sqlite(sqlite_db, tmp_path):
    read_only = Database(f"sqlite+aiosqlite:///file:{tmp_path}/clerk.db?mode=ro&uri=true")
    try:
        async with read_only.unit_of_work() as uow:
            assert (await uow.session.execute(text("SELECT count(*) FROM t"))).scalar() == 0
            with pytest.raises(OperationalError, match="readonly"):
                await uow.session.execute(text("INSERT INTO t (name) VALUES ('x')"))
    finally:
        await read_only.dispose()


# Checkpoints -----------------------------------------------------------------------------------


async def _fill_the_log(db: Database, commits: int) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS filler (x TEXT)"))
    for _ in range(commits):  # about 40 pages a commit
        async with db.engine.begin() as connection:
            await connection.execute(text("INSERT INTO filler VALUES (:x)"), [{"x": "y" * 3000}] * 50)


@pytest.mark.parametrize("background", [True, False])
async def test_background_checkpoints_leave_no_commit_to_make_one(tmp_path, monkeypatch, background):
    """A commit that took SQLite's log past a thousand pages made the checkpoint itself, on the
    event loop: 5 to 20 ms every forty turns or so. With background checkpoints (as the bot runs)
    no commit makes one, and `checkpoint` makes it on a worker thread; the log is then written
    from its start again. Without, SQLite's commits still make them."""
    import threading

    from storage.sqlite import Checkpointer
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/clerk.db", background_checkpoints=background)
    checkpointer = db.checkpointer or Checkpointer(db.url)
    threads = []
    made = Checkpointer._checkpoint

    def on_its_thread(self):
        threads.append(threading.get_ident())
        return made(self)

    monkeypatch.setattr(Checkpointer, "_checkpoint", on_its_thread)
    await _fill_the_log(db, 40)
    log, checkpointed = await checkpointer.checkpoint()
    assert checkpointed == log
    if not background:
        assert log < 1100, log  # SQLite checkpointed at a thousand pages and began the log again
    else:
        assert log > 1500, log
        assert threads and threading.get_ident() not in threads
        await db.checkpoint()
        await _fill_the_log(db, 1)
        assert (await checkpointer.checkpoint())[0] < 100  # the log is written from its start again
    checkpointer.close()
    await db.dispose()
