"""A formal committee's standing business: declarations of interest, motions and votes, and a
committee that uses no lettered outcome scale. Through /api/messages, on SQLite and PostgreSQL,
checked in the draft card and in every export."""

import html
import io
import re

import docx

from bot import cards
from tests.conftest import CHAIR, MEMBER, OFFICER, card_text

PEOPLE = "/present Marion Oswald, Chair; Tom Sorrell, Member; Kerry Reid, Member; Jamie Grace, Member; Sam Todd, Lab"


async def documents(chat, meeting_id: int = 1) -> dict[str, str]:
    """The text of the Word, HTML and Markdown minutes, through the Export button's links."""
    before = len(chat.connector.posted)
    await chat.post(chat.activity(CHAIR, text="", value={"clerk": cards.EXPORT, "meeting": meeting_id}))
    links = dict(re.findall(r"\[(Word|HTML|Markdown)\]\((http[^)]+)\)", chat.connector.posted[before]["text"]))
    texts = {}
    for label, url in links.items():
        async with chat.session.get(url) as response:
            assert response.status == 200
            body = await response.read()
        if label == "Word":
            document = docx.Document(io.BytesIO(body))
            texts[label] = "\n".join([p.text for p in document.paragraphs] + [
                cell.text for table in document.tables for row in table.rows for cell in row.cells])
        else:
            texts[label] = body.decode()
    return texts


async def minutes_everywhere(chat, meeting_id: int = 1) -> list[str]:
    """The draft card's text and the three documents' texts, Markdown's and HTML's escapes undone."""
    posted = await chat.card("/minutes")
    texts = [card_text(posted)] + list((await documents(chat, meeting_id)).values())
    return [html.unescape(re.sub(r"\\(.)", r"\1", text)) for text in texts]


async def open_meeting_at_item_2(chat) -> None:
    await chat.say("/start May meeting")
    await chat.say("/agenda set\n10:00 Welcome\n10:05 Offending checking tool presenter: Data Lab\n11:00 Close")
    await chat.say(PEOPLE)
    await chat.say("/item 2")


async def test_declarations_of_interest_open_the_minutes_and_note_the_item(chat):
    await open_meeting_at_item_2(chat)
    for text in await minutes_everywhere(chat):
        assert "Declarations of interest" in text and "None were declared." in text
    reply = await chat.say("/declare item 2 Tom Sorrell: trustee of a charity the tool would serve; withdrew")
    assert reply.startswith("Declaration recorded on item 2: Tom Sorrell declared an interest: trustee of a charity "
                            "the tool would serve; they withdrew for this item.")
    assert await chat.say("/declare my partner works for the supplier; did not vote", sender=MEMBER) == \
        ("Declaration recorded on item 2: Tom Sorrell declared an interest: my partner works for the supplier; "
         "they did not vote on it. #2")
    for text in await minutes_everywhere(chat):
        assert "None were declared." not in text
        assert "Tom Sorrell – item 2 (Offending checking tool): trustee of a charity the tool would serve; " \
               "withdrew for the item" in text
        assert "Tom Sorrell – item 2 (Offending checking tool): my partner works for the supplier; did not vote" in text
    assert "Say what the interest is." in await chat.say("/declare")
    assert "Marion Oswald declared an interest: Shares in the supplier: sold in May" in \
        await chat.say("/declare Shares in the supplier: sold in May")
    assert "no item 9" in (await chat.say("/declare item 9 Kerry Reid: shares")).lower()
    assert "#1" in await chat.say("/history #1")


async def test_a_motion_carried_by_vote_with_a_withdrawn_member_not_counted(chat):
    await open_meeting_at_item_2(chat)
    await chat.say("/declare Tom Sorrell: trustee; withdrew")
    reply = await chat.say("/motion That the tool proceed to a pilot mover: Kerry Reid seconder: Jamie Grace")
    assert reply.startswith("Motion #2 on item 2: Motion: That the tool proceed to a pilot. Proposed by Kerry Reid, "
                            "seconded by Jamie Grace.")
    refused = await chat.say("/vote for 3 against 2")
    assert refused.startswith("5 votes is more than the 4 members who may vote on this item")
    assert await chat.say("/vote for 3 against 1") == (
        "Motion #2 carried: Motion: That the tool proceed to a pilot. Proposed by Kerry Reid, seconded by "
        "Jamie Grace. Carried (for 3, against 1).")
    assert "There is no motion awaiting a vote" in await chat.say("/vote for 1 against 0")
    assert "voted" in await chat.say("/history #2")
    for text in await minutes_everywhere(chat):
        assert "Motion: That the tool proceed to a pilot. Proposed by Kerry Reid, seconded by Jamie Grace. " \
               "Carried (for 3, against 1)." in text


async def test_a_tie_is_decided_by_the_chairs_casting_vote_only(chat):
    await open_meeting_at_item_2(chat)
    await chat.say("/motion That the item be deferred")
    assert await chat.say("/vote for 2 against 2 abstain 1") == (
        "Motion #1: tied, for 2, against 2, abstentions 1. The chair's casting vote decides: "
        "/vote casting for|against.")
    assert "Only the chair" in await chat.say("/vote casting for", sender=MEMBER)
    assert "Say for or against." in await chat.say("/vote casting maybe")
    assert await chat.say("/vote casting against") == (
        "Motion #1 lost on the chair's casting vote: Motion: That the item be deferred. "
        "Lost on the chair's casting vote (for 2, against 2, abstentions 1).")
    await chat.say("/motion That thanks be recorded")
    assert "Carried unanimously." in await chat.say("/vote unanimous")
    await chat.say("/motion That the meeting continue past 13:00")
    assert await chat.say("/vote lost") == (
        "Motion #3 lost: Motion: That the meeting continue past 13:00. Lost.")
    await chat.say("/motion That x")
    assert "Give the votes, e.g. 7 for, 2 against" in await chat.say("/vote 3 to 2")
    assert "is not a number of votes" in await chat.say("/vote for ² against 1")
    assert "is not tied" in await chat.say("/vote casting for")
    for text in await minutes_everywhere(chat):
        assert "Motion: That the item be deferred. Lost on the chair's casting vote (for 2, against 2, " \
               "abstentions 1)." in text
        assert "Motion: That thanks be recorded. Carried unanimously." in text


async def test_a_committee_without_a_lettered_outcome_scale(chat):
    await open_meeting_at_item_2(chat)
    assert "/decision" in await chat.say("/outcomes none")
    assert await chat.say("/outcome B") == ("This committee does not use an outcome scale: /decision records what "
                                            "it decided (/outcomes set starts one).")
    assert (await chat.say("/outcomes")).startswith("This committee does not use an outcome scale")
    assert "Decision recorded" in await chat.say("/decision Approved to proceed to a pilot.")
    await chat.say("/outcomes set A=approved; B=not approved")
    assert "Outcome A – approved" in await chat.say("/outcome A")


async def test_a_deferred_item_comes_back_and_a_withdrawn_one_does_not(chat, clock):
    await chat.say("/start May meeting")
    await chat.say("/agenda set\n10:00 Welcome\n10:05 Offending checking tool presenter: Data Lab\n"
                   "10:30 Race Action Plan presenter: ACC Andrew Hill\n10:50 Casey review\n11:00 Close")
    await chat.say("/item 2")
    assert await chat.say("/defer awaiting the impact assessment") == (
        "Item 2 (Offending checking tool): Deferred to the next meeting: awaiting the impact assessment. "
        "It goes on the next meeting's agenda.")
    assert "Only the chair" in await chat.say("/withdraw item 3", sender=MEMBER)
    assert await chat.say("/withdraw item 3 the paper was not ready") == (
        "Item 3 (Race Action Plan): Withdrawn: the paper was not ready.")
    assert "There is no item 9" in await chat.say("/defer item 9")
    clock.advance(minutes=10)
    await chat.say("/item 4")  # taken before item 3, out of the agenda's order
    clock.advance(minutes=10)
    await chat.say("/item 3")
    for text in await minutes_everywhere(chat):
        assert "Deferred to the next meeting: awaiting the impact assessment" in text
        assert "Withdrawn: the paper was not ready" in text
        assert "Items were taken out of the agenda's order, in this order: 2, 4, 3, 1." in text
    card = card_text(await chat.card("/minutes"))
    assert card.index("Casey review") < card.index("Race Action Plan") < card.index("Welcome")
    await chat.say("/end")
    clock.advance(days=30)
    await chat.say("/start June meeting")
    agenda = card_text(await chat.card("/agenda"))
    assert "Offending checking tool" in agenda and "Race Action Plan" not in agenda


async def test_the_previous_minutes_are_approved_at_the_next_meeting(chat, clock):
    await chat.say("/start May meeting")
    assert "Clerk holds no earlier minutes of this committee: name their date" in await chat.say("/previous approved")
    await chat.say("/agenda set\n10:00 Welcome\n10:30 Close")
    await chat.say("/next")
    await chat.say("/note The committee met for the first time.")
    await chat.say("/end")
    clock.advance(days=28)
    opened = await chat.say("/start June meeting")
    assert "Minutes of the previous meeting" in opened
    assert "1\n10:00\nMinutes of the previous meeting" in card_text(await chat.card("/agenda"))
    assert "Only the chair" in await chat.say("/previous approved", sender=MEMBER)
    assert "I can't read 'fine' as a date" in await chat.say("/previous approved fine")
    assert await chat.say("/previous approved with amendments: the first note should read 'met in person'") == (
        "The minutes of the meeting held on Wed 13 May 2026 were approved as an accurate record, with these "
        "amendments: the first note should read 'met in person'. Recorded on item 1. #2")
    assert "approved already" in await chat.say("/previous approved")
    await chat.say("/note item 1 Matters arising: the room booking was confirmed.")
    for text in await minutes_everywhere(chat, meeting_id=2):
        assert "The minutes of the meeting held on Wed 13 May 2026 were approved as an accurate record, with these " \
               "amendments: the first note should read 'met in person'" in text
        assert "Matters arising: the room booking was confirmed." in text
    earlier = await documents(chat, meeting_id=1)
    for text in earlier.values():
        assert "Confirmed as an accurate record at the meeting of" in html.unescape(re.sub(r"\\(.)", r"\1", text))


async def confidential_documents(chat, text: str) -> dict[str, str]:
    """The documents behind the links of a private message, by label."""
    links = dict(re.findall(r"\[(Word|HTML|Markdown|Plain text)\]\((http[^)]+)\)", text))
    assert set(links) == {"Word", "HTML", "Markdown", "Plain text"}, text
    texts = {}
    for label, url in links.items():
        assert "/confidential." in url
        async with chat.session.get(url) as response:
            assert response.status == 200
            body = await response.read()
        if label == "Word":
            document = docx.Document(io.BytesIO(body))
            body_text = "\n".join([p.text for p in document.paragraphs] + [
                cell.text for table in document.tables for row in table.rows for cell in row.cells])
        else:
            body_text = body.decode()
        texts[label] = html.unescape(re.sub(r"\\(.)", r"\1", body_text))
    return texts


async def test_an_exempt_item_is_kept_out_of_the_public_minutes_and_sent_privately(chat):
    """Issue 18: the public card and exports give only the item's number, title and reason; the chair
    and secretary get the confidential minutes in their personal chats with Clerk, which Clerk
    creates through the Bot Connector; an action agreed under the item shows its text only there."""
    from app import SWEEPS
    await chat.say("/start May meeting")
    await chat.say("/chair @Tom Sorrell", mentions=[MEMBER])  # Marion opened it: she becomes secretary
    await chat.say("/agenda set\n10:00 Welcome\n10:05 Staff misconduct case presenter: PSD\n11:00 Close", sender=MEMBER)
    await chat.say("/item 2", sender=MEMBER)
    assert "Only the chair (Tom Sorrell) or the secretary (Marion Oswald) can mark an item exempt." == \
        await chat.say("/confidential information about an individual", sender=("29:kerry", "Kerry Reid", "aad-k"))
    assert "Say why the item is exempt" in await chat.say("/confidential", sender=MEMBER)
    reply = await chat.say("/confidential information about an individual (Schedule 12A, para 1)")
    assert reply.startswith("Item 2 (Staff misconduct case) is exempt: information about an individual (Schedule 12A, "
                            "para 1). The minutes posted here and the public documents give only its number and title; "
                            "Tom Sorrell and Marion Oswald get the confidential minutes privately when the meeting "
                            "closes.")
    await chat.say("/note The officer's name is Constable Smith.")
    await chat.say("/action Write to Constable Smith's line manager owner: Sam Todd due: Friday")
    await chat.say("/outcome B", sender=MEMBER)
    public = await minutes_everywhere(chat)
    for text in public:
        assert "2. Staff misconduct case" in text or "Staff misconduct case" in text
        assert "Exempt item: information about an individual (Schedule 12A, para 1) (minuted separately)" in text
        assert "Constable Smith" not in text and "Outcome B" not in text
        assert "Confidential: agreed under an exempt item" in text
    listed = card_text(await chat.card("/actions"))
    assert "Constable Smith" not in listed and "Confidential: agreed under an exempt item" in listed
    await chat.say("/end", sender=MEMBER)
    await chat.bot.app[SWEEPS].deliver()
    assert {c["members"][0]["id"] for c in chat.connector.created} == {MEMBER[0], "29:marion"}
    for person in (MEMBER, ("29:marion",)):
        private = chat.connector.in_conversation(f"a:personal-{person[0]}")
        assert len(private) == 1 and private[0]["text"].startswith("Confidential minutes of 'May meeting'")
        for label, text in (await confidential_documents(chat, private[0]["text"])).items():
            assert "Confidential minutes – not for publication" in text, label
            assert "The officer's name is Constable Smith." in text and "Write to Constable Smith's line manager" in text
    assert "Only the chair (Tom Sorrell) or the secretary (Marion Oswald) can have the confidential minutes." == \
        await chat.say("/minutes confidential", sender=OFFICER)
    assert "on their way to your personal chat" in await chat.say("/minutes confidential")
    await chat.bot.app[SWEEPS].deliver()
    assert len(chat.connector.in_conversation("a:personal-29:marion")) == 2
