"""Arbitrary text sent as any command never produces a server error or a stack trace in chat."""

import asyncio
import threading
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.commands import COMMANDS
from config import Settings
from tests.conftest import MEMBER, Chat, Connector, FakeClock, RunningBot, _start_site, capture_app


class ThreadedMeeting:
    """The bot and the connector capture on an event loop of their own, so hypothesis can drive
    them from a plain synchronous test."""

    def __init__(self, database_url: str):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.database_url = database_url

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    async def _start(self):
        self.connector = Connector()
        self.capture_runner, self.connector.url = await _start_site(capture_app(self.connector))
        clock = FakeClock(datetime(2026, 5, 13, 9, 0, tzinfo=timezone.utc))
        self.bot = await RunningBot(Settings(database_url=self.database_url), clock).start()
        self.chat = Chat(self.bot, self.connector)
        await self.chat.say("/start")
        await self.chat.say("/agenda set\n10:00 Welcome\n10:30 Tool (20 min) - Lab")
        await self.chat.say("/next")

    def start(self):
        self.run(self._start())
        return self

    def stop(self):
        async def stop():
            await self.chat.close()
            await self.bot.stop()
            await self.capture_runner.cleanup()
        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(scope="module")
def meeting(tmp_path_factory):
    running = ThreadedMeeting(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('prop')}/clerk.db").start()
    yield running
    running.stop()


COMMAND_WORDS = st.sampled_from([c.name for c in COMMANDS] + ["actions", "", "item"])
ARGUMENTS = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=50),
    st.from_regex(r"(item \d{1,3} )?\d{1,2}:\d{2} [A-Za-z (]{0,20}( - [A-Za-z]{0,10})?", fullmatch=True),
    st.sampled_from(["<at>x</at>", "<at>", "&amp;&lt;", "\u202e", "item 99 x", "item -1", "25:00", "\n\n\n"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=COMMAND_WORDS, arguments=ARGUMENTS, slash=st.booleans())
def test_any_text_as_any_command_never_errors(meeting, command, arguments, slash):
    text = f"{'/' if slash else ''}{command} {arguments}"
    before = len(meeting.connector.posted)
    status = meeting.run(meeting.chat.post(meeting.chat.message(text, sender=MEMBER, mention_bot=not slash)))
    assert status in (200, 201)
    replies = meeting.connector.posted[before:]
    for reply in replies:
        body = (reply.get("text") or "") + str(reply.get("attachments") or "")
        assert "Traceback" not in body and "Something went wrong" not in body, body
    assert replies, f"no answer to {text!r}"
