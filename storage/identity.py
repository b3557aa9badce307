"""The identity rule of dialogs.identity, stated in SQL for the queries that find a person's rows."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from storage.models import Conversation


def same_person(key_column, user_column, key: str, user_id: str | None, committee_column=None,
                tenant_id: str | None = None):
    """By Teams account when the row is bound to one and the person comes with theirs; else by the
    name's key, and then (given `committee_column` and `tenant_id`) only in committees of the
    person's own tenant: a display name proves nothing across tenants."""
    by_name = key_column == key
    if committee_column is not None:
        by_name = and_(by_name, committee_column.in_(
            select(Conversation.committee_id).where(func.lower(Conversation.tenant_id) == (tenant_id or "").lower())))
    if not user_id:
        return by_name
    return or_(user_column == user_id, and_(user_column.is_(None), by_name))
