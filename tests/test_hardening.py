"""Hardening: access, permissions, injection, idempotency, faults, crashes, concurrency, rate."""

import asyncio
import bisect
import gc
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import text

from app import DB, SWEEPS
from bot.commands import COMMANDS
from bot.rate_limits import RateLimiter
from bot.signing_keys import SigningKeysUnavailable, SigningKeyStore
from config import ConfigError, Settings
from tests.conftest import TENANT, Chat, Process, ProcessBot, card_text, make_action_reminders_fall_due, said

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP_ID_FOR_TOKENS = "00000000-0000-0000-0000-000000000001"


async def count(database, table: str) -> int:
    async with database.unit_of_work() as uow:
        return (await uow.session.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()


# Access ----------------------------------------------------------------------------------------


async def test_without_a_valid_token_nothing_is_recorded(start_bot, connector):
    bot = await start_bot(APP_ID="00000000-0000-0000-0000-000000000001", APP_PASSWORD="secret", APP_TENANTID=TENANT)
    chat = Chat(bot, connector)
    for command in ("/start", "/members add Tom Sorrell, Member", "/action Leak the minutes"):
        assert await chat.post(chat.message(command)) == 401
        assert await chat.post(chat.message(command), headers={"Authorization": "Bearer a.b.c"}) == 401
    assert await chat.post(chat.event("application/vnd.microsoft.meetingStart", {"Title": "x"})) == 401
    database = bot.app[DB]
    for table in ("committees", "conversations", "meetings", "members", "actions", "processed_activities"):
        assert await count(database, table) == 0, table
    assert connector.posted == []
    await chat.close()


def _token_signed_by(private_key, key_id: str) -> str:
    """A token with the Bot Framework channel's issuer, signed by a key only the test knows."""
    now = int(time.time())
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID_FOR_TOKENS, "iat": now, "nbf": now,
              "exp": now + 600, "serviceurl": "http://127.0.0.1"}
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": key_id})


async def _stand_in_that_never_answers() -> tuple[asyncio.base_events.Server, list]:
    """An egress proxy (or key endpoint) that accepts the connection and never says a word."""
    connections = []

    async def accept(reader, writer):
        connections.append(writer)
        await asyncio.sleep(3600)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    return server, connections


async def test_a_key_endpoint_that_never_answers_freezes_nothing(start_bot, connector, monkeypatch):
    """botbuilder fetched the signing keys with a blocking requests.get without a timeout: a proxy
    that never answered froze /healthz and every request. Now the fetch is asynchronous and short,
    the request is answered 503 in well under Teams' 15 s, and the failure is remembered."""
    server, connections = await _stand_in_that_never_answers()
    proxy = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    monkeypatch.setenv("https_proxy", proxy)
    bot = await start_bot(APP_ID=APP_ID_FOR_TOKENS, APP_PASSWORD="secret", APP_TENANTID=TENANT)
    chat = Chat(bot, connector)
    forged = _token_signed_by(rsa.generate_private_key(public_exponent=65537, key_size=2048), "key-1")
    started = time.monotonic()
    verifying = asyncio.create_task(chat.post(chat.message("/start"), headers={"Authorization": f"Bearer {forged}"}))
    await asyncio.sleep(0.3)
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            asked = time.monotonic()
            async with session.get(f"{bot.url}/healthz") as health:
                assert health.status == 200
            assert time.monotonic() - asked < 1.0, "the health check waited for the key fetch"
    assert not verifying.done()
    assert await verifying == 503
    assert time.monotonic() - started < 6.0
    again = time.monotonic()
    assert await chat.post(chat.message("/start"), headers={"Authorization": f"Bearer {forged}"}) == 503
    assert time.monotonic() - again < 1.0, "a failed fetch was not remembered"
    assert len(connections) == 1
    assert connector.posted == []
    server.close()
    await chat.close()


async def test_signing_keys_are_cached_refreshed_in_the_background_and_failures_remembered():
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    served = {"keys": [dict(public_jwk, kid="key-1", endorsements=["msteams"])], "fetches": 0, "down": False}

    async def metadata(request):
        served["fetches"] += 1
        if served["down"]:
            return web.Response(status=503)
        return web.json_response({"jwks_uri": str(request.url.with_path("/keys"))})

    async def keys(request):
        return web.json_response({"keys": served["keys"]})

    app = web.Application()
    app.router.add_get("/openid", metadata)
    app.router.add_get("/keys", keys)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/openid"
    now = [1000.0]
    store = SigningKeyStore(clock=lambda: now[0])
    signing = store.get(url)
    assert store.get(url) is signing

    found = await asyncio.gather(*(signing.get("key-1") for _ in range(5)))
    assert served["fetches"] == 1, "concurrent requests share one fetch"
    assert all(key.endorsements == ["msteams"] for key in found)
    assert jwt.decode(_token_signed_by(private_key, "key-1"), found[0].public_key, algorithms=["RS256"],
                      options={"verify_aud": False})["iss"] == "https://api.botframework.com"
    with pytest.raises(PermissionError):
        await signing.get("key-unknown")  # fetched less than an hour ago: no new fetch
    assert served["fetches"] == 1

    now[0] += 25 * 3600  # a day later: answered from the cache, refreshed behind
    served["keys"] = [dict(public_jwk, kid="key-2")]
    await signing.get("key-1")
    await asyncio.sleep(0.2)
    assert served["fetches"] == 2
    assert (await signing.get("key-2")).endorsements == []

    now[0] += 2 * 3600  # an unknown key while the endpoint is down: refused, and remembered
    served["down"] = True
    with pytest.raises(PermissionError):
        await signing.get("key-3")
    assert served["fetches"] == 3
    with pytest.raises(PermissionError):
        await signing.get("key-3")
    assert served["fetches"] == 3, "a failed fetch is not repeated at once"
    assert await signing.get("key-2"), "the keys already held stay in use"

    fresh = SigningKeyStore(clock=lambda: now[0]).get(url)
    with pytest.raises(SigningKeysUnavailable):
        await fresh.get("key-2")
    with pytest.raises(SigningKeysUnavailable):
        await fresh.get("key-2")
    assert served["fetches"] == 4
    await store.close()
    await runner.cleanup()


async def test_only_allowed_tenants_may_use_the_bot(start_bot, connector, caplog):
    bot = await start_bot(allowed_tenants=frozenset({"tenant-1"}))
    chat = Chat(bot, connector)
    stranger = chat.message("/members add Eve, Intruder")
    stranger["channelData"]["tenant"]["id"] = "tenant-evil"
    stranger["conversation"]["tenantId"] = "tenant-evil"
    with caplog.at_level(logging.WARNING):
        assert await chat.post(stranger) == 403
    assert "tenant-evil" in caplog.text
    assert connector.posted == [] and await count(bot.app[DB], "members") == 0
    assert "Added 1 member" in await chat.say("/members add Tom Sorrell, Member")
    await chat.close()


async def test_allowed_tenants_are_compared_without_regard_to_case(start_bot, connector):
    """Teams sends tenant ids (GUIDs) in lower case; an admin may paste them in upper case."""
    guid = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    settings = Settings.from_env({"ALLOWED_TENANTS": guid.upper()})
    bot = await start_bot(allowed_tenants=settings.allowed_tenants)
    chat = Chat(bot, connector)
    member = chat.message("/members add Tom Sorrell, Member")
    member["channelData"]["tenant"]["id"] = member["conversation"]["tenantId"] = guid
    assert await chat.post(member) in (200, 201)
    assert "Added 1 member" in connector.last_text()
    await chat.close()


def test_an_open_address_without_authentication_refuses_to_start():
    with pytest.raises(ConfigError, match="CLERK_ALLOW_INSECURE"):
        Settings.from_env({"HOST": "0.0.0.0"})
    assert Settings.from_env({"HOST": "0.0.0.0", "CLERK_ALLOW_INSECURE": "1"}).host == "0.0.0.0"
    assert Settings.from_env({"HOST": "0.0.0.0", "MicrosoftAppId": "x", "MicrosoftAppPassword": "y",
                              "MicrosoftAppTenantId": "t"}).auth_enabled
    assert Settings.from_env({"HOST": "::1"}).host == "::1"
    result = subprocess.run([sys.executable, "app.py"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, HOST="0.0.0.0", PORT="1"))
    assert result.returncode != 0 and "CLERK_ALLOW_INSECURE" in result.stderr


async def test_clerk_and_its_tests_run_on_uvloop():
    """Where uvloop is installed (not on Windows) Clerk runs on it: asyncpg's round trips to
    PostgreSQL cost about half (bench/RESULTS.md). The suite runs on the loop Clerk runs on."""
    assert type(asyncio.get_running_loop()).__module__.startswith("uvloop")


def test_clerk_walks_all_its_objects_less_often(monkeypatch):
    """Python's default thresholds set off a walk over every object of the process every few
    seconds under load, 150 to 250 ms with every turn waiting (bench/RESULTS.md); Clerk's main
    makes it wait for ten times as many middle collections before it serves, the young ones as they
    were (red when it does not)."""
    import app

    served = []
    monkeypatch.setattr(app.web, "run_app", lambda *args, **kwargs: served.append(gc.get_threshold()))
    default = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        app.main()
    finally:
        gc.set_threshold(*default)
    assert served == [(700, 10, app.OLDEST_GENERATION_THRESHOLD)] and app.OLDEST_GENERATION_THRESHOLD == 100


# Permissions -----------------------------------------------------------------------------------


# What users type cannot become markup ----------------------------------------------------------


async def test_user_text_cannot_inject_links_mentions_or_card_json(chat):
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Item [evil](https://evil.example) - <at>Tom Sorrell</at>")
    await chat.say("/next")
    injected = '"}]}, {"type": "Action.OpenUrl", "title": "Win", "url": "https://evil.example"}'
    await chat.say(f"/note {injected}")
    await chat.say("/note **bold** _it_ <at>Tom Sorrell</at> ![img](https://evil.example/x.png)")
    before = len(chat.connector.posted)
    await chat.say("/end")
    posted = chat.connector.posted[before:]
    cards = [a["attachments"][0]["content"] for a in posted if a.get("attachments")]
    raw = json.dumps(cards)
    assert "Action.OpenUrl" in raw  # the text is there, as text...
    actions = [action["type"] for card in cards for action in card.get("actions", [])]
    assert actions == ["Action.Submit"]  # Export: ...but no new action
    words = card_text(cards[0])
    assert "[evil](https://evil.example)" in words
    assert "**bold** _it_" in words and "![img]" in words
    assert all(block["type"] != "TextBlock" or "evil" not in block["text"] for block in cards[0]["body"])
    assert all(not a.get("entities") for a in posted)  # nobody gets mentioned by typed text


# Idempotency ---------------------------------------------------------------------------------


async def test_the_same_activity_delivered_concurrently_records_once(chat):
    await chat.say("/start")
    body = chat.message("/action Circulate the paper owner: Jack Tracey")
    statuses = await asyncio.gather(*(chat.post(body) for _ in range(5)))
    assert all(status in (200, 201) for status in statuses)
    assert await count(chat.bot.app[DB], "actions") == 1
    assert [t for t in chat.connector.texts() if t.startswith("Action")] == [
        "Action 1 recorded: Circulate the paper — Jack Tracey, no due date. Still missing: add /due 1 <date>."]


# Faults at the Bot Connector -----------------------------------------------------------------


async def test_a_refused_reply_is_retried_and_the_effect_recorded_once(chat, caplog):
    await chat.say("/start")
    chat.connector.reply_failures += [(503, {}), (429, {"Retry-After": "1"})]
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        status = await chat.post(chat.message("/action Book the room owner: Jack Tracey"))
    assert status in (200, 201) and time.monotonic() - started < 15
    assert chat.connector.refused == 2
    assert [t for t in chat.connector.texts() if t.startswith("Action 1 recorded")] != []
    assert await count(chat.bot.app[DB], "actions") == 1
    assert "HTTP 503" in caplog.text and "HTTP 429" in caplog.text


# Crash -----------------------------------------------------------------------------------------


async def test_kill_9_mid_meeting_loses_nothing_acknowledged(database_url, connector, tmp_path):
    first = Process(database_url, tmp_path / "first.log", REMINDER_SWEEP_SECONDS="3600")
    chat = Chat(ProcessBot(first.url), connector)
    try:
        await first.wait_ready(chat.session)
        await chat.say("/start Crash test")
        await chat.say("/present Marion Oswald, Chair; Tom Sorrell, Member")
        await chat.say("/agenda set\n10:00 Welcome\n10:30 Tool presenter: Data Lab")
        await chat.say("/next")
        await chat.say("/note Thanks to the secretariat.")
        await chat.say("/action Send the paper owner: Jack Tracey due: tomorrow")
    finally:
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        first.log.close()
    second = Process(database_url, tmp_path / "second.log", REMINDER_SWEEP_SECONDS="1")
    try:
        chat.bot = ProcessBot(second.url)
        await second.wait_ready(chat.session)
        attendance = await chat.say("/attendance")
        assert "Marion Oswald – Chair" in attendance and "Tom Sorrell – Member" in attendance
        assert "Tool" in card_text(await chat.card("/agenda"))
        await chat.say("/end")
        await make_action_reminders_fall_due(database_url)
        reminders = connector.proactive()
        deadline = time.monotonic() + 20
        while not reminders and time.monotonic() < deadline:
            await asyncio.sleep(0.3)
            reminders = connector.proactive()
        await asyncio.sleep(2.5)  # more sweeps: still once
        reminders = connector.proactive()
        assert len(reminders) == 1 and "action 1, 'Send the paper'" in said(reminders[0])
        minutes = [a["attachments"][0]["content"] for a in connector.posted if a.get("attachments")
                   and "Draft minutes" in card_text(a["attachments"][0]["content"])]
        assert "Thanks to the secretariat." in card_text(minutes[-1])
    finally:
        await chat.close()
        second.stop()


# Concurrency ---------------------------------------------------------------------------------


async def test_twenty_members_recording_actions_in_the_same_second(chat):
    """The first messages of a new conversation: its committee is registered once, and nothing is
    lost (reproduced on PostgreSQL: 3 of 20 recorded, a unique violation for the rest)."""
    members = [(f"29:member-{n}", f"Member {n}", f"aad-{n}") for n in range(20)]
    bodies = [chat.message(f"/action Task from member {n}", sender=member) for n, member in enumerate(members)]
    statuses = await asyncio.gather(*(chat.post(body) for body in bodies))
    assert all(status in (200, 201) for status in statuses)
    replies = [t for t in chat.connector.texts() if t.startswith("Action ")]
    numbers = sorted(int(t.split()[1]) for t in replies)
    assert numbers == list(range(1, 21))
    async with chat.bot.app[DB].unit_of_work() as uow:
        committee_id = (await uow.committees.get_conversation(chat.conversation_id)).committee_id
        actions = [(a.number, a.text) for a in await uow.actions.actions(committee_id)]
        # One committee for the one conversation: whichever turn registered it first (not always the
        # one that made committee 1), and those other turns made at the same moment are gone.
        assert [await uow.committees.get_committee(n) is not None for n in range(1, 21)].count(True) == 1
    assert sorted(number for number, _ in actions) == list(range(1, 21))
    assert sorted(task for _, task in actions) == sorted(f"Task from member {n}" for n in range(20))


# Outbound rate ---------------------------------------------------------------------------------


async def test_a_burst_of_replies_stays_within_seven_a_second(start_bot, connector):
    chat = Chat(await start_bot(), connector)  # Clerk's own limits, not the chat fixture's lifted ones
    bodies = [chat.message(f"/help {c.name}") for c in COMMANDS[:20]]
    await asyncio.gather(*(chat.post(body) for body in bodies))
    times = chat.connector.received_at
    assert len(times) == 20
    for index in range(len(times) - 7):
        assert times[index + 7] - times[index] >= 1.0, "more than 7 messages within a second"
    await chat.close()


async def test_rate_limiter_queues_instead_of_dropping():
    now = [0.0]

    async def sleep(seconds):
        now[0] += seconds

    limiter = RateLimiter(per_second=7, tenant_per_second=50, clock=lambda: now[0], sleep=sleep)
    sent = []
    for _ in range(20):
        async with limiter.lock("c"):
            await limiter.wait_turn("c")
            sent.append(now[0])
    assert len(sent) == 20
    assert all(sent[i + 7] - sent[i] >= 1.0 for i in range(13))
    other = []
    async with limiter.lock("another"):  # another conversation has its own budget
        await limiter.wait_turn("another")
        other.append(now[0])
    assert other == [sent[-1]]


def _most_in_any_window(times: list[float], seconds: float) -> int:
    times = sorted(times)
    return max(bisect.bisect_left(times, start + seconds) - index for index, start in enumerate(times))


async def test_longer_windows_and_the_tenant_limit_queue_instead_of_dropping():
    """Teams' table (learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit): per
    conversation 7 in 1 s, 8 in 2 s, 60 in 30 s, 1800 in an hour; 50 a second per app per tenant."""
    now = [0.0]

    async def sleep(seconds):
        now[0] += seconds
        await asyncio.sleep(0)

    limiter = RateLimiter(per_second=7, tenant_per_second=50, clock=lambda: now[0], sleep=sleep)
    long_series = []  # a long minutes card series into one conversation
    for _ in range(200):
        async with limiter.lock("minutes"):
            await limiter.wait_turn("minutes", "tenant-1")
            long_series.append(now[0])
    assert len(long_series) == 200
    assert _most_in_any_window(long_series, 1.0) <= 7
    assert _most_in_any_window(long_series, 2.0) <= 8
    assert _most_in_any_window(long_series, 30.0) <= 60
    assert long_series[-1] >= 60.0, "200 messages need at least three 30-second windows"

    now[0] = 10_000.0
    morning: dict[str, list[float]] = {}  # reminders into 100 conversations of one tenant

    async def remind(conversation: str):
        for _ in range(3):
            async with limiter.lock(conversation):
                await limiter.wait_turn(conversation, "TENANT-2" if conversation.endswith("7") else "tenant-2")
                morning.setdefault(conversation, []).append(now[0])

    await asyncio.gather(*(remind(f"chat-{n}") for n in range(100)))
    every_send = [t for times in morning.values() for t in times]
    assert len(every_send) == 300
    assert _most_in_any_window(every_send, 1.0) <= 50, "the tenant's 50 a second was exceeded"
    other_tenant = now[0]
    async with limiter.lock("elsewhere"):
        await limiter.wait_turn("elsewhere", "tenant-3")
    assert now[0] == other_tenant, "another tenant waits for nobody"


# Malformed requests and odd commands (each used to give a 5xx or "Something went wrong") ----------


async def test_malformed_requests_get_a_4xx_and_leave_no_trace_in_the_chat(chat):
    await chat.say("/start")
    before = len(chat.connector.posted)
    deep = "[" * 1000 + "]" * 1000
    assert await chat.post(deep) == 400
    body = json.dumps(chat.message("/help"))
    assert await chat.post(body, headers={"Content-Type": "application/json; charset=foo"}) == 415
    surrogate = chat.message("/note hidden")
    surrogate["conversation"]["id"] = "19:meeting\ud800@thread.v2"
    assert await chat.post(json.dumps(surrogate)) == 400
    mismatch = chat.message("/note from another tenant")
    mismatch["conversation"]["tenantId"] = "tenant-2"
    assert await chat.post(mismatch) == 400
    for name in ("task/fetch", "tab/fetch", "composeExtension/query", "fileConsent/invoke", "adaptiveCard/action"):
        for value in ("a string", 42, ["a", "list"], None, {"action": {"verb": 7}}):
            invoke = chat.activity(type="invoke", name=name, value=value)
            assert await chat.post(invoke) == 400, (name, value)
    assert chat.connector.posted[before:] == []


async def test_numbers_too_large_for_the_record_get_a_clear_answer(chat):
    await chat.say("/start")
    assert await chat.say("/drop 99999999999999999999 x") == \
        ("Give the action's number, e.g. 12.\n/drop <N> <reason>\nDrop action N, with the reason.\n"
         "Who may: the action's owners, the chair or the secretary.\nExample: /drop 12 overtaken by the review")
    assert (await chat.say("/done 99999999999999999999")).startswith("Give the action's number")
    assert (await chat.say("/item 99999999999999999999")).startswith("Give the item number.")


async def test_broken_minutes_links_are_refused_not_errors(chat, clock):
    await chat.say("/start")
    await chat.say("/end")
    await chat.post(chat.activity(text="", value={"clerk": "export-minutes", "meeting": 1}))
    link = re.search(r"\[HTML\]\((http[^)]+)\)", chat.connector.last_text())[1]
    broken = [re.sub(r"signature=[0-9a-f]+", "signature=%C3%A9", link), re.sub(r"expires=\d+", "expires=%C2%B2", link),
              re.sub(r"expires=\d+", "expires=" + "9" * 5000, link), link.replace("/minutes/1.", "/minutes/" + "1" * 5000 + ".")]
    for url in broken:
        async with chat.session.get(url) as response:
            assert response.status in (403, 404), url


async def test_a_redelivered_help_or_unknown_command_is_answered_once(chat):
    for typed in ("/help", "/frobnicate", "/"):
        body = chat.message(typed)
        before = len(chat.connector.posted)
        assert await chat.post(body) in (200, 201)
        assert await chat.post(body) in (200, 201)
        assert len(chat.connector.posted) == before + 1, typed


async def test_a_stalled_database_answers_try_again_in_time_and_writes_nothing(chat, database_url):
    """Reproduced on PostgreSQL: with the store stalled, commands hung past Teams' 15 s and none was
    told to try again. Another connection holds the lock the command needs."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.handler import TRY_AGAIN

    await chat.say("/start")
    holder, engine = None, None
    if database_url.startswith("sqlite"):
        import sqlite3
        holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # holds the write lock
    else:
        engine = create_async_engine(database_url)
        holder = await engine.connect()
        await holder.execute(text("SELECT * FROM committees FOR UPDATE"))  # holds the committee's row
    try:
        started = time.monotonic()
        reply = await chat.say("/action Circulate the paper owner: Sam Todd")
        elapsed = time.monotonic() - started
    finally:
        if engine is not None:
            await holder.rollback()
            await holder.close()
            await engine.dispose()
        else:
            holder.rollback()
            holder.close()
    assert reply == TRY_AGAIN
    assert elapsed < 10, elapsed
    assert "No open actions." in card_text(await chat.card("/actions"))
    assert (await chat.say("/action Circulate the paper owner: Sam Todd")).startswith("Action 1 recorded")


async def test_a_new_conversation_reached_through_two_instances_at_once_loses_nothing(start_bot, connector):
    first, second = await start_bot(), await start_bot()
    chats = [Chat(first, connector, conversation_id="19:new@thread.v2"),
             Chat(second, connector, conversation_id="19:new@thread.v2")]
    members = [(f"29:member-{n}", f"Member {n}", f"aad-{n}") for n in range(20)]
    statuses = await asyncio.gather(*(chats[n % 2].post(chats[n % 2].message(f"/action Task {n}", sender=member))
                                      for n, member in enumerate(members)))
    assert all(status in (200, 201) for status in statuses)
    # A reply that could not go out in its turn (the chat's queue was busy) is the sweep's.
    await asyncio.gather(first.app[SWEEPS].deliver(), second.app[SWEEPS].deliver())
    numbers = sorted(int(t.split()[1]) for t in connector.texts() if t.startswith("Action "))
    assert numbers == list(range(1, 21))
    for chat in chats:
        await chat.close()


def test_a_single_tenant_bot_is_the_default_and_names_its_tenant():
    """Azure creates no multi-tenant bots since 31 July 2025 (issue 29)."""
    assert Settings().app_type == "SingleTenant"
    assert Settings().APP_TYPE == "MultiTenant"  # authentication off: botbuilder's only mode without credentials
    with pytest.raises(ConfigError, match="MicrosoftAppTenantId"):
        Settings.from_env({"MicrosoftAppId": "x", "MicrosoftAppPassword": "y"})
    configured = Settings.from_env({"MicrosoftAppId": "x", "MicrosoftAppPassword": "y", "MicrosoftAppTenantId": "t"})
    assert configured.APP_TYPE == "SingleTenant"
