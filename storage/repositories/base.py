"""What every repository shares: its session, INSERT in the database's own dialect, and the
column values of a new row (for plain INSERTs cheaper than the ORM's flush)."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.connections import on_postgresql


class Repository:
    def __init__(self, session: AsyncSession):
        self.session = session


def insert_for(session: AsyncSession):
    """INSERT with ON CONFLICT, in the dialect of the database behind the session."""
    if on_postgresql(session):
        return postgresql.insert
    return sqlite.insert


def column_values(row) -> dict:
    """The column values set on a new ORM object; columns left unset take their defaults."""
    columns = row.__table__.columns
    return {key: value for key, value in inspect(row).dict.items() if key in columns}
