"""The turn's frequent statements as storage.statements sends them (asyncpg or sqlite3
directly): in the unit of work's transaction, with SQLAlchemy's values, defaults and errors, a
lost connection replaced, and ORM objects that belong to the session as if the ORM had loaded them."""

import asyncio
import gc
import weakref
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import (Column, Integer, MetaData, String, Table, bindparam, delete, event, insert, inspect, select,
                        text, update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from dialogs.context import Turn
from dialogs.timekeeping import overtime_notices
from dialogs.turns import run_turn
from storage.db import Database
from storage.models import AgendaItem, Committee as StoredCommittee, Meeting, UTCDateTime
from storage.repositories import meetings as meetings_repository
from storage.repositories.actions import ActionRepository
from storage.repositories.agenda import AgendaRepository
from storage.repositories.committees import CommitteeRepository
from storage.repositories.meetings import MeetingRepository
from storage.statements import get, load, run
from storage.unit_of_work import DatabaseUnavailable
from tests.test_rules import CHAIR, LONDON, Committee, a_meeting

_METADATA = MetaData()
_NOTES = Table("notes", _METADATA, Column("id", Integer, primary_key=True), Column("name", String, unique=True),
               Column("at", UTCDateTime), Column("count", Integer, default=7))
_ADD = insert(_NOTES).returning(_NOTES.c.id, _NOTES.c.at, _NOTES.c.count)
_RENAME = update(_NOTES).where(_NOTES.c.name == bindparam("old")).values(name=bindparam("new"))
_AT = datetime(2026, 11, 30, 21, 0, tzinfo=timezone(timedelta(hours=2)))


class _Base(DeclarativeBase):
    metadata = _METADATA


class _Topic(_Base):
    __tablename__ = "topics"
    id: Mapped[int] = mapped_column(primary_key=True)
    title_text: Mapped[str] = mapped_column("title")  # an attribute named apart from its column
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class _Stamped(_Base):
    """A row whose every UPDATE also sets a column: what the ORM's flush does, and a plain one not."""
    __tablename__ = "stamped"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    updates: Mapped[int] = mapped_column(default=0, onupdate=1)


_TOPICS = select(_Topic, (_Topic.id > bindparam("above")).label("later")).order_by(_Topic.id)


@pytest.fixture
async def db(database_url):
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(_METADATA.create_all)
    yield database
    await database.dispose()


async def _names(db: Database) -> list[str]:
    async with db.unit_of_work() as uow:
        return list((await uow.session.execute(select(_NOTES.c.name).order_by(_NOTES.c.id))).scalars())


async def test_the_first_statement_of_a_unit_of_work_is_in_its_transaction(db):
    """Red when the transaction is not begun first: PostgreSQL would keep the row by itself."""
    async with db.unit_of_work() as uow:
        await run(uow.session, _ADD, {"name": "not committed", "at": _AT})
    assert await _names(db) == []
    async with db.unit_of_work() as uow:
        await run(uow.session, _ADD, {"name": "kept", "at": _AT})
        await uow.session.execute(_RENAME, {"old": "kept", "new": "kept, then renamed"})  # the ORM's way, same transaction
        await uow.commit()
    assert await _names(db) == ["kept, then renamed"]


async def test_values_defaults_and_counts_are_sqlalchemys(db):
    async with db.unit_of_work() as uow:
        row = (await run(uow.session, _ADD, [{"name": "a", "at": _AT}])).one()
        renamed = await run(uow.session, _RENAME, {"old": "a", "new": "b"})
        missing = await run(uow.session, _RENAME, {"old": "nobody", "new": "c"})
        await uow.commit()
    assert row.at == _AT and row.at.tzinfo == timezone.utc  # stored as UTC, read back aware
    assert row.count == 7 and row[0] == row.id
    assert (renamed.rowcount, missing.rowcount) == (1, 0)


async def test_a_database_error_is_sqlalchemys_and_rolls_the_transaction_back(db):
    async with db.unit_of_work() as uow:
        await run(uow.session, _ADD, {"name": "first", "at": _AT})
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with db.unit_of_work() as uow:
            await run(uow.session, _ADD, {"name": "second", "at": _AT})
            await run(uow.session, _ADD, {"name": "first", "at": _AT})
    assert await _names(db) == ["first"]


async def test_a_lost_connection_answers_try_again_and_is_replaced(db):
    if db.is_sqlite:
        pytest.skip("SQLite has no server to lose")
    async with db.unit_of_work() as uow:
        await run(uow.session, _ADD, {"name": "before", "at": _AT})
        await uow.commit()
    await _terminate_connections(db)
    with pytest.raises(DatabaseUnavailable):
        async with db.unit_of_work() as uow:
            await run(uow.session, _ADD, {"name": "lost", "at": _AT})
    async with db.unit_of_work() as uow:
        await run(uow.session, _ADD, {"name": "after", "at": _AT})
        await uow.commit()
    assert await _names(db) == ["before", "after"]


async def test_one_statement_is_committed_by_itself_on_postgresql_and_by_commit_on_sqlite(db):
    """The delivered reply's DELETE: no Session, and on PostgreSQL no BEGIN nor COMMIT (red when
    the statement begins a transaction: the other connection would not see the row)."""
    async with db.unit_of_work(one_statement=True) as uow:
        await run(uow.session, _ADD, {"name": "settled", "at": _AT})
        async with db.engine.connect() as other:
            seen = (await other.execute(select(_NOTES.c.name))).scalars().all()
        await uow.commit()
    assert seen == ([] if db.is_sqlite else ["settled"])
    assert await _names(db) == ["settled"]
    with pytest.raises(IntegrityError):
        async with db.unit_of_work(one_statement=True) as uow:
            await run(uow.session, _ADD, {"name": "settled", "at": _AT})
    async with db.unit_of_work(one_statement=True) as uow:
        await run(uow.session, _RENAME, {"old": "settled", "new": "never committed"})
    assert await _names(db) == (["settled"] if db.is_sqlite else ["never committed"])
    assert db.engine.pool.checkedout() == 0  # every connection went back to the pool


async def test_a_unit_of_work_of_one_statement_refuses_the_orms_ways(db):
    async with db.unit_of_work(one_statement=True) as uow:
        with pytest.raises(TypeError, match="one statement"):
            uow.stage(_Topic(id=1, title_text="staged"))
        with pytest.raises(TypeError, match="one statement"):
            await uow.add(_Topic(id=1, title_text="added"))


async def test_a_lost_connection_in_a_unit_of_work_of_one_statement_answers_try_again(db):
    if db.is_sqlite:
        pytest.skip("SQLite has no server to lose")
    async with db.unit_of_work(one_statement=True) as uow:
        await run(uow.session, _ADD, {"name": "before", "at": _AT})
    await _terminate_connections(db)
    with pytest.raises(DatabaseUnavailable):
        async with db.unit_of_work(one_statement=True) as uow:
            await run(uow.session, _ADD, {"name": "lost", "at": _AT})
    async with db.unit_of_work(one_statement=True) as uow:
        await run(uow.session, _ADD, {"name": "after", "at": _AT})
    assert await _names(db) == ["before", "after"]
    assert db.engine.pool.checkedout() == 0


async def _terminate_connections(db: Database) -> None:
    """The server drops the pooled connections (pg_stat_activity is read afresh each statement
    only outside a transaction)."""
    administrator = Database(str(db.url.render_as_string(hide_password=False)))
    try:
        async with administrator.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as other:
            others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            await other.execute(text(f"SELECT pg_terminate_backend(pid) {others}"))
            while (await other.execute(text(f"SELECT count(*) {others}"))).scalar():
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.01)  # and the client reads that it is gone
    finally:
        await administrator.dispose()


async def test_a_default_it_cannot_compute_is_refused_not_left_out(db):
    table = Table("stamped", MetaData(), Column("id", Integer, primary_key=True),
                  Column("at", UTCDateTime, default=lambda: datetime.now(timezone.utc)))
    async with db.unit_of_work() as uow:
        with pytest.raises(ValueError, match="default"):
            await run(uow.session, insert(table), {"id": 1})


async def test_loaded_objects_are_the_sessions_as_if_the_orm_had_loaded_them(db):
    async with db.unit_of_work() as uow:
        uow.session.add(_Topic(id=1, title_text="first", at=_AT))
        await uow.commit()
    async with db.unit_of_work() as uow:
        held = await uow.session.get(_Topic, 1)
        uow.session.add(_Topic(id=2, title_text="pending"))  # flushed before the select, as the ORM does
        rows = await load(uow.session, _Topic, _TOPICS, {"above": 1})
        assert [(topic.id, topic.title_text, later) for topic, later in rows] == [(1, "first", False), (2, "pending", True)]
        assert rows[0][0] is held
        await uow.commit()
    async with db.unit_of_work() as uow:
        (first, _), (second, _) = await load(uow.session, _Topic, _TOPICS, {"above": 1})
        assert first.at == _AT and first.at.tzinfo == timezone.utc
        second.title_text = "changed"  # tracked: the object belongs to the session
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert (await uow.session.get(_Topic, 2)).title_text == "changed"


async def _add_first_topic(db: Database) -> None:
    async with db.unit_of_work() as uow:
        uow.session.add(_Topic(id=1, title_text="first"))
        await uow.commit()


async def test_get_is_the_sessions_get(db):
    """`get` answers as the Session's would, and a change to what it read is written at commit
    though no Session was asked for (red when the commit does not look for changed objects)."""
    async with db.unit_of_work() as uow:
        uow.session.add(_Topic(id=3, title_text="third"))
        await uow.commit()
    async with db.unit_of_work() as uow:
        topic = await get(uow.session, _Topic, 3)
        assert (topic.title_text, await get(uow.session, _Topic, 3), await get(uow.session, _Topic, 4)) == ("third", topic, None)
        topic.title_text = "changed"
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert (await uow.session.get(_Topic, 3)).title_text == "changed"


async def test_get_answers_what_the_session_holds_without_asking_it_and_refreshes_what_expired(db, monkeypatch):
    """The reminder sweep asks for each reminder's committee, action and meeting, hundreds a sweep,
    all held by its Session: each asking of the Session was a greenlet hop (a third of claiming 200
    reminders). `get` answers a held object itself (red when it asks the Session); an expired one
    is still the Session's to read again."""
    from sqlalchemy.ext.asyncio import AsyncSession
    async with db.unit_of_work() as uow:
        uow.session.add(_Topic(id=5, title_text="fifth"))
        await uow.commit()
    asked = []
    session_get = AsyncSession.get
    monkeypatch.setattr(AsyncSession, "get", lambda self, *args, **kwargs: asked.append(args) or session_get(
        self, *args, **kwargs))
    async with db.unit_of_work() as uow:
        topic = (await uow.session.execute(select(_Topic).where(_Topic.id == 5))).scalar_one()  # a Session holds it
        assert await get(uow.session, _Topic, 5) is topic and asked == []
        await uow.session.execute(update(_Topic).where(_Topic.id == 5).values(title_text="renamed"))
        uow.session.orm.expire(topic)
        assert (await get(uow.session, _Topic, 5)).title_text == "renamed" and asked == [(_Topic, 5)]


async def test_a_unit_of_work_of_statements_and_reads_makes_no_session(db):
    """What a turn like /action does: its statements, its reads of ORM objects, its commit, with no
    ORM Session made (red when the transaction makes one anyway)."""
    await _add_first_topic(db)
    async with db.unit_of_work() as uow:
        await run(uow.session, _ADD, {"name": "kept", "at": _AT})
        (topic, _), = await load(uow.session, _Topic, _TOPICS, {"above": 1})
        assert await get(uow.session, _Topic, 1) is topic and topic.title_text == "first"
        await uow.commit()
        assert uow.session.orm is None
    assert await _names(db) == ["kept"]
    assert db.engine.pool.checkedout() == 0


async def test_a_change_to_what_was_read_is_written_at_commit_with_no_session(db):
    """What /next and /outcome do: change objects they read, and commit. The changed columns are
    written (red when they are not) and no Session is made for them (red when commit leaves them to
    one); a changed object whose row has gone raises as the ORM's flush does."""
    await _add_first_topic(db)
    async with db.unit_of_work() as uow:
        topic = await get(uow.session, _Topic, 1)
        topic.title_text, topic.at = "changed", _AT
        await uow.commit()
        assert uow.session.orm is None
    async with db.unit_of_work() as uow:
        topic = await uow.session.get(_Topic, 1)
        assert (topic.title_text, topic.at) == ("changed", _AT)
    with pytest.raises(StaleDataError):
        async with db.unit_of_work() as uow:
            topic = await get(uow.session, _Topic, 1)
            await run(uow.session, delete(_Topic).where(_Topic.id == bindparam("topic")), {"topic": 1})
            topic.title_text = "gone"
            await uow.commit()


async def test_a_change_the_orms_flush_does_more_for_is_left_to_it(db):
    """Red when the change is written as a plain UPDATE: the column's update default is not set."""
    async with db.unit_of_work() as uow:
        uow.session.add(_Stamped(id=1, title="first"))
        await uow.commit()
    async with db.unit_of_work() as uow:
        stamped = await get(uow.session, _Stamped, 1)
        stamped.title = "changed"
        await uow.commit()
    async with db.unit_of_work() as uow:
        stamped = await uow.session.get(_Stamped, 1)
        assert (stamped.title, stamped.updates) == ("changed", 1)


async def test_a_change_is_flushed_before_the_next_read_as_the_orms_autoflush(db):
    """Red when `load` reads past a changed object without writing it first."""
    changed_first = select(_Topic).where(_Topic.title_text == bindparam("title"))
    await _add_first_topic(db)
    async with db.unit_of_work() as uow:
        topic = await get(uow.session, _Topic, 1)
        topic.title_text = "changed"
        assert [row for row, in await load(uow.session, _Topic, changed_first, {"title": "changed"})] == [topic]


async def test_the_session_made_later_shares_the_transaction_and_the_loaded_objects(db):
    """The ORM's ways after statements and reads: the same transaction (red without the bridge: its
    own connection would not see the uncommitted row) and the same objects (red when the Session
    does not take over what was loaded)."""
    await _add_first_topic(db)
    for commit in (False, True):
        async with db.unit_of_work() as uow:
            await run(uow.session, _ADD, {"name": f"committed {commit}", "at": _AT})
            topic = await get(uow.session, _Topic, 1)
            assert (await uow.session.execute(select(_NOTES.c.name))).scalars().all() == [f"committed {commit}"]
            assert await uow.session.get(_Topic, 1) is topic
            topic.title_text = f"changed {commit}"
            if commit:
                await uow.commit()
        assert db.engine.pool.checkedout() == 0
    assert await _names(db) == ["committed True"]
    async with db.unit_of_work() as uow:
        assert (await get(uow.session, _Topic, 1)).title_text == "changed True"


async def test_an_object_read_once_is_kept_for_the_unit_of_work_though_nothing_refers_to_it(db):
    """The Session's identity map refers to an unchanged object weakly; the transaction keeps what
    `load` read, before the Session is made and after, so `get` does not read it again (red when
    the transaction lets go of it: the object is collected and the next `get` reads a new one)."""
    await _add_first_topic(db)
    async with db.unit_of_work() as uow:
        uow.session.add(_Topic(id=2, title_text="second"))
        await uow.commit()
    async with db.unit_of_work() as uow:
        read_before = weakref.ref(await get(uow.session, _Topic, 1))
        await uow.session.execute(select(_NOTES.c.name))  # the ORM's ways: the Session is made
        read_after = weakref.ref(await get(uow.session, _Topic, 2))
        gc.collect()
        assert read_before() is not None and read_after() is not None
        assert await get(uow.session, _Topic, 1) is read_before()
        assert await get(uow.session, _Topic, 2) is read_after()


async def test_units_of_work_one_after_another_keep_to_the_connection_last_given_back(db):
    """Red with a first-in, first-out pool: turns one after another would go round every pooled
    connection, on PostgreSQL a server process each, none of them warm."""
    if db.is_sqlite:
        pytest.skip("SQLite's units of work take turns on its write lock, not on server processes")

    async def connection_of(uow):
        return (await uow.session.raw()).dbapi_connection

    async with db.unit_of_work() as outer:
        last_given_back = await connection_of(outer)
        async with db.unit_of_work() as inner:
            assert await connection_of(inner) is not last_given_back  # the pool holds two from here on
    for _ in range(3):
        async with db.unit_of_work() as uow:
            assert await connection_of(uow) is last_given_back


@pytest.fixture
async def committee_db(database_url):
    database = Database(database_url)
    await database.migrate()
    yield database
    await database.dispose()


async def test_the_turns_claim_tells_that_no_meeting_is_open_and_the_next_asking_takes_it(committee_db, monkeypatch):
    """One statement fewer a turn outside a meeting (a round trip on PostgreSQL): the claim also
    reads whether the committee has a meeting open, and when none is, the use case's asking takes
    that (red when the claim does not tell the unit of work's meetings). It answers the next asking only; a meeting
    open is read as before; /start's fresh asking, after its lock, reads again."""
    chat = Committee(committee_db)
    await a_meeting(chat)
    reads = []
    read = meetings_repository.load

    async def counted(session, model, statement, parameters):
        reads.append(model)
        return await read(session, model, statement, parameters)

    monkeypatch.setattr(meetings_repository, "load", counted)

    async def turn_asking(use_case, activity_id):
        handled = await run_turn(committee_db.unit_of_work, chat.conversation, lambda: None, activity_id, chat.now,
                                 lambda committee_id: Turn(chat.conversation, committee_id, CHAIR, chat.now, LONDON,
                                                           None, activity_id=activity_id),
                                 use_case, committee_id=1)
        return handled.reply if handled else None

    async def open_meeting(uow, turn):
        return await uow.meetings.open_meeting(turn.committee_id)

    assert isinstance(await turn_asking(open_meeting, "claim-1"), Meeting) and reads == [Meeting]
    assert await turn_asking(open_meeting, "claim-1") is None  # handled before
    await chat.say("/end")
    reads.clear()

    async def asking_three_ways(uow, turn):
        return [await uow.meetings.open_meeting(1), await uow.meetings.open_meeting(1),
                await uow.meetings.open_meeting(1, fresh=True)]

    assert await turn_asking(asking_three_ways, "claim-2") == [None, None, None]
    assert reads == [Meeting, Meeting]


async def test_a_new_row_is_built_without_change_tracking_and_written_whole(committee_db):
    """storage.models.Base's constructor puts a plain column's value straight into the new row's
    dict (red when each goes through its attribute's change tracking, as SQLAlchemy's own
    constructor does); the flush still writes every value, a change made after is tracked, and a
    keyword that is no attribute is refused."""
    committee = StoredCommittee(name="Data ethics", quorum=5, timezone="Europe/London", created_at=_AT)
    assert not inspect(committee).committed_state, "built through change tracking"
    committee.quorum = 6
    assert "quorum" in inspect(committee).committed_state
    with pytest.raises(TypeError, match="colour"):
        StoredCommittee(name="Data ethics", colour="red")
    async with committee_db.unit_of_work() as uow:
        await uow.add(committee)
        await uow.commit()
    async with committee_db.unit_of_work() as uow:
        stored = await uow.committees.get_committee(committee.id)
        assert (stored.name, stored.quorum, stored.timezone) == ("Data ethics", 6, "Europe/London")


async def test_an_agenda_pasted_whole_is_written_in_one_flush(committee_db):
    """/agenda set wrote its items one flush each; on PostgreSQL one INSERT each, six of the bench's
    agenda's 22 round trips. They are written in one flush now, which on PostgreSQL is one INSERT
    (red when each item is added on its own)."""
    chat = Committee(committee_db)
    await chat.say("/members add Marion Oswald, Chair")
    await chat.say("/start")
    flushes, inserts = [], []

    def flushed(session, _context):
        written = sum(isinstance(row, AgendaItem) for row in session.new)
        if written:
            flushes.append(written)

    def sent(_connection, _cursor, statement, *_):
        if statement.lstrip().upper().startswith("INSERT INTO AGENDA_ITEMS"):
            inserts.append(statement)

    event.listen(Session, "after_flush", flushed)
    event.listen(committee_db.engine.sync_engine, "before_cursor_execute", sent)
    try:
        said = await chat.say("/agenda set\n10:00 Welcome - Marion Oswald\n10:05 Update on actions\n11:20 Break\n"
                              "11:30 Casey review\n13:00 Close")
    finally:
        event.remove(Session, "after_flush", flushed)
        event.remove(committee_db.engine.sync_engine, "before_cursor_execute", sent)
    assert said == "Agenda set: 3 items." and flushes == [4]
    assert len(inserts) == (1 if committee_db.engine.dialect.name == "postgresql" else 4)
    async with committee_db.unit_of_work() as uow:
        items = await uow.agenda.items(1)
    assert [(item.title, item.presenter, item.planned_start_minute) for item in items] == [
        ("Welcome", "Marion Oswald", 600), ("Update on actions", None, 605), ("Break", None, 680),
        ("Casey review", None, 690)]


def _counting(monkeypatch, repository: type, names: tuple[str, ...], calls: Counter) -> None:
    """Counts each call of the repository's methods `names`."""
    for name in names:
        method = getattr(repository, name)

        async def counted(self, *args, _method=method, _name=name, **kwargs):
            calls[_name] += 1
            return await _method(self, *args, **kwargs)

        monkeypatch.setattr(repository, name, counted)


def _statements_to(engine, table: str) -> tuple[list[str], list[int], callable]:
    """The INSERTs and UPDATEs of `table` SQLAlchemy sends while listening, each with how many
    parameter sets the driver is given for it; returns them and a function that stops listening."""
    sent, sets = [], []

    def heard(_connection, _cursor, statement, parameters, _context, _executemany):
        words = statement.split()
        if words[:3] == ["INSERT", "INTO", table] or words[:2] == ["UPDATE", table]:
            sent.append(words[0])
            sets.append(len(parameters) if isinstance(parameters, list) else 1)

    event.listen(engine.sync_engine, "before_cursor_execute", heard)
    return sent, sets, lambda: event.remove(engine.sync_engine, "before_cursor_execute", heard)


async def test_people_named_together_are_read_once_and_written_together(committee_db, monkeypatch):
    """/present named four people and read the members and the attendance four times, wrote each
    new row as absent and then updated it, and wrote each change on its own: 21 statements. The
    members and the attendance are read once a command now; new rows are written as recorded, in
    one flush (on PostgreSQL one INSERT), and the changes in one statement. Red when a person is
    looked up or written on their own. /undo still puts each person back as they were."""
    chat = Committee(committee_db)
    await chat.say("/members add Marion Oswald, Chair; Tom Sorrell, Member; Kerry Reid, Member")
    await chat.say("/start")
    await chat.say("/apologies Kerry Reid (travelling)")
    reads = Counter()
    _counting(monkeypatch, CommitteeRepository, ("members_and_aliases",), reads)
    _counting(monkeypatch, MeetingRepository, ("attendance", "attendance_by_key"), reads)
    attendance, _, stop = _statements_to(committee_db.engine, "attendance")
    changes, changed, stop_changes = _statements_to(committee_db.engine, "changes")
    try:
        said = await chat.say("/present Marion Oswald; Tom; Sam Todd, Data Lab; Kerry Reid")
    finally:
        stop(), stop_changes()
    assert said == "Present: Marion Oswald, Tom Sorrell, Sam Todd, Data Lab, Kerry Reid."
    assert reads == {"members_and_aliases": 1, "attendance": 1}
    on_postgresql = committee_db.engine.dialect.name == "postgresql"
    assert sorted(attendance) == (["INSERT"] if on_postgresql else ["INSERT"] * 3) + ["UPDATE"]  # Kerry's row was there
    assert changes == ["INSERT"] and changed == [4]

    async def recorded() -> dict[str, str]:
        async with committee_db.unit_of_work() as uow:
            return {row.name: (row.status, row.role) for row in await uow.meetings.attendance(1)}

    assert await recorded() == {"Kerry Reid": ("present", "Member"), "Marion Oswald": ("present", "Chair"),
                                "Tom Sorrell": ("present", "Member"), "Sam Todd": ("present", "Data Lab")}
    await chat.say("/undo")
    assert (await recorded())["Kerry Reid"] == ("apologies", "Member")
    await chat.say("/undo")
    assert (await recorded())["Sam Todd"] == ("absent", None)


async def test_members_added_together_are_read_once_and_written_in_one_flush(committee_db, monkeypatch):
    """/members add read the members again for each name and wrote each on its own (two round trips
    a name on PostgreSQL); red when it does again."""
    chat = Committee(committee_db)
    await chat.say("/members add Marion Oswald, Chair")
    reads = Counter()
    _counting(monkeypatch, CommitteeRepository, ("members", "member_by_key"), reads)
    written, _, stop = _statements_to(committee_db.engine, "members")
    try:
        said = await chat.say("/members add Tom Sorrell, Member; Marion Oswald, Vice Chair; Kerry Reid; Tom Sorrell")
    finally:
        stop()
    assert said == ("Added 2 members: Tom Sorrell, Kerry Reid. "
                    "Already members (role updated where given): Marion Oswald, Tom Sorrell.")
    assert reads == {"members": 1}
    on_postgresql = committee_db.engine.dialect.name == "postgresql"
    assert sorted(written) == (["INSERT"] if on_postgresql else ["INSERT"] * 2) + ["UPDATE"]  # Marion's role
    async with committee_db.unit_of_work() as uow:
        members = await uow.committees.members(1)
    assert [(m.name, m.role) for m in members] == [("Marion Oswald", "Vice Chair"), ("Tom Sorrell", "Member"),
                                                   ("Kerry Reid", None)]


async def test_a_committees_first_meeting_reads_nothing_to_carry_forward(committee_db, monkeypatch):
    """A first /start read the committee's actions and presenters due back, which it cannot have
    before its first meeting (an action is numbered by the committee; a presenter is due back from a
    meeting); it reads neither now (red when it does). The next meeting carries forward as before."""
    chat = Committee(committee_db)
    await chat.say("/members add Marion Oswald, Chair")
    reads = Counter()
    _counting(monkeypatch, ActionRepository, ("actions", "pending_due_backs"), reads)
    assert (await chat.say("/start")).startswith("Meeting opened")
    assert reads == {}
    await chat.say("/action Circulate the paper owner: Marion Oswald")
    await chat.say("/end")
    reads.clear()
    said = await chat.say("/start")
    assert reads == {"actions": 1, "pending_due_backs": 1} and "Update on actions" in said


async def test_the_timekeeping_sweep_reads_every_open_agenda_in_one_statement(committee_db, monkeypatch):
    """The sweep read each open meeting's agenda on its own: fifty meetings under way, fifty reads
    every 30 s, the paced benchmark's cluster of late turns. One statement reads them all now (red
    when each is read apart); each item that reached its time still gets its notice, once."""
    chats = [Committee(committee_db, conversation=f"19:sweep-{n}@thread.v2") for n in range(3)]
    for chat, length in zip(chats, (5, 60, 5)):
        await chat.say("/start")
        await chat.say(f"/agenda set\n10:00 Welcome ({length} min)\n11:05 Close")
        await chat.say("/next")
    reads = Counter()
    _counting(monkeypatch, AgendaRepository, ("items", "items_of_meetings"), reads)
    later = chats[0].now + timedelta(minutes=6)
    async with committee_db.unit_of_work() as uow:
        notices = await overtime_notices(uow, later, LONDON)
        await uow.commit()
    assert reads == {"items_of_meetings": 1}
    assert [notice.conversation_id for notice in notices] == ["19:sweep-0@thread.v2", "19:sweep-2@thread.v2"]
    assert all("Item 1 (Welcome) has reached its 5 min" in notice.text for notice in notices)
    async with committee_db.unit_of_work() as uow:
        assert await overtime_notices(uow, later, LONDON) == []


async def test_the_sweeps_reminders_are_one_statement_compiled_once_however_many(committee_db):
    """The reminders a sweep records went as one INSERT holding every row's values, compiled anew for
    every sweep: 100 ms and more for 200 reminders. The statement is compiled once now, for one row
    and for several, and reused whatever the count (red when it is not); a key recorded is skipped."""
    from sqlalchemy.engine.interfaces import CacheStats

    from storage.vocabulary import ReminderKind, ReminderStatus
    now = datetime(2026, 5, 26, 9, 30, tzinfo=timezone.utc)
    async with committee_db.unit_of_work() as uow:
        committee = StoredCommittee(name="C", created_at=now, timekeeping=True, last_action_number=0)
        await uow.add(committee)
        await uow.commit()

    def digests(keys) -> list[dict]:
        return [dict(key=f"digest:{key}", committee_id=committee.id, kind=ReminderKind.DIGEST, label="meeting today",
                     due_at=now, status=ReminderStatus.PENDING, next_attempt_at=now, created_at=now) for key in keys]

    inserts = []

    def note(_connection, _cursor, statement, _parameters, context, _many):
        if statement.startswith("INSERT INTO reminders"):
            inserts.append(context.cache_hit)

    event.listen(committee_db.engine.sync_engine, "before_cursor_execute", note)
    new = []
    for keys in (range(3), range(2, 7), range(7, 8), range(8, 10), range(10, 11)):
        async with committee_db.unit_of_work() as uow:
            new.append(await uow.reminders.add_reminders_once(digests(keys)))
            await uow.commit()
    assert new == [3, 4, 1, 2, 1]
    hit, compiled = CacheStats.CACHE_HIT, CacheStats.CACHE_MISS
    assert inserts == [compiled, hit, compiled, hit, hit]


async def test_an_action_takes_its_number_in_the_statement_that_writes_it_on_postgresql(committee_db, monkeypatch):
    """/action took the committee's next number in a statement of its own, a round trip before the
    one that writes the action, its owner and its change-log line on PostgreSQL; it is taken in
    that statement now (red when apart). Numbers still run on, and an action due at the next
    meeting still gives its date."""
    from storage.repositories import actions as actions_repository
    chat = Committee(committee_db)
    await chat.say("/members add Sam Todd, Member")
    await chat.say("/nextmeeting 2026-06-10")
    sent = []
    send = actions_repository.run

    async def noted(session, statement, parameters):
        sent.append(statement)
        return await send(session, statement, parameters)

    monkeypatch.setattr(actions_repository, "run", noted)
    first = await chat.say("/action Return the paper owner: Sam Todd due: 2026-06-01")
    second = await chat.say("/action Book the room owner: Sam due: next meeting")
    assert first.startswith("Action 1 recorded: Return the paper — Sam Todd, due Mon 1 June 2026.")
    assert second.startswith("Action 2 recorded: Book the room — Sam Todd, due next meeting (Wed 10 June 2026).")
    numbered_apart = sent.count(actions_repository._NEXT_ACTION_NUMBER)
    assert numbered_apart == (0 if committee_db.engine.dialect.name == "postgresql" else 2)
