"""One agenda model: /item, /next, /time, /agenda and the timekeeping notice agree."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from app import SWEEPS
from dialogs.agenda_model import Agenda
from storage.models import AgendaItem, Meeting
from tests.conftest import card_text

LONDON = ZoneInfo("Europe/London")


async def test_item_next_time_agenda_and_the_notice_agree_with_a_close_line(chat, clock):
    """Reproduced: with a Close line, /item 2 gave no allotment while /time said 55 min."""
    clock.set_local(2026, 5, 13, 10, 0, LONDON)
    await chat.say("/start")
    await chat.say("/agenda set\n10:00 Welcome\n10:05 Tool presenter: Data Lab\n11:00 Close")
    assert await chat.say("/item 2") == \
        "Item 2: Tool, presented by Data Lab. Started 10:00 (planned 10:05, 55 min allotted)."
    assert "Item 2 (Tool): 0 min elapsed of 55 min allotted, 55 min left." in await chat.say("/time")
    assert "Data Lab · 55 min planned" in card_text(await chat.card("/agenda"))
    clock.set_local(2026, 5, 13, 10, 55, LONDON)
    await chat.bot.app[SWEEPS].timekeeping()
    [page] = await chat.stage_pages()  # the chair's timekeeping notice, on the meeting stage
    assert "Item 2 (Tool): 55 min elapsed of 55 min allotted, 0 min left." in page
    await chat.say("/item 1")
    assert await chat.say("/next") == \
        "Item 2: Tool, presented by Data Lab. Started 10:55 (planned 10:05, 55 min allotted)."
    assert await chat.say("/next") == "That was the last item on the agenda. /end closes the meeting."
    assert (await chat.say("/time")).startswith("No item is under way")


def _agenda(*rows, close=None, current=None) -> Agenda:
    meeting = Meeting(id=1, title="May", meeting_date=date(2026, 5, 13), planned_end_minute=close,
                      current_item_id=current, started_at=datetime(2026, 5, 13, 9, tzinfo=timezone.utc))
    items = [AgendaItem(id=index, title=title, is_break=title == "Break", planned_start_minute=start, timed=True,
                        planned_length_minutes=length) for index, (start, title, length) in enumerate(rows, 1)]
    return Agenda(meeting, items)


def test_numbers_allotments_and_close():
    agenda = _agenda((600, "Welcome", None), (605, "Tool", None), (640, "Break", 10), (650, "Other", None),
                     close=720)
    assert [(e.number, e.allotted) for e in agenda.entries] == [(1, 5), (2, 35), (None, 10), (3, 70)]
    assert agenda.planned_close == 720
    assert agenda.find(3).item.title == "Other"
    assert [e.label for e in agenda.entries] == ["item 1 (Welcome)", "item 2 (Tool)", "the break", "item 3 (Other)"]


def test_starting_an_item_ends_the_current_one_and_following_is_the_next():
    agenda = _agenda((600, "Welcome", None), (605, "Tool", None), close=660)
    now = datetime(2026, 5, 13, 9, 2, tzinfo=timezone.utc)
    assert agenda.following is agenda.entries[0]
    agenda.start(agenda.entries[0], now)
    assert agenda.current is agenda.entries[0] and agenda.following is agenda.entries[1]
    later = datetime(2026, 5, 13, 9, 9, tzinfo=timezone.utc)
    agenda.start(agenda.following, later)
    assert agenda.entries[0].item.actual_end == later and agenda.current is agenda.entries[1]
    assert agenda.lateness(later, LONDON) == 4  # Tool planned 10:05, started 10:09
    assert agenda.status_line(later, LONDON) == "Running 4 min late, projected close 11:04 (planned 11:00)"
    agenda.end_current(later)
    assert agenda.current is None and agenda.entries[1].item.actual_end == later
