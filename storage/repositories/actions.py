"""Actions with their owners, and presenters due back."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import (
    bindparam,
    delete,
    insert,
    select,
    update,
)

from storage.models import (
    Change,
    Action,
    ActionOwner,
    Committee,
    DueBack,
)
from storage.identity import same_person
from storage.repositories.changes import INSERT_CHANGE
from storage.repositories.base import Repository, column_values
from storage.connections import on_postgresql
from storage.statements import get, run
from storage.vocabulary import (
    ActionStatus,
)

# Built once: building a statement anew costs about as much as running it.
_NEXT_ACTION_NUMBER = (
    update(Committee)
    .where(Committee.id == bindparam("committee"))
    .values(last_action_number=Committee.last_action_number + 1)
    .returning(Committee.last_action_number)
)
_INSERT_ACTION = insert(Action).returning(Action.id)
_INSERT_ACTION_OWNER = insert(ActionOwner)


def _without(values: dict, key: str) -> dict:
    return {name: value for name, value in values.items() if name != key}


@functools.cache
def _written_together(action_keys: tuple, owner_keys: tuple, change_keys: tuple):
    """WITH next_number AS (UPDATE committees ... RETURNING last_action_number), new_action AS
    (INSERT INTO actions ... (SELECT last_action_number FROM next_number) ... RETURNING id),
    new_owner AS (INSERT INTO action_owners SELECT new_action.id, ...) INSERT INTO changes SELECT
    ..., new_action.id ... RETURNING subject_id, the number; for the columns given (the rest take
    their defaults), built once for each set of columns."""
    next_number = _NEXT_ACTION_NUMBER.cte("next_number")
    number = select(next_number.c.last_action_number).scalar_subquery()
    new_action = (insert(Action).values({**{key: bindparam(f"action_{key}") for key in action_keys}, "number": number})
                  .returning(Action.id).cte("new_action"))

    def from_new_action(model, id_column: str, prefix: str, keys: tuple):
        table = model.__table__
        return insert(table).from_select([id_column, *keys], select(
            new_action.c.id, *(bindparam(f"{prefix}_{key}", type_=table.c[key].type) for key in keys)))

    statement = from_new_action(Change, "subject_id", "change", change_keys).returning(Change.subject_id, number)
    if owner_keys:
        statement = statement.add_cte(from_new_action(ActionOwner, "action_id", "owner", owner_keys).cte("new_owner"))
    return statement


class ActionRepository(Repository):
    """Actions with their owners and history, and presenters due back."""

    async def add_action(self, action: Action, owners: list[ActionOwner], created: Change) -> None:
        """Numbers a new action (numbers run per committee and never repeat: the counter row is
        locked while it moves), writes it, its owners and the change log's line of its creation,
        and sets their number and ids: on PostgreSQL, with one owner or none, in one statement (a
        data-modifying WITH, one round trip instead of four); otherwise an UPDATE and plain
        INSERTs, as the ORM's flush would cost more than the statements themselves."""
        together = on_postgresql(self.session) and len(owners) <= 1
        if together:
            parts = {"action": column_values(action), "change": _without(column_values(created), "subject_id")}
            if owners:
                parts["owner"] = _without(column_values(owners[0]), "action_id")
            statement = _written_together(*(tuple(parts.get(part, ())) for part in ("action", "owner", "change")))
            action.id, action.number = (await run(self.session, statement, {
                "committee": action.committee_id,
                **{f"{part}_{key}": value for part, values in parts.items() for key, value in values.items()}})).one()
        else:
            numbered = await run(self.session, _NEXT_ACTION_NUMBER, {"committee": action.committee_id})
            action.number = numbered.scalar_one()
            action.id = (await run(self.session, _INSERT_ACTION, column_values(action))).scalar_one()
        for owner in owners:
            owner.action_id = action.id
        created.subject_id = action.id
        if not together:
            if owners:
                await run(self.session, _INSERT_ACTION_OWNER, [column_values(owner) for owner in owners])
            await run(self.session, INSERT_CHANGE, column_values(created))

    async def action_by_number(self, committee_id: int, number: int) -> Action | None:
        result = await self.session.execute(
            select(Action).where(Action.committee_id == committee_id, Action.number == number)
        )
        return result.scalar_one_or_none()

    async def get_action(self, action_id: int) -> Action:
        return await get(self.session, Action, action_id)

    async def actions(self, committee_id: int, statuses: tuple[str, ...] | None = None) -> list[Action]:
        query = select(Action).where(Action.committee_id == committee_id)
        if statuses:
            query = query.where(Action.status.in_(statuses))
        result = await self.session.execute(query.order_by(Action.number))
        return list(result.scalars())

    async def open_actions_of(self, user_id: str | None, name_key: str,
                              tenant_id: str | None) -> list[tuple[Committee, list[Action]]]:
        """Open actions, in every committee, owned by a Teams account, or by a name in the committees
        of the person's tenant; by committee."""
        owned = same_person(ActionOwner.name_key, ActionOwner.teams_user_id, name_key, user_id, Action.committee_id,
                            tenant_id)
        result = await self.session.execute(
            select(Action, Committee).join(Committee, Committee.id == Action.committee_id)
            .where(Action.status == ActionStatus.OPEN,
                   Action.id.in_(select(ActionOwner.action_id).join(Action, Action.id == ActionOwner.action_id)
                                 .where(owned)))
            .order_by(Action.committee_id, Action.number))
        by_committee: dict[int, tuple[Committee, list[Action]]] = {}
        for action, committee in result.all():
            by_committee.setdefault(committee.id, (committee, []))[1].append(action)
        return list(by_committee.values())

    async def actions_closed_since(self, committee_id: int, since: datetime) -> list[Action]:
        result = await self.session.execute(
            select(Action)
            .where(Action.committee_id == committee_id, Action.status != ActionStatus.OPEN, Action.closed_at >= since)
            .order_by(Action.number)
        )
        return list(result.scalars())

    async def actions_of_meeting(self, meeting_id: int) -> list[Action]:
        result = await self.session.execute(
            select(Action).where(Action.meeting_id == meeting_id).order_by(Action.number)
        )
        return list(result.scalars())

    async def owners(self, action_ids: list[int]) -> dict[int, list[ActionOwner]]:
        owners: dict[int, list[ActionOwner]] = {action_id: [] for action_id in action_ids}
        if not action_ids:
            return owners
        result = await self.session.execute(
            select(ActionOwner).where(ActionOwner.action_id.in_(action_ids)).order_by(ActionOwner.id)
        )
        for owner in result.scalars():
            owners[owner.action_id].append(owner)
        return owners

    async def replace_owners(self, action_id: int, owners: list[ActionOwner]) -> None:
        await self.session.execute(delete(ActionOwner).where(ActionOwner.action_id == action_id))
        self.session.add_all(owners)

    async def by_source(self, committee_id: int, activity_id: str) -> Action | None:
        """The action a Teams message recorded."""
        result = await self.session.execute(
            select(Action).where(Action.committee_id == committee_id, Action.source_activity_id == activity_id).limit(1))
        return result.scalar_one_or_none()

    async def item_has_actions(self, item_id: int) -> bool:
        result = await self.session.execute(select(Action.id).where(Action.item_id == item_id).limit(1))
        return result.first() is not None

    async def get_due_back(self, due_back_id: int) -> DueBack:
        return await get(self.session, DueBack, due_back_id)

    async def pending_due_backs(self, committee_id: int) -> list[DueBack]:
        result = await self.session.execute(
            select(DueBack)
            .where(DueBack.committee_id == committee_id, DueBack.returned_meeting_id.is_(None))
            .order_by(DueBack.id)
        )
        return list(result.scalars())

    async def due_backs_returned_with(self, item_id: int) -> list[DueBack]:
        result = await self.session.execute(select(DueBack).where(DueBack.returned_item_id == item_id))
        return list(result.scalars())

    async def due_backs_of_meeting(self, meeting_id: int) -> list[DueBack]:
        result = await self.session.execute(
            select(DueBack).where(DueBack.meeting_id == meeting_id).order_by(DueBack.id)
        )
        return list(result.scalars())
