"""Minutes a committee publishes as they are (issue 28), through /api/messages: apologies with their
reasons, previous minutes approved at a first meeting, votes as people say them, the title block and
its status, and exports that read as text."""

import re

from app import SWEEPS

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


async def test_agenda_titles_are_kept_whole_and_corrected_at_any_time_with_history(chat):
    await chat.say("/committee name Ashby Parish Council")
    await chat.say("/members add Marion Oswald, Chairman; R Green, Councillor")
    await chat.say("/start")
    await chat.say("/present Anne Moss, Clerk to the Council")
    await chat.say("/agenda set\nDeclarations of interest – members to declare any interests\n"
                   "Contract renewal – CONFIDENTIAL\nGrounds maintenance - Anne Moss\n"
                   "Footpaths presenter: Highways Team")
    started = await chat.say("/next")
    assert started.startswith("Item 1: Declarations of interest – members to declare any interests. Started")
    agenda = card_text(await chat.card("/agenda"))
    assert "Contract renewal – CONFIDENTIAL" in agenda and "presented by" not in started
    assert "Grounds maintenance" in agenda and "Anne Moss" in agenda  # a name the record knows presents
    await chat.say("/note None were declared.")
    assert await chat.say("/item 1 title Declarations of interest") == \
        "Item 1 is now titled 'Declarations of interest'."
    assert await chat.say("/item 2 presenter R Green") == \
        "Item 2 (Contract renewal – CONFIDENTIAL) is presented by R Green."
    history = await chat.say("/history meeting")
    assert "agenda item retitled Declarations of interest – members to declare any interests → Declarations of " \
           "interest" in history
    assert await chat.say("/undo") == "Undone: the item is 'Contract renewal – CONFIDENTIAL', with no presenter " \
                                      "named again."
    await chat.say("/end")
    minutes = card_text(await chat.card("/minutes"))
    assert "1. Declarations of interest\nNone were declared." in minutes
    assert "2. Contract renewal – CONFIDENTIAL\n" in minutes and "3. Grounds maintenance — Anne Moss" in minutes
    assert "4. Footpaths — Highways Team" in minutes
    assert await chat.say("/item 4 title Footpaths and bridleways") == \
        "Item 4 is now titled 'Footpaths and bridleways' in the minutes of Wed 13 May 2026."


async def test_items_without_times_are_numbered_and_keep_no_time(chat, clock):
    await chat.say("/start")
    assert await chat.say("/agenda add Apologies for absence") == "Item 1 added: Apologies for absence."
    await chat.say("/agenda add Planning (20 min)")
    assert await chat.say("/next") == "Item 1: Apologies for absence. Started 10:00."
    assert "The agenda has no planned times" in await chat.say("/time")
    clock.advance(minutes=90)
    await chat.bot.app[SWEEPS].timekeeping()
    assert await chat.say("/next") == "Item 2: Planning. Started 11:30 (20 min allotted)."
    clock.advance(minutes=20)
    await chat.bot.app[SWEEPS].timekeeping()  # a length is kept even without a time
    [page] = await chat.stage_pages()  # the chair's timekeeping notice, once, on the meeting stage
    assert "Item 2 (Planning): 20 min elapsed of 20 min allotted, 0 min left." in page
    await chat.say("/end")
    minutes = card_text(await chat.card("/minutes"))
    assert "\n1. Apologies for absence\n" in minutes and "10:00  1." not in minutes


async def test_what_belongs_to_no_item_goes_in_the_opening_block(chat):
    await chat.say("/start")
    await chat.say("/agenda set\nApologies\nPlanning")
    assert await chat.say("/note No members of the public were present.") == \
        "Note recorded on the meeting's opening minutes. #1"
    await chat.say("/next")
    await chat.say("/note Apologies were received.")
    assert await chat.say("/note meeting The meeting was recorded.") == \
        "Note recorded on the meeting's opening minutes. #3"
    await chat.say("/edit #1 No members of the public attended.")
    await chat.say("/end")
    minutes = card_text(await chat.card("/minutes"))
    opening = minutes.index("No members of the public attended.")
    assert minutes.index("Present") < opening < minutes.index("Declarations of interest") < \
        minutes.index("Apologies were received.")
    assert "The meeting was recorded." in minutes[:minutes.index("Declarations of interest")]


def test_help_answers_for_every_command_and_every_word_it_lists():
    """Issue 28: `/help previous` answered "There is no command 'previous'"."""
    from bot.commands import COMMANDS
    from bot.help import help_text
    for command in COMMANDS:
        for topic in {command.name, command.name.split()[0]}:
            assert not help_text(topic).startswith("There is no command"), topic


async def test_an_item_without_a_time_leaves_the_timed_items_their_allotments(chat, clock):
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome\nApologies\n10:30 Planning\n11:00 Close")
    assert await chat.say("/next") == "Item 1: Welcome. Started 10:00 (planned 10:00, 30 min allotted)."
    clock.advance(minutes=30)
    assert await chat.say("/next") == "Item 2: Apologies. Started 10:30."
    assert "Running on time, projected close 11:00 (planned 11:00)" in await chat.say("/time")
