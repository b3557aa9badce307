"""The service through its real HTTP endpoint: commands, idempotency, bad bodies, auth, restarts."""

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from app import DB
from bot.handler import TRY_AGAIN

from tests.conftest import MEMBER, TENANT, Chat


async def test_help_with_slash_without_slash_and_with_mention(chat):
    for text, kwargs in (("/help", {}), ("HELP", {"mention_bot": True}), ("help", {"mention_bot": True})):
        reply = await chat.say(text, **kwargs)
        assert "/agenda add [HH:MM]" in reply and "/help [command]" in reply, reply


async def test_help_for_one_command_shows_syntax_and_example(chat):
    reply = await chat.say("/help agenda add")
    assert reply.startswith("/agenda add [HH:MM] <Title>")
    assert "Example: /agenda add 10:10" in reply


async def test_reply_goes_to_the_conversation_on_the_connector(chat):
    await chat.say("/help")
    posted = chat.connector.posted[-1]
    assert posted["conversation"]["id"] == chat.conversation_id
    assert posted["type"] == "message"


async def test_unknown_command_points_to_help(chat):
    reply = await chat.say("/frobnicate now")
    assert reply == "I don't know 'frobnicate'. /help lists the commands."


async def test_plain_chat_in_a_group_is_ignored(chat):
    before = len(chat.connector.posted)
    assert await chat.post(chat.message("I think we should adjourn for lunch")) in (200, 201)
    assert len(chat.connector.posted) == before


async def test_personal_chat_answers_without_slash(start_bot, connector):
    bot = await start_bot()
    personal = Chat(bot, connector, conversation_id="a:personal-1", meeting_id=None)
    body = personal.message("help")
    body["conversation"] = {"conversationType": "personal", "tenantId": "tenant-1", "id": "a:personal-1"}
    await personal.post(body)
    assert "/help [command]" in connector.last_text()
    await personal.close()


async def test_same_activity_twice_has_one_effect(chat):
    await chat.say("/start")
    body = chat.message("/present Ada Lovelace, Guest speaker")
    assert await chat.post(body) in (200, 201)
    assert await chat.post(body) in (200, 201)
    texts = [t for t in chat.connector.texts() if t.startswith("Present:")]
    assert texts == ["Present: Ada Lovelace, Guest speaker."]
    attendance = await chat.say("/attendance")
    assert attendance.count("Ada Lovelace") == 1


@pytest.mark.parametrize("body", [
    "not json at all",
    "[1, 2, 3]",
    '{"type": 5}',
    '{"type": "message"}',
    '{"type": "message", "conversation": {"id": "c"}, "serviceUrl": 12}',
    '{"type": "message", "conversation": {"id": "c"}, "serviceUrl": "http://x", "from": "me"}',
    '{"type": "message", "conversation": {"id": "c"}, "serviceUrl": "http://x", "entities": {}}',
])
async def test_malformed_body_gets_400(chat, body):
    assert await chat.post(body) == 400


async def test_wrong_content_type_gets_415(chat):
    async with chat.session.post(f"{chat.bot.url}/api/messages", data="x",
                                 headers={"Content-Type": "text/plain"}) as response:
        assert response.status == 415


async def test_with_app_id_an_unauthenticated_post_gets_401(start_bot, connector):
    bot = await start_bot(APP_ID="00000000-0000-0000-0000-000000000001", APP_PASSWORD="secret", APP_TENANTID=TENANT)
    secured = Chat(bot, connector)
    assert await secured.post(secured.message("/start")) == 401
    assert await secured.post(secured.message("/start"),
                              headers={"Authorization": "Bearer not-a-real-token"}) == 401
    assert connector.posted == []
    await secured.close()


async def test_data_survives_a_restart(chat):
    await chat.say("/committee name Data Ethics Committee")
    await chat.say("/members add Tom Sorrell, Ethics Committee")
    await chat.bot.restart()
    assert "Data Ethics Committee" in await chat.say("/committee")
    assert "Tom Sorrell, Ethics Committee" in await chat.say("/members", sender=MEMBER)


async def test_healthz_reports_the_database(chat):
    async with chat.session.get(f"{chat.bot.url}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["database"] == "ok"


async def test_database_outage_gives_503_and_try_again(chat):
    """A real database that stops answering: here a PostgreSQL address where nothing listens."""
    database = chat.bot.app[DB]
    await database.engine.dispose()
    database.engine = create_async_engine("postgresql+asyncpg://clerk@127.0.0.1:9/none")
    database._sessions.configure(bind=database.engine)
    async with chat.session.get(f"{chat.bot.url}/healthz") as response:
        assert response.status == 503
    assert await chat.say("/members") == TRY_AGAIN


async def test_handled_activity_ids_are_forgotten_after_two_days(chat, clock):
    from app import SWEEPS
    from sqlalchemy import text
    await chat.say("/help")
    body = chat.message("/members add Ada Lovelace, Guest")
    await chat.post(body)
    database = chat.bot.app[DB]

    async def remembered() -> int:
        async with database.unit_of_work() as uow:
            return (await uow.session.execute(text("SELECT COUNT(*) FROM processed_activities"))).scalar_one()

    assert await remembered() == 2  # /help claims its id too, so a redelivery is not answered twice
    clock.advance(days=1)
    await chat.bot.app[SWEEPS].housekeeping()
    assert await remembered() == 2
    clock.advance(days=1, minutes=1)
    await chat.bot.app[SWEEPS].housekeeping()
    assert await remembered() == 0
