"""The statements a turn runs most, sent the cheapest way the database's driver allows.

SQLAlchemy's way of sending a statement (its execution context, the greenlet that bridges its
synchronous core, the adapter's cursor) costs about 90 us on PostgreSQL on top of the ~100 us
asyncpg takes to send it and read the answer, and about 30 us on SQLite against the 2 to 4 us
sqlite3 takes for one of Clerk's small indexed statements: on every statement of every turn.
`run` compiles a statement once for each set of parameter names and sends it with the driver
itself (asyncpg, or sqlite3 on the event loop as storage/sqlite.py runs it), on the session's own
connection and in its transaction, with SQLAlchemy's bind and result processing and its
exceptions; `load` and `get` do the same for the frequent reads of ORM objects (the open meeting,
its agenda and attendance, the members, the committee), which join the session as if the ORM had
loaded them. A unit of work's transaction is a `Transaction` (storage.connections), which makes an
ORM Session only when something asks for one: until then `load` keeps what it reads itself.
"""

from __future__ import annotations

import functools
import re
from collections import namedtuple
from typing import Any, Protocol, Sequence

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.exc import NoResultFound, MultipleResultsFound
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ColumnProperty, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from storage.connections import PooledConnection, Transaction, on_postgresql, raise_as_sqlalchemy


class Rows(Protocol):
    """What a caller reads from `run`: SQLAlchemy's Result offers the same."""

    rowcount: int

    def first(self) -> Any: ...
    def one(self) -> Any: ...
    def scalar_one(self) -> Any: ...
    def all(self) -> Sequence[Any]: ...


async def run(session: AsyncSession | PooledConnection, statement, parameters: dict | list[dict]) -> Rows:
    """Runs a Core statement in the session's transaction. A list of several parameter sets (one
    statement for many rows) goes SQLAlchemy's way, which builds one multi-row statement (in a
    session only)."""
    if isinstance(session, Transaction) and session.orm is not None:
        session = session.orm  # the transaction's Session is in charge of it now
    if isinstance(parameters, list) and len(parameters) != 1:
        return await (await session.connection()).execute(statement, parameters)
    if isinstance(parameters, list):
        parameters = parameters[0]
    connection, raw = await _connection(session)
    compiled = _compiled(statement, connection.dialect, parameters)
    adapted = raw.dbapi_connection
    arguments = compiled.arguments(parameters)
    try:
        if not on_postgresql(session):
            # sqlite3 begins the transaction itself before the first write, as under SQLAlchemy.
            rowcount, records = await raw.driver_connection.fetch(compiled.sql, arguments)
            return _Rows([compiled.row(record) for record in records] if compiled.returns_rows else [], rowcount)
        if adapted._transaction is None and (connection is not session or session.transactional):
            # The adapter sends BEGIN with its first statement; this one is the first. (On a
            # PooledConnection nothing begins: the statement commits by itself.)
            await adapted._start_transaction()
        if compiled.returns_rows:
            records = await raw.driver_connection.fetch(compiled.sql, *arguments)
            return _Rows([compiled.row(record) for record in records], len(records))
        status = await raw.driver_connection.execute(compiled.sql, *arguments)
    except Exception as error:
        if connection is not session:
            session.info.pop(_HELD, None)
        await raise_as_sqlalchemy(connection, adapted, compiled.sql, arguments, error)
    counted = _COUNT.match(status or "")
    return _Rows([], int(counted.group(1)) if counted else -1)


_HELD = "storage.statements: connection"


async def _connection(session: AsyncSession | PooledConnection):
    """The session's connection in its transaction, and the pooled DBAPI connection under it.
    SQLAlchemy is asked once a transaction: each asking is a greenlet switch and a proxy lookup,
    which cost about a tenth of a turn when every statement asked. A PooledConnection is both."""
    if isinstance(session, PooledConnection):
        return session, await session.raw()
    transaction = session.sync_session.get_transaction()
    held = session.info.get(_HELD)
    if held is not None and held[0] is transaction and transaction.is_active and not held[1].invalidated:
        return held[1], held[2]
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    session.info[_HELD] = (session.sync_session.get_transaction(), connection, raw)
    return connection, raw


_COUNT = re.compile(r"(?:UPDATE|DELETE|INSERT \d+) (\d+)")


async def load(session: AsyncSession | Transaction, model: type, statement, parameters: dict) -> list[tuple]:
    """The rows of `statement`, a select of `model` (its columns, then any other values), with the
    model's object in place of its columns, as the ORM gives them: pending changes are flushed
    first, a row the session holds already comes back as that object, and a new one joins the
    session as if the ORM had loaded it (in a Transaction with no Session yet, its `loaded`, which
    the Session takes over when one is made). Sent the way `run` sends it."""
    transaction = session if isinstance(session, Transaction) else None
    if transaction is not None:
        session = transaction.answering()
    if session is not transaction and (session.new or session.dirty or session.deleted):
        await session.flush()  # the ORM's autoflush, without its greenlet hop
    identity_map = session.identity_map
    hold = transaction.hold if transaction is not None else lambda _identity, held: session.add(held)
    mapper = _mapper(model)
    keys = _attribute_keys(mapper, statement)
    rows = (await run(session, statement, parameters)).all()
    loaded = []
    for row in rows:
        values = dict(zip(keys, row))
        identity = mapper.identity_key_from_primary_key(
            [values[mapper.get_property_by_column(column).key] for column in mapper.primary_key])
        held = identity_map.get(identity)
        if held is not None and inspect(held).expired_attributes:
            return list((await session.execute(statement, parameters)).all())  # the ORM refreshes it
        if held is None:
            held = mapper.class_manager.new_instance()
            inspect(held).dict.update(values)
            make_transient_to_detached(held)
            hold(identity, held)
        loaded.append((held, *row[len(keys):]))
    return loaded


async def get(session: AsyncSession | Transaction, model: type, primary_key) -> Any:
    """`session.get(model, primary_key)`, the row read the direct way when the session does not
    hold it yet."""
    identity = _mapper(model).identity_key_from_primary_key([primary_key])
    if isinstance(session, Transaction) and session.orm is None and identity in session.loaded:
        return session.loaded[identity]  # as a Session's get finds it, changed or not: no flush, no read
    answering = session.answering() if isinstance(session, Transaction) else session
    held = None if isinstance(answering, Transaction) else answering.identity_map.get(identity)
    if held is not None:
        state = inspect(held)
        if not state.expired and not state.expired_attributes:
            return held  # what the Session's get answers, without its greenlet hop (a sweep asks hundreds)
        return await answering.get(model, primary_key)  # a Session's get refreshes it
    rows = await load(session, model, _by_primary_key(model), {"primary_key": primary_key})
    return rows[0][0] if rows else None


async def write_changes(transaction: Transaction) -> None:
    """Writes the changes made to objects `load` read while no Session was made, as the Session's
    flush would at commit: for each object, one UPDATE of its changed columns by its primary key.
    Each change then counts as written, so commit makes no Session for it. A change the ORM's flush
    does more for (a relationship, a version counter, a column's update default) is left to it."""
    if transaction.orm is not None:
        return
    for held in transaction.loaded.values():
        state = inspect(held)
        if not state.committed_state:
            continue
        keys = tuple(state.committed_state)
        mapper = state.mapper
        statement = _update_of(mapper, keys)
        if statement is None:
            continue  # the Session made at commit writes it
        values = {f"set_{key}": state.dict[key] for key in keys}
        values.update({f"key_{column.key}": state.dict[mapper.get_property_by_column(column).key]
                       for column in mapper.primary_key})
        if (await run(transaction, statement, values)).rowcount != 1:
            raise StaleDataError(f"UPDATE of {mapper.local_table.name} found no row {state.identity}")
        for key in keys:
            set_committed_value(held, key, state.dict[key])


@functools.cache
def _update_of(mapper, keys: tuple):
    """UPDATE of these attributes' columns by primary key; None when the flush would do more."""
    table = mapper.local_table
    properties = [mapper.attrs[key] for key in keys]
    if (mapper.version_id_col is not None or any(column.onupdate or column.server_onupdate for column in table.c)
            or not all(isinstance(prop, ColumnProperty) and len(prop.columns) == 1 for prop in properties)):
        return None
    columns = {prop.key: prop.columns[0] for prop in properties}
    return (update(table)
            .where(*(column == bindparam(f"key_{column.key}", type_=column.type) for column in mapper.primary_key))
            .values({column: bindparam(f"set_{key}", type_=column.type) for key, column in columns.items()}))


@functools.cache
def _mapper(model: type):
    return inspect(model)


@functools.cache
def _by_primary_key(model: type):
    (column,) = inspect(model).primary_key
    return select(model).where(column == bindparam("primary_key"))


_KEYS: dict = {}


def _attribute_keys(mapper, statement) -> list[str]:
    """The model's attribute for each of the statement's first columns, those of the model's table."""
    keys = _KEYS.get(statement)
    if keys is None:
        keys = []
        for column in statement.exported_columns:
            if getattr(column, "table", None) is not mapper.local_table:
                break
            keys.append(mapper.get_property_by_column(column).key)
        _KEYS[statement] = keys
    return keys


class _Compiled:
    """One statement compiled for one database's driver (asyncpg's $1, $2, ...; sqlite3's ?) with
    one set of parameter names."""

    def __init__(self, statement, dialect, names: list[str]):
        compiled = statement.compile(dialect=dialect, column_keys=names)
        # Columns left out whose default SQLAlchemy computes in Python: a constant is passed here;
        # anything else (a function, or two tables' columns of one name) is refused, never lost.
        prefetch = [*compiled.insert_prefetch, *compiled.update_prefetch]
        unsupported = [column for column in prefetch if not (column.default is not None and column.default.is_scalar)]
        if unsupported or len({column.key for column in prefetch}) < len(prefetch):
            raise ValueError(f"run() cannot compute the defaults of {unsupported or prefetch}; pass values")
        constants = {column.key: column.default.arg for column in prefetch}
        self.sql = compiled.string
        # Where each position's value comes from, worked out once with SQLAlchemy's own rules: a
        # parameter of the caller's, or a value the statement holds (a literal, a constant default),
        # processed for the driver here once.
        held = compiled.construct_params({**constants, **dict.fromkeys(names)})
        sources = {}
        for bind, name in compiled.bind_names.items():
            if bind.callable is not None:
                raise ValueError(f"run() cannot compute the value of {bind.key!r}; pass it")
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            key = bind.key if bind.key in names else name if name in names else None
            escaped = compiled.escaped_bind_names.get(name, name)
            value = None if key is not None else process(held[escaped]) if process else held[escaped]
            sources[escaped] = (key, process, value)
        self._positions = [sources[name] for name in compiled.positiontup or []]
        columns = list(getattr(statement, "exported_columns", []) or [])
        self.returns_rows = bool(columns)
        self._results = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        self._shape = namedtuple("Row", [getattr(column, "key", None) or f"column_{n}" for n, column in enumerate(columns)],
                                 rename=True) if columns else None

    def arguments(self, parameters: dict) -> list:
        return [value if key is None else process(parameters[key]) if process else parameters[key]
                for key, process, value in self._positions]

    def row(self, record) -> tuple:
        return self._shape._make(process(value) if process else value
                                 for value, process in zip(record, self._results))


_COMPILED: dict[tuple, _Compiled] = {}


def _compiled(statement, dialect, parameters: dict) -> _Compiled:
    key = (dialect.name, statement, tuple(parameters))
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = _Compiled(statement, dialect, list(parameters))
    return compiled


class _Rows:
    def __init__(self, rows: list, rowcount: int):
        self._rows = rows
        self.rowcount = rowcount

    def first(self):
        return self._rows[0] if self._rows else None

    def one(self):
        if len(self._rows) != 1:
            raise (NoResultFound if not self._rows else MultipleResultsFound)("expected one row")
        return self._rows[0]

    def scalar_one(self):
        return self.one()[0]

    def all(self) -> list:
        return list(self._rows)
