"""Draft minutes: the card(s) after the meeting, approval, exports and signed links."""

import io
import json
import re
from zoneinfo import ZoneInfo

import docx

from tests.conftest import CHAIR, MEMBER, OFFICER, card_text, validate_cards

LONDON = ZoneInfo("Europe/London")
TEAMS_MESSAGE_LIMIT = 28_000
QUESTIONS = [
    ("Will there be a pilot before the tool goes live?", "Yes: exploratory analysis first, then a pilot."),
    ("How are false positives mitigated?", "Officers follow up every flag by hand."),
]


async def replay_meeting(chat, clock, notes_per_item=1, note_length=60):
    clock.set_local(2026, 5, 13, 9, 58, LONDON)
    await chat.say("/committee name Data Ethics Committee")
    await chat.say("/members add Marion Oswald, Chair; Tom Sorrell, Ethics Committee; Jamie Grace, Vice Chair")
    await chat.say("/start May meeting")
    await chat.say("/present Marion Oswald; Tom Sorrell; Sam Todd, Data Lab (WMP)")
    await chat.say("/apologies Jamie Grace")
    await chat.say("/agenda set\n10:00 Welcome presenter: Marion Oswald\n10:10 Offending checking tool (in principle submission)"
                   " presenter: Data Lab\n10:45 Break\n10:55 Frequent service users presenter: Sam Todd\n11:30 Close")
    await chat.say("/next")
    for n in range(notes_per_item):
        await chat.say(f"/note Welcome note {n} " + "x" * note_length)
    await chat.say("/action Secure secretariat support owner: Jack Tracey due: 1 June")
    clock.set_local(2026, 5, 13, 10, 12, LONDON)
    await chat.say("/next")
    for question, answer in QUESTIONS:
        await chat.say(f"/question {question}", sender=MEMBER)
        await chat.say(f"/answer {answer}", sender=OFFICER)
    for n in range(notes_per_item):
        await chat.say(f"/note Tool note {n} " + "y" * note_length)
    await chat.say("/decision The Lab to run an internal gaming scenario.")
    await chat.say("/outcome E")
    await chat.say("/dueback")
    await chat.say("/action Return with false-positive rates <at>Sam Todd</at> due: next meeting", mentions=[OFFICER])
    clock.set_local(2026, 5, 13, 10, 47, LONDON)
    await chat.say("/next")
    clock.set_local(2026, 5, 13, 10, 56, LONDON)
    await chat.say("/next")
    await chat.say("/note Presenter outlined the dashboard. [click](http://evil.example) *bold*")
    await chat.say("/outcome B stakeholder group first")
    clock.set_local(2026, 5, 13, 11, 31, LONDON)
    before = len(chat.connector.posted)
    assert "Meeting closed at 11:31" in await chat.say("/end")
    return chat.connector.posted[before:]


def minutes_cards(posted):
    """The minutes cards among what was posted (an action's card the rate limit held back may come
    out with them)."""
    return [att["content"] for activity in posted for att in activity.get("attachments") or []
            if att["contentType"] == "application/vnd.microsoft.card.adaptive"
            and "minutes" in att["content"]["body"][0].get("text", "").lower()]


async def test_draft_minutes_card_holds_the_whole_meeting(chat, clock):
    posted = await replay_meeting(chat, clock)
    cards = minutes_cards(posted)
    assert len(cards) == 1
    text = card_text(cards[0])
    for expected in [
        "Draft minutes", "Data Ethics Committee – May meeting", "Wednesday 13 May 2026, 09:58 – 11:31",
        "Meeting held virtually via Microsoft Teams",
        "Marion Oswald · Chair", "Tom Sorrell · Ethics Committee", "Sam Todd · Data Lab (WMP)",
        "Jamie Grace · Vice Chair",
        "10:00  1. Welcome — Marion Oswald",
        "10:10  2. Offending checking tool (in principle submission) — Data Lab",
        "10:45  Break", "10:55  3. Frequent service users — Sam Todd",
        "• Will there be a pilot before the tool goes live?",
        "↳ Yes: exploratory analysis first, then a pilot.",
        "• How are false positives mitigated?", "↳ Officers follow up every flag by hand.",
        "Decision: The Lab to run an internal gaming scenario.",
        "Outcome E – more information needed",
        "Outcome B – proceed with minor amendments – stakeholder group first",
        "Actions agreed",
        "Action 1: Secure secretariat support — Jack Tracey, due Mon 1 June 2026",
        "Action 2: Return with false-positive rates — Sam Todd, due next meeting (date not set yet)",
        "Due back at the next meeting", "Data Lab: Offending checking tool (in principle submission)",
        "**11:31  Meeting close**",
    ]:
        assert expected in text, (expected, text)
    # user text is shown exactly as typed, in text runs no client reads as markdown
    assert "[click](http://evil.example) *bold*" in text
    runs = [run for block in cards[0]["body"] if block["type"] == "RichTextBlock" for run in block["inlines"]]
    assert any(run["text"] == "Presenter outlined the dashboard. [click](http://evil.example) *bold*" for run in runs)
    assert [a["title"] for a in cards[0]["actions"]] == ["Export"]  # Approve is in the chair's own view
    assert "Awaiting the chair's approval." in text
    assert cards[0]["refresh"]["userIds"] == [CHAIR[0]]
    for activity in posted:
        assert len(json.dumps(activity).encode()) < TEAMS_MESSAGE_LIMIT
    assert validate_cards(cards) == [[]]


async def test_a_long_meeting_splits_across_cards_and_loses_nothing(chat, clock):
    posted = await replay_meeting(chat, clock, notes_per_item=30, note_length=700)
    cards = minutes_cards(posted)
    assert len(cards) >= 3
    titles = [card["body"][0]["text"] for card in cards]
    assert titles == [f"Draft minutes ({n} of {len(cards)})" for n in range(1, len(cards) + 1)]
    text = "\n".join(card_text(card) for card in cards)
    for n in range(30):
        assert f"Welcome note {n} " + "x" * 700 in text
        assert f"Tool note {n} " + "y" * 700 in text
    assert text.index("Welcome note 29") < text.index("Tool note 0") < text.index("Meeting close")
    for activity in posted:
        assert len(json.dumps(activity).encode()) < TEAMS_MESSAGE_LIMIT
    assert all(problems == [] for problems in validate_cards(cards))


async def test_approve_is_the_chairs_own_view_and_updates_the_card_in_place(chat, clock):
    """Issue 19: the posted card asks Teams to refresh it for the chair (by Teams user id); the chair's
    view has Approve, an Action.Execute; everyone else sees "Awaiting the chair's approval"."""
    posted = await replay_meeting(chat, clock)
    card_message_id = "sent-" + str(len(chat.connector.posted))  # the capture numbers what it receives
    card = minutes_cards(posted)[0]
    refresh = card["refresh"]["action"]
    assert card["refresh"]["userIds"] == [CHAIR[0]] and refresh["type"] == "Action.Execute"
    as_member = await chat.press(refresh["verb"], refresh["data"], sender=MEMBER, trigger="automatic")
    assert "Approve" not in [a["title"] for a in as_member["actions"]]
    as_chair = await chat.press(refresh["verb"], refresh["data"], trigger="automatic")
    approve = next(a for a in as_chair["actions"] if a["title"] == "Approve")
    assert approve["type"] == "Action.Execute" and "Awaiting" not in card_text(as_chair)
    assert card_text(await chat.press(approve["verb"], approve["data"], sender=MEMBER)) == \
        "Only the chair (Marion Oswald) can approve the minutes."
    assert not any(a.get("_updated") for a in chat.connector.posted)

    clock.set_local(2026, 5, 14, 9, 15, LONDON)
    before = len(chat.connector.posted)
    answered = await chat.press(approve["verb"], approve["data"])
    assert "Approved by Marion Oswald on Thu 14 May 2026 at 09:15" in card_text(answered)
    assert [a["title"] for a in answered["actions"]] == ["Export"]
    updated = [a for a in chat.connector.posted[before:] if a.get("_updated")]
    assert [a["_updated"] for a in updated] == [card_message_id]
    updated_card = updated[0]["attachments"][0]["content"]
    assert "Approved by Marion Oswald on Thu 14 May 2026 at 09:15" in card_text(updated_card)
    assert "refresh" not in updated_card


async def test_approve_from_a_card_posted_before_buttons_still_works(chat, clock):
    """Cards already in chats carry Action.Submit's {"clerk": "approve-minutes"}: it keeps working."""
    await replay_meeting(chat, clock)
    before = len(chat.connector.posted)
    await chat.post(chat.activity(MEMBER, text="", value={"clerk": "approve-minutes", "meeting": 1}))
    assert chat.connector.posted[before:][0]["text"] == "Only the chair (Marion Oswald) can approve the minutes."
    await chat.post(chat.activity(CHAIR, text="", value={"clerk": "approve-minutes", "meeting": 1}))
    assert any("Approved by Marion Oswald" in (a.get("text") or "") for a in chat.connector.posted[before:])


async def test_export_links_serve_the_documents_and_expire(chat, clock):
    posted = await replay_meeting(chat, clock)
    export = next(a for a in minutes_cards(posted)[0]["actions"] if a["title"] == "Export")["data"]
    before = len(chat.connector.posted)
    await chat.post(chat.activity(MEMBER, text="", value=export))
    reply = chat.connector.posted[before]["text"]
    assert "(links valid for 24 hours)" in reply
    links = dict(re.findall(r"\[(Word|HTML|Markdown|Plain text)\]\((http[^)]+)\)", reply))
    assert set(links) == {"Word", "HTML", "Markdown", "Plain text"}

    async with chat.session.get(links["Word"]) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
        document = docx.Document(io.BytesIO(await response.read()))
    words = "\n".join([p.text for p in document.paragraphs] +
                      [cell.text for table in document.tables for row in table.rows for cell in row.cells])
    for expected in ["Data Ethics Committee – May meeting", "Draft minutes", "Wednesday 13 May 2026, 09:58 – 11:31", "Marion Oswald",
                     "Jamie Grace", "Offending checking tool (in principle submission)", "Data Lab",
                     QUESTIONS[0][0], QUESTIONS[0][1], QUESTIONS[1][1], "Outcome E – more information needed",
                     "Outcome B – proceed with minor amendments", "Action 1: Secure secretariat support",
                     "Decision: The Lab to run an internal gaming scenario.", "11:31 Meeting close"]:
        assert expected in words, expected
    outcome_runs = [run for table in document.tables for row in table.rows for cell in row.cells
                    for p in cell.paragraphs for run in p.runs if run.text.startswith("Outcome ")]
    assert outcome_runs and all(run.bold for run in outcome_runs)
    assert [c.text for c in document.tables[-1].rows[0].cells] == ["No.", "Time", "Minutes", "Lead"]

    async with chat.session.get(links["HTML"]) as response:
        page = await response.text()
        assert response.status == 200 and "<td>Data Lab</td>" in page
        assert "[click](http://evil.example)" in page and "<a " not in page
    async with chat.session.get(links["Markdown"]) as response:
        markdown = await response.text()
        assert "**Outcome E – more information needed**" in markdown
        assert "\\[click\\](http://evil.example)" in markdown  # a bracket escaped: no link, and reads as typed

    tampered = links["Word"].replace("/minutes/1.docx", "/minutes/1.html")
    async with chat.session.get(tampered) as response:
        assert response.status == 403
    async with chat.session.get(links["Word"].split("?")[0]) as response:
        assert response.status == 403
    clock.advance(hours=25)
    async with chat.session.get(links["Word"]) as response:
        assert response.status == 403


async def test_minutes_command_reposts_the_last_or_a_dated_meeting(chat, clock):
    await replay_meeting(chat, clock)
    clock.set_local(2026, 6, 10, 10, 0, LONDON)
    await chat.say("/start June meeting")
    card = await chat.card("/minutes 13 May")
    assert "May meeting" in card_text(card)
    card = await chat.card("/minutes")
    assert "June meeting" in card_text(card) and "Update on earlier actions" in card_text(card)
    assert "Action 2: Return with false-positive rates — Sam Todd, due Wed 10 June 2026" in card_text(card)
    assert await chat.say("/minutes 1 January 2026") == "There is no meeting on Thu 1 January 2026. /minutes shows the latest."


async def test_approving_an_open_meeting_or_a_stale_button_is_explained(chat):
    await chat.say("/start")
    await chat.post(chat.activity(CHAIR, text="", value={"clerk": "approve-minutes", "meeting": 1}))
    assert chat.connector.last_text() == "The meeting is still open: /end closes it before the minutes are approved."
    await chat.post(chat.activity(CHAIR, text="", value={"clerk": "approve-minutes", "meeting": "1"}))
    assert "That button is not one of mine any more" in chat.connector.last_text()
    await chat.post(chat.activity(CHAIR, text="", value={"clerk": "approve-minutes", "meeting": 10**30}))
    assert "That button is not one of mine any more" in chat.connector.last_text()
    await chat.post(chat.activity(CHAIR, text="", value={"clerk": "approve-minutes", "meeting": 99}))
    assert chat.connector.last_text() == "Those minutes are not this committee's."
