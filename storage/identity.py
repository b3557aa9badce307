"""The identity rule of dialogs.identity, stated in SQL for the queries that find a person's rows."""

from __future__ import annotations

from sqlalchemy import and_, or_


def same_person(key_column, user_column, key: str, user_id: str | None):
    """By Teams account when the row is bound to one and the person comes with theirs; else by the
    name's key."""
    if not user_id:
        return key_column == key
    return or_(user_column == user_id, and_(user_column.is_(None), key_column == key))
