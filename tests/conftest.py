"""Test set-up: the real app on a free port, a capture of the Bot Connector, a real database.

Every end-to-end test runs once on a SQLite file and, when the test command started a PostgreSQL
server (CLERK_TEST_POSTGRES_URL), once more on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app import create_app, event_loop
from bot.routes import AccessLog
from config import Settings
from storage.db import Database, create_postgres_database

ROOT = Path(__file__).resolve().parent.parent
BOT_ID = "28:clerk-bot"
TENANT = "tenant-1"
CHAIR = ("29:marion", "Marion Oswald", "aad-marion")
MEMBER = ("29:tom", "Tom Sorrell", "aad-tom")
OFFICER = ("29:sam", "Sam Todd", "aad-sam")


HANG_SECONDS = 6  # a hung connector's answer comes after the bot's attempt gave up (bot.outbox.ATTEMPT_SECONDS)


def pytest_asyncio_loop_factories(config, item):
    """Every test runs on the event loop Clerk runs on."""
    return {"clerk": event_loop}


class FakeClock:
    """An injected clock: tests move time forward instead of sleeping."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)

    def set_local(self, year, month, day, hour, minute, tz) -> None:
        self.now = datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(timezone.utc)


@dataclass
class Connector:
    """Stands in for the Bot Connector at serviceUrl and keeps what the bot posted."""

    url: str = ""
    posted: list[dict] = field(default_factory=list)
    meeting_roles: dict[str, str] = field(default_factory=dict)  # aadObjectId -> role
    # Answers to give instead of accepting the next new messages (proactive posts) and the next
    # replies: (status, headers); "hang" for a timeout; "late" for a timeout after which the
    # message is posted all the same (a hung connector that did its work); "accepted" for a 202
    # without a body.
    failures: list = field(default_factory=list)
    reply_failures: list = field(default_factory=list)
    refused: int = 0
    received_at: list[float] = field(default_factory=list)  # monotonic time of each accepted post
    on_post: object = None  # called with each accepted post: a test's way to make the connector slow
    role_lookups: int = 0  # how often the bot asked for someone's meeting role
    # Who Teams says is in each conversation (GET .../members), as (id, name, aadObjectId).
    members: list[tuple[str, str, str]] = field(default_factory=lambda: [CHAIR, MEMBER, OFFICER])
    created: list[dict] = field(default_factory=list)  # conversations the bot created (POST /v3/conversations)
    # Teams meeting id -> the meeting details to serve (GET /v1/meetings/{id}); unknown ids get 404.
    meeting_details: dict[str, dict] = field(default_factory=dict)
    notifications: list[tuple[str, dict]] = field(default_factory=list)  # (meeting id, body) POSTed to .../notification
    hang_seconds: float = HANG_SECONDS  # how long a "hang" or "late" answer takes

    def in_conversation(self, conversation_id: str) -> list[dict]:
        return [a for a in self.posted if (a.get("conversation") or {}).get("id") == conversation_id]

    def texts(self) -> list[str]:
        return [a.get("text") or "" for a in self.posted if a.get("type") == "message"]

    def cards(self) -> list[dict]:
        return [
            attachment["content"]
            for a in self.posted
            for attachment in a.get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    def clear(self) -> None:
        self.posted.clear()

    def proactive(self) -> list[dict]:
        """What Clerk posted on its own initiative (reminders, notices), not in reply to a test message."""
        return [a for a in self.posted if not (a.get("replyToId") or "").startswith("act-")]

    def last_text(self) -> str:
        texts = [text for text in self.texts() if text]
        return texts[-1] if texts else ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _start_site(app: web.Application, port: int = 0, **options) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, **options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}"


def capture_app(capture: Connector) -> web.Application:
    ids = itertools.count(1)

    async def post_activity(request: web.Request):
        # A reply answers one of the test's activities ("act-..."); a proactive message answers the
        # adapter's own continuation activity.
        is_reply = request.match_info.get("reply_to", "").startswith("act-")
        pending = capture.reply_failures if is_reply else capture.failures
        if pending:
            failure = pending.pop(0)
            capture.refused += 1
            if failure == "accepted":  # posted, answered 202 with no body, as the Agents Playground does
                capture.posted.append(await request.json())
                return web.Response(status=202)
            if failure in ("hang", "late"):  # longer than the bot waits for one attempt
                body = await request.json()
                await asyncio.sleep(capture.hang_seconds)
                if failure == "late":
                    capture.posted.append(body)
                return web.json_response({"id": "too-late"})
            status, headers = failure
            return web.json_response({"error": {"code": "ServiceError", "message": "failed"}}, status=status,
                                     headers=headers)
        capture.posted.append(await request.json())
        capture.received_at.append(time.monotonic())
        if capture.on_post is not None:
            capture.on_post()
        return web.json_response({"id": f"sent-{next(ids)}"})

    async def put_activity(request: web.Request):
        body = await request.json()
        body["_updated"] = request.match_info["activity_id"]
        capture.posted.append(body)
        return web.json_response({"id": request.match_info["activity_id"]})

    async def participant(request: web.Request):
        capture.role_lookups += 1
        role = capture.meeting_roles.get(request.match_info["aad"])
        if role is None:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response({"meeting": {"role": role, "inMeeting": True}})

    async def conversation_members(request: web.Request):
        return web.json_response([{"id": user_id, "name": name, "aadObjectId": aad}
                                  for user_id, name, aad in capture.members])

    async def create_conversation(request: web.Request):
        body = await request.json()
        capture.created.append(body)
        return web.json_response({"id": f"a:personal-{body['members'][0]['id']}"})

    async def meeting_details(request: web.Request):
        details = capture.meeting_details.get(request.match_info["meeting"])
        if details is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        return web.json_response(details)

    async def meeting_notification(request: web.Request):
        capture.notifications.append((request.match_info["meeting"], await request.json()))
        return web.json_response({}, status=202)

    app = web.Application()
    app.router.add_get("/v1/meetings/{meeting}", meeting_details)
    app.router.add_post("/v1/meetings/{meeting}/notification", meeting_notification)
    app.router.add_post("/v3/conversations", create_conversation)
    app.router.add_get("/v3/conversations/{conversation_id}/members", conversation_members)
    app.router.add_post("/v3/conversations/{conversation_id}/activities", post_activity)
    app.router.add_post("/v3/conversations/{conversation_id}/activities/{reply_to}", post_activity)
    app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}", put_activity)
    app.router.add_get("/v1/meetings/{meeting}/participants/{aad}", participant)
    return app


@pytest_asyncio.fixture
async def connector():
    capture = Connector()
    runner, capture.url = await _start_site(capture_app(capture))
    yield capture
    await runner.cleanup()


def _database_params():
    params = ["sqlite"]
    if os.environ.get("CLERK_TEST_POSTGRES_URL"):
        params.append("postgresql")
    return params


@pytest_asyncio.fixture(params=_database_params())
async def empty_database_url(request, tmp_path):
    """A database with no tables yet, for a test of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/clerk.db"
        return
    server = os.environ["CLERK_TEST_POSTGRES_URL"]
    url = await create_postgres_database(server, "clerk_test")
    yield url
    await _drop_postgres_database(server, url)


# Each test's database starts as a copy of one migrated once a session: run from an empty database
# for every test, the migrations took 0.4 to 0.9 s of a test that then takes a second or two. Clerk
# still migrates at its start, and finds the copy at the newest migration; `empty_database_url`'s
# tests run the migrations from an empty database.
_MIGRATED: dict[str, str] = {}  # the database's kind -> the URL of its migrated template


async def _migrated_template(kind: str, tmp_path_factory) -> str:
    if kind not in _MIGRATED:
        if kind == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('migrated')}/clerk.db"
        else:
            url = await create_postgres_database(os.environ["CLERK_TEST_POSTGRES_URL"], "clerk_migrated")
        database = Database(url)
        await database.migrate()
        await database.dispose()  # SQLite's log is written into the file; PostgreSQL's template is left alone
        _MIGRATED[kind] = url
    return _MIGRATED[kind]


@pytest_asyncio.fixture(params=_database_params())
async def database_url(request, tmp_path, tmp_path_factory):
    """A database at the newest migration, of each kind the tests run on."""
    template = await _migrated_template(request.param, tmp_path_factory)
    if request.param == "sqlite":
        shutil.copyfile(make_url(template).database, tmp_path / "clerk.db")
        yield f"sqlite+aiosqlite:///{tmp_path}/clerk.db"
        return
    server = os.environ["CLERK_TEST_POSTGRES_URL"]
    url = await create_postgres_database(server, "clerk_test", template=make_url(template).database)
    yield url
    await _drop_postgres_database(server, url)


async def _drop_postgres_database(server: str, url: str) -> None:
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    await admin.dispose()


def pytest_sessionfinish(session, exitstatus):
    if "postgresql" in _MIGRATED:
        asyncio.run(_drop_postgres_database(os.environ["CLERK_TEST_POSTGRES_URL"], _MIGRATED.pop("postgresql")))


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 5, 13, 9, 0, tzinfo=timezone.utc))  # 10:00 in London (BST)


class RunningBot:
    """The real app on a port of its own (kept across restarts, so links it gave out stay right)."""

    def __init__(self, settings: Settings, clock: FakeClock):
        self.settings = dataclasses.replace(settings, port=free_port())
        self.clock = clock
        self.app = None
        self.runner = None
        self.url = ""

    async def start(self) -> "RunningBot":
        self.app = create_app(self.settings, clock=self.clock, start_scheduler=False)
        self.runner, self.url = await _start_site(self.app, self.settings.port, access_log_class=AccessLog)
        return self

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@pytest_asyncio.fixture
async def start_bot(database_url, clock):
    running = []

    async def start(**overrides) -> RunningBot:
        settings = Settings(database_url=database_url, **overrides)
        bot = await RunningBot(settings, clock).start()
        running.append(bot)
        return bot

    yield start
    for bot in running:
        if bot.runner is not None:
            await bot.runner.cleanup()


class Chat:
    """Speaks to the bot as Teams does in one group chat (a meeting chat)."""

    def __init__(self, bot: RunningBot, connector: Connector, conversation_id: str = "19:meeting_test@thread.v2",
                 meeting_id: str | None = "MCMeeting-1", personal: bool = False):
        """`personal`: a person's 1:1 chat with Clerk rather than a group or meeting chat."""
        self.bot = bot
        self.connector = connector
        self.conversation_id = conversation_id
        self.meeting_id = None if personal else meeting_id
        self.personal = personal
        self.ids = itertools.count(1)
        self.session = aiohttp.ClientSession()

    def activity(self, sender=CHAIR, **fields) -> dict:
        channel_data = {"tenant": {"id": TENANT}}
        if self.meeting_id:
            channel_data["meeting"] = {"id": self.meeting_id}
        body = {
            "type": "message",
            "id": f"act-{uuid.uuid4().hex}",
            "timestamp": self.bot.clock().isoformat(),
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": {"id": sender[0], "name": sender[1], "aadObjectId": sender[2]},
            "conversation": {"isGroup": not self.personal, "conversationType": "personal" if self.personal
                             else "groupChat", "tenantId": TENANT, "id": self.conversation_id},
            "recipient": {"id": BOT_ID, "name": "Clerk"},
            "channelData": channel_data,
        }
        body.update(fields)
        return body

    def message(self, text: str, sender=CHAIR, mention_bot=False, mentions=()) -> dict:
        entities = []
        if mention_bot:
            text = f"<at>Clerk</at> {text}"
            entities.append({"type": "mention", "mentioned": {"id": BOT_ID, "name": "Clerk"}, "text": "<at>Clerk</at>"})
        for user in mentions:
            entities.append({"type": "mention", "mentioned": {"id": user[0], "name": user[1]},
                             "text": f"<at>{user[1]}</at>"})
        return self.activity(sender, text=text, entities=entities, textFormat="plain")

    def event(self, name: str, value: dict, sender=CHAIR) -> dict:
        return self.activity(sender, type="event", name=name, value=value)

    async def post(self, body, headers=None) -> int:
        data = body if isinstance(body, (str, bytes)) else None
        async with self.session.post(
            f"{self.bot.url}/api/messages",
            json=None if data is not None else body,
            data=data,
            headers=headers or ({"Content-Type": "application/json"} if data is not None else None),
        ) as response:
            await response.read()
            return response.status

    async def stage_pages(self) -> list[str]:
        """The pages the targeted meeting notifications sent so far show on the meeting stage."""
        pages = []
        for _, body in self.connector.notifications:
            async with self.session.get(body["value"]["surfaces"][0]["content"]["value"]["url"]) as response:
                pages.append(await response.text())
        return pages

    async def press(self, verb: str, data: dict, sender=CHAIR, trigger: str = "manual") -> dict:
        """Presses an Action.Execute button as Teams does: an `adaptiveCard/action` invoke, whose HTTP
        answer carries the card the presser sees next. Returns that card."""
        body = self.activity(sender, type="invoke", name="adaptiveCard/action",
                             value={"action": {"type": "Action.Execute", "verb": verb, "data": data},
                                    "trigger": trigger})
        async with self.session.post(f"{self.bot.url}/api/messages", json=body) as response:
            assert response.status == 200, response.status
            answer = await response.json()
        assert answer["statusCode"] == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive", answer
        return answer["value"]

    async def invoke(self, name: str, value: dict, sender=CHAIR) -> tuple[int, dict | None]:
        """Any other invoke (a message action's, for one): its HTTP status and JSON answer."""
        body = self.activity(sender, type="invoke", name=name, value=value)
        async with self.session.post(f"{self.bot.url}/api/messages", json=body) as response:
            return response.status, await response.json(content_type=None) if response.content_length else None

    async def say(self, text: str, sender=CHAIR, **kwargs) -> str:
        """Sends a message and returns the bot's text reply ('' if it answered with a card or not at all)."""
        before = len(self.connector.posted)
        status = await self.post(self.message(text, sender, **kwargs))
        assert status in (200, 201), status
        new = self.connector.posted[before:]
        return "\n".join(a["text"] for a in new if a.get("text"))

    async def card(self, text: str, sender=CHAIR) -> dict:
        before = len(self.connector.posted)
        assert await self.post(self.message(text, sender)) in (200, 201)
        cards = [att["content"] for a in self.connector.posted[before:] for att in a.get("attachments") or []]
        assert cards, f"no card in reply to {text!r}: {self.connector.posted[before:]}"
        return cards[-1]

    async def close(self):
        await self.session.close()


@pytest_asyncio.fixture
async def chat(start_bot, connector):
    """A meeting chat with Clerk. Its commands come faster than people type, so Teams' outbound rate
    limits are lifted here (they would only add waits); the limits are tested on their own
    (test_hardening's burst and limiter tests, test_trust's shared tenant budget)."""
    bot = await start_bot(outbound_per_second=10_000, outbound_per_tenant_per_second=10_000)
    conversation = Chat(bot, connector)
    yield conversation
    await conversation.close()


def said(activity: dict) -> str:
    """What a message says: its text, or, for a reminder (a card), the words of its first text runs."""
    if activity.get("text"):
        return activity["text"]
    for attachment in activity.get("attachments") or []:
        for block in attachment["content"].get("body", []):
            if block.get("type") == "RichTextBlock":
                return "".join(run["text"] for run in block["inlines"])
    return ""


def mentioned(activity: dict) -> list[dict]:
    """Who a message @mentions: the activity's mention entities, or those of its card."""
    cards = [a["content"] for a in activity.get("attachments") or []]
    return [e for e in (activity.get("entities") or []) + [e for c in cards for e in c.get("msteams", {}).get("entities", [])]
            if e.get("type") == "mention"]


def card_text(card: dict) -> str:
    """Every text in a card, in order, for assertions."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node.get("text", ""))
            if node.get("type") == "RichTextBlock":  # its runs, as one line of text
                found.append("".join(run.get("text", "") for run in node.get("inlines") or []))
            for key in ("body", "items", "columns", "facts", "actions", "card"):
                walk(node.get(key))
            if "title" in node and isinstance(node["title"], str) and node.get("type") != "TextBlock":
                found.append(node["title"])
            if "value" in node and isinstance(node["value"], str):
                found.append(node["value"])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(card)
    return "\n".join(found)


def validate_cards(cards: list[dict]) -> list[list[str]]:
    """Problems Microsoft's adaptivecards library finds in each card (empty lists when all valid)."""
    import json

    script = Path(__file__).parent / "validate_cards.cjs"
    result = subprocess.run(["node", str(script)], input=json.dumps(cards), capture_output=True, text=True,
                            timeout=60, check=True)
    return json.loads(result.stdout)


def stop_process(process) -> None:
    """Stops a child process politely, then firmly."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


async def make_action_reminders_fall_due(database_url: str) -> None:
    """Moves every action's next reminder to a moment ago, as if the clock had reached it: for tests of
    real bot processes, which run on the wall clock and cannot be given an injected one."""
    from sqlalchemy import update

    from storage.models import Action

    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(update(Action).where(Action.next_reminder_at.is_not(None))
                                     .values(next_reminder_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    finally:
        await engine.dispose()


async def wait_until_serving(session: aiohttp.ClientSession, url: str, process, log_path, seconds: float = 60) -> None:
    """Waits until a child process's server answers 200 at url; fails with its log if it exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the process exited:\n{Path(log_path).read_text()[-3000:]}"
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"nothing served {url} within {seconds} s")


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
