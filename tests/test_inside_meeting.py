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
