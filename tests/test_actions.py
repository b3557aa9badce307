"""Actions and "due back next meeting", end to end through /api/messages."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from app import DB
from storage.vocabulary import ChangeSubject
from tests.conftest import CHAIR, MEMBER, OFFICER, card_text

LONDON = ZoneInfo("Europe/London")


async def open_meeting_with_item(chat):
    await chat.say("/start May meeting")
    await chat.say("/agenda set\n10:00 Welcome\n10:10 Checking tool for PSD presenter: Data Lab\n11:00 Close")
    await chat.say("/item 2")


async def test_action_with_a_mention_names_the_owner(chat):
    await open_meeting_with_item(chat)
    reply = await chat.say("/action <at>Sam Todd</at> circulate the revised paper due: Friday", mentions=[OFFICER])
    assert reply == "Action 1 recorded: circulate the revised paper — Sam Todd, due Fri 15 May 2026."
    card = await chat.card("/actions")
    text = card_text(card)
    assert "1. circulate the revised paper" in text
    assert "Sam Todd · due Fri 15 May 2026" in text
    assert "May meeting, Wed 13 May 2026, item 2" in text


async def test_action_with_named_owners_and_iso_date(chat):
    await open_meeting_with_item(chat)
    reply = await chat.say("/action Draft guidance owners: Jack Tracey and Sam Todd due: 2026-06-30")
    assert reply == "Action 1 recorded: Draft guidance — Jack Tracey, Sam Todd, due Tue 30 June 2026."


async def test_action_without_owner_or_date_is_kept_and_says_what_is_missing(chat):
    await open_meeting_with_item(chat)
    reply = await chat.say("/action Form a sub-committee on scope", sender=MEMBER)
    assert reply == ("Action 1 recorded: Form a sub-committee on scope — no owner yet, no due date. "
                     "Still missing: add /assign 1 @Owner and /due 1 <date>.")
    assert "Now owned by" not in reply
    assert await chat.say("/assign 1 <at>Tom Sorrell</at>", mentions=[MEMBER]) == "Action 1 is now owned by Tom Sorrell."
    assert await chat.say("/due 1 in 2 weeks") == "Action 1 is now due Wed 27 May 2026."


async def test_action_numbers_run_per_committee_and_never_repeat(chat):
    await open_meeting_with_item(chat)
    for n in range(1, 4):
        assert (await chat.say(f"/action Task {n}")).startswith(f"Action {n} recorded")
    await chat.say("/drop 3 duplicate")
    assert (await chat.say("/action Task four")).startswith("Action 4 recorded")


async def test_actions_outside_a_meeting_are_still_recorded(chat):
    reply = await chat.say("/action Book the room owner: Jack Tracey due: 1 June")
    assert reply.startswith("Action 1 recorded: Book the room — Jack Tracey, due Mon 1 June 2026")
    assert "recorded outside a meeting" in card_text(await chat.card("/actions"))


async def test_filters(chat, clock):
    await open_meeting_with_item(chat)
    await chat.say("/action Write to the PCC <at>Tom Sorrell</at> due: tomorrow", mentions=[MEMBER])
    await chat.say("/action Update the model owner: Sam Todd due: 20 May")
    await chat.say("/action Close the old ticket owner: Sam Todd")
    await chat.say("/done 3 closed")
    clock.advance(days=3)

    def numbers(card):
        return [block["items"][0]["inlines"][0]["text"].rstrip(". ") for block in card["body"]
                if block["type"] == "Container"]

    assert numbers(await chat.card("/actions")) == ["1", "2"]
    assert numbers(await chat.card("/actions all")) == ["1", "2", "3"]
    assert numbers(await chat.card("/actions overdue")) == ["1"]
    assert "OVERDUE · " in card_text(await chat.card("/actions overdue"))
    assert numbers(await chat.card("/actions mine", sender=MEMBER)) == ["1"]
    assert numbers(await chat.card("/actions Sam Todd")) == ["2"]
    mention = chat.message("/actions <at>Tom Sorrell</at>", mentions=[MEMBER])
    before = len(chat.connector.posted)
    await chat.post(mention)
    assert numbers(chat.connector.posted[before]["attachments"][0]["content"]) == ["1"]
    assert numbers(await chat.card("/actions mine", sender=OFFICER)) == ["2"]
    assert "No open actions." in card_text(await chat.card("/actions mine", sender=CHAIR))


async def test_every_status_change_is_kept_with_who_and_when(chat, clock):
    await open_meeting_with_item(chat)
    await chat.say("/action Check vetting data owner: Sam Todd due: 1 June")
    assert await chat.say("/update 1 Data request sent", sender=OFFICER) == "Progress noted on action 1."
    assert await chat.say("/done 1 all checked", sender=OFFICER) == "Action 1 done: Check vetting data."
    assert await chat.say("/done 1") == "Action 1 is already done."
    assert await chat.say("/reopen 1") == "Action 1 reopened: Check vetting data."
    assert await chat.say("/assign 1 Jack Tracey") == "Action 1 is now owned by Jack Tracey."
    assert await chat.say("/due 1 next meeting") == "Action 1 is now due next meeting (date not set yet)."
    assert await chat.say("/drop 1 superseded") == "Action 1 dropped: Check vetting data (superseded)."
    assert "Give the reason" in await chat.say("/drop 1")
    assert await chat.say("/done 99") == "There is no action 99. /actions all lists them."

    database = chat.bot.app[DB]
    async with database.unit_of_work() as uow:
        action = await uow.actions.action_by_number(1, 1)
        events = [(e.kind, e.by) for e in await uow.changes.of(ChangeSubject.ACTION, action.id)]
    assert events == [("created", "Marion Oswald"), ("update", "Sam Todd"), ("done", "Sam Todd"),
                      ("reopened", "Marion Oswald"), ("assigned", "Marion Oswald"), ("due", "Marion Oswald"),
                      ("dropped", "Marion Oswald")]


async def test_an_unreadable_due_date_keeps_the_action_and_says_how_to_date_it(chat):
    """The action used to be refused and lost with its date; now only the date waits."""
    await open_meeting_with_item(chat)
    reply = await chat.say("/action Do it due: whenever")
    assert reply.startswith("Action 1 recorded: Do it — no owner yet, no due date. The due date was not recorded: "
                            "I can't read 'whenever' as a date"), reply
    assert reply.endswith("Still missing: add /assign 1 @Owner and /due 1 <date>.")
    assert "Do it" in card_text(await chat.card("/actions"))
    assert "Give the action's number" in await chat.say("/done x")
    assert "Say what the action is." in await chat.say("/action due: Friday")


async def test_due_next_meeting_resolves_with_the_next_meeting_date(chat):
    await open_meeting_with_item(chat)
    assert await chat.say("/action Return with data owner: Data Lab due: next meeting") == \
        "Action 1 recorded: Return with data — Data Lab, due next meeting (date not set yet)."
    assert await chat.say("/nextmeeting 10 June 10:00") == \
        "Next meeting: Wed 10 June 2026 at 10:00. Actions due 'next meeting' are now due that day."
    assert "due next meeting (Wed 10 June 2026)" in card_text(await chat.card("/actions"))
    assert "has passed" in await chat.say("/nextmeeting 2026-01-01")


async def test_carry_forward_into_the_next_meeting(chat, clock):
    await open_meeting_with_item(chat)
    await chat.say("/action Open task owner: Sam Todd due: next meeting")
    await chat.say("/action Task done soon owner: Jack Tracey")
    await chat.say("/action Old task dropped")
    assert "Data Lab is due back at the next meeting (date not set yet: /nextmeeting <date>) with item 2: " \
           "Checking tool for PSD." == await chat.say("/dueback")
    await chat.say("/nextmeeting 10 June")
    await chat.say("/end")
    clock.advance(days=1)
    await chat.say("/done 2 paper circulated")
    await chat.say("/update 1 draft shared with the Lab")
    await chat.say("/drop 3 not needed")

    clock.set_local(2026, 6, 10, 9, 58, LONDON)
    reply = await chat.say("/start June meeting")
    assert ("The agenda starts with: Minutes of the previous meeting; Update on actions; "
            "Checking tool for PSD (Data Lab).") in reply
    agenda = card_text(await chat.card("/agenda"))
    assert "Update on actions" in agenda and "Checking tool for PSD" in agenda and "Data Lab" in agenda
    # the "next meeting" due date is now this meeting's date
    assert "due Wed 10 June 2026" in card_text(await chat.card("/actions"))

    database = chat.bot.app[DB]
    async with database.unit_of_work() as uow:
        meeting = await uow.meetings.open_meeting(1)
        items = await uow.agenda.items(meeting.id)
        entries = [e.text for e in await uow.entries.entries([items[1].id])]
    assert entries == [
        "Action 1: Open task — Sam Todd, due Wed 10 June 2026 (update: draft shared with the Lab)",
        "Action 2: Task done soon — Jack Tracey, no due date (done: paper circulated)",
        "Action 3: Old task dropped — no owner yet, no due date (dropped: not needed)",
    ]
    earlier = card_text(await chat.card("/minutes"))  # the draft's update on earlier actions says the same
    assert "Action 2: Task done soon — Jack Tracey, no due date (done: paper circulated)" in earlier
    # the chair can remove what is not wanted
    assert await chat.say("/agenda remove 2") == "Removed item 2 (Update on actions) from the agenda."


async def test_dueback_with_a_named_presenter_and_reason(chat):
    await open_meeting_with_item(chat)
    assert await chat.say("/dueback ACC Andrew Hill item 1 - to consult on the Race Action Plan") == \
        "ACC Andrew Hill is due back at the next meeting (date not set yet: /nextmeeting <date>) with item 1: Welcome."
    assert (await chat.say("/dueback <at>Sam Todd</at>", mentions=[OFFICER])).startswith("Sam Todd is due back")
    assert await chat.say("/dueback item 9") == "There is no item 9: the agenda has items 1 to 2."


async def test_dates_follow_the_committee_clock_across_british_summer_time(chat, clock):
    # 00:30 on 25 October 2026 in London is still 24 October in UTC; the clocks go back at 02:00.
    clock.now = datetime(2026, 10, 24, 23, 30, tzinfo=timezone.utc)
    assert await chat.say("/action Send the papers due: tomorrow") == \
        "Action 1 recorded: Send the papers — no owner yet, due Mon 26 October 2026. Still missing: add /assign 1 @Owner."
    # 00:30 on 29 March 2026 GMT is before the clocks go forward at 01:00 UTC.
    clock.now = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)
    assert "due Mon 30 March 2026" in await chat.say("/action Sign off due: tomorrow")
    assert "due Fri 3 April 2026" in await chat.say("/action Friday task due: Friday")


async def test_action_against_another_item(chat):
    await open_meeting_with_item(chat)
    assert (await chat.say("/action item 1 Thank the secretariat owner: Jack Tracey")).startswith("Action 1 recorded")
    assert "May meeting, Wed 13 May 2026, item 1" in card_text(await chat.card("/actions"))
    assert await chat.say("/action item 7 Nothing") == "There is no item 7: the agenda has items 1 to 2."
    assert "No open actions." not in card_text(await chat.card("/actions"))
