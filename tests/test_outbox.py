"""What Clerk owes a conversation survives a hung or absent Bot Connector and a restart.

Replies, notices and reminders are written to the outbox in the transaction of the change they
report (dialogs.delivery); these tests drive the real endpoint against a Bot Connector capture
that refuses, hangs, or hangs and then posts all the same, and count what reaches the chat.
"""

import asyncio
import json
import time

import pytest

from sqlalchemy import text

from app import DB, SWEEPS
from bot.proactive import render_text
from dialogs.delivery import UNKNOWN_OUTCOME_WAIT, Queued, heartbeat, queue
from tests.test_schedule import LONDON
from tests.conftest import Chat, MEMBER, said

TEAMS_SECONDS = 15  # Teams gives up on the HTTP answer after this
# One send attempt, and a hung connector's answer, in these tests: as in production an answer comes
# after the attempt gave up, at a fifth of the wall-clock cost (bot.outbox.ATTEMPT_SECONDS is 5 s).
SHORT_ATTEMPT, SHORT_HANG = 1.0, 1.2


@pytest.fixture(autouse=True)
def short_attempts(monkeypatch, connector):
    import bot.handler
    import bot.outbox
    monkeypatch.setattr(bot.outbox, "ATTEMPT_SECONDS", SHORT_ATTEMPT)
    monkeypatch.setattr(bot.handler, "ATTEMPT_SECONDS", SHORT_ATTEMPT)
    connector.hang_seconds = SHORT_HANG


async def undelivered(database) -> list[tuple]:
    async with database.unit_of_work() as uow:
        result = await uow.session.execute(text(
            "SELECT unknown_outcomes, given_up_at IS NOT NULL FROM outbox ORDER BY id"))
        return [tuple(row) for row in result.all()]


def recorded(chat: Chat, start: str) -> list[str]:
    return [t for t in chat.connector.texts() if t.startswith(start)]


async def timed_post(chat: Chat, body: dict) -> tuple[int, float]:
    started = time.monotonic()
    status = await chat.post(body)
    return status, time.monotonic() - started


async def test_a_reply_the_connector_refuses_is_kept_and_sent_once_it_recovers(chat, clock):
    await chat.say("/start")
    chat.connector.reply_failures += [(503, {})] * 40  # an outage longer than a turn may wait
    status, seconds = await timed_post(chat, chat.message("/action Book the room"))
    assert status in (200, 201) and seconds < TEAMS_SECONDS
    assert recorded(chat, "Action 1 recorded") == []
    assert len(await undelivered(chat.bot.app[DB])) == 1, "the reply is kept, not dropped"
    for _ in range(10):  # the sweep keeps trying, backing off, however long the outage lasts
        clock.advance(minutes=1)
        await chat.bot.app[SWEEPS].deliver()
    chat.connector.reply_failures.clear()
    clock.advance(minutes=1)
    await chat.bot.app[SWEEPS].deliver()
    assert len(recorded(chat, "Action 1 recorded")) == 1
    assert await undelivered(chat.bot.app[DB]) == []


async def test_a_202_without_a_body_is_a_message_posted(chat, clock):
    """The Agents Playground answers a message with both text and a card 202 Accepted, no body;
    botbuilder cannot read it, yet the message is posted: it is never sent again."""
    await chat.say("/start")
    chat.connector.reply_failures.append("accepted")
    chat.connector.failures.append("accepted")
    await chat.post(chat.message("/action Book the room"))
    clock.advance(minutes=2)
    await chat.bot.app[SWEEPS].deliver()
    assert len(recorded(chat, "Action 1 recorded")) == 1
    assert await undelivered(chat.bot.app[DB]) == []


async def test_what_is_owed_survives_a_restart_and_goes_out_in_order(chat, clock):
    await chat.say("/start")
    chat.connector.reply_failures += [(503, {})] * 100
    for n in range(1, 4):
        status, seconds = await timed_post(chat, chat.message(f"/action Task {n}"))
        assert status in (200, 201) and seconds < TEAMS_SECONDS
    await chat.bot.restart()  # retries kept in memory would be gone now
    chat.connector.reply_failures.clear()
    clock.advance(seconds=30)  # before they are stale (a minute), when they would fold into one message
    await chat.bot.app[SWEEPS].deliver()
    replies = [a for a in chat.connector.posted if " recorded" in (a.get("text") or "")]
    assert [a["text"].split(" recorded")[0] for a in replies] == ["Action 1", "Action 2", "Action 3"]
    assert all(a["replyToId"].startswith("act-") for a in replies), "each still answers its message"
    await chat.bot.app[SWEEPS].deliver()
    assert len(recorded(chat, "Action")) == 3


async def test_a_hang_answers_teams_in_time_and_yields_at_most_one_duplicate(chat, clock):
    """A hung connector once had Teams answered at 5, 10, 15 and 20 s for four messages, and one
    reply posted five times. Here the connector hangs and then posts anyway (the worst case)."""
    await chat.say("/start")
    chat.connector.reply_failures += ["late"] * 4
    answers = await asyncio.gather(*(timed_post(chat, chat.message(f"/action Task {n}")) for n in range(1, 5)))
    assert all(status in (200, 201) for status, _ in answers)
    assert max(seconds for _, seconds in answers) < TEAMS_SECONDS - 5, answers
    await asyncio.sleep(chat.connector.hang_seconds)  # the hung request finishes, and posts the first reply
    assert len(recorded(chat, "Action 1 recorded")) == 1
    await chat.bot.app[SWEEPS].deliver()  # too soon: an unknown outcome waits before it is tried again
    assert len(recorded(chat, "Action 1 recorded")) == 1
    chat.connector.reply_failures.clear()
    clock.advance(seconds=UNKNOWN_OUTCOME_WAIT.total_seconds() + 1)
    await chat.bot.app[SWEEPS].deliver()
    for _ in range(3):
        clock.advance(minutes=5)
        await chat.bot.app[SWEEPS].deliver()
    assert len(recorded(chat, "Action 1 recorded")) == 2, "retried until posted, and posted then"
    for n in range(2, 5):
        assert len(recorded(chat, f"Action {n} recorded")) == 1
    assert await undelivered(chat.bot.app[DB]) == []


async def test_an_unknown_outcome_is_tried_again_with_backoff_until_it_is_delivered(chat, clock):
    """A confirmation lost is worse than one posted twice: it used to be given up after one retry."""
    await chat.say("/start")
    chat.connector.reply_failures += ["late", "late"]  # the first send, and its first retry
    await chat.post(chat.message("/action Book the room"))
    clock.advance(seconds=UNKNOWN_OUTCOME_WAIT.total_seconds() + 1)
    await chat.bot.app[SWEEPS].deliver()
    await asyncio.sleep(chat.connector.hang_seconds)
    await chat.bot.app[SWEEPS].deliver()  # the second wait is twice the first: not yet
    assert len(recorded(chat, "Action 1 recorded")) == 2
    clock.advance(seconds=2 * UNKNOWN_OUTCOME_WAIT.total_seconds() + 1)
    await chat.bot.app[SWEEPS].deliver()
    assert len(recorded(chat, "Action 1 recorded")) == 3, "tried until the connector said it was posted"
    assert await undelivered(chat.bot.app[DB]) == []
    chat.connector.posted.clear()
    assert "Action 2 recorded" in await chat.say("/action Next task"), "the conversation goes on"


async def test_an_unknown_outcome_is_given_up_only_after_a_day(chat, clock):
    await chat.say("/start")
    chat.connector.reply_failures += ["hang", "hang"]
    await chat.post(chat.message("/action Book the room"))
    assert await undelivered(chat.bot.app[DB]) == [(1, False)]
    clock.advance(hours=23)
    await chat.bot.app[SWEEPS].deliver()
    assert await undelivered(chat.bot.app[DB]) == [(2, False)], "still owed within the day"
    clock.advance(hours=2)
    chat.connector.reply_failures += ["hang"]
    await chat.bot.app[SWEEPS].deliver()
    assert await undelivered(chat.bot.app[DB]) == [(3, True)]


async def test_a_notice_is_queued_with_the_mark_that_it_was_sent(chat, clock):
    """A notice that could not be posted was lost (best effort); now it waits in the outbox. (In a
    group chat: in a Teams meeting the chair alone is told, on the meeting stage.)"""
    chat = Chat(chat.bot, chat.connector, conversation_id="19:group@thread.v2", meeting_id=None)
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome\n10:05 Tool presenter: Data Lab\n11:00 Close")
    await chat.say("/item 2")
    chat.connector.failures += [(503, {})] * 5
    clock.set_local(2026, 5, 13, 10, 55, LONDON)
    await chat.bot.app[SWEEPS].timekeeping()
    assert not [t for t in chat.connector.texts() if "has reached its" in t]
    chat.connector.failures.clear()
    clock.advance(minutes=2)
    await chat.bot.app[SWEEPS].timekeeping()
    await chat.bot.app[SWEEPS].deliver()
    assert len([t for t in chat.connector.texts() if "has reached its" in t]) == 1
    await chat.close()


async def test_a_reminder_is_queued_in_the_transaction_that_marks_it_sent(chat, clock):
    clock.set_local(2026, 5, 13, 8, 0, LONDON)
    await chat.say("/action Task owner: Jack Tracey due: tomorrow")
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    chat.connector.failures += [(503, {})] * 3
    await chat.bot.app[SWEEPS].reminders()
    assert chat.connector.proactive() == []
    await chat.bot.restart()
    for _ in range(3):
        clock.advance(minutes=1)
        await chat.bot.app[SWEEPS].reminders()
    reminders = [a for a in chat.connector.proactive() if "Task" in said(a)]
    assert len(reminders) == 1
    assert "Jack Tracey" in said(reminders[0])


async def test_an_answer_that_records_nothing_is_kept_too_when_it_cannot_go(chat, clock):
    """A refusal is not recorded with any change, but it is not dropped either."""
    await chat.say("/start")
    chat.connector.reply_failures += [(503, {})] * 40
    status, seconds = await timed_post(chat, chat.message("/end", sender=MEMBER))
    assert status in (200, 201) and seconds < TEAMS_SECONDS
    chat.connector.reply_failures.clear()
    clock.advance(minutes=1)
    await chat.bot.app[SWEEPS].deliver()
    assert [t for t in chat.connector.texts() if t.startswith("Only the chair")]


async def test_a_claim_left_by_an_instance_that_died_holds_the_chat_for_one_short_lease(chat, clock):
    """kill -9 mid-send once held the chat for 60 s: the dead instance's claim blocked its queue."""
    await chat.say("/start")
    await heartbeat(chat.bot.app[DB].unit_of_work, "instance-that-died", clock())  # alive until killed
    async with chat.bot.app[DB].unit_of_work() as uow:  # a reply the dead instance held when it was killed
        await queue(uow, chat.conversation_id, [Queued(render_text("Interrupted reply"))], clock(),
                    reply_to_id="act-interrupted", sender="instance-that-died")
        await uow.commit()
    clock.advance(seconds=5)  # the bound: the chat's next reply within 5 s
    started = time.monotonic()
    assert await chat.say("/agenda add 10:00 Welcome") == "Interrupted reply\nItem 1 added at 10:00: Welcome."
    assert time.monotonic() - started < 5
    assert chat.connector.texts().count("Interrupted reply") == 1


async def test_after_an_outage_a_chats_confirmations_come_as_one_message(chat, clock):
    """They used to arrive as a burst, one per command, minutes after anyone asked."""
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Welcome")
    await chat.say("/next")
    chat.connector.reply_failures += [(503, {})] * 100
    for n in range(1, 4):
        await chat.post(chat.message(f"/note Point {n}."))
    await chat.post(chat.message("/action Book the room owner: Sam Todd"))  # a card: its words fold too
    chat.connector.reply_failures.clear()
    clock.advance(minutes=2)
    await chat.bot.app[SWEEPS].deliver()
    folded = [a for a in chat.connector.posted if (a.get("text") or "").startswith("While Teams")]
    assert [a["text"] for a in folded] == ["While Teams could not be reached, Clerk recorded:\n"
                                           "- Note recorded on item 1. #1\n- Note recorded on item 1. #2\n"
                                           "- Note recorded on item 1. #3\n"
                                           "- Action 1 recorded: Book the room — Sam Todd, no due date. "
                                           "Still missing: add /due 1 <date>."]
    assert folded[0]["replyToId"].startswith("act-")
    assert recorded(chat, "Note recorded") == []
    assert await undelivered(chat.bot.app[DB]) == []


async def test_a_message_kept_in_the_earlier_form_is_posted_after_an_upgrade(chat, clock):
    """Before the outbox kept the activity itself it kept a small form of its own; a message still
    waiting in it when Clerk is upgraded is posted as it was meant to be."""
    await chat.say("/start")
    earlier = [
        {"text": "Reminder for <at>Sam Todd</at>", "mentions": [["29:sam", "Sam Todd"]]},
        {"card": {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Kept card"}]},
         "contentType": "application/vnd.microsoft.card.adaptive", "text": "Above the card"},
        {"text": "On the stage", "mentions": [],
         "channelData": {"notification": {"alertInMeeting": True, "externalResourceUrl": "https://teams/x"}}},
    ]
    async with chat.bot.app[DB].unit_of_work() as uow:
        await queue(uow, chat.conversation_id, [Queued(json.dumps(message)) for message in earlier], clock(),
                    reply_to_id="act-earlier")
        await uow.commit()
    chat.connector.posted.clear()
    await chat.bot.app[SWEEPS].deliver()
    mention, card, stage = chat.connector.posted
    assert mention["text"] == "Reminder for <at>Sam Todd</at>" and mention["entities"] == [
        {"type": "mention", "mentioned": {"id": "29:sam", "name": "Sam Todd"}, "text": "<at>Sam Todd</at>"}]
    assert card["text"] == "Above the card" and card["attachments"] == [
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": earlier[1]["card"]}]
    assert stage["channelData"] == earlier[2]["channelData"] and "entities" not in stage
    for activity in (mention, card, stage):
        assert activity["type"] == "message" and activity["replyToId"] == "act-earlier"
        assert activity["conversation"]["id"] == chat.conversation_id and activity["from"]["id"]
    assert await undelivered(chat.bot.app[DB]) == []


async def test_a_database_that_stops_answering_after_the_turn_leaves_its_reply_to_the_sweep(chat, clock):
    """Two instances under a burst ran their pools dry between a turn's commit and its reply's
    delivery: the member was told "Something went wrong on my side" about a note that was kept,
    and whose reply the sweep later sent. The turn now says nothing more, and the reply comes."""
    from storage.unit_of_work import DatabaseUnavailable

    await chat.say("/start")
    outbox = chat.bot.app[SWEEPS].outbox
    working = outbox.new_unit_of_work

    def not_answering(one_statement: bool = False):
        raise DatabaseUnavailable("no connection free")

    outbox.new_unit_of_work = not_answering
    before = len(chat.connector.posted)
    await chat.say("/note The chair thanked the secretariat.")
    outbox.new_unit_of_work = working
    assert not any("went wrong" in text for text in chat.connector.texts()[before:])
    clock.advance(minutes=2)  # past the claim this instance could not give back
    await chat.bot.app[SWEEPS].deliver()
    # Sent in the turn, then again by the sweep: its delivery could not be written, and the outbox
    # sends a reply twice rather than never.
    assert any(text.startswith("Note recorded") for text in chat.connector.texts()[before:])
