"""The committee's action log as a web page, a CSV file and a calendar, behind signed links scoped to
one committee; the page and the HTML minutes pass axe-core at WCAG 2.2 AA."""

import asyncio
import csv
import io
import json
import logging
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from tests.conftest import CHAIR, OFFICER, ROOT, Chat

LONDON = ZoneInfo("Europe/London")
ARTIFACTS = ROOT / "test-artifacts"


async def committee_with_open_overdue_closed_and_due_back(chat, clock):
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/committee name Data Ethics Committee")
    await chat.say("/start May meeting")
    await chat.say("/agenda set\n10:00 Checking tool (in principle submission) presenter: Data Lab\n11:00 Close")
    await chat.say("/next")
    await chat.say("/action Return with false-positive rates owner: Sam Todd due: 2026-05-20")
    await chat.say("/action Draft &lt;b&gt;guidance&lt;/b&gt; for officers owner: Sam Todd, Tom Sorrell due: 2026-07-01")
    await chat.say("/action Book the room owner: Jack Tracey due: 2026-05-14")
    await chat.say("/action Find a secretariat")
    await chat.say("/dueback - with the pilot results")
    await chat.say("/nextmeeting 10 June 2026 10:00")
    await chat.say("/end")
    clock.set_local(2026, 5, 15, 9, 0, LONDON)
    await chat.say("/done 3 room booked for June", sender=CHAIR)
    clock.set_local(2026, 5, 25, 9, 0, LONDON)  # action 1 is now overdue


def links_in(reply: str) -> dict[str, str]:
    return dict(re.findall(r"\[(Web page|CSV|Calendar)\]\((http[^)]+)\)", reply))


async def fetch(chat, url: str) -> tuple[int, str, bytes]:
    async with chat.session.get(url) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.read()


async def test_the_action_log_page_csv_and_calendar(chat, clock, start_bot, connector):
    await committee_with_open_overdue_closed_and_due_back(chat, clock)
    other = Chat(chat.bot, connector, conversation_id="19:other-committee@thread.v2", meeting_id=None)
    await other.say("/action Secret task of another committee owner: Eve Other due: 2026-05-01")

    reply = await chat.say("/actionlog", sender=OFFICER)
    assert reply.startswith("Action log of Data Ethics Committee: [Web page](")
    assert "(links valid for 24 hours; the web page can be pinned as a Website tab)" in reply
    links = links_in(reply)
    assert set(links) == {"Web page", "CSV", "Calendar"}

    status, media, body = await fetch(chat, links["Web page"])
    page = body.decode()
    assert status == 200 and media.startswith("text/html")
    assert "<script" not in page  # it works without JavaScript
    for expected in ("Data Ethics Committee: action log", "Next meeting: <strong>Wed 10 June 2026 at 10:00</strong>",
                     "Sam Todd (2)", "Tom Sorrell (1)", "No owner yet (1)", "Draft &lt;b&gt;guidance&lt;/b&gt;",
                     '<span class="flag">Overdue</span>', "Book the room", "done: room booked for June",
                     "Data Lab: Checking tool (in principle submission) – with the pilot results",
                     "Minutes of May meeting, Wed 13 May 2026"):
        assert expected in page, expected
    assert page.count("Overdue</span>") == 1  # action 1 only; not by colour alone
    assert "Secret task" not in page and "Eve Other" not in page

    minutes_link = re.search(r'href="([^"]+/minutes/1\.html[^"]*)"', page)[1].replace("&amp;", "&")
    assert (await fetch(chat, minutes_link))[0] == 200

    status, media, body = await fetch(chat, links["CSV"])
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert status == 200 and media.startswith("text/csv")
    assert [(r["Action"], r["Status"], r["Overdue"]) for r in rows] == \
        [("1", "open", "yes"), ("2", "open", "no"), ("4", "open", "no"), ("3", "done", "no")]
    assert rows[1]["Owners"] == "Sam Todd; Tom Sorrell" and rows[3]["Latest note"] == "done: room booked for June"
    assert all("Secret" not in r["Text"] for r in rows)

    status, media, body = await fetch(chat, links["Calendar"])
    calendar = icalendar.Calendar.from_ical(body)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert status == 200 and media.startswith("text/calendar")
    assert set(events) == {"Action 1 due: Return with false-positive rates",
                           "Action 2 due: Draft <b>guidance</b> for officers", "Data Ethics Committee: next meeting"}
    assert events["Action 1 due: Return with false-positive rates"].decoded("dtstart").isoformat() == "2026-05-20"
    assert events["Data Ethics Committee: next meeting"].decoded("dtstart").isoformat() == "2026-06-10T10:00:00+01:00"
    await other.close()


async def test_the_access_log_keeps_no_link_that_would_open_a_page(chat, clock, caplog):
    await committee_with_open_overdue_closed_and_due_back(chat, clock)
    page = links_in(await chat.say("/actionlog", sender=OFFICER))["Web page"]
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    assert (await fetch(chat, page))[0] == 200
    (line,) = [record.getMessage() for record in caplog.records if record.name == "aiohttp.access"]
    path = urlsplit(page).path
    assert f'"GET {path}" 200 ' in line and " ms " in line
    assert "signature" not in line and "expires" not in line


async def test_a_link_for_one_committee_never_opens_another_and_expires(chat, clock, connector):
    await committee_with_open_overdue_closed_and_due_back(chat, clock)
    other = Chat(chat.bot, connector, conversation_id="19:other-committee@thread.v2", meeting_id=None)
    await other.say("/action Secret task owner: Eve Other")
    theirs = links_in(await other.say("/actionlog"))["Web page"]
    ours = links_in(await chat.say("/actionlog"))["Web page"]
    assert "/committees/2/" in theirs and "/committees/1/" in ours
    tampered = theirs.replace("/committees/2/", "/committees/1/")
    status, media, body = await fetch(chat, tampered)
    assert status == 403 and "This link has expired or is not valid" in body.decode() and "/actionlog" in body.decode()
    for broken in (ours.split("?")[0], re.sub(r"signature=[0-9a-f]+", "signature=%C3%A9", ours),
                   re.sub(r"expires=\d+", "expires=%C2%B2", ours), ours.replace("/committees/1/", "/committees/" + "9" * 5000 + "/")):
        assert (await fetch(chat, broken))[0] in (403, 404), broken
    clock.advance(hours=25)
    assert (await fetch(chat, ours))[0] == 403
    await other.close()


async def test_the_page_and_the_html_minutes_pass_axe_at_wcag_22_aa(chat, clock):
    await committee_with_open_overdue_closed_and_due_back(chat, clock)
    page = links_in(await chat.say("/actionlog"))["Web page"]
    status, _, body = await fetch(chat, page)
    minutes = re.search(r'href="([^"]+/minutes/1\.html[^"]*)"', body.decode())[1].replace("&amp;", "&")
    ARTIFACTS.mkdir(exist_ok=True)
    # The bot serves from this test's event loop, so the browser runs beside it, not blocking it.
    browser = await asyncio.create_subprocess_exec(
        "node", str(ROOT / "tests" / "a11y_check.cjs"), str(ARTIFACTS), f"action-log={page}", f"minutes={minutes}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(browser.communicate(), timeout=120)
    assert browser.returncode == 0, err.decode()[-2000:]
    violations = json.loads(out)
    assert violations == {"action-log": [], "minutes": []}, json.dumps(violations, indent=1)
    for name in ("action-log", "action-log-print", "minutes", "minutes-print"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 0


async def test_a_csv_cell_that_would_be_a_formula_opens_as_text(chat):
    """Issue 29: '=HYPERLINK(...)' typed into an action became a formula in the secretary's spreadsheet."""
    await chat.say("/start")
    for text in ('=HYPERLINK("http://evil.example","Click")', "+1 call the office", "-2 seats",
                 "@SUM(A1:A2)", "Plain task"):
        await chat.say(f"/action {text} owner: Sam Todd")
    status, _, body = await fetch(chat, links_in(await chat.say("/actionlog"))["CSV"])
    texts = [row["Text"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))]
    assert texts == ["'=HYPERLINK(\"http://evil.example\",\"Click\")", "'+1 call the office", "'-2 seats",
                     "'@SUM(A1:A2)", "Plain task"]
