"""Trust boundaries (issue 27): a press acts on the committee of the chat it comes from, and card data
only narrows within it; in a personal chat, only on what is bound to the presser's Teams account;
names count only inside the committee's tenant; what is recorded under an exempt item stays out of
everything public; malformed input gets a 4xx or a plain refusal. Through /api/messages."""

from tests.conftest import MEMBER, OFFICER, Chat, card_text
from tests.test_action_log import fetch, links_in

DONE = "clerk.action.done"
OTHER_TENANT_SAM = ("29:sam-elsewhere", "Sam Todd", "aad-sam-elsewhere")  # Sam's display name, another account


async def a_committee_with_an_action(chat: Chat) -> None:
    await chat.say("/members add Marion Oswald, Chair; Tom Sorrell, Member")
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Checking tool presenter: Data Lab")
    await chat.say("/next")
    await chat.say("/action Circulate the paper owner: Sam Todd due: 2026-05-29")


async def test_a_press_acts_on_the_committee_of_its_chat_whatever_the_card_says(chat, connector):
    await a_committee_with_an_action(chat)  # committee 1
    elsewhere = Chat(chat.bot, connector, conversation_id="19:elsewhere@thread.v2", meeting_id="MCMeeting-evil")
    await elsewhere.say("/start")  # committee 2, where Tom may do anything
    connector.meeting_roles["aad-tom"] = "Organizer"
    for verb, data in ((DONE, {"action": 1, "committee": 1, "note": "x"}),
                       ("clerk.action.update", {"action": 1, "committee": 1, "text": "x"}),
                       ("clerk.action.open", {"action": 1, "committee": 1, "list": "all"})):
        shown = card_text(await elsewhere.press(verb, data, sender=MEMBER))
        assert "Circulate the paper" not in shown and "There is no action 1" in shown, (verb, shown)
    assert "Circulate the paper" not in card_text(await elsewhere.card("/actions all", sender=MEMBER))
    assert "(done)" not in await chat.say("/history action 1") and "update" not in await chat.say("/history action 1")
    await elsewhere.close()


async def test_the_organizer_of_another_teams_meeting_is_not_the_chair_here(chat, connector):
    await a_committee_with_an_action(chat)
    await chat.say("/end")
    connector.meeting_roles["aad-tom"] = "Organizer"  # of whatever meeting Tom names
    forged = chat.activity(MEMBER, type="invoke", name="adaptiveCard/action",
                           value={"action": {"type": "Action.Execute", "verb": "clerk.minutes.approve",
                                             "data": {"meeting": 1, "part": 1}}})
    forged["channelData"]["meeting"] = {"id": "MCMeeting-evil"}
    async with chat.session.post(f"{chat.bot.url}/api/messages", json=forged) as response:
        answer = await response.json()
    assert "Only the chair (Marion Oswald) can approve the minutes." in card_text(answer["value"])
    assert "approved" not in (await chat.say("/minutes")).lower()


async def test_in_a_personal_chat_only_an_owner_bound_to_the_account_may_press(chat, connector):
    await a_committee_with_an_action(chat)  # owner typed by name: bound to no account
    personal = Chat(chat.bot, connector, conversation_id="a:personal-sam-elsewhere", personal=True)
    refused = card_text(await personal.press(DONE, {"action": 1, "committee": 1, "note": "x"},
                                             sender=OTHER_TENANT_SAM))
    assert "Circulate" not in refused and "Sam Todd" not in refused and "Marion" not in refused
    probe = card_text(await personal.press("clerk.action.open", {"action": 7, "committee": 1}, sender=OTHER_TENANT_SAM))
    assert probe == "That button is not one of mine any more. /actions lists yours."
    assert "done" not in await chat.say("/history action 1")
    await personal.close()


async def test_the_desk_finds_actions_by_name_only_in_the_persons_own_tenant(chat, connector):
    await a_committee_with_an_action(chat)
    stranger = Chat(chat.bot, connector, conversation_id="a:personal-sam-elsewhere", personal=True)
    body = stranger.message("/actions", sender=OTHER_TENANT_SAM)
    body["channelData"]["tenant"]["id"] = body["conversation"]["tenantId"] = "tenant-2"
    await stranger.post(body)
    assert "Circulate the paper" not in card_text(connector.cards()[-1])
    assert "You have no open actions" in card_text(connector.cards()[-1])
    await stranger.close()


async def test_an_exempt_items_due_back_reason_and_vote_stay_out_of_everything_public(chat, clock):
    await a_committee_with_an_action(chat)
    await chat.say("/confidential item 1 information about an individual")
    await chat.say("/nextmeeting 10 June 2026")
    await chat.say("/dueback Data Lab item 1 with the officer's disciplinary record")
    await chat.say("/motion That the officer be named")
    vote = await chat.say("/vote for 3 against 0")
    assert "officer be named" not in vote and "in the confidential minutes" in vote
    assert "disciplinary" not in await chat.say("/meetings", sender=OFFICER)
    log_page = (await fetch(chat, links_in(await chat.say("/actionlog"))["Web page"]))[2].decode()
    assert "disciplinary" not in log_page and "Data Lab: Checking tool" in log_page
    await chat.say("/end")
    assert "disciplinary" not in card_text(await chat.card("/minutes"))
    await chat.say("/start")
    next_agenda = card_text(await chat.card("/agenda"))
    assert "Checking tool" in next_agenda and "disciplinary" not in next_agenda


async def test_malformed_identities_get_a_4xx_and_impossible_numbers_a_plain_refusal(chat):
    await chat.say("/start")
    team_as_text = chat.message("/help")
    team_as_text["channelData"]["team"] = "19:team"
    assert await chat.post(team_as_text) == 400
    for where in ("conversationType", "tenantId"):
        lone = chat.message("/help")
        lone["conversation"][where] = "\ud800"
        assert await chat.post(lone) == 400, where
    lone_tenant = chat.message("/help")
    lone_tenant["channelData"]["tenant"]["id"] = "\udfff"
    assert await chat.post(lone_tenant) == 400
    for data in ({"action": 2**63, "committee": 1}, {"action": 1, "committee": 2**63}, {"action": "1e9"}):
        shown = card_text(await chat.press(DONE, data))
        assert "went wrong" not in shown.lower() and shown, data


async def test_two_instances_share_one_tenants_budget(start_bot, connector, database_url):
    """Two instances once posted twice the tenant's limit between them: the budget is now counted in
    PostgreSQL, on the database's clock, by every instance (SQLite runs one instance). The budget
    counts a send when its slot is taken, and Teams when it arrives, which under this burst of
    twelve can be some tens of milliseconds later for one send than for the next (55 ms seen once:
    five arrivals within 0.945 s). The margin under Teams' own limits (45 a second against 50)
    covers that; here, with no margin, arrivals are counted over windows of 0.9 s. Counting each
    send from when it was over instead cost a connection per send, which under a burst starved the
    instances' heartbeats and had replies sent twice (bench/faults.py)."""
    import asyncio

    import pytest
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one instance, whose own limiter keeps the budget")
    from app import SWEEPS
    first = await start_bot(outbound_per_tenant_per_second=4)
    second = await start_bot(outbound_per_tenant_per_second=4)
    for bot in (first, second):  # each says it is alive, as its scheduler does every second
        await bot.app[SWEEPS].heartbeat()
    chats = [Chat(bot, connector, conversation_id=f"19:budget-{n}@thread.v2")
             for n, bot in enumerate([first, second] * 6)]
    await asyncio.gather(*(chat.post(chat.message("/help")) for chat in chats))
    arrivals = sorted(connector.received_at)
    assert len(arrivals) == 12
    busiest = max(sum(1 for t in arrivals if start <= t < start + 0.9) for start in arrivals)
    assert busiest <= 4, arrivals
    for chat in chats:
        await chat.close()


async def test_a_restarted_instance_goes_on_counting_the_sends_before_it(start_bot, connector):
    """After a restart, one chat once got 90 messages in 30 s (Teams allows 60): the new process
    started its windows empty. The sends are now counted in the database (at a stop, and every
    second against kill -9), and recalled at start, on both databases. With one message a second
    for the tenant, the first reply after a restart waits for the second to pass."""
    bot = await start_bot(outbound_per_tenant_per_second=1)
    before, after = (Chat(bot, connector, conversation_id=f"19:kept-{n}@thread.v2") for n in (1, 2))
    await before.post(before.message("/help"))
    await bot.restart()
    await after.post(after.message("/help"))
    first, second = connector.received_at
    assert second - first >= 0.95, second - first
    for chat in (before, after):
        await chat.close()


async def test_the_sends_kept_in_the_database_count_in_a_new_limiter(tmp_path):
    """The rule below the test above: sends kept by one limiter count in the windows of the next."""
    from datetime import datetime, timedelta, timezone

    from bot.rate_limits import RateLimiter
    from dialogs import send_budget
    from storage.db import Database

    db = Database(f"sqlite+aiosqlite:///{tmp_path}/budget.db")
    await db.migrate()
    wall, now = [datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)], [100.0]
    first = RateLimiter(per_second=1, tenant_per_second=5, clock=lambda: now[0], wall=lambda: wall[0])
    async with first.lock("chat"):
        await first.wait_turn("chat", "Tenant-A")
        first.sent("chat", "Tenant-A")
    await send_budget.keep_sends(db.unit_of_work, first.take_unkept())
    assert first.take_unkept() == []  # kept once

    wall[0] += timedelta(seconds=0.25)
    now[0] = 7.0  # a new process: its monotonic clock starts anew
    waits = []

    async def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    second = RateLimiter(per_second=1, tenant_per_second=5, clock=lambda: now[0], wall=lambda: wall[0], sleep=sleep)
    second.recall(await send_budget.sends_since(db.unit_of_work, wall[0] - second.longest))
    async with second.lock("another chat"):  # the tenant's one send leaves room for four more
        await second.wait_turn("another chat", "tenant-a")
    async with second.lock("chat"):  # at one a second, the 2-s window holds one: 1.75 s to go
        await second.wait_turn("chat", "tenant-a")
    assert waits == [1.75]
    await send_budget.forget_sends_before(db.unit_of_work, wall[0] + timedelta(seconds=1))
    assert await send_budget.sends_since(db.unit_of_work, wall[0] - second.longest) == []
    await db.dispose()


async def test_a_pool_with_no_connection_free_is_a_database_that_cannot_answer_now(database_url):
    """Two instances under a burst once ran out of pooled connections, and SQLAlchemy's own
    TimeoutError went past every `except DatabaseUnavailable`: a turn ended in an unhandled error
    instead of "try again". Waiting for a connection is bounded, and then the database is one that
    cannot answer now."""
    import asyncio

    import pytest

    from sqlalchemy import text

    from storage.db import POOL_SECONDS, Database
    from storage.unit_of_work import DatabaseUnavailable
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite's units of work take turns on one writer; its pool is not waited for")
    db = Database(database_url)
    held, release = asyncio.Event(), asyncio.Event()
    holders = 0

    async def hold_a_connection():
        nonlocal holders
        async with db.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))
            holders += 1
            if holders == 30:  # the pool's 10 and its overflow's 20
                held.set()
            await release.wait()

    tasks = [asyncio.create_task(hold_a_connection()) for _ in range(30)]
    await held.wait()
    started = asyncio.get_running_loop().time()
    with pytest.raises(DatabaseUnavailable):
        async with db.unit_of_work() as uow:
            await uow.session.execute(text("SELECT 1"))
    assert asyncio.get_running_loop().time() - started < POOL_SECONDS + 2
    release.set()
    await asyncio.gather(*tasks)
    await db.dispose()
