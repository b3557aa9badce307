"""Inside the Teams meeting (issue 29), through /api/messages with the local stand-in of the Bot
Connector's meeting endpoints: the meeting's own details and event times, the chair's private
timekeeping notice, a message's HTML read for its words, and each committee's own timezone."""

from urllib.parse import urlparse

from app import SWEEPS
from tests.conftest import CHAIR, OFFICER, Chat, card_text

MEETING_START, MEETING_END = "application/vnd.microsoft.meetingStart", "application/vnd.microsoft.meetingEnd"


def meeting_details(title: str, start: str, end: str) -> dict:
    """GET /v1/meetings/{meetingId} as Microsoft Teams platform docs, "Meeting apps APIs", "Get
    meeting details API", show its answer for a scheduled meeting."""
    return {
        "details": {"id": "MCMeeting-1", "msGraphResourceId": "MSowYmQ0M2I4OS1lN2QxLTQxNzAtOGZhYi00OWJjYjkwOTk1YWYqMCoq",
                    "scheduledStartTime": start, "scheduledEndTime": end, "joinUrl": "https://teams.microsoft.com/l/xx",
                    "title": title, "type": "Scheduled"},
        "conversation": {"isGroup": True, "conversationType": "groupChat", "id": "19:meeting_test@thread.v2"},
        "organizer": {"id": CHAIR[0], "aadObjectId": CHAIR[2], "objectId": CHAIR[2], "tenantId": "tenant-1"},
    }


async def test_the_meeting_opens_from_its_teams_details_and_closes_at_the_events_end_time(chat, connector):
    # The clock stands at 10:00 London (09:00 UTC); Teams scheduled the meeting 10:00-11:30.
    connector.meeting_roles[CHAIR[2]] = "Organizer"
    connector.meeting_details["MCMeeting-1"] = meeting_details("Ethics Committee – May", "2026-05-13T09:00:00Z",
                                                               "2026-05-13T10:30:00Z")
    # Teams' meeting-start event (docs, "Get meeting events": Id, JoinUrl, Title, MeetingType, StartTime)
    await chat.post(chat.event(MEETING_START, {"Id": "MCMeeting-1", "MeetingType": "Scheduled",
                                               "StartTime": "2026-05-13T09:02:17.4388966Z"}))
    opened = connector.last_text()
    assert "meeting record opened for 'Ethics Committee – May' at 10:02. Scheduled in Teams for 10:00–11:30." \
        in opened
    await chat.say("/agenda add 10:05 Tool (20 min)")
    assert "(planned 11:30)" in await chat.say("/time")  # the planned close is the scheduled end
    await chat.post(chat.event(MEETING_END, {"Id": "MCMeeting-1", "MeetingType": "Scheduled",
                                             "EndTime": "2026-05-13T10:27:40Z"}))
    assert any(text.startswith("Meeting closed at 11:27") for text in connector.texts())
    assert "Wednesday 13 May 2026, 10:02 – 11:27" in card_text(await chat.card("/minutes"))


async def test_a_meeting_whose_details_teams_cannot_give_opens_all_the_same(chat, connector):
    await chat.post(chat.event(MEETING_START, {"Id": "MCMeeting-1", "Title": "Budget"}))
    assert "meeting record opened for 'Budget' at 10:00. The organizer" in connector.last_text()


async def test_the_chair_alone_gets_the_timekeeping_notice_on_the_meeting_stage(chat, connector, clock):
    await chat.say("/start")  # the chair, by Teams account, is Marion Oswald
    await chat.say("/agenda add 10:00 Tool (5 min)")
    await chat.say("/next")
    posted = len(connector.posted)
    clock.advance(minutes=6)
    await chat.bot.app[SWEEPS].timekeeping()
    assert len(connector.posted) == posted  # nothing in the chat for everyone
    [(meeting_id, body)] = connector.notifications
    assert meeting_id == "MCMeeting-1" and body["type"] == "targetedMeetingNotification"
    assert body["value"]["recipients"] == [CHAIR[0]]
    [surface] = body["value"]["surfaces"]
    assert surface["surface"] == "meetingStage" and surface["contentType"] == "task"
    page = surface["content"]["value"]["url"]
    assert urlparse(page).path == "/meetings/1/time.html"
    async with chat.session.get(page) as response:
        assert "Item 1 (Tool): 6 min elapsed of 5 min allotted, 1 min over." in await response.text()


async def test_a_message_in_html_keeps_its_words_and_loses_its_markup(chat):
    await chat.say("/start")
    await chat.say("/agenda add 10:00 Tool")
    await chat.say("/next")
    html = ('<p>/note See <a href="https://evil.example/x">the report</a> &amp; <code>x=1</code></p>'
            '<ul><li>one</li><li><b>two</b></li></ul><blockquote>quoted</blockquote>')
    await chat.post(chat.activity(CHAIR, text=html, textFormat="xml"))
    await chat.say("/end")
    minutes = card_text(await chat.card("/minutes"))
    assert "See the report & x=1\n- one\n- two\nquoted" in minutes
    assert "evil.example" not in minutes and "<" not in minutes


async def test_each_committee_keeps_its_own_timezone(start_bot, connector):
    bot = await start_bot()
    dublin = Chat(bot, connector, conversation_id="19:dublin@thread.v2", meeting_id=None)
    first = dublin.activity(CHAIR, text="/start", textFormat="plain", localTimezone="Asia/Tokyo")
    await dublin.post(first)
    assert "at 18:00" in connector.last_text()  # 09:00 UTC in Tokyo, from the first message's client
    assert "The committee's timezone is Europe/Dublin: it is 10:00 there now." == \
        await dublin.say("/committee timezone Europe/Dublin")
    assert "Timezone: Europe/Dublin." in await dublin.say("/committee")
    assert "is not a timezone Clerk knows" in await dublin.say("/committee timezone Mars/Olympus")
    assert (await dublin.say("/committee timezone Europe/Paris", sender=OFFICER)).startswith("Only the chair")
    london = Chat(bot, connector)
    assert "at 10:00" in await london.say("/start")
    for chat in (dublin, london):
        await chat.close()


def message_payload(html: str, author=OFFICER, mentioned=()) -> dict:
    """`value.messagePayload` of a message action's invoke, as Microsoft Teams platform docs,
    "Create and send the dialog" (action commands invoked from a message), show it."""
    return {
        "id": "1700000000000", "replyToId": None, "createdDateTime": "2026-05-13T09:10:00.000Z",
        "importance": "normal", "locale": "en-gb",
        "linkToMessage": "https://teams.microsoft.com/l/message/19:meeting_test@thread.v2/1700000000000",
        "from": {"user": {"id": author[0], "displayName": author[1], "userIdentityType": "aadUser"}},
        "body": {"contentType": "html", "content": html},
        "attachments": [], "reactions": [],
        "mentions": [{"id": index, "mentionText": name, "mentioned": {"user": {"id": user_id, "displayName": name}}}
                     for index, (user_id, name, _) in enumerate(mentioned)],
    }


async def test_record_in_the_minutes_turns_any_chat_message_into_a_decision_or_an_action(chat):
    from tests.conftest import MEMBER, validate_cards
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome\n10:05 Impact assessment")
    await chat.say("/next")
    await chat.say("/next")
    payload = message_payload('<p>We agree to publish the impact assessment by 12 June. <at id="0">Sam Todd</at> '
                              'to draft it.</p>', mentioned=[OFFICER])
    status, answer = await chat.invoke("composeExtension/fetchTask", {
        "commandId": "recordInMinutes", "commandContext": "message", "context": {"theme": "default"},
        "messagePayload": payload}, sender=MEMBER)
    assert status == 200 and answer["task"]["type"] == "continue"
    card = answer["task"]["value"]["card"]["content"]
    assert validate_cards([card]) == [[]]
    inputs = {element["id"]: element for element in card["body"] if "id" in element}
    assert inputs["text"]["value"] == "We agree to publish the impact assessment by 12 June. Sam Todd to draft it."
    assert inputs["owner"]["value"] == "Sam Todd" and inputs["due"]["value"] == "12 June"
    assert inputs["item"]["value"] == "2" and [c["value"] for c in inputs["kind"]["choices"]] == \
        ["note", "decision", "question", "answer", "action"]

    data = {key: element.get("value", "") for key, element in inputs.items()}
    status, answer = await chat.invoke("composeExtension/submitAction", {
        "commandId": "recordInMinutes", "commandContext": "message", "messagePayload": payload,
        "data": {**data, "kind": "decision", "text": "We agree to publish the impact assessment."}}, sender=MEMBER)
    assert status == 200 and answer["task"]["value"] == "Decision recorded on item 2. #1"
    assert "Decision recorded on item 2. #1" in chat.connector.texts()  # the chat sees it minuted
    history = await chat.say("/history #1")
    assert "From Sam Todd's message: https://teams.microsoft.com/l/message/19:meeting_test@thread.v2/1700000000000" \
        in history and "Tom Sorrell: recorded" in history
    assert await chat.say("/edit #1 We agree to publish it.", sender=OFFICER) == "Edited #1: We agree to publish it."

    status, answer = await chat.invoke("composeExtension/submitAction", {
        "commandId": "recordInMinutes", "commandContext": "message", "messagePayload": payload,
        "data": {**data, "kind": "action", "text": "Draft the impact assessment for publication"}}, sender=MEMBER)
    assert answer["task"]["value"].startswith("Action 1 recorded")
    assert "1. Draft the impact assessment for publication\nSam Todd · due Fri 12 June 2026" in \
        card_text(await chat.card("/actions all"))


async def test_a_message_action_outside_its_rules_is_answered_not_recorded(chat):
    await chat.say("/start")
    payload = message_payload("<p>Thanks all</p>")
    status, answer = await chat.invoke("composeExtension/submitAction", {
        "commandId": "recordInMinutes", "messagePayload": payload, "data": {"kind": "question", "text": "Thanks all"}})
    assert status == 200 and answer["task"]["value"].startswith("No item is under way")
    status, _ = await chat.invoke("composeExtension/submitAction", {"commandId": "other", "messagePayload": payload})
    assert status == 400
    status, answer = await chat.invoke("composeExtension/submitAction", {
        "commandId": "recordInMinutes", "messagePayload": payload, "data": {"kind": "speech", "text": "x"}})
    assert answer["task"]["value"] == "Choose what to record it as."


async def test_the_live_panel_shows_agenda_time_and_actions_and_passes_axe_at_320_px(chat, clock):
    import asyncio
    import json
    import re

    from tests.conftest import ROOT
    from tests.test_action_log import ARTIFACTS
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome (5 min)\n10:05 Impact assessment (20 min) presenter: Sam Todd\n"
                   "10:25 Staffing matter")
    await chat.say("/next")
    clock.advance(minutes=6)
    await chat.say("/next")
    await chat.say("/action Publish the assessment owner: Sam Todd due: 12 June")
    await chat.say("/confidential item 3 information about an individual")
    await chat.say("/action item 3 Write to the officer concerned owner: Tom Sorrell due: 1 June")
    clock.advance(minutes=3)
    reply = await chat.say("/panel")
    link = re.search(r"\[open it\]\((http[^)]+)\)", reply)[1]
    async with chat.session.get(link) as response:
        assert response.status == 200
        page = await response.text()
    assert '<li aria-current="step"><span class="state">2.</span> Impact assessment — Sam Todd' in page
    assert "planned 10:05 · under way · 3 of 20 min" in page and "1. </span>" not in page
    assert "Item 2 (Impact assessment): 3 min elapsed of 20 min allotted, 17 min left." in page
    assert "Action 1: Publish the assessment — Sam Todd, due Fri 12 June 2026" in page
    assert "Write to the officer" not in page and "Action 2:" in page  # exempt: owners and due date only
    async with chat.session.get(link.split("?")[0]) as response:
        assert response.status == 403
    async with chat.session.get(f"{chat.bot.url}/panel/setup") as response:
        assert response.status == 200 and "/panel" in await response.text()
    ARTIFACTS.mkdir(exist_ok=True)
    browser = await asyncio.create_subprocess_exec(
        "node", str(ROOT / "tests" / "a11y_check.cjs"), str(ARTIFACTS), f"side-panel@320={link}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(browser.communicate(), timeout=120)
    assert browser.returncode == 0, err.decode()[-2000:]
    assert json.loads(out) == {"side-panel": []}
    assert (ARTIFACTS / "side-panel.png").stat().st_size > 0
