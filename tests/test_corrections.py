"""The record can be corrected: references, /edit, /delete, /undo, /history, Teams edits and
deletions, corrections after the meeting, amendments after approval, and the order things were said."""

from zoneinfo import ZoneInfo

from tests.conftest import CHAIR, MEMBER, OFFICER, card_text

LONDON = ZoneInfo("Europe/London")


async def meeting_with_an_item(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/start May meeting")
    await chat.say("/agenda set\n10:00 Checking tool presenter: Data Lab\n11:00 Close")
    await chat.say("/next")


def teams_edit(chat, original: dict, new_text: str) -> dict:
    """What Teams sends when someone edits a message in a conversation with the bot: a messageUpdate
    with channelData.eventType editMessage and the edited message's own id."""
    edited = dict(original, type="messageUpdate", text=new_text)
    edited["channelData"] = dict(original["channelData"], eventType="editMessage")
    return edited


def teams_delete(original: dict) -> dict:
    deleted = {key: value for key, value in original.items() if key not in ("text", "entities")}
    deleted["type"] = "messageDelete"
    deleted["channelData"] = dict(original["channelData"], eventType="softDeleteMessage")
    return deleted


async def test_edit_delete_undo_and_history_with_who_may(chat, clock):
    await meeting_with_an_item(chat, clock)
    assert await chat.say("/note The Lab presented the tool.", sender=MEMBER) == "Note recorded on item 1. #1"
    assert await chat.say("/edit #1 The Lab presented the checking tool.", sender=OFFICER) == \
        "Only Tom Sorrell, who recorded #1, or the chair (Marion Oswald) can change it."
    assert await chat.say("/edit #1 The Lab presented the checking tool.", sender=MEMBER) == \
        "Edited #1: The Lab presented the checking tool."
    assert await chat.say("/edit #1 The Data Lab presented the checking tool.") == \
        "Edited #1: The Data Lab presented the checking tool."  # the chair may correct anyone's entry
    assert await chat.say("/edit #9 Nothing") == "There is no #9 in this committee's record."
    assert (await chat.say("/edit twelve")).startswith("Name the entry by its reference")

    await chat.say("/question Is there a pilot?", sender=MEMBER)
    await chat.say("/answer Yes.", sender=OFFICER)
    assert await chat.say("/delete #2", sender=MEMBER) == \
        "Removed #2 with its 1 answer from the minutes. It stays in /history #2; /undo puts it back."
    assert "Is there a pilot?" not in card_text(await chat.card("/minutes"))
    assert await chat.say("/undo", sender=MEMBER) == "Undone: #2 is back in the minutes."
    assert "Is there a pilot?" in card_text(await chat.card("/minutes"))
    assert await chat.say("/undo", sender=OFFICER) == "Undone: #3 (answer) is out of the minutes."

    history = await chat.say("/history #1")
    lines = history.split("\n")
    assert lines[0] == "History of #1 (note, in the minutes):"
    assert lines[1] == "- Wed 13 May 2026 10:00 Tom Sorrell: recorded — The Lab presented the tool."
    assert lines[2] == ("- Wed 13 May 2026 10:00 Tom Sorrell: edited — The Lab presented the checking tool. "
                        "(was: The Lab presented the tool.)")
    assert lines[3].startswith("- Wed 13 May 2026 10:00 Marion Oswald: edited — The Data Lab presented")

    clock.set_local(2026, 5, 13, 10, 5, LONDON)
    await chat.say("/action Send the paper owner: Sam Todd", sender=OFFICER)
    await chat.say("/done 1 sent", sender=OFFICER)
    assert await chat.say("/undo", sender=OFFICER) == "Undone: done on action 1: it is open again."
    assert await chat.say("/undo", sender=OFFICER) == "Undone: action 1 (Send the paper) is dropped."
    action_history = await chat.say("/history action 1")
    assert "Sam Todd: created — Send the paper (taken back with /undo)" in action_history
    assert "done — sent (taken back with /undo)" in action_history
    assert "dropped — taken back with /undo (/undo)" in action_history
    assert await chat.say("/undo", sender=CHAIR) == "Undone: #1 reads again: The Lab presented the checking tool."


async def test_teams_edit_and_delete_of_a_recorded_note(chat, clock):
    await meeting_with_an_item(chat, clock)
    original = chat.message("/note The tool flagz records.", sender=MEMBER)
    await chat.post(original)
    assert chat.connector.last_text() == "Note recorded on item 1. #1"

    await chat.post(teams_edit(chat, original, "/note The tool flags records."))
    assert chat.connector.last_text() == "Updated #1: The tool flags records."
    before = len(chat.connector.posted)
    await chat.post(teams_edit(chat, original, "/note The tool flags records."))  # delivered again
    assert len(chat.connector.posted) == before
    await chat.post(teams_edit(chat, original, "/question The tool flags records?"))
    assert chat.connector.last_text().startswith("That edit did not change the record: the message recorded #1 "
                                                 "as a note, and now reads as /question.")
    assert "The tool flags records." in card_text(await chat.card("/minutes"))

    await chat.post(teams_delete(original))
    assert chat.connector.last_text() == "Removed #1 from the minutes, as its message was deleted. /undo puts it back."
    assert "flags records" not in card_text(await chat.card("/minutes"))

    chatter = chat.message("/help", sender=MEMBER)
    await chat.post(chatter)
    before = len(chat.connector.posted)
    await chat.post(teams_edit(chat, chatter, "/help agenda"))  # it recorded nothing: nothing to say
    await chat.post(teams_delete(chatter))
    assert len(chat.connector.posted) == before


async def test_corrections_after_the_meeting_update_the_posted_draft(chat, clock):
    await meeting_with_an_item(chat, clock)
    await chat.say("/note Presented.", sender=MEMBER)
    await chat.say("/end")
    card_ids = [f"sent-{n}" for n, activity in enumerate(chat.connector.posted, 1) if activity.get("attachments")]
    assert await chat.say("/note item 1 The Lab will return in July.", sender=MEMBER) == \
        "Note recorded on item 1 in the minutes of Wed 13 May 2026. #2"
    updated = [a for a in chat.connector.posted if a.get("_updated")]
    assert updated and updated[-1]["_updated"] == card_ids[-1]
    assert "The Lab will return in July." in card_text(updated[-1]["attachments"][0]["content"])
    assert await chat.say("/outcome item 1 B") == \
        "Item 1: Outcome B – proceed with minor amendments in the minutes of Wed 13 May 2026. #3"
    assert await chat.say("/edit #2 The Lab will return in September.", sender=MEMBER) == \
        "Edited #2 in the minutes of Wed 13 May 2026: The Lab will return in September."
    assert "return in September" in card_text(await chat.card("/minutes"))


async def test_after_approval_only_the_chair_amends_and_the_minutes_say_so(chat, clock):
    await meeting_with_an_item(chat, clock)
    await chat.say("/note Presented.", sender=MEMBER)
    await chat.say("/end")
    await chat.post(chat.activity(CHAIR, text="", value={"clerk": "approve-minutes", "meeting": 1}))
    clock.set_local(2026, 5, 20, 9, 0, LONDON)
    assert await chat.say("/edit #1 Presented by the Lab.", sender=MEMBER) == \
        "The minutes of Wed 13 May 2026 are approved: only the chair (Marion Oswald) can amend them."
    assert await chat.say("/note item 1 Late addition.", sender=MEMBER) == \
        "The minutes of Wed 13 May 2026 are approved: only the chair (Marion Oswald) can amend them."
    assert "Edited #1" in await chat.say("/edit #1 Presented by the Lab.")
    minutes = card_text(await chat.card("/minutes"))
    assert "Approved by Marion Oswald" in minutes
    assert "Amended Wed 20 May 2026 at 09:00 by Marion Oswald: #1 note edited: Presented by the Lab." in minutes
    assert "amendment after approval" in await chat.say("/history #1")


async def test_minutes_follow_the_order_things_were_said_in(chat, clock):
    await meeting_with_an_item(chat, clock)
    for command in ("/note The Lab presented.", "/question Is there a pilot?", "/answer Yes.",
                    "/note Members discussed false positives.", "/question And victims?", "/answer Not shared.",
                    "/decision The Lab to return with figures."):
        await chat.say(command, sender=MEMBER)
    text = card_text(await chat.card("/minutes"))
    order = ["The Lab presented.", "Committee questions/ comments:", "• Is there a pilot?", "↳ Yes.",
             "Members discussed false positives.", "• And victims?", "↳ Not shared.",
             "Decision: The Lab to return with figures."]
    positions = [text.index(line) for line in order]
    assert positions == sorted(positions), text
    assert text.count("Committee questions/ comments:") == 1
