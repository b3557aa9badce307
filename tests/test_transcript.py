"""The meeting's Teams transcript cut to the agenda (issue 30), through /api/messages on both
databases, with local stand-ins of the Bot Connector's meeting details, Microsoft's token endpoint
and Microsoft Graph. The shapes are those Microsoft documents: "List transcripts" (callTranscript
with id and createdDateTime), "Get callTranscript" content as WebVTT with <v Speaker> tags, and its
403 SpeakerAttributionNotAllowed; client credentials at /{tenant}/oauth2/v2.0/token."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
import pytest_asyncio
from aiohttp import web

from app import SWEEPS
from tests.conftest import CHAIR, MEMBER, OFFICER, Chat, _start_site, card_text
from tests.test_inside_meeting import meeting_details

GRAPH_MEETING = "MSo1N2Y5ZGFjYy03MWJmLTQ3NDMtYjQxMy01M2EdFGkdRWHJlQ"
FIRST = """WEBVTT

1
00:00:10.000 --> 00:00:20.000
<v Marion Oswald>Welcome everyone.</v>

2
00:04:50.000 --> 00:05:20.000
<v Sam Todd>Thank you, Chair. The impact assessment</v>
<v Sam Todd>is ready for the committee.</v>

3
00:10:00.000 --> 00:10:30.000
<v Tom Sorrell>Who reviews the flags &amp; the appeals?</v>

NOTE a break follows

00:30:00.000 --> 00:30:10.000
Coffee is in the next room.

00:40:00.000 --> 00:40:20.000
<v Sam Todd>The second paper sets out the costs.</v>

00:55:00.000 --> 00:55:30.000
<v Marion Oswald>The officer concerned, Jane Roe, has been told.</v>

01:00:30.000 --> 01:00:40.000
<v Marion Oswald>Thanks all, goodbye.</v>
"""
SECOND = """WEBVTT

00:00:05.000 --> 00:00:15.000
<v Tom Sorrell>Back after the restart: costs agreed.</v>
"""


@dataclass
class FakeGraph:
    """Stands in for login.microsoftonline.com and graph.microsoft.com."""

    url: str = ""
    listings: list = field(default_factory=list)  # answers to the list request, in turn; the last repeats
    contents: dict = field(default_factory=dict)  # transcript id -> (status, body) or a list of them in turn
    token_requests: list = field(default_factory=list)
    asked: list = field(default_factory=list)

    def answer(self, answers):
        return answers.pop(0) if len(answers) > 1 else answers[0]


def ready(*files) -> tuple[int, dict]:
    return 200, {"value": [{"id": ident, "meetingId": GRAPH_MEETING, "meetingOrganizerId": CHAIR[2],
                            "createdDateTime": created, "endDateTime": created} for ident, created in files]}


def error(status: int, code: str, message: str, inner: str | None = None) -> tuple[int, dict]:
    body = {"error": {"code": code, "message": message}}
    if inner:
        body["error"]["innerError"] = {"code": inner}
    return status, body


@pytest_asyncio.fixture
async def graph():
    fake = FakeGraph()

    async def token(request: web.Request):
        fake.token_requests.append((request.match_info["tenant"], dict(await request.post())))
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "access_token": "graph-token"})

    async def listing(request: web.Request):
        fake.asked.append(("list", request.headers.get("Authorization")))
        status, body = fake.answer(fake.listings)
        return web.json_response(body, status=status)

    async def content(request: web.Request):
        fake.asked.append(("content", request.query.get("$format"), request.headers.get("Accept")))
        answer = fake.contents[request.match_info["transcript"]]
        status, body = fake.answer(answer) if isinstance(answer, list) else answer
        if isinstance(body, dict):
            return web.json_response(body, status=status)
        return web.Response(text=body, status=status, content_type="text/vtt")

    app = web.Application()
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token)
    base = "/v1.0/users/{organizer}/onlineMeetings/{meeting}/transcripts"
    app.router.add_get(base, listing)
    app.router.add_get(base + "/{transcript}/content", content)
    runner, fake.url = await _start_site(app)
    yield fake
    await runner.cleanup()


@pytest_asyncio.fixture
async def meeting(start_bot, connector, graph):
    bot = await start_bot(graph_url=graph.url, login_url=graph.url, graph_client_id="clerk-app",
                          graph_client_secret="s3cret")
    connector.meeting_details["MCMeeting-1"] = {
        **meeting_details("Ethics Committee", "2026-05-13T09:00:00Z", "2026-05-13T10:00:00Z"),
        "details": {**meeting_details("Ethics Committee", "2026-05-13T09:00:00Z", "2026-05-13T10:00:00Z")["details"],
                    "msGraphResourceId": GRAPH_MEETING}}
    chat = Chat(bot, connector)
    yield chat
    await chat.close()


async def hold_the_meeting(chat, clock) -> None:
    """Four items, a break and an exempt item, from 10:00 to 11:00 London (09:00-10:00 UTC)."""
    await chat.say("/start")
    await chat.say("/secretary <at>Tom Sorrell</at>", mentions=[MEMBER])
    await chat.say("/agenda set\n10:00 Welcome (5 min)\n10:05 Impact assessment (20 min)\n10:25 Break (10 min)\n"
                   "10:35 Costs (15 min)\n10:50 Staffing matter (10 min)")
    for minutes in (5, 20, 10, 15, 10):
        await chat.say("/next")
        clock.advance(minutes=minutes)
    await chat.say("/confidential item 4 information about an individual")
    await chat.say("/end")


async def sweep(chat, clock, minutes: float = 0) -> None:
    clock.advance(minutes=minutes)
    await chat.bot.app[SWEEPS].transcripts()


async def test_every_cue_lands_in_its_item_and_the_chair_and_secretary_get_the_page(meeting, graph, clock, connector):
    chat = meeting
    graph.listings = [error(404, "NotFound", "Transcript not found"),
                      ready(("t-1", "2026-05-13T09:00:00Z"), ("t-2", "2026-05-13T09:45:00Z"))]
    graph.contents = {"t-1": (200, FIRST), "t-2": (200, SECOND)}
    await hold_the_meeting(chat, clock)
    assert (await chat.say("/transcript")).startswith("Transcript of 'Ethics Committee': Waiting for Teams")
    await sweep(chat, clock)  # at the close: the first wait has not passed
    assert not graph.asked
    await sweep(chat, clock, 2)  # 404: not there yet
    assert "Next try at 11:04" in await chat.say("/transcript")
    await sweep(chat, clock, 2)
    assert graph.token_requests[0][0] == "tenant-1"
    assert graph.token_requests[0][1]["scope"] == f"{graph.url}/.default"
    assert graph.token_requests[0][1]["client_id"] == "clerk-app"
    assert ("content", "text/vtt", "*/*") in graph.asked and ("list", "Bearer graph-token") in graph.asked
    told = [a for a in connector.posted if (a.get("text") or "").startswith("The transcript of 'Ethics Committee'")]
    assert sorted(a["conversation"]["id"] for a in told) == [f"a:personal-{CHAIR[0]}", f"a:personal-{MEMBER[0]}"]
    link_text = told[0]["text"]
    link = re.search(r"\(([^)]+transcript/(?:chair|secretary)\.html[^)]+)\)", link_text)[1]
    async with chat.session.get(link) as response:
        assert response.status == 200
        page = await response.text()
    sections = {name: body for name, body in re.findall(r"<section>\n<h2>([^<]+)</h2>\n(.*?)</section>", page, re.S)}
    assert "Welcome everyone." in sections["1. Welcome"]
    assert "The impact assessment is ready for the committee." in sections["2. Impact assessment"]  # most of it
    assert "Who reviews the flags &amp; the appeals?" in sections["2. Impact assessment"]
    assert "Coffee is in the next room." in sections["Break"]
    assert "The second paper sets out the costs." in sections["3. Costs"]
    assert "Back after the restart: costs agreed." in sections["3. Costs"]  # the second transcript, 10:45
    assert "Jane Roe" in sections["4. Staffing matter"] and "Exempt item" in sections["4. Staffing matter"]
    assert "Thanks all, goodbye." in sections["After the close"]
    assert "<span class=\"when\">10:04:50</span> <strong>Sam Todd</strong>" in page
    total = re.search(r"Whole transcript</th><td></td><td></td><td>([^<]+)</td>", page)[1]
    spoken = re.findall(r"<tr><th scope=\"row\">(?!Whole)[^<]+</th><td>[^<]*</td><td>[^<]*</td><td>(\d+) min (\d+) s</td>",
                        page)
    assert sum(int(m) * 60 + int(s) for m, s in spoken) == 10 + 30 + 30 + 10 + 20 + 30 + 10 + 10
    assert total == "2 min 30 s"
    await chat.say("/minutes")
    public = "".join(connector.texts()) + "".join(card_text(c) for c in connector.cards())
    assert "Jane Roe" not in public and "Coffee" not in public
    await passes_axe(link)
    await a_line_is_recorded_from_the_page(chat, told)


async def a_line_is_recorded_from_the_page(chat, told) -> None:
    """From the secretary's page, a line becomes a note on the item it was said under, as the
    secretary, quoting the speaker; the page offers it only for lines said under an item."""
    secretary = next(a["text"] for a in told if a["conversation"]["id"] == f"a:personal-{MEMBER[0]}")
    link = re.search(r"\(([^)]+transcript/secretary\.html[^)]+)\)", secretary)[1]
    async with chat.session.get(link) as response:
        page = await response.text()
    cue = re.search(r'Tom Sorrell</strong>: Who reviews[^<]*\n<form method="post" class="record"><input type="hidden" '
                    r'name="cue" value="(\d+)"', page)[1]
    assert 'Thanks all, goodbye.\n</p>' in page  # after the close: no button
    async with chat.session.post(link, data={"cue": cue, "kind": "note"}) as response:
        assert response.status == 200
        assert "Recorded as #1, a note on 2. Impact assessment." in await response.text()
    history = await chat.say("/history #1")
    assert "Tom Sorrell: recorded — Tom Sorrell: “Who reviews the flags & the appeals?”" in history
    minutes = card_text(await chat.card("/minutes"))
    assert "Tom Sorrell: “Who reviews the flags & the appeals?”" in minutes
    async with chat.session.post(link, data={"cue": cue, "kind": "action"}) as response:
        assert "Action 1 recorded: Tom Sorrell: “Who reviews the flags &amp; the appeals?” — no owner yet" \
            in await response.text()
    assert "Who reviews the flags" in card_text(await chat.card("/actions all"))
    async with chat.session.post(link.split("?")[0], data={"cue": cue, "kind": "note"}) as response:
        assert response.status == 403  # unsigned: nothing recorded
    async with chat.session.post(link, data={"cue": "99999", "kind": "note"}) as response:
        assert "That line is not in the transcript." in await response.text()
    word = re.search(r'href="([^"]+transcript/secretary\.docx[^"]+)"', page)[1].replace("&amp;", "&")
    async with chat.session.get(word) as response:
        assert response.status == 200 and (await response.read())[:2] == b"PK"


async def passes_axe(link: str) -> None:
    """The page at WCAG 2.2 AA (axe-core in Chromium), on screen and printed, screenshots saved."""
    import asyncio
    import json

    from tests.conftest import ROOT
    from tests.test_action_log import ARTIFACTS
    ARTIFACTS.mkdir(exist_ok=True)
    browser = await asyncio.create_subprocess_exec(
        "node", str(ROOT / "tests" / "a11y_check.cjs"), str(ARTIFACTS), f"transcript={link}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(browser.communicate(), timeout=120)
    assert browser.returncode == 0, err.decode()[-2000:]
    assert json.loads(out) == {"transcript": []}
    assert (ARTIFACTS / "transcript.png").stat().st_size > 0


async def test_transcript_delete_and_keep_days(meeting, graph, clock):
    chat = meeting
    graph.listings = [ready(("t-1", "2026-05-13T09:00:00Z"))]
    graph.contents = {"t-1": (200, FIRST)}
    await hold_the_meeting(chat, clock)
    await sweep(chat, clock, 3)
    assert "Fetched and cut to the agenda" in await chat.say("/transcript")
    await chat.say("/minutes approve")
    clock.advance(days=29)
    await chat.bot.app[SWEEPS].housekeeping()
    assert "Fetched and cut to the agenda" in await chat.say("/transcript")
    clock.advance(days=2)  # TRANSCRIPT_KEEP_DAYS (30) after the approval
    await chat.bot.app[SWEEPS].housekeeping()
    assert "was deleted" in await chat.say("/transcript")


@pytest.mark.parametrize("answers, said", [
    ([error(403, "Forbidden", "No application access policy found for this app.")], "may not read"),
    ([error(403, "Forbidden", "Transcripts are disabled for this organization.")], "switched off in this tenant"),
    ([error(402, "PaymentRequired", "Evaluation capacity exceeded.")], "evaluation allowance"),
    ([error(410, "Gone", "The meeting has expired.")], "has expired"),
])
async def test_what_graph_answers_ends_in_a_status(meeting, graph, clock, answers, said):
    chat = meeting
    graph.listings = answers
    await hold_the_meeting(chat, clock)
    await sweep(chat, clock, 3)
    status = await chat.say("/transcript")
    assert said in status and "Next try" not in status and "Traceback" not in status


async def test_without_speaker_attribution_the_words_are_kept_without_speakers(meeting, graph, clock):
    chat = meeting
    graph.listings = [ready(("t-1", "2026-05-13T09:00:00Z"))]
    unattributed = re.sub(r"</?v[^>]*>", "", FIRST)
    graph.contents = {"t-1": [error(403, "Forbidden", "Speaker attribution is not allowed.",
                                    inner="SpeakerAttributionNotAllowed"), (200, unattributed)]}
    await hold_the_meeting(chat, clock)
    await sweep(chat, clock, 3)
    assert ("content", None, "application/vnd.microsoft.graph.transcript+text") in graph.asked
    assert "no speakers" in await chat.say("/transcript")


async def test_waiting_survives_a_restart_and_gives_up_after_the_wait(meeting, graph, clock):
    chat = meeting
    graph.listings = [(200, {"value": []})]
    await hold_the_meeting(chat, clock)
    await sweep(chat, clock, 3)
    await chat.bot.restart()
    await sweep(chat, clock, 30)
    assert "Waiting for Teams" in await chat.say("/transcript")
    for _ in range(14):
        await sweep(chat, clock, 30)
    assert "No transcript: the meeting was not transcribed" in await chat.say("/transcript")
    graph.listings = [ready(("t-1", "2026-05-13T09:00:00Z"))]
    graph.contents = {"t-1": (200, FIRST)}
    assert "now" in await chat.say("/transcript fetch")
    await sweep(chat, clock)
    assert "Fetched" in await chat.say("/transcript")
    assert (await chat.say("/transcript delete", sender=OFFICER)).startswith("Only the chair")
    assert await chat.say("/transcript delete") == "Clerk's copy of the transcript of 'Ethics Committee' is deleted."
    assert "was deleted" in await chat.say("/transcript")


def test_cutting_is_exact_at_the_edges():
    from dialogs.transcript_cut import AFTER, BEFORE, Cue, Interval, cut
    t0 = datetime(2026, 5, 13, 9, 0, tzinfo=timezone.utc)

    def at(seconds):
        return t0 + timedelta(seconds=seconds)
    intervals = [Interval(BEFORE, None, at(0)), Interval("1. A", at(0), at(60)), Interval("2. B", at(60), at(120)),
                 Interval(AFTER, at(120), None)]
    cues = [Cue(at(-5), at(5), "x", "straddles the start"), Cue(at(50), at(80), "y", "mostly B"),
            Cue(at(59), at(61), "z", "even: where it starts"), Cue(at(130), at(140), None, "after")]
    sections = {s.interval.label: [c.text for c in s.cues] for s in cut(cues, intervals)}
    assert sections == {BEFORE: ["straddles the start"], "1. A": ["even: where it starts"], "2. B": ["mostly B"],
                        AFTER: ["after"]}


def test_the_content_microsofts_documentation_shows_is_read():
    """The response of "Get callTranscript" content (Microsoft Graph v1.0 docs, example 2), whose
    times are written "0:0:0.0 --> 0:0:5.320"."""
    from dialogs.transcript_cut import parse_vtt
    began = datetime(2024, 7, 12, 11, 37, 59, tzinfo=timezone.utc)
    [cue] = parse_vtt("WEBVTT\n\n0:0:0.0 --> 0:0:5.320\n<v User Name>This is a transcript test.</v>\n", began)
    assert (cue.speaker, cue.text, cue.start, cue.end) == (
        "User Name", "This is a transcript test.", began, began + timedelta(seconds=5.32))
