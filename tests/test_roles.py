"""One role rule: the command table says who may use each command, and nothing else decides."""

from bot.commands import COMMANDS
from dialogs.roles import Role
from tests.conftest import MEMBER


async def open_meeting_chaired_by_marion(chat):
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome\n10:10 Checking tool - Data Lab\n11:00 Tool\n11:35 Other\n13:00 Close")
    await chat.say("/next")
    await chat.say("/action Circulate the paper owner: Sam Todd")


async def test_every_command_in_the_table_is_refused_or_allowed_as_it_says(chat):
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
