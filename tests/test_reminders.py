"""Reminders with an injected clock: each fires once at its time, survives restarts and failures."""

import dataclasses
from datetime import datetime, time
from zoneinfo import ZoneInfo

from app import DB, SWEEPS
from config import Settings
from dialogs.reminder_policy import WorkingHours, parse_hours
from tests.conftest import MEMBER, OFFICER, mentioned, said

LONDON = ZoneInfo("Europe/London")



async def sweep(chat):
    await chat.bot.app[SWEEPS].reminders()


async def test_action_reminders_fire_once_each_before_and_after_the_due_date(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)  # Wednesday
    await chat.say("/start")
    reply = await chat.say("/action <at>Sam Todd</at> circulate the paper due: 2026-05-26", mentions=[OFFICER])
    assert reply.startswith("Action 1 recorded")
    await sweep(chat)
    assert chat.connector.proactive() == []

    clock.set_local(2026, 5, 19, 8, 59, LONDON)  # D-7 is Tue 19 May, at 09:00
    await sweep(chat)
    assert chat.connector.proactive() == []
    clock.set_local(2026, 5, 19, 9, 0, LONDON)
    await sweep(chat)
    await sweep(chat)
    sent = chat.connector.proactive()
    assert len(sent) == 1
    assert said(sent[0]) == ("Sam Todd: Reminder: action 1, 'circulate the paper' (from Committee meeting, "
                               "13 May 2026, Wed 13 May 2026), is due Tue 26 May 2026 (in 7 days). "
                               "When it is done, press Done below (or type /done 1).")
    assert mentioned(sent[0]) == [{"type": "mention", "mentioned": {"id": OFFICER[0], "name": "Sam Todd"},
                                    "text": "<at>Sam Todd</at>"}]
    assert sent[0]["conversation"]["id"] == chat.conversation_id
    buttons = sent[0]["attachments"][0]["content"]["actions"]  # Issue 19: press Done instead of typing
    assert [b["title"] for b in buttons] == ["Done", "Add update", "New due date", "Reassign", "Snooze a week"]
    assert buttons[-1]["type"] == "Action.Execute" and buttons[-1]["data"] == {"action": 1, "reminder": True, "committee": 1}

    clock.set_local(2026, 5, 25, 9, 30, LONDON)  # D-1
    await sweep(chat)
    await sweep(chat)
    assert len(chat.connector.proactive()) == 2
    assert "(in 1 day)" in said(chat.connector.proactive()[-1])

    clock.set_local(2026, 5, 27, 9, 0, LONDON)  # the day after: overdue
    await sweep(chat)
    clock.set_local(2026, 5, 28, 9, 0, LONDON)
    await sweep(chat)
    assert len(chat.connector.proactive()) == 3
    assert "Overdue action 1, 'circulate the paper'" in said(chat.connector.proactive()[-1])
    assert "was due Tue 26 May 2026, 1 day ago" in said(chat.connector.proactive()[-1])

    clock.set_local(2026, 6, 3, 9, 0, LONDON)  # every 7 days while open
    await sweep(chat)
    assert len(chat.connector.proactive()) == 4
    await chat.say("/done 1")
    clock.set_local(2026, 6, 10, 9, 0, LONDON)
    await sweep(chat)
    assert len(chat.connector.proactive()) == 4


async def test_an_action_due_tomorrow_gets_only_its_one_day_reminder(chat, clock):
    clock.set_local(2026, 5, 13, 8, 0, LONDON)
    await chat.say("/action Book the room owner: Jack Tracey due: tomorrow")
    await sweep(chat)
    assert chat.connector.proactive() == []  # the 7-day point had passed when it was recorded
    clock.set_local(2026, 5, 13, 9, 0, LONDON)
    await sweep(chat)
    await sweep(chat)
    sent = chat.connector.proactive()
    assert len(sent) == 1  # not the 7-day one as well
    assert said(sent[0]).startswith("Jack Tracey: Reminder: action 1, 'Book the room'")
    assert mentioned(sent[0]) == []


async def test_reminders_wait_for_working_hours(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/action Weekend task owner: Jack Tracey due: 2026-05-24")  # D-1 is Saturday 23 May
    clock.set_local(2026, 5, 17, 9, 0, LONDON)  # Sunday: the 7-day reminder (Sun 17 May) must wait
    await sweep(chat)
    assert chat.connector.proactive() == []
    clock.set_local(2026, 5, 18, 8, 30, LONDON)  # Monday before nine
    await sweep(chat)
    assert chat.connector.proactive() == []
    clock.set_local(2026, 5, 18, 9, 0, LONDON)
    await sweep(chat)
    assert len(chat.connector.proactive()) == 1
    clock.set_local(2026, 5, 23, 9, 0, LONDON)  # the 1-day reminder falls on Saturday: waits
    await sweep(chat)
    assert len(chat.connector.proactive()) == 1
    clock.set_local(2026, 5, 25, 9, 0, LONDON)  # Monday: it goes out, as an overdue reminder now
    await sweep(chat)
    sent = chat.connector.proactive()
    assert len(sent) == 2 and "Overdue action 1" in said(sent[-1])


async def test_working_hours_always_lifts_the_window(start_bot, connector, clock):
    from tests.conftest import Chat
    bot = await start_bot(reminder_policy=dataclasses.replace(Settings().reminder_policy, hours=None))
    chat = Chat(bot, connector)
    clock.set_local(2026, 5, 16, 8, 0, LONDON)
    await chat.say("/action Late task owner: Jack Tracey due: tomorrow")  # D-1 is Saturday 09:00
    clock.set_local(2026, 5, 16, 23, 0, LONDON)  # Saturday night
    await bot.app[SWEEPS].reminders()
    assert len(connector.proactive()) == 1
    await chat.close()


async def test_restart_between_recording_and_sending(chat, clock):
    from dialogs import reminders
    clock.set_local(2026, 5, 13, 8, 0, LONDON)
    await chat.say("/action Task owner: Jack Tracey due: tomorrow")
    clock.set_local(2026, 5, 13, 10, 0, LONDON)  # its 1-day reminder (09:00) has come
    database = chat.bot.app[DB]
    async with database.unit_of_work() as uow:  # the sweep recorded it, then the bot stopped
        assert await reminders.record_due(uow, chat.bot.settings.reminder_policy, LONDON, clock()) == 1
        await uow.commit()
    await chat.bot.restart()
    await sweep(chat)
    await sweep(chat)
    assert len(chat.connector.proactive()) == 1


async def test_a_claim_left_by_a_crash_is_taken_up_once_the_lease_expires(chat, clock):
    from dialogs import reminders
    clock.set_local(2026, 5, 13, 8, 0, LONDON)
    await chat.say("/action Task owner: Jack Tracey due: tomorrow")
    clock.set_local(2026, 5, 13, 10, 0, LONDON)  # its 1-day reminder (09:00) has come
    database = chat.bot.app[DB]
    policy = chat.bot.settings.reminder_policy
    async with database.unit_of_work() as uow:
        await reminders.record_due(uow, policy, LONDON, clock())
        await uow.commit()
    async with database.unit_of_work() as uow:  # claimed by an instance that then died mid-send
        assert len(await reminders.claim(uow, "crashed-instance", policy, LONDON, clock())) == 1
        await uow.commit()
    await chat.bot.restart()
    await sweep(chat)
    assert chat.connector.proactive() == []
    assert "sending now" in await chat.say("/reminders")
    clock.advance(minutes=3)
    await sweep(chat)
    await sweep(chat)
    assert len(chat.connector.proactive()) == 1


async def test_a_connector_that_fails_twice_then_succeeds(chat, clock):
    """The reminder waits in the outbox (dialogs.delivery); answers in the chat are not held up."""
    clock.set_local(2026, 5, 13, 8, 0, LONDON)
    await chat.say("/action Task owner: Jack Tracey due: tomorrow")
    clock.set_local(2026, 5, 13, 10, 0, LONDON)  # its 1-day reminder (09:00) has come
    chat.connector.failures += [(503, {}), (429, {"Retry-After": "120"})]
    await sweep(chat)
    assert chat.connector.refused == 1 and chat.connector.proactive() == []
    listing = await chat.say("/reminders")
    assert "1 message to this chat not yet delivered: 1 failed attempt (HTTP 503), next try Wed 13 May 2026 10:00" \
        in listing
    clock.advance(seconds=30)
    await sweep(chat)
    assert chat.connector.refused == 2
    clock.advance(seconds=60)  # the backoff alone would allow it; Retry-After says 120 s
    await sweep(chat)
    assert chat.connector.refused == 2 and chat.connector.proactive() == []
    assert "2 failed attempts (HTTP 429)" in await chat.say("/reminders")
    clock.advance(seconds=61)
    await sweep(chat)
    await sweep(chat)
    assert len(chat.connector.proactive()) == 1
    assert "not yet delivered" not in await chat.say("/reminders")


async def test_due_back_reminders_before_the_next_meeting(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Checking tool presenter: Data Lab")
    await chat.say("/next")
    await chat.say("/dueback <at>Sam Todd</at> - with the false-positive rates", mentions=[OFFICER])
    await chat.say("/nextmeeting 2026-06-10 10:00")
    assert "Sam Todd due back with 'Checking tool': next reminder Wed 27 May 2026 09:00" in await chat.say("/reminders")
    clock.set_local(2026, 5, 27, 9, 5, LONDON)
    await sweep(chat)
    await sweep(chat)
    clock.set_local(2026, 6, 7, 9, 0, LONDON)  # three days before is a Sunday: waits for Monday
    await sweep(chat)
    clock.set_local(2026, 6, 8, 9, 0, LONDON)
    await sweep(chat)
    sent = [said(a) for a in chat.connector.proactive()]
    assert sent == [
        "<at>Sam Todd</at>: you are due back at the next meeting, Wed 10 June 2026 (in 14 days), with "
        "'Checking tool': with the false-positive rates. Time to write the paper.",
        "<at>Sam Todd</at>: you are due back at the next meeting, Wed 10 June 2026 (in 2 days), with "
        "'Checking tool': with the false-positive rates. Time to write the paper.",
    ]


async def test_meeting_day_digest_goes_to_the_committee_once(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/committee name Ethics Committee")
    await chat.say("/action Draft guidance owner: Sam Todd due: 2026-07-01")
    await chat.say("/nextmeeting 2026-06-10 10:00")
    clock.set_local(2026, 6, 9, 9, 0, LONDON)
    await chat.bot.app[SWEEPS].digest()
    clock.set_local(2026, 6, 10, 9, 0, LONDON)
    await chat.bot.app[SWEEPS].digest()
    await chat.bot.app[SWEEPS].digest()
    digests = [t for t in chat.connector.texts() if t.startswith("Good morning")]
    assert digests == ["Good morning. Ethics Committee meets today at 10:00.\nOpen actions (1):\n"
                       "- 1. Draft guidance — Sam Todd\nNobody is due back."]


async def test_reminders_command_off_on_and_pause(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/start")
    await chat.say("/action Task owner: Jack Tracey due: 2026-06-01")
    assert "- Action 1: Task — Jack Tracey. Last reminded: not yet. Next reminder: Mon 25 May 2026 09:00." \
        in await chat.say("/reminders")
    assert await chat.say("/reminders off 1") == "Reminders off for action 1."
    assert "Reminders off for action 1." in await chat.say("/reminders")
    clock.set_local(2026, 5, 25, 9, 0, LONDON)
    await sweep(chat)
    assert chat.connector.proactive() == []
    assert await chat.say("/reminders on 1") == "Reminders on for action 1."
    assert await chat.say("/reminders pause", sender=MEMBER) == "Only the chair (Marion Oswald) can pause or resume reminders."
    assert "Reminders paused" in await chat.say("/reminders pause")
    await sweep(chat)
    assert chat.connector.proactive() == []
    assert "Reminders resumed" in await chat.say("/reminders resume")
    clock.set_local(2026, 6, 1, 9, 0, LONDON)  # the 1-day reminder fell on Sunday: it goes on Monday
    await sweep(chat)
    assert len(chat.connector.proactive()) == 1
    assert "Say /reminders" in await chat.say("/reminders sometimes")
    assert await chat.say("/reminders off 9") == "There is no action 9. /actions all lists them."


def test_working_hours_parsing():
    hours = parse_hours("Mon-Fri 09:00-17:00")
    assert hours == WorkingHours(frozenset(range(5)), time(9), time(17))
    assert parse_hours("always") is None
    assert parse_hours("Sat-Sun 10:00-12:00").days == frozenset({5, 6})
    assert not hours.contains(datetime(2026, 5, 15, 22, 0, tzinfo=LONDON))  # Friday night


async def test_instances_claiming_at_once_get_each_reminder_once(chat, clock):
    """Two instances sweep at the same moment: each reminder goes to exactly one of them."""
    import asyncio
    from dialogs import reminders
    clock.set_local(2026, 5, 13, 8, 0, LONDON)
    for n in range(10):
        await chat.say(f"/action Task {n} owner: Jack Tracey due: tomorrow")
    clock.set_local(2026, 5, 13, 10, 0, LONDON)  # their 1-day reminders (09:00) have come
    database, policy = chat.bot.app[DB], chat.bot.settings.reminder_policy
    async with database.unit_of_work() as uow:
        assert await reminders.record_due(uow, policy, LONDON, clock()) == 10
        await uow.commit()

    async def instance(name):
        async with database.unit_of_work() as uow:
            claimed = await reminders.claim(uow, name, policy, LONDON, clock())
            await asyncio.sleep(0.05)  # hold the claims open while the other instance tries
            await uow.commit()
        return [message.reminder_id for message in claimed]

    first, second = await asyncio.gather(instance("first"), instance("second"))
    assert sorted(first + second) == sorted(set(first + second)) and len(first + second) == 10


async def test_two_instances_and_a_slow_connector_send_each_reminder_once(chat, clock, start_bot):
    """Reproduced with two instances: one claimed a batch with a two-minute lease and sent it one by
    one through a slow connector; the other re-claimed the rest once the lease ran out and 36 of 150
    went out twice. Here every send takes 20 s of the injected clock, and the second instance sweeps
    once the first has been sending for longer than the lease."""
    import asyncio
    clock.set_local(2026, 5, 13, 8, 0, LONDON)
    for n in range(12):
        await chat.say(f"/action Task {n} owner: Jack Tracey due: tomorrow")
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    second = await start_bot()
    later: list[asyncio.Task] = []
    replies = len(chat.connector.posted)

    def slow_send():
        clock.advance(seconds=20)
        if len(chat.connector.posted) == replies + 7:  # 140 s into the first sweep: the second starts
            later.append(asyncio.ensure_future(second.app[SWEEPS].reminders()))

    chat.connector.on_post = slow_send
    await chat.bot.app[SWEEPS].reminders()
    await asyncio.gather(*later)
    await asyncio.gather(chat.bot.app[SWEEPS].reminders(), second.app[SWEEPS].reminders())
    assert later, "the second instance never swept"
    numbers = sorted(int(said(a).split("action ")[1].split(",")[0]) for a in chat.connector.proactive())
    assert numbers == list(range(1, 13))
