"""One role rule: the command table says who may use each command, and nothing else decides."""

from bot.commands import COMMANDS
from dialogs.roles import Role
from tests.conftest import Chat, MEMBER, OFFICER


async def open_meeting_chaired_by_marion(chat):
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome\n10:10 Checking tool - Data Lab\n11:00 Tool\n11:35 Other\n13:00 Close")
    await chat.say("/next")
    await chat.say("/action Circulate the paper owner: Sam Todd")


async def test_every_command_in_the_table_is_refused_or_allowed_as_it_says(start_bot, connector):
    # Two commands a second into one chat: Teams' rate limits (tested in test_hardening) would
    # rightly hold some answers back for the outbox's sweep; here each is read as it comes.
    chat = Chat(await start_bot(outbound_per_second=10_000, outbound_per_tenant_per_second=10_000), connector)
    await open_meeting_chaired_by_marion(chat)
    ending = [c for c in COMMANDS if c.name == "end"]  # last: it closes the meeting
    for command in [c for c in COMMANDS if c.name != "end"] + ending:
        as_member = await chat.say(command.example, sender=MEMBER)
        if command.role is Role.ANYONE:
            assert "Only the chair" not in as_member, (command.name, as_member)
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
    assert outcome.help_line.endswith("(chair only).")
    assert "(chair only)" not in next(c for c in COMMANDS if c.name == "note").help_line


IMPOSTOR = ("29:impostor", "Sam Todd", "aad-impostor")


async def test_a_chair_named_by_typed_name_is_bound_to_their_teams_account(chat):
    """Reproduced: after /chair Sam Todd typed without an @mention, another account with the
    display name "Sam Todd" ended the meeting and approved the minutes."""
    await chat.say("/start")
    assert await chat.say("/chair Sam Todd") == "Sam Todd is now the chair of this meeting."
    assert await chat.say("/end", sender=IMPOSTOR) == "Only the chair (Sam Todd) can end the meeting."
    assert "Meeting closed" in await chat.say("/end", sender=OFFICER)
    await chat.post(chat.activity(IMPOSTOR, text="", value={"clerk": "approve-minutes", "meeting": 1}))
    assert chat.connector.last_text() == "Only the chair (Sam Todd) can approve the minutes."


async def test_a_typed_name_that_is_nobody_or_two_people_asks_for_an_at_mention(chat):
    await chat.say("/start")
    assert await chat.say("/chair Jamie Grace") == ("I can't tell which Teams account is Jamie Grace (nobody in "
                                                    "this chat is called Jamie Grace). Name the chair with an "
                                                    "@mention: /chair @Jamie Grace.")
    chat.connector.members.append(IMPOSTOR)
    assert "(2 people in this chat are called sam todd)" in await chat.say("/chair sam todd")
    assert await chat.say("/chair Sam", mentions=[OFFICER]) == "Sam Todd is now the chair of this meeting."
    assert "Meeting closed" in await chat.say("/end", sender=OFFICER)
