"""The SQLite connections behind the unit of work: one trip to aiosqlite's thread per statement,
and otherwise the behaviour of any DBAPI connection (rows, errors, rollback, URL options)."""

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.db import Database


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


async def test_each_statement_is_one_trip_to_the_sqlite_thread(sqlite_db, thread_trips):
    async with sqlite_db.unit_of_work() as uow:
        await uow.session.execute(text("INSERT INTO t (name) VALUES ('a'), ('b')"))
        rows = (await uow.session.execute(text("SELECT name FROM t ORDER BY id"))).all()
        await uow.commit()
    assert [row.name for row in rows] == ["a", "b"]
    assert thread_trips == ["_execute_and_fetch", "_execute_and_fetch", "commit"]


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
