"""A committee's house style (issue 28), through /api/messages on both databases: each choice seen
in the card, Word, HTML and Markdown; and two replayed meetings, a parish council's and an ethics
committee's, whose Markdown minutes match the expected files line for line (README quotes both)."""

import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document

from tests.conftest import CHAIR, MEMBER, ROOT, card_text

LONDON = ZoneInfo("Europe/London")
EXPECTED = Path(__file__).parent / "expected"


async def documents(chat) -> dict[str, str]:
    """The latest minutes in every export format, as text (Word: its paragraphs and table cells)."""
    export = next(a for a in (await chat.card("/minutes"))["actions"] if a["title"] == "Export")["data"]
    before = len(chat.connector.posted)
    await chat.post(chat.activity(CHAIR, text="", value=export))
    links = dict(re.findall(r"\[([A-Za-z ]+)\]\((http[^)]+)\)", chat.connector.posted[before]["text"]))
    texts = {"card": card_text(await chat.card("/minutes"))}
    for label, url in links.items():
        async with chat.session.get(url) as response:
            body = await response.read()
        if label == "Word":
            document = Document(io.BytesIO(body))
            cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
            texts[label] = "\n".join([p.text for p in document.paragraphs] + cells)
        else:
            texts[label] = body.decode()
    return texts


async def replay(chat, clock, script: str) -> None:
    """Lines as the clerk typed them; '+N' moves the clock on N minutes; a command may run over
    several lines (an agenda), each following line indented by two spaces."""
    commands: list[str] = []
    for line in script.strip("\n").splitlines():
        if line.startswith("  "):
            commands[-1] += "\n" + line[2:]
        else:
            commands.append(line.strip())
    for command in commands:
        if command.startswith("+"):
            clock.advance(minutes=int(command[1:]))
        else:
            reply = await chat.say(command)
            assert "Usage" not in reply and "is not" not in reply, (command, reply)


COUNCIL = """
/committee name Ashby Parish Council
/style council
/members add Marion Oswald, Councillor; R Green, Councillor; J Patel, Councillor; S Brown, Councillor
/committee quorum 3
/start Extra-ordinary meeting of Ashby Parish Council
/chair Marion Oswald
/present Marion Oswald; R Green; S Brown; Anne Moss, Clerk to the Council
/apologies J Patel (unable to join: IT problems)
/note No members of the public were present.
/agenda set
  1. Apologies for absence
  2. Declarations of interest – members to declare any interests
  3. Minutes of the previous meeting
  4. Contract renewal – CONFIDENTIAL
/next
/note Apologies were received and accepted from Cllr J Patel.
+2
/next
/note None were declared.
+3
/next
/previous approved 12 October 2026
+4
/next
/confidential commercially sensitive information (paragraph 3) public: After a full and frank discussion, the council resolved unanimously to renew the contract.
/note The clerk set out the three bids received.
/motion That the contract with Ashby Grounds Ltd be renewed for three years mover: Green seconder: Brown
/vote unanimous
+32
/end
"""

ETHICS = """
/committee name Ethics Committee
/members add Marion Oswald, Chair; Tom Sorrell, Member; Jamie Grace, Member
/start Ethics Committee, November meeting
/present Marion Oswald; Tom Sorrell; Sam Todd, Data Lab
/apologies Jamie Grace
/agenda set
  10:00 Welcome (5 min)
  10:05 Offending checking tool (in principle submission) (30 min) presenter: Sam Todd
  10:35 Close
/next
/note The chair welcomed members.
+6
/next
/question Who checks the tool's results?
/answer An analyst reviews every flag before it is used.
/motion That the tool proceed to a full submission mover: Tom Sorrell
/vote 2-0
/decision The committee asked for the error rates by area.
/action Send the error rates by area owner: Sam Todd due: 12 January 2027
+25
/end
"""


async def test_a_council_meeting_replayed_gives_the_expected_markdown(chat, clock):
    clock.set_local(2026, 11, 25, 19, 0, LONDON)
    await replay(chat, clock, COUNCIL)
    markdown = (await documents(chat))["Markdown"]
    assert markdown.splitlines() == (EXPECTED / "council.md").read_text().splitlines()


async def test_an_ethics_committee_meeting_replayed_gives_the_expected_markdown(chat, clock):
    clock.set_local(2026, 11, 18, 10, 0, LONDON)
    await replay(chat, clock, ETHICS)
    markdown = (await documents(chat))["Markdown"]
    assert markdown.splitlines() == (EXPECTED / "ethics_committee.md").read_text().splitlines()


def test_readme_quotes_both_replays_as_the_tests_produce_them():
    readme = (ROOT / "README.md").read_text()
    for name in ("council", "ethics_committee"):
        quoted = re.search(rf"<!-- minutes excerpt: {name} -->\n```markdown\n(.*?)```", readme, re.S)
        assert quoted, name
        for part in quoted.group(1).split("…\n"):  # an ellipsis line marks lines left out
            assert part in (EXPECTED / f"{name}.md").read_text(), (name, part)


async def test_each_house_style_choice_shows_in_every_output(chat, clock):
    clock.set_local(2026, 11, 25, 19, 0, LONDON)
    await chat.say("/members add Marion Oswald, Councillor; R Green, Councillor")
    await chat.say("/start Planning meeting")
    await chat.say("/chair Marion Oswald")
    await chat.say("/agenda set\n19:00 Planning applications\nAny other business")
    await chat.say("/next")
    await chat.say("/motion That the application be supported mover: Green")
    await chat.say("/vote 5 for, 1 abstention")
    await chat.say("/decision that the clerk writes to the planning authority")
    clock.advance(minutes=11)
    await chat.say("/end")
    before = await documents(chat)
    for output, text in before.items():  # the ethics committee's style until the committee says otherwise
        assert "Motion: That the application be supported." in text, output
        assert "Chair: Marion Oswald" in text and "19:00" in text, output
    assert "### 19:00 1. Planning applications" in before["Markdown"]
    assert "### 2. Any other business" in before["Markdown"]  # no time was planned: none is shown

    for setting in ("resolutions resolved", "clock 12", "chair Chairman", "numbers running", "times off"):
        assert (await chat.say(f"/style {setting}")).startswith("House style set:")
    after = await documents(chat)
    for output, text in after.items():
        assert "RESOLVED that the application be supported. Proposed by R Green, approved (for 5, abstentions 1)." \
            in text, output
        assert "RESOLVED that the clerk writes to the planning authority" in text, output
        assert "Chairman: Marion Oswald" in text and "7.00pm – 7.11pm" in text, output
        assert "19:00" not in text and "Decision:" not in text, output
        assert "26/1" in text and "26/2" in text, output
    assert "### 26/1 Planning applications" in after["Markdown"]
    assert "<th scope=\"col\">Time</th>" not in after["HTML"]

    await chat.say("/style numbers none")
    assert "### Planning applications" in (await documents(chat))["Markdown"]


async def test_running_minute_numbers_continue_across_the_years_meetings(chat, clock):
    clock.set_local(2026, 11, 4, 19, 0, LONDON)
    await chat.say("/style council")
    await chat.say("/start")
    await chat.say("/agenda set\nApologies\nPlanning\nFinance")
    await chat.say("/end")
    clock.set_local(2026, 11, 25, 19, 0, LONDON)
    await chat.say("/start")
    await chat.say("/agenda set\nApologies\nMinutes of the previous meeting")
    await chat.say("/end")
    markdown = (await documents(chat))["Markdown"]
    assert "### 26/4 Apologies" in markdown and "### 26/5 Minutes of the previous meeting" in markdown


async def test_minutes_approved_at_the_next_meeting_have_no_approve_button(chat, clock):
    clock.set_local(2026, 11, 4, 19, 0, LONDON)
    await chat.say("/style approval next")
    await chat.say("/start")
    await chat.say("/chair Marion Oswald")
    await chat.say("/agenda set\nApologies")
    card = await chat.card("/end")
    assert not any(a["title"] == "Approve" for a in card.get("actions", []))
    assert "To be confirmed at the next meeting." in card_text(card)
    assert "confirms its minutes at its next meeting" in await chat.say("/minutes approve")
    clock.set_local(2026, 11, 25, 19, 0, LONDON)
    await chat.say("/start")
    await chat.say("/agenda set\nMinutes of the previous meeting")
    await chat.say("/next")
    await chat.say("/previous approved")
    first = card_text(await chat.card("/minutes 4 November"))
    assert first.startswith("Minutes\n") and "Confirmed as an accurate record at the meeting of" in first


async def test_only_the_chair_or_secretary_changes_the_style_and_anyone_may_see_it(chat):
    await chat.say("/start")
    await chat.say("/chair Marion Oswald")
    assert (await chat.say("/style", sender=MEMBER)).startswith("House style of the minutes:\n- Resolutions:")
    assert await chat.say("/style council", sender=MEMBER) == \
        "Only the chair (Marion Oswald) can change the committee's settings."
    assert "Chairman" in await chat.say("/style council")
    assert "The chair's title is one of" in await chat.say("/style chair Emperor")
    assert "Give a preset" in await chat.say("/style loud")
