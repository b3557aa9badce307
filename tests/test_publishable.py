"""Minutes a committee publishes as they are (issue 28), through /api/messages: apologies with their
reasons, previous minutes approved at a first meeting, votes as people say them, the title block and
its status, and exports that read as text."""

import re

from tests.conftest import CHAIR, card_text


async def a_meeting(chat):
    await chat.say("/committee name Ashby Parish Council")
    await chat.say("/members add Marion Oswald, Chairman; R Green, Councillor; J Patel, Councillor")
    await chat.say("/start Extra-ordinary meeting of Ashby Parish Council")
    await chat.say("/agenda set\n19:00 Apologies\n19:05 Contract renewal\n19:30 Close")
    await chat.say("/next")


async def test_an_apologys_reason_is_kept_and_shown(chat):
    await a_meeting(chat)
    assert await chat.say("/apologies J Patel (unable to join: IT problems); R Green - on holiday") == \
        "Apologies: J Patel (unable to join: IT problems), R Green (on holiday)."
    shown = await chat.say("/attendance")
    assert "- J Patel (unable to join: IT problems) – Councillor" in shown and "guest" not in shown
    await chat.say("/end")
    assert "J Patel (unable to join: IT problems)" in card_text(await chat.card("/minutes"))


async def test_previous_minutes_are_approved_at_the_first_meeting_held_in_clerk(chat):
    await a_meeting(chat)
    assert await chat.say("/previous approved 12 January 2026") == (
        "The minutes of the meeting held on Mon 12 January 2026 were approved as an accurate record. Recorded on "
        "item 1. #1")
    assert "Clerk holds no earlier minutes" not in await chat.say("/help previous")
    assert (await chat.say("/help previous")).startswith("/previous approved [<date>]")


async def test_votes_as_people_say_them_print_only_the_counts_given(chat):
    await a_meeting(chat)
    said = {}
    for vote in ("7 for, 1 abstention", "for 7 abstain 1", "7-1", "carried with 1 abstention", "unanimous"):
        await chat.say("/motion That the contract be renewed")
        said[vote] = await chat.say(f"/vote {vote}")
    assert said["7 for, 1 abstention"].endswith("Carried (for 7, abstentions 1).")
    assert said["for 7 abstain 1"].endswith("Carried (for 7, abstentions 1).")
    assert said["7-1"].endswith("Carried (for 7, against 1).")
    assert said["carried with 1 abstention"].endswith("Carried (abstentions 1).")
    assert said["unanimous"].endswith("Carried unanimously.")
    assert not any("against 0" in text for text in said.values())


async def test_the_title_block_names_the_committee_once_and_says_draft_until_approved(chat):
    await a_meeting(chat)
    await chat.say("/note Under [item](http://x.example) 1. *as typed* (with brackets)")
    await chat.say("/end")
    card = card_text(await chat.card("/minutes"))
    assert card.startswith("Draft minutes\nExtra-ordinary meeting of Ashby Parish Council\n")
    assert "Ashby Parish Council · " not in card and "Ashby Parish Council – Extra" not in card
    await chat.press("clerk.minutes.approve", {"meeting": 1, "part": 1}, sender=CHAIR)
    assert card_text(await chat.card("/minutes")).startswith("Minutes\nExtra-ordinary meeting of Ashby Parish Council")


async def test_markdown_escapes_only_what_changes_its_meaning_and_plain_text_has_none(chat):
    await a_meeting(chat)
    await chat.say("/note Under [item](http://x.example) 1. *as typed* (with brackets) #3")
    await chat.say("/end")
    export = next(a for a in (await chat.card("/minutes"))["actions"] if a["title"] == "Export")["data"]
    before = len(chat.connector.posted)
    await chat.post(chat.activity(CHAIR, text="", value=export))
    reply = chat.connector.posted[before]["text"]
    links = dict(re.findall(r"\[(Markdown|Plain text)\]\((http[^)]+)\)", reply))
    async with chat.session.get(links["Markdown"]) as response:
        markdown = await response.text()
    assert r"Under \[item\](http://x.example) 1. \*as typed\* (with brackets) #3" in markdown
    assert markdown.startswith("# Extra-ordinary meeting of Ashby Parish Council\n\n**Draft minutes**")
    async with chat.session.get(links["Plain text"]) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    assert "Under [item](http://x.example) 1. *as typed* (with brackets) #3" in text
    assert text.startswith("EXTRA-ORDINARY MEETING OF ASHBY PARISH COUNCIL\nDraft minutes\n")


async def test_an_exempt_item_has_a_public_summary(chat):
    await a_meeting(chat)
    await chat.say("/next")
    await chat.say("/note The clerk set out the bids in detail.")
    await chat.say("/confidential item 2 commercially sensitive")
    assert await chat.say("/confidential item 2 public: After a full and frank discussion, the council resolved "
                          "unanimously to renew the contract.") == (
        "The public minutes of item 2 now say: After a full and frank discussion, the council resolved unanimously "
        "to renew the contract.")
    await chat.say("/end")
    public = card_text(await chat.card("/minutes"))
    assert "Exempt item: commercially sensitive (minuted separately)" in public
    assert "resolved unanimously to renew the contract" in public and "bids in detail" not in public


async def test_people_appear_as_typed(chat):
    await a_meeting(chat)
    assert await chat.say("/present Anne Moss, Clerk to the Council; Marion Oswald, Chairman of the Council") == \
        "Present: Anne Moss, Clerk to the Council, Marion Oswald."
    await chat.say("/chair Marion Oswald")
    await chat.say("/motion That the contract be renewed mover: Green")
    await chat.say("/end")
    minutes = card_text(await chat.card("/minutes"))
    assert "Anne Moss · Clerk to the Council" in minutes and "guest" not in minutes
    assert "Marion Oswald · Chairman of the Council" in minutes
    assert "Proposed by R Green." in minutes


async def test_members_of_the_public_are_recorded_in_the_attendance_block(chat):
    await a_meeting(chat)
    assert await chat.say("/arrived a member of the public 19:05") == "Members of the public: 1."
    assert await chat.say("/arrived 2 members of the public") == "Members of the public: 3."
    assert await chat.say("/undo") == "Undone: the public is 1 again (was 3)."
    await chat.say("/end")
    minutes = card_text(await chat.card("/minutes"))
    assert "Members of the public\n1" in minutes
