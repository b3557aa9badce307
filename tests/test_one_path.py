"""Typed and pressed are one path: for every button of the command table that acts (not only shows)
and every role, the typed command and the pressed button give the same answer, word for word.
Generated from the table through /api/messages: each pair starts from two identical committees, one
spoken to, one pressed in, so neither answer depends on the other."""

import itertools

import pytest

from bot.commands import BY_VERB, COMMANDS
from bot.cards import VERB_PREFIX
from tests.conftest import CHAIR, MEMBER, OFFICER, Chat, card_text

KERRY = ("29:kerry", "Kerry Reid", "aad-kerry")  # the secretary
STRANGER = ("29:zoe", "Zoe Public", "aad-zoe")  # in the chat, in no record
ROLES = {"chair": CHAIR, "secretary": KERRY, "member": MEMBER, "owner": OFFICER, "someone else": STRANGER}

# What each acting button sends, and the command typed for it.
SAMPLES = {
    "action.done": ({"action": 1, "note": "sent"}, "/done 1 sent"),
    "action.update": ({"action": 1, "text": "drafted"}, "/update 1 drafted"),
    "action.due": ({"action": 1, "due": "2026-06-05"}, "/due 1 2026-06-05"),
    "action.snooze": ({"action": 1}, "/snooze 1"),
    "action.assign": ({"action": 1, "owners": "Tom Sorrell"}, "/assign 1 Tom Sorrell"),
    "agenda.next": ({}, "/next"),
    "agenda.break": ({}, "/recess"),
}
SHOWING = {"action.form", "action.new", "action.open", "agenda.refresh", "minutes.refresh", "minutes.export",
           "minutes.approve"}  # forms and views, and approval (tests/test_minutes.py)


def test_every_button_of_the_table_is_sampled_or_only_shows():
    assert set(BY_VERB) == set(SAMPLES) | SHOWING
    for verb, (data, typed) in SAMPLES.items():
        command, _ = BY_VERB[verb]
        assert typed.startswith(f"/{command.name}"), verb
    assert all(button.verb in BY_VERB for command in COMMANDS for button in command.buttons)


counter = itertools.count(1)


async def a_committee(bot, connector) -> Chat:
    chat = Chat(bot, connector, conversation_id=f"19:one-path-{next(counter)}@thread.v2")
    await chat.say("/members add Marion Oswald, Chair; Tom Sorrell, Member; Kerry Reid, Member")
    await chat.say("/start")
    await chat.say("/secretary <at>Kerry Reid</at>", mentions=[KERRY])
    await chat.say("/agenda set\n10:00 Checking tool presenter: Data Lab\n10:30 Tool\n11:00 Close")
    await chat.say("/next")
    await chat.say("/action Circulate the paper owner: Sam Todd due: 2026-05-29", sender=OFFICER)
    return chat


async def pressed_data(chat: Chat, verb: str, data: dict) -> dict:
    """The card's data as the button carries it: Reassign carries the chosen people's choice values."""
    if verb != "action.assign":
        return data
    opened = await chat.press(VERB_PREFIX + "action.open", {"action": 1})
    reassign = next(a for a in opened["actions"] if a["title"] == "Reassign")
    choices = reassign["card"]["body"][0]["choices"]
    return {**data, "owners": next(c["value"] for c in choices if c["title"] == data["owners"])}


@pytest.mark.parametrize("verb", sorted(SAMPLES))
async def test_typed_and_pressed_give_the_same_answer_for_every_role(verb, start_bot, connector):
    bot = await start_bot(outbound_per_second=10_000, outbound_per_tenant_per_second=10_000)
    connector.members = [CHAIR, MEMBER, OFFICER, KERRY, STRANGER]
    data, typed = SAMPLES[verb]
    for role, person in ROLES.items():
        typing, pressing = await a_committee(bot, connector), await a_committee(bot, connector)
        said = await typing.say(typed, sender=person)
        shown = card_text(await pressing.press(VERB_PREFIX + verb, await pressed_data(pressing, verb, data),
                                               sender=person))
        first_line = said.split("\n")[0]  # a typed mistake adds the command's usage under it
        assert first_line and first_line in shown, (verb, role, said, shown)
        for chat in (typing, pressing):
            await chat.close()
