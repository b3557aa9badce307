"""People (issue 17): one person one row whichever way they are named, who is who in the minutes,
substitutes, arrivals and departures, the chair line, the quorum, venue and times, and a personal
chat that is not a committee. Through /api/messages on SQLite and PostgreSQL, checked in the draft
card and in every export."""

from tests.conftest import Chat, MEMBER, OFFICER, card_text, mentioned
from tests.test_formal import minutes_everywhere
from tests.test_meeting_record import LONDON, PARTICIPANT_JOIN, PARTICIPANT_LEAVE, participants

MARTINE = ("29:martine", "Clark, Martine", "aad-martine")


async def test_one_person_is_one_row_whichever_way_they_are_named(chat):
    await chat.say("/members add Martine Clark, Member; Jennifer Housego, Member; Alan Jones, Member; "
                   "Beth Jones, Member")
    await chat.say("/start")
    await chat.post(chat.event(PARTICIPANT_JOIN, participants(MARTINE)))  # Teams: "Surname, Given"
    assert await chat.say("/present Dr Martine Clark") == "Present: Martine Clark."
    attendance = await chat.say("/attendance")
    assert attendance.count("Martine Clark") == 1 and "Clark, Martine" not in attendance
    assert await chat.say("/members alias Jennifer Housego = Jen") == "Jen now also names Jennifer Housego."
    assert await chat.say("/apologies jen") == "Apologies: Jennifer Housego."
    assert "- Jennifer Housego, Member (also: Jen)" in await chat.say("/members")
    assert await chat.say("/present Jones") == "Which Jones: Alan Jones or Beth Jones? Give the full name."
    assert await chat.say("/present Beth") == "Present: Beth Jones."
    recorded = await chat.say("/action Circulate the paper owner: MARTINE CLARK due: Friday")
    assert "— Martine Clark," in recorded
    assert "— Jennifer Housego," in await chat.say("/action Book the room owner: Jen due: Friday")
    mine = card_text(await chat.card("/actions mine", sender=MARTINE))
    assert "Circulate the paper" in mine and "Book the room" not in mine
    assert "Martine Clark" in await chat.say("/assign 1 Clark, Martine")
    assert "owned by Jennifer Housego" in await chat.say("/assign 1 jen")


async def test_a_typed_owner_is_linked_to_their_teams_account_for_reminders(chat, clock):
    """Issue 17: an owner typed by name is the person Teams knows from the meeting's attendance, so
    the reminder @mentions them."""
    from tests.test_reminders import sweep
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/start")
    await chat.post(chat.event(PARTICIPANT_JOIN, participants(MARTINE)))
    await chat.say("/action Circulate the paper owner: Dr Martine Clark due: 2026-05-26")
    clock.set_local(2026, 5, 19, 9, 0, LONDON)
    await sweep(chat)
    await sweep(chat)
    assert MARTINE[0] in [entity["mentioned"]["id"] for activity in chat.connector.proactive()
                          for entity in mentioned(activity)]


async def test_who_is_who_substitutes_part_attendance_chair_and_quorum_in_the_minutes(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/members add Marion Oswald, Chair; Tom Sorrell, Member; Kerry Reid, Member; "
                   "Jamie Grace, Member; Pete Fussey, Member")
    await chat.say("/committee quorum 3")
    await chat.say("/start May meeting")
    await chat.say("/agenda set\n10:00 Welcome\n10:05 Offending checking tool presenter: Data Lab\n10:40 Race Action Plan\n"
                   "11:00 Close")
    await chat.say("/present Marion Oswald; Tom Sorrell; Sam Todd, Data Lab")
    assert await chat.say("/substitute Kerry Reid for Jamie Grace") == (
        "Present: Kerry Reid (substitute for Jamie Grace). Apologies: Jamie Grace (substituted by Kerry Reid).")
    assert "only a member has a substitute" in await chat.say("/substitute Ann Other for Sam Todd")
    await chat.say("/next")
    clock.set_local(2026, 5, 13, 10, 5, LONDON)
    await chat.say("/next")
    assert await chat.say("/arrived Pete Fussey 10:45") == "Pete Fussey arrived at 10:45."
    clock.set_local(2026, 5, 13, 10, 20, LONDON)
    assert await chat.say("/left Tom Sorrell") == "Tom Sorrell left at 10:20, during item 2 (Offending checking tool)."
    assert "Only the chair (Marion Oswald) can change the venue." == \
        await chat.say("/venue Room 2, Police HQ", sender=MEMBER)
    assert "The minutes now say: Hybrid: Room 2, Police HQ, and Microsoft Teams" in \
        await chat.say("/venue Hybrid: Room 2, Police HQ, and Microsoft Teams")
    assert "must come after" in await chat.say("/times 13:00-10:00")
    assert "The minutes now give 10:00 – 12:55" in await chat.say("/times 10:00-12:55")
    assert "The minutes say so at item 2" in await chat.say("/chair @Tom Sorrell", mentions=[MEMBER])
    texts = await minutes_everywhere(chat)  # the card, Word, HTML, Markdown
    for text in texts[:1] + texts[2:]:  # Word keeps the people in tables, after its paragraphs
        assert text.index("Marion Oswald") < text.index("Tom Sorrell") < text.index("In attendance") \
            < text.index("Sam Todd") < text.index("Apologies"), text
    for text in texts:
        assert "Chair: Marion Oswald" in text and "In attendance" in text
        assert "Kerry Reid" in text and "substitute for Jamie Grace" in text
        assert "substituted by Kerry Reid" in text
        assert "(left 10:20, during item 2)" in text and "(from 10:45)" in text
        assert "Absent" not in text
        assert "The meeting was quorate (4 members present; quorum 3)." in text
        assert "Hybrid: Room 2, Police HQ, and Microsoft Teams" in text and "10:00 – 12:55" in text
        assert "Tom Sorrell took the chair." in text
    history = await chat.say("/history meeting")
    for change in ("Marion Oswald: venue Meeting held virtually via Microsoft Teams → Hybrid: Room 2, Police HQ, "
                   "and Microsoft Teams", "Marion Oswald: times Wednesday 13 May 2026, 10:00 – not closed → "
                   "10:00 – 12:55", "Marion Oswald: chair Marion Oswald → Tom Sorrell"):
        assert change in history, (change, history)


async def test_an_absent_member_and_a_decision_taken_while_inquorate(chat):
    await chat.say("/members add Marion Oswald, Chair; Tom Sorrell, Member; Kerry Reid, Member")
    await chat.say("/committee quorum 3")
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Tool")
    await chat.say("/next")
    await chat.say("/present Marion Oswald; Tom Sorrell")
    reply = await chat.say("/decision To proceed to a pilot.")
    assert reply.endswith("Warning: the meeting is not quorate, so this is marked as taken while inquorate.")
    assert "taken while inquorate" in await chat.say("/outcome A")
    for text in await minutes_everywhere(chat):
        assert "To proceed to a pilot. (taken while inquorate)" in text
        assert "(taken while inquorate)" in text.split("To proceed to a pilot.")[1]
        assert "Absent" in text and "Kerry Reid" in text.split("Absent")[1]
        assert "The meeting was not quorate (2 members present; quorum 3)." in text
    await chat.say("/present Kerry Reid")
    assert "Warning" not in await chat.say("/decision To thank the Lab.")


async def test_teams_joins_late_and_leaves_during_an_item(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome\n10:30 Tool\n11:00 Close")
    await chat.say("/next")
    clock.set_local(2026, 5, 13, 10, 30, LONDON)
    await chat.say("/next")
    await chat.post(chat.event(PARTICIPANT_JOIN, participants(OFFICER)))
    clock.set_local(2026, 5, 13, 10, 50, LONDON)
    await chat.post(chat.event(PARTICIPANT_LEAVE, participants(OFFICER)))
    assert "- Sam Todd – (from 10:30; left 10:50, during item 2)" in await chat.say("/attendance")


async def test_a_personal_chat_is_not_a_committee(start_bot, connector):
    bot = await start_bot(outbound_per_second=10_000, outbound_per_tenant_per_second=10_000)
    first, second = Chat(bot, connector), Chat(bot, connector, conversation_id="19:other@thread.v2")
    await first.say("/committee name Ethics Committee")
    await second.say("/committee name Audit Committee")
    await first.say("/action Circulate the paper owner: Tom Sorrell due: Friday")
    await second.say("/action Check the figures @Tom Sorrell due: Friday", mentions=[MEMBER])
    await second.say("/action Not Tom's owner: Sam Todd due: Friday")
    personal = Chat(bot, connector, conversation_id="a:personal-tom", personal=True)
    assert await personal.say("/start", sender=MEMBER) == (
        "/start belongs in your committee's chat, with Clerk added to it. Here: /actions [all | mine | overdue | "
        "@Owner]; /remind me privately | /remind me in the committee; /meetings.")
    listed = card_text(await personal.card("actions", sender=MEMBER))
    assert "Circulate the paper" in listed and "Ethics Committee" in listed
    assert "Check the figures" in listed and "Audit Committee" in listed
    assert "Not Tom's" not in listed
    for conversation in (first, second, personal):
        await conversation.close()
