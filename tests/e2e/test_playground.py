"""A whole meeting through the Microsoft 365 Agents Playground, the Teams emulator Microsoft wrote.

The Playground (pinned in package.json, installed by the test command) emulates the Teams client
and the Bot Connector. It runs bound to 127.0.0.1 with telemetry off; Chromium opens its page with
every request beyond 127.0.0.1 blocked.
"""

import asyncio
import json
import os
import subprocess
import time
from pathlib import Path

import aiohttp
import pytest_asyncio

from app import utc_now
from config import Settings
from tests.conftest import RunningBot, free_port, stop_process, wait_until_serving

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ARTIFACTS = ROOT / "test-artifacts"
BOT_ID = "00000000-0000-0000-0000-00000000000011"
TENANT = "00000000-0000-0000-0000-0000000000001"
CHAT = "committee-chat"
TOM = ("user-tom", "Tom Sorrell", "00000000-0000-0000-0000-0000000000021")
SAM = ("user-sam", "Sam Todd", "00000000-0000-0000-0000-0000000000022")
JAMIE = ("user-jamie", "Jamie Grace", "00000000-0000-0000-0000-0000000000025")
MARION = ("user-marion", "Marion Oswald", "00000000-0000-0000-0000-0000000000020")


class Playground:
    def __init__(self, bot_url: str, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: list[dict] = []  # what the Playground's websocket reports the bot posted
        env = dict(os.environ, TEAMSAPPTESTER_BROWSER="none",
                   NODE_OPTIONS=f"--require {ROOT / 'scripts' / 'loopback.cjs'}")
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [str(ROOT / "node_modules" / ".bin" / "agentsplayground"), "-e", f"{bot_url}/api/messages",
             "-c", "msteams", "--disable-telemetry", "-p", str(self.port),
             "--service-url", f"{self.url}/_connector"],
            cwd=HERE, env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )

    async def start(self, session: aiohttp.ClientSession) -> None:
        await wait_until_serving(session, f"{self.url}/_internal/v1/config", self.process, self.log.name)
        self.socket = await session.ws_connect(f"{self.url.replace('http', 'ws')}/_ws_conversation/v1/conversations/stream")
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.received.append(json.loads(message.data))

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


@pytest_asyncio.fixture
async def meeting_room(tmp_path):
    bot = await RunningBot(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/clerk.db"), utc_now).start()
    playground = Playground(bot.url, tmp_path / "playground.log")
    session = aiohttp.ClientSession()
    try:
        await playground.start(session)
        yield Room(playground, session)
    finally:
        await session.close()
        playground.stop()
        await bot.stop()


class Room:
    """Speaks in the Playground's group chat: as its current user, or as others."""

    def __init__(self, playground: Playground, session: aiohttp.ClientSession):
        self.playground = playground
        self.session = session

    def bot_messages(self, since: int = 0) -> list[dict]:
        """What the bot posted, less its greeting (sent whenever a page opens the Playground)."""
        return [event["message"] for event in self.playground.received[since:]
                if event.get("action") == "createMessage" and event["message"]["from"]["id"] == BOT_ID
                and not (event["message"].get("text") or "").startswith("Hello, I'm Clerk")]

    async def _wait_for_bot(self, since: int, count: int = 1) -> list[dict]:
        deadline = time.monotonic() + 20
        while len(self.bot_messages(since)) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        messages = self.bot_messages(since)
        assert len(messages) >= count, f"the bot did not answer ({messages})"
        return messages

    async def say(self, text: str, count: int = 1) -> list[dict]:
        """The current user (the chair) @mentions Clerk, as Teams requires in a group chat."""
        since = len(self.playground.received)
        body = {"from": {"id": MARION[0]}, "text": f"<at>Clerk</at> {text}", "textFormat": "plain",
                "mentions": [{"mentioned": {"id": BOT_ID}, "text": "<at>Clerk</at>"}]}
        async with self.session.post(f"{self.playground.url}/_conversation/v1/conversations/{CHAT}/messages",
                                     json=body) as response:
            assert response.status == 200, await response.text()
        return await self._wait_for_bot(since, count)

    def _activity(self, sender, **fields) -> dict:
        activity = {
            "channelId": "msteams", "serviceUrl": f"{self.playground.url}/_connector",
            "recipient": {"id": BOT_ID, "name": "Clerk"},
            "conversation": {"id": CHAT, "isGroup": True, "conversationType": "groupChat", "tenantId": TENANT},
            "from": {"id": sender[0], "name": sender[1], "aadObjectId": sender[2]},
            "channelData": {"tenant": {"id": TENANT}, "meeting": {"id": "meeting-1"}},
            "timestamp": utc_now().isoformat(),
        }
        activity.update(fields)
        return activity

    async def custom(self, activity: dict, answered: bool = True) -> list[dict]:
        since = len(self.playground.received)
        async with self.session.post(f"{self.playground.url}/_internal/v1/customActivities",
                                     json=activity) as response:
            assert response.status == 200, await response.text()
        if not answered:
            await asyncio.sleep(0.5)
            return []
        return await self._wait_for_bot(since)

    async def say_as(self, sender, text: str) -> list[dict]:
        """Another member speaks: a message activity sent through the Playground as a custom activity."""
        return await self.custom(self._activity(sender, type="message", text=f"/{text}",
                                                id=f"{sender[0]}-{time.monotonic_ns()}"))

    async def event(self, name: str, value: dict, answered: bool = True) -> list[dict]:
        return await self.custom(self._activity(MARION, type="event", name=name, value=value,
                                                id=f"event-{time.monotonic_ns()}"), answered)

    async def press(self, message: dict, title: str) -> None:
        """The chair presses a button on a card the bot posted (Action.Submit)."""
        card = message["attachments"][0]["content"]
        action = next(a for a in card["actions"] if a["title"] == title)
        body = {"conversation": {"id": CHAT}, "from": {"id": MARION[0]}, "replyToId": message["messageId"],
                "value": action["data"]}
        async with self.session.post(f"{self.playground.url}/_conversation/v1/submit", json=body) as response:
            assert response.status == 200, await response.text()


class BrowserWatcher:
    """Headless Chromium watching the Playground page while the meeting is replayed (browser_check.cjs).
    It runs as its own process, so the event loop stays free for the bot that answers the Playground."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process

    @classmethod
    async def open(cls, playground_url: str) -> "BrowserWatcher":
        ARTIFACTS.mkdir(exist_ok=True)
        process = await asyncio.create_subprocess_exec(
            "node", str(HERE / "browser_check.cjs"), playground_url, str(ARTIFACTS), "Ethics Committee",
            cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        watcher = cls(process)
        assert await watcher._line() == "ready"
        return watcher

    async def _line(self) -> str:
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout=90)
        if not line:
            raise AssertionError((await self.process.stderr.read()).decode()[-3000:])
        return line.decode().strip()

    async def screenshot(self, card_text: str) -> None:
        self.process.stdin.write(f"{card_text}\n".encode())
        await self.process.stdin.drain()
        assert (await self._line()).startswith("shot")

    def close(self) -> None:
        if self.process.returncode is None:
            self.process.kill()

    async def finish(self) -> dict:
        self.process.stdin.close()
        result = json.loads(await self._line())
        await asyncio.wait_for(self.process.wait(), timeout=30)
        return result


def card_of(message: dict) -> dict:
    return message["attachments"][0]["content"]


def texts_of(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


def participants(*people) -> dict:
    return {"members": [{"user": {"id": p[0], "name": p[1], "aadObjectId": p[2], "tenantId": TENANT},
                         "meeting": {"inMeeting": True, "role": "Attendee"}} for p in people]}


async def test_a_meeting_through_the_playground_from_start_to_approved_minutes(meeting_room):
    room = meeting_room
    watcher = await BrowserWatcher.open(room.playground.url)
    try:
        await room.say("/committee name Data Ethics Committee")
        await room.say("/members add Marion Oswald, Chair; Tom Sorrell, Ethics Committee; Jamie Grace, Vice Chair")

        opened = await room.event("application/vnd.microsoft.meetingStart",
                                  {"Id": "meeting-1", "Title": "May meeting", "MeetingType": "Scheduled"})
        assert "meeting record opened for 'May meeting'" in opened[0]["text"]
        assert "Marion Oswald is now the chair" in (await room.say("/chair Marion Oswald"))[0]["text"]
        await room.event("application/vnd.microsoft.meetingParticipantJoin", participants(MARION, TOM, SAM),
                         answered=False)
        assert (await room.say_as(TOM, "apologies Jamie Grace"))[0]["text"] == "Apologies: Jamie Grace."

        await room.say("/agenda set\n10:00 Welcome - Marion Oswald\n10:10 Offending checking tool - Data Lab\n"
                       "10:45 Break\n10:55 Frequent service users - Sam Todd\n11:30 Close")
        agenda = await room.say("/agenda")
        assert agenda[0]["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert "Offending checking tool" in texts_of(card_of(agenda[0]))
        await watcher.screenshot("projected close")

        await room.say("/next")
        await room.say("/note The Chair thanked the secretariat.")
        await room.say("/next")
        await room.say_as(TOM, "question Will there be a pilot?")
        await room.say_as(SAM, "answer Yes, after an exploratory phase.")
        assert (await room.say("/outcome E"))[0]["text"] == "Item 2: Outcome E – more information needed. #4"
        assert (await room.say_as(TOM, "action Return with false-positive rates owner: Sam Todd due: next meeting")
                )[0]["text"].startswith("Action 1 recorded")
        await room.say("/dueback")
        await room.say("/next")
        await room.say("/next")
        await room.say("/outcome B")

        closed = await room.event("application/vnd.microsoft.meetingEnd", {"Id": "meeting-1"})
        deadline = time.monotonic() + 10
        while not any(m.get("attachments") for m in closed) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            closed = room.bot_messages(len(room.playground.received) - 5)
        minutes = next(m for m in room.bot_messages() if m.get("attachments")
                       and "Draft minutes" in texts_of(card_of(m)))
        words = texts_of(card_of(minutes))
        for expected in ["Data Ethics Committee", "May meeting", "Marion Oswald", "Tom Sorrell", "Sam Todd",
                         "Jamie Grace", "Welcome", "Offending checking tool", "Will there be a pilot?",
                         "Yes, after an exploratory phase.", "Outcome E – more information needed",
                         "Outcome B – proceed with minor amendments", "Return with false-positive rates",
                         "Due back at the next meeting", "Meeting close"]:
            assert expected in words, expected

        since = len(room.playground.received)
        await room.press(minutes, "Approve")
        deadline = time.monotonic() + 20
        updates = []
        while not updates and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            updates = [e["message"] for e in room.playground.received[since:] if e.get("action") == "updateMessage"]
        assert updates, "the minutes card was not updated in place"
        assert "Approved by Marion Oswald" in texts_of(updates[-1])
        assert [a["title"] for a in card_of(updates[-1])["actions"]] == ["Export"]
        await watcher.screenshot("Approved by Marion Oswald")

        check = await watcher.finish()
        assert check["rendered"] == {"projected close": True, "Approved by Marion Oswald": True}, check
        assert check["warnings"] == [], check["warnings"]
        assert (ARTIFACTS / "card-1.png").stat().st_size > 0 and (ARTIFACTS / "card-2.png").stat().st_size > 0
        assert all(not url.split("/")[2].startswith(("127.", "localhost")) for url in check["blocked"])
    finally:
        watcher.close()
