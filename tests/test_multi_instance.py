"""Two Clerk processes on one PostgreSQL database send each reminder exactly once."""

import asyncio
import time

import aiohttp
import pytest

from tests.conftest import Chat, Process, ProcessBot, make_action_reminders_fall_due, said

ACTIONS = 40


@pytest.fixture
def postgres_database(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share a PostgreSQL database")
    return database_url


async def test_two_processes_send_each_reminder_exactly_once(postgres_database, connector, tmp_path):
    first = Process(postgres_database, tmp_path / "first.log")
    second = Process(postgres_database, tmp_path / "second.log")
    try:
        async with aiohttp.ClientSession() as session:
            await first.wait_ready(session)
            await second.wait_ready(session)
        chat = Chat(ProcessBot(first.url), connector)
        # Paused while the actions are recorded, so that both processes find them all due at once.
        assert "paused" in await chat.say("/reminders pause")
        for n in range(ACTIONS):
            assert (await chat.say(f"/action Task {n} owner: Jack Tracey due: tomorrow")).startswith("Action")
        await make_action_reminders_fall_due(postgres_database)
        assert "resumed" in await chat.say("/reminders resume")
        await chat.close()

        deadline = time.monotonic() + 60
        while len(connector.proactive()) < ACTIONS and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        await asyncio.sleep(3)  # several more sweeps by both processes
        texts = [said(a) for a in connector.proactive()]
        numbers = sorted(int(text.split("action ")[1].split(",")[0]) for text in texts)
        assert numbers == list(range(1, ACTIONS + 1)), texts
    finally:
        first.stop()
        second.stop()
    logs = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert "Traceback" not in logs, logs[-3000:]
