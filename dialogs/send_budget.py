"""Teams' rate limits as the database counts them: the budget every instance shares (PostgreSQL)
and the sends a restarted instance must still count (both databases). bot.rate_limits holds the
windows; the database holds what was sent, as (key, sent_at) rows."""

from __future__ import annotations

from datetime import datetime

from storage.unit_of_work import UnitOfWorkFactory


async def take_send_slot(new_unit_of_work: UnitOfWorkFactory, limits: list[tuple[str, float, int]]) -> float:
    """One more send in the budget every instance shares: 0.0 when it may go now, else the wait."""
    async with new_unit_of_work() as uow:
        wait = await uow.send_budget.take(limits)
        await uow.commit()
    return wait


async def keep_sends(new_unit_of_work: UnitOfWorkFactory, sends: list[tuple[str, datetime]]) -> None:
    """Counts in the database sends an instance's own limiter let through, (key, sent_at): a restart,
    or another instance, counts them too."""
    async with new_unit_of_work() as uow:
        await uow.send_budget.keep(sends)
        await uow.commit()


async def sends_since(new_unit_of_work: UnitOfWorkFactory, start: datetime) -> list[tuple[str, datetime]]:
    async with new_unit_of_work() as uow:
        return await uow.send_budget.since(start)


async def forget_sends_before(new_unit_of_work: UnitOfWorkFactory, start: datetime) -> None:
    async with new_unit_of_work() as uow:
        await uow.send_budget.forget_before(start)
        await uow.commit()
