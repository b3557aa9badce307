"""One role rule: the command table says who may use each command, and nothing else decides."""

from bot.commands import COMMANDS
from dialogs.roles import Role
from tests.conftest import CHAIR, MEMBER, OFFICER


async def open_meeting_chaired_by_marion(chat):
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome\n10:10 Checking tool presenter: Data Lab\n11:00 Tool\n11:35 Other\n13:00 Close")
    await chat.say("/next")
    await chat.say("/action Circulate the paper owner: Sam Todd")


async def test_every_command_in_the_table_is_refused_or_allowed_as_it_says(chat):
    """The one test of who may use each command, typed (test_one_path compares each pressed button
    with it; tests/test_rules.py tests ownership)."""
    await open_meeting_chaired_by_marion(chat)
    ending = [c for c in COMMANDS if c.name == "end"]  # last: it closes the meeting
    for command in [c for c in COMMANDS if c.name != "end"] + ending:
        as_member = await chat.say(command.example, sender=MEMBER)
        if command.role is Role.ANYONE:
            assert "Only the chair" not in as_member, (command.name, as_member)
        elif command.role in (Role.ACTION_OWNER, Role.ENTRY_AUTHOR):
            assert "Only the chair" not in as_member, (command.name, as_member)  # ownership: tests/test_rules.py
        else:
            assert as_member == f"Only the chair (Marion Oswald) can {command.doing}.", (command.name, as_member)
    await chat.say("/start")
    for command in [c for c in COMMANDS if c.role is not Role.ANYONE and c.name != "end"] + ending:
        as_chair = await chat.say(command.example)
        assert "Only the chair" not in as_chair, (command.name, as_chair)


async def test_the_teams_organizer_may_use_every_chair_command(chat):
    """Reproduced: the organizer could /agenda add but was refused /reminders pause."""
    await open_meeting_chaired_by_marion(chat)
    chat.connector.meeting_roles["aad-tom"] = "Organizer"
    assert await chat.say("/reminders pause", sender=MEMBER) == \
        "Reminders paused for this committee. /reminders resume starts them again."
    assert "Item 5 added at 12:00" in await chat.say("/agenda add 12:00 Any other business", sender=MEMBER)
    assert "Meeting closed" in await chat.say("/end", sender=MEMBER)
    assert (await chat.say("/reminders resume", sender=MEMBER)).startswith("Reminders resumed")


async def test_the_organizer_is_asked_for_only_when_the_rule_needs_it(chat):
    await open_meeting_chaired_by_marion(chat)
    asked = chat.connector.role_lookups
    await chat.say("/note Noted.", sender=MEMBER)  # anyone may: Teams is not asked
    await chat.say("/agenda add 12:00 More")  # the chair, by id: Teams is not asked
    assert chat.connector.role_lookups == asked
    await chat.say("/agenda add 12:30 More", sender=MEMBER)
    assert chat.connector.role_lookups == asked + 1


def test_help_and_the_reference_state_who_may():
    outcome = next(c for c in COMMANDS if c.name == "outcome")
    assert outcome.help_line.endswith("(chair or secretary).")
    assert next(c for c in COMMANDS if c.name == "vote casting").help_line.endswith("(chair only).")
    assert "(chair only)" not in next(c for c in COMMANDS if c.name == "note").help_line


IMPOSTOR = ("29:impostor", "Sam Todd", "aad-impostor")


async def test_a_chair_named_by_typed_name_is_bound_to_their_teams_account(chat):
    """Reproduced: after /chair Sam Todd typed without an @mention, another account with the
    display name "Sam Todd" ended the meeting and approved the minutes."""
    await chat.say("/start")
    assert await chat.say("/chair Sam Todd") == (
        "Sam Todd is now the chair of this meeting. You (Marion Oswald) opened the meeting, so you are its "
        "secretary: /secretary none if you are not.")
    assert await chat.say("/end", sender=IMPOSTOR) == ("Only the chair (Sam Todd) or the secretary (Marion Oswald) "
                                                       "can end the meeting.")
    assert "Meeting closed" in await chat.say("/end", sender=OFFICER)
    await chat.post(chat.activity(IMPOSTOR, text="", value={"clerk": "approve-minutes", "meeting": 1}))
    assert chat.connector.last_text() == "Only the chair (Sam Todd) can approve the minutes."


async def test_a_typed_name_that_is_nobody_or_two_people_asks_for_an_at_mention(chat):
    await chat.say("/start")
    assert await chat.say("/chair Jamie Grace") == ("I can't tell which Teams account is Jamie Grace (nobody in "
                                                    "this chat is called Jamie Grace). Name them with an "
                                                    "@mention: /chair @Jamie Grace.")
    chat.connector.members.append(IMPOSTOR)
    assert "(2 people in this chat are called sam todd)" in await chat.say("/chair sam todd")
    assert (await chat.say("/chair Sam", mentions=[OFFICER])).startswith("Sam Todd is now the chair of this meeting.")
    assert "Meeting closed" in await chat.say("/end", sender=OFFICER)


async def test_the_secretary_may_do_what_the_chair_may_except_approve_name_the_chair_and_cast(chat):
    """Issue 17: the secretary, named by Teams account, keeps the agenda, outcomes, corrections and the
    close; approving the minutes, naming the chair and the casting vote stay the chair's."""
    await chat.say("/start")
    assert "Only the chair (Marion Oswald) can name the secretary." == \
        await chat.say("/secretary @Sam Todd", sender=MEMBER, mentions=[OFFICER])
    assert (await chat.say("/secretary @Sam Todd", mentions=[OFFICER])).startswith(
        "Sam Todd is now the secretary of this meeting")
    assert "Item 1 added" in await chat.say("/agenda add 10:00 Welcome", sender=OFFICER)
    await chat.say("/next", sender=OFFICER)
    assert "Outcome A" in await chat.say("/outcome A", sender=OFFICER)
    recorded = await chat.say("/note The chair welcomed members.", sender=MEMBER)
    number = recorded.rsplit("#", 1)[1]
    assert await chat.say(f"/edit #{number} The Chair welcomed all members.", sender=OFFICER) == \
        f"Edited #{number}: The Chair welcomed all members."
    assert await chat.say("/chair @Sam Todd", sender=OFFICER, mentions=[OFFICER]) == \
        "Only the chair (Marion Oswald) can name another chair."
    await chat.say("/motion That the agenda be taken as read")
    await chat.say("/vote for 1 against 1")
    assert await chat.say("/vote casting for", sender=OFFICER) == \
        "Only the chair (Marion Oswald) can give the casting vote."
    assert await chat.say("/secretary @Marion Oswald", mentions=[CHAIR]) == \
        "Marion Oswald is the chair; the secretary is someone else."
    assert "Meeting closed" in await chat.say("/end", sender=OFFICER)
    await chat.post(chat.activity(OFFICER, text="", value={"clerk": "approve-minutes", "meeting": 1}))
    assert chat.connector.last_text() == "Only the chair (Marion Oswald) can approve the minutes."


async def test_whoever_opened_the_meeting_and_hands_over_the_chair_becomes_secretary(chat):
    await chat.say("/start", sender=OFFICER)
    reply = await chat.say("/chair @Marion Oswald", sender=OFFICER, mentions=[CHAIR])
    assert reply.endswith("You (Sam Todd) opened the meeting, so you are its secretary: /secretary none if you are not.")
    assert "Item 1 added" in await chat.say("/agenda add 10:00 Welcome", sender=OFFICER)
    assert await chat.say("/secretary none", sender=MEMBER) == \
        "Only the chair (Marion Oswald) or the secretary (Sam Todd) can change who is secretary."
    assert await chat.say("/secretary none", sender=OFFICER) == "Sam Todd is no longer the secretary of this meeting."
    assert await chat.say("/agenda add 10:30 Close", sender=OFFICER) == \
        "Only the chair (Marion Oswald) can change the agenda."
