"""Two Clerk processes on one PostgreSQL database send each reminder exactly once."""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import Chat, free_port, make_action_reminders_fall_due, stop_process, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = 40


class Process:
    """A real bot process: `python app.py`, as a deployment runs it."""

    def __init__(self, database_url: str, log_path: Path, **environment: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PORT=str(self.port), HOST="127.0.0.1", DATABASE_URL=database_url,
                   REMINDER_HOURS="always", REMINDER_SWEEP_SECONDS="1", CLERK_LINK_SECRET="test")
        env.update(environment)
        self.log = open(log_path, "w")
        self.process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)

    async def wait_ready(self, session: aiohttp.ClientSession) -> None:
        await wait_until_serving(session, f"{self.url}/healthz", self.process, self.log.name, seconds=30)

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


class ProcessBot:
    """Enough of RunningBot for Chat: where to post, and the clock for timestamps."""

    def __init__(self, url: str):
        self.url = url

    @staticmethod
    def clock():
        from datetime import datetime, timezone
        return datetime.now(timezone.utc)


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

        def reminders():
            return [a for a in connector.posted if not (a.get("replyToId") or "").startswith("act-")]

        deadline = time.monotonic() + 60
        while len(reminders()) < ACTIONS and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        await asyncio.sleep(3)  # several more sweeps by both processes
        texts = [a["text"] for a in reminders()]
        numbers = sorted(int(text.split("action ")[1].split(",")[0]) for text in texts)
        assert numbers == list(range(1, ACTIONS + 1)), texts
    finally:
        first.stop()
        second.stop()
    logs = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert "Traceback" not in logs, logs[-3000:]
