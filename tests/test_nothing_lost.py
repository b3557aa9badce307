"""Nothing typed is lost: actions keep what Clerk can read, and dates are read as people write them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dialogs.dates import NEXT_MEETING, parse_due
from dialogs.errors import UsageError
from tests.conftest import MEMBER, OFFICER, card_text

LONDON = ZoneInfo("Europe/London")
WEDNESDAY = datetime(2026, 11, 4, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize("typed, expected", [
    ("before the next meeting", NEXT_MEETING),
    ("by the next meeting", NEXT_MEETING),
    ("end of month", "2026-11-30"),
    ("end of next week", "2026-11-13"),
    ("end of the week", "2026-11-06"),
    ("close of play on Friday", "2026-11-06"),
    ("12th November", "2026-11-12"),
    ("Thursday 12 November", "2026-11-12"),
    ("01/02/03", "2003-02-01"),
    ("1/2", "2027-02-01"),
    ("by Friday", "2026-11-06"),
])
def test_due_dates_people_write(typed, expected):
    due = parse_due(typed, WEDNESDAY)
    assert (due if due == NEXT_MEETING else due.isoformat()) == expected


def test_a_weekday_that_does_not_match_the_date_is_refused():
    with pytest.raises(UsageError, match="Fri 13 November 2026 is not a Thursday"):
        parse_due("Thursday 13 November", WEDNESDAY)


@pytest.mark.parametrize("local, typed, expected", [
    ((2026, 3, 28, 23, 30), "tomorrow", "2026-03-29"),  # the night the clocks go forward
    ((2026, 3, 29, 0, 30), "tomorrow", "2026-03-30"),  # 23:30 UTC the evening before
    ((2026, 10, 25, 0, 30), "end of the week", "2026-10-30"),  # the night the clocks go back
    ((2026, 10, 24, 23, 59), "in 1 day", "2026-10-25"),
])
def test_dates_are_read_on_the_committees_clock_across_summer_time(local, typed, expected):
    assert parse_due(typed, datetime(*local, tzinfo=LONDON)).isoformat() == expected


async def test_an_action_keeps_its_text_owners_and_a_readable_date(chat, clock):
    clock.set_local(2026, 11, 4, 10, 0, LONDON)
    await chat.say("/start")
    reply = await chat.say("/action Send the terms of reference due: when the report is back", sender=MEMBER)
    assert reply.startswith("Action 1 recorded: Send the terms of reference — no owner yet, no due date. "
                            "The due date was not recorded: I can't read 'when the report is back' as a date")
    assert "add /assign 1 @Owner and /due 1 <date>" in reply
    assert (await chat.say("/action Book a room due: 31 February")).startswith("Action 2 recorded: Book a room")
    assert await chat.say("/action Circulate the paper by Friday owner: Sam Todd") == \
        "Action 3 recorded: Circulate the paper — Sam Todd, due Fri 6 November 2026."
    assert await chat.say("/action Report on the review by the Lab owner: Sam Todd due: end of month") == \
        "Action 4 recorded: Report on the review by the Lab — Sam Todd, due Mon 30 November 2026."
    both = await chat.say("/action <at>Sam Todd</at> and <at>Tom Sorrell</at> to circulate the minutes",
                          mentions=[OFFICER, MEMBER])
    assert both.startswith("Action 5 recorded: circulate the minutes — Sam Todd, Tom Sorrell, no due date.")
    trailing = await chat.say("/action Check vetting data <at>Sam Todd</at>", mentions=[OFFICER])
    assert trailing.startswith("Action 6 recorded: Check vetting data — Sam Todd")
    past = await chat.say("/action Backdated task owner: Sam Todd due: 01/10/2026")
    assert past == ("Action 7 recorded: Backdated task — Sam Todd, due Thu 1 October 2026. "
                    "Note: Thu 1 October 2026 has already passed.")
    twice = await chat.say("/action Two dates due: Friday due: Monday")
    assert twice.startswith("Give one due date: due: Friday and due: Monday are both given.")
    assert "Two dates" not in card_text(await chat.card("/actions all"))
    assert await chat.say("/due 1 end of next week") == "Action 1 is now due Fri 13 November 2026."


async def test_agenda_set_keeps_carried_items_and_a_removed_due_back_is_due_again(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Checking tool presenter: Data Lab")
    await chat.say("/next")
    await chat.say("/action Draft guidance owner: Sam Todd")
    await chat.say("/dueback")
    await chat.say("/end")

    clock.set_local(2026, 6, 10, 9, 50, LONDON)
    await chat.say("/start")
    kept = card_text(await chat.card("/agenda set\n10:00 Welcome\n10:30 Other business\n11:00 Close"))
    assert "Kept from the last meeting: Minutes of the previous meeting; Update on actions; Checking tool " \
           "(Data Lab)" in kept
    agenda = card_text(await chat.card("/agenda"))
    assert "Update on actions" in agenda and "Checking tool" in agenda and "Other business" in agenda

    removed = await chat.say("/agenda remove 5")
    assert removed == ("Removed item 5 (Checking tool) from the agenda. "
                       "Data Lab will be due back at the next meeting instead.")
    await chat.say("/agenda set replace\n10:00 Welcome\n10:30 Other business")
    assert "Update on actions" not in card_text(await chat.card("/agenda"))
    await chat.say("/end")
    clock.set_local(2026, 7, 8, 9, 50, LONDON)
    assert "Checking tool (Data Lab)" in await chat.say("/start")  # never consumed without appearing


async def test_each_date_form_through_the_chat_on_the_committees_clock(chat, clock):
    clock.set_local(2026, 11, 4, 10, 0, LONDON)  # a Wednesday
    await chat.say("/nextmeeting 2 December 2026")
    forms = {
        "before the next meeting": "due next meeting (Wed 2 December 2026)",
        "by the next meeting": "due next meeting (Wed 2 December 2026)",
        "end of month": "due Mon 30 November 2026",
        "end of next week": "due Fri 13 November 2026",
        "close of play on Friday": "due Fri 6 November 2026",
        "12th November": "due Thu 12 November 2026",
        "Thursday 12 November": "due Thu 12 November 2026",
        "01/02/27": "due Mon 1 February 2027",
    }
    for number, (typed, expected) in enumerate(forms.items(), start=1):
        reply = await chat.say(f"/action Task {number} owner: Sam Todd due: {typed}")
        assert reply == f"Action {number} recorded: Task {number} — Sam Todd, {expected}.", typed
    by = await chat.say("/action Send the terms by Friday owner: Sam Todd")
    assert by == "Action 9 recorded: Send the terms — Sam Todd, due Fri 6 November 2026."

    clock.set_local(2027, 3, 27, 23, 30, LONDON)  # Saturday night before the clocks go forward
    assert (await chat.say("/action Spring task owner: Sam Todd due: tomorrow")).endswith(
        "due Sun 28 March 2027.")
    clock.set_local(2027, 3, 28, 0, 30, LONDON)  # 23:30 UTC on the Saturday, after midnight in London
    assert (await chat.say("/action Later task owner: Sam Todd due: tomorrow")).endswith("due Mon 29 March 2027.")
    clock.set_local(2026, 10, 25, 0, 30, LONDON)  # the night the clocks go back
    assert (await chat.say("/action Autumn task owner: Sam Todd due: tomorrow")).endswith(
        "due Mon 26 October 2026.")
