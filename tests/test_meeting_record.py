"""A small meeting replayed through /api/messages: committee, attendance, agenda, timings, minutes."""

from zoneinfo import ZoneInfo

from app import SWEEPS

from tests.conftest import CHAIR, MEMBER, OFFICER, card_text

LONDON = ZoneInfo("Europe/London")
PARTICIPANT_JOIN = "application/vnd.microsoft.meetingParticipantJoin"
PARTICIPANT_LEAVE = "application/vnd.microsoft.meetingParticipantLeave"


def participants(*people):
    return {"members": [{"user": {"id": p[0], "name": p[1], "aadObjectId": p[2], "tenantId": "tenant-1"},
                         "meeting": {"inMeeting": True, "role": "Attendee"}} for p in people]}


async def test_a_small_meeting_from_start_to_end(chat, clock):
    clock.set_local(2026, 5, 13, 9, 55, LONDON)
    assert "Added 3 members" in await chat.say(
        "/members add Marion Oswald, Chair; Tom Sorrell, Ethics Committee; Kerry Reid, Ethics Committee")
    await chat.say("/committee name Data Ethics Committee")
    await chat.say("/committee quorum 2")

    # Teams opens the record; the chair is named by command.
    await chat.post(chat.event("application/vnd.microsoft.meetingStart",
                               {"Id": "m-1", "Title": "May meeting", "MeetingType": "Scheduled",
                                "StartTime": "2026-05-13T08:55:00Z"}))
    assert "meeting record opened for 'May meeting' at 09:55" in chat.connector.last_text()
    assert "Marion Oswald is now the chair" in await chat.say("/chair Marion Oswald")

    await chat.post(chat.event(PARTICIPANT_JOIN, participants(CHAIR, MEMBER, OFFICER)))
    assert "Apologies: Kerry Reid." == await chat.say("/apologies Kerry Reid", sender=MEMBER)
    assert "Present: Jack Tracey, Policy Lead." == await chat.say("/present Jack Tracey, Policy Lead", sender=MEMBER)

    attendance = await chat.say("/attendance")
    assert "Present (2):\n- Marion Oswald – Chair\n- Tom Sorrell – Ethics Committee\n" in attendance
    assert "In attendance (2):\n- Sam Todd\n- Jack Tracey – Policy Lead\n" in attendance
    assert "Apologies (1):\n- Kerry Reid – Ethics Committee\n" in attendance
    assert "Absent" not in attendance
    assert "Quorum 2: 2 members present so far; quorate now." in attendance

    replaced = await chat.card("/agenda set\n1. 10:00 Welcome presenter: Marion Oswald\n2 10:05 Update on actions presenter: Jack Tracey\n"
                           "10:10 Checking tool for PSD (in principle submission) (30 min) presenter: Data Lab\n"
                           "10:45 Break\n10:55 Frequent service users — Sam Todd\n11:30 Meeting close")
    assert "Frequent service users" in card_text(replaced)  # /agenda set answers with the new agenda
    agenda = await chat.card("/agenda")
    text = card_text(agenda)
    for expected in ("Welcome", "Update on actions", "Checking tool for PSD (in principle submission)",
                     "Break", "Frequent service users", "Data Lab", "Sam Todd", "30 min planned",
                     "Running on time, projected close 11:30 (planned 11:30)"):
        assert expected in text, (expected, text)
    numbers = [column["items"][0]["text"] for block in agenda["body"] if block["type"] == "ColumnSet"
               for column in block["columns"][:1]]
    assert numbers == ["1", "2", "3", "", "4"]

    clock.set_local(2026, 5, 13, 10, 2, LONDON)
    assert "Item 1: Welcome, presented by Marion Oswald. Started 10:02 (planned 10:00, 5 min allotted)." \
        == await chat.say("/next")
    await chat.say("/note The Chair thanked the secretariat.", sender=MEMBER)
    clock.set_local(2026, 5, 13, 10, 9, LONDON)
    await chat.say("/next")
    clock.set_local(2026, 5, 13, 10, 14, LONDON)
    assert "Item 3: Checking tool for PSD (in principle submission), presented by Data Lab" in await chat.say("/next")
    await chat.say("/question Will there be a pilot?", sender=MEMBER)
    await chat.say("/answer Yes, after an exploratory phase.", sender=OFFICER)
    await chat.say("/decision The Lab to return with false-positive rates.")
    assert "Item 3: Outcome E – more information needed. #5" == await chat.say("/outcome E")
    assert "Item 3: Outcome B – proceed with minor amendments (was E). #6" == await chat.say("/outcome b")

    clock.set_local(2026, 5, 13, 10, 20, LONDON)
    time_reply = await chat.say("/time")
    assert "Item 3 (Checking tool for PSD (in principle submission)): 6 min elapsed of 30 min allotted, 24 min left." \
        in time_reply
    assert "Running 4 min late, projected close 11:34 (planned 11:30)" in time_reply

    card = await chat.card("/agenda")
    assert "▶ Checking tool" in card_text(card)
    assert "started 10:02, 7 min" in card_text(card)

    assert await chat.say("/end") == "Meeting closed at 10:20: 'May meeting'."
    assert await chat.say("/note too late") == ("No meeting is open. To add to the minutes of Wed 13 May 2026, "
                                                "name the item, e.g. /note item 3 <text>.")


async def test_starting_twice_keeps_one_meeting(chat):
    assert "Meeting opened" in await chat.say("/start Budget")
    assert "A meeting is already open: 'Budget'" in await chat.say("/start Budget again")
    before = len(chat.connector.posted)
    await chat.post(chat.event("application/vnd.microsoft.meetingStart", {"Id": "m-2", "Title": "Budget"}))
    assert len(chat.connector.posted) == before  # the record was already open: nothing to say


async def test_meeting_end_event_closes_the_record(chat):
    await chat.say("/start")
    await chat.post(chat.event("application/vnd.microsoft.meetingEnd", {"Id": "m-1", "EndTime": "x"}))
    assert "Meeting closed" in chat.connector.last_text()
    assert await chat.say("/attendance") == "No meeting is open. /start opens one."


async def test_default_title_names_committee_and_date(chat, clock):
    await chat.say("/committee name Ethics Committee")
    assert "'Ethics Committee meeting, 13 May 2026'" in await chat.say("/start")


async def test_participant_leave_is_recorded_and_join_is_silent(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/start")
    before = len(chat.connector.posted)
    await chat.post(chat.event(PARTICIPANT_JOIN, participants(MEMBER)))
    clock.set_local(2026, 5, 13, 10, 40, LONDON)
    await chat.post(chat.event(PARTICIPANT_LEAVE, participants(MEMBER)))
    assert len(chat.connector.posted) == before
    assert "- Tom Sorrell – (left 10:40)" in await chat.say("/attendance")
    clock.set_local(2026, 5, 13, 10, 50, LONDON)
    await chat.post(chat.event(PARTICIPANT_JOIN, participants(MEMBER)))  # back again: one row
    attendance = await chat.say("/attendance")
    assert attendance.count("Tom Sorrell") == 1 and "- Tom Sorrell – (left 10:40; returned 10:50)" in attendance


async def test_absent_corrects_a_record(chat):
    await chat.say("/members add Tom Sorrell, Member")
    await chat.say("/start")
    await chat.say("/present Tom Sorrell")
    assert "Tom Sorrell is now recorded as absent" in await chat.say("/absent tom sorrell")
    attendance = await chat.say("/attendance")
    assert "Absent (1):\n- Tom Sorrell – Member" in attendance
    assert "Tom Sorrell absent (was present)" in await chat.say("/attendance history")
    assert await chat.say("/absent Nobody") == "Nobody is not in this meeting's attendance. /attendance shows it."


async def test_names_match_members_case_insensitively(chat):
    await chat.say("/members add Claire Paterson-Young, Ethics Committee")
    await chat.say("/start")
    assert await chat.say("/present  claire   PATERSON-young") == "Present: Claire Paterson-Young."


async def test_chair_only_commands_are_refused_with_who_may(chat):
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Welcome")
    refusals = {
        "/agenda add 10:30 Other": "change the agenda",
        "/agenda set\n10:00 A": "change the agenda",
        "/agenda remove 1": "change the agenda",
        "/agenda move 1 10:05": "change the agenda",
        "/agenda end 13:00": "change the agenda",
        "/outcome item 1 A": "set outcomes",
        "/end": "end the meeting",
        "/chair Tom Sorrell": "name another chair",
    }
    for command, doing in refusals.items():
        assert await chat.say(command, sender=MEMBER) == f"Only the chair (Marion Oswald) can {doing}.", command
    assert "Meeting closed" in await chat.say("/end")


async def test_the_teams_organizer_counts_as_chair(chat):
    await chat.say("/start")
    chat.connector.meeting_roles["aad-tom"] = "Organizer"
    assert "Item 1 added at 10:00" in await chat.say("/agenda add 10:00 Welcome", sender=MEMBER)


async def test_chair_by_mention(chat):
    await chat.say("/start")
    assert "Tom Sorrell is now the chair" in await chat.say("/chair Tom", mentions=[MEMBER])
    assert "Item 1 added" in await chat.say("/agenda add 10:00 Welcome", sender=MEMBER)
    assert "Item 2 added" in await chat.say("/agenda add 10:05 Other")  # who opened it is now secretary
    await chat.say("/secretary none")
    assert "Only the chair (Tom Sorrell)" in await chat.say("/agenda add 10:10 Other")


async def test_agenda_add_parses_length_presenter_and_breaks(chat):
    await chat.say("/start")
    assert await chat.say("/agenda add 10:10 Tool for PSD (in principle submission) (30 min) presenter: Data Lab") == \
        "Item 1 added at 10:10: Tool for PSD (in principle submission) (30 min) - Data Lab."
    assert await chat.say("/agenda add 11:20 break (10 min)") == "Break added at 11:20: Break (10 min)."
    await chat.say("/present ACC Andrew Hill")  # a name the record knows: the part after the dash presents
    assert await chat.say("/agenda add 11:30 Casey review — ACC Andrew Hill") == \
        "Item 2 added at 11:30: Casey review - ACC Andrew Hill."
    assert await chat.say("/agenda add 09:00 Welcome") == "Item 1 added at 09:00: Welcome."
    assert "Moved item 1 (Welcome) to 12:00 (now item 3)." == await chat.say("/agenda move 1 12:00")
    assert "Removed the break from the agenda." == await chat.say("/agenda remove 11:20")
    assert "Removed item 3 (Welcome) from the agenda." == await chat.say("/agenda remove 3")


async def test_agenda_edits_never_lose_recorded_minutes(chat):
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Welcome")
    await chat.say("/note item 1 Thanks to the secretariat")
    assert "already has minutes recorded" in await chat.say("/agenda remove 1")
    assert "already has minutes recorded against item 1 (Welcome)" in await chat.say("/agenda set\n10:00 Other")
    assert "Welcome" in card_text(await chat.card("/agenda"))


async def test_bad_input_gets_syntax_and_example_and_records_nothing(chat):
    await chat.say("/start")
    reply = await chat.say("/agenda add 25:00 Welcome")
    assert reply.startswith("'25:00' is not a time of day: use 00:00 to 23:59.")
    assert "Example: /agenda add 10:10" in reply
    assert "is not a time of day" in await chat.say("/agenda add 9.75 Welcome")
    assert "Give the title of the item" in await chat.say("/agenda add")
    assert await chat.say("/item 7") == "There is no item 7: the agenda is empty."
    await chat.say("/agenda add 10:00 Welcome")
    assert await chat.say("/item 7") == "There is no item 7: the agenda has items 1 to 1."
    assert "'Z' is not on the outcome scale (A, B, C, D, E)" in await chat.say("/outcome item 1 Z")
    assert "No item is under way" in await chat.say("/question hello")
    assert "Line 2 ('10:99 Oops')" in await chat.say("/agenda set\n10:00 Fine\n10:99 Oops")
    assert "/agenda takes nothing after it." in await chat.say("/agenda please")
    assert "There is no question on item 1 to answer" in await chat.say("/answer item 1 Yes")
    card = await chat.card("/agenda")
    assert card_text(card).count("Welcome") == 1


async def test_item_prefix_records_against_another_item(chat):
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome\n10:05 Actions")
    await chat.say("/next")
    assert await chat.say("/note item 2 Two actions remain open.") == "Note recorded on item 2. #1"
    assert await chat.say("/question item 2 Which ones?") == "Question recorded on item 2. #2"
    assert await chat.say("/note Welcome given.") == "Note recorded on item 1. #3"


async def test_outcome_scale_can_be_redefined(chat):
    await chat.say("/outcomes set A=approve; R=reject")
    assert "- R: reject" in await chat.say("/outcomes")
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Tool")
    assert await chat.say("/outcome item 1 R not ethical") == "Item 1: Outcome R – reject. #1"
    assert "'B' is not on the outcome scale (A, R)" in await chat.say("/outcome item 1 B")


async def test_item_jump_and_last_item(chat, clock):
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome\n10:05 Actions\n10:10 Tool")
    assert await chat.say("/item 3") == "Item 3: Tool. Started 10:00 (planned 10:10)."
    assert await chat.say("/next") == "That was the last item on the agenda. /end closes the meeting."
    assert "No item is under way" in await chat.say("/time")


async def test_overtime_notice_is_posted_once_per_item(chat, clock):
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome (5 min)\n10:05 Actions")
    await chat.say("/next")
    sweeps = chat.bot.app[SWEEPS]
    clock.advance(minutes=4)
    await sweeps.timekeeping()
    assert not any("reached" in t for t in chat.connector.texts())
    clock.advance(minutes=1)
    await sweeps.timekeeping()
    clock.advance(minutes=3)
    await sweeps.timekeeping()
    # In the Teams meeting the chair (by account) alone is told, once, on the meeting stage.
    assert [body["value"]["recipients"] for _, body in chat.connector.notifications] == [[CHAIR[0]]]
    assert not any("reached" in t for t in chat.connector.texts())


async def test_timekeeping_off_silences_notices(chat, clock):
    await chat.say("/timekeeping off")
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome (5 min)")
    await chat.say("/next")
    clock.advance(minutes=10)
    await chat.bot.app[SWEEPS].timekeeping()
    assert not any("reached" in t for t in chat.connector.texts()) and not chat.connector.notifications
