"""Unit tests of the pure parts: parsing, timing arithmetic, message text, card escaping."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings, strategies as st

from bot.cards import plain
from bot.commands import match
from bot.text import mentions_from_entities, read_message
from dialogs import timing
from dialogs.errors import UsageError
from dialogs.parsing import parse_agenda_line, parse_people, parse_time, split_item_prefix

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("text,minute", [("10:05", 605), ("9:30", 570), ("00:00", 0), ("23:59", 1439), ("13.00", 780)])
def test_parse_time(text, minute):
    assert parse_time(text) == minute


@pytest.mark.parametrize("text", ["25:00", "10:60", "noon", "", "1005", "-1:00"])
def test_parse_time_rejects(text):
    with pytest.raises(UsageError):
        parse_time(text)


def test_agenda_line_keeps_a_parenthesis_that_is_not_a_length():
    line = parse_agenda_line("10:10 Tool for PSD (in principle submission) presenter: Lab")
    assert (line.title, line.presenter, line.length_minutes) == ("Tool for PSD (in principle submission)", "Lab", None)


def test_agenda_line_with_length_number_and_dash_in_title():
    line = parse_agenda_line("3. 10:10 Paterson-Young review (30 min) — Sam Todd", lambda name: name == "Sam Todd")
    assert (line.start_minute, line.title, line.length_minutes, line.presenter) == \
        (610, "Paterson-Young review", 30, "Sam Todd")


def test_agenda_break():
    line = parse_agenda_line("11:20 BREAK")
    assert line.is_break and line.title == "Break"


def test_people_and_item_prefix():
    assert parse_people("Marion Oswald, Chair; Tom Sorrell ; ") == [("Marion Oswald", "Chair"), ("Tom Sorrell", None)]
    assert split_item_prefix("item 3 the text") == (3, "the text")
    assert split_item_prefix("itemised list") == (None, "itemised list")
    with pytest.raises(UsageError):
        split_item_prefix("item three text")


def slot(start, length=None, actual_start=None, actual_end=None):
    return timing.Slot(start, length, actual_start, actual_end)


def london(hour, minute, day=13, month=5):
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def test_allotted_minutes_run_to_the_next_item_or_the_close():
    slots = [slot(600), slot(605, 30), slot(610), slot(700)]
    assert timing.allotted_minutes(slots, 780) == [5, 30, 90, 80]
    assert timing.allotted_minutes(slots, None)[-1] is None


def test_delay_of_a_current_item_running_over():
    slots = [slot(600, 10, actual_start=london(10, 5))]
    late = timing.delay(slots, 660, 0, date(2026, 5, 13), LONDON, london(10, 20))
    assert timing.whole_minutes(late) == 10
    assert timing.running_line(10, 660) == "Running 10 min late, projected close 11:10 (planned 11:00)"


def test_delay_when_ahead_and_before_start():
    slots = [slot(600, 10, actual_start=london(9, 55)), slot(610)]
    assert timing.whole_minutes(timing.delay(slots, 660, 0, date(2026, 5, 13), LONDON, london(9, 56))) == -5
    assert timing.whole_minutes(timing.delay(slots, 660, None, date(2026, 5, 13), LONDON, london(9, 0))) == 0
    assert timing.running_line(-5, 660) == "Running 5 min early, projected close 10:55 (planned 11:00)"


def test_delay_on_the_day_the_clocks_go_back():
    # 25 October 2026: 02:00 BST becomes 01:00 GMT. An item planned 09:00-09:30 local time.
    day = date(2026, 10, 25)
    start = datetime(2026, 10, 25, 9, 0, tzinfo=LONDON)
    slots = [slot(540, 30, actual_start=start)]
    now = start.astimezone(timezone.utc) + timedelta(minutes=45)
    assert timing.whole_minutes(timing.delay(slots, 600, 0, day, LONDON, now)) == 15


@given(st.lists(st.integers(0, 1439), min_size=1, max_size=12), st.one_of(st.none(), st.integers(0, 1439)))
def test_allotted_minutes_are_never_negative(starts, end):
    allotted = timing.allotted_minutes([slot(s) for s in sorted(starts)], end)
    assert all(a is None or a >= 0 for a in allotted)


def test_read_message_strips_the_bot_mention_only():
    mentions = mentions_from_entities([
        {"type": "mention", "mentioned": {"id": "28:bot", "name": "Clerk"}, "text": "<at>Clerk</at>"},
        {"type": "mention", "mentioned": {"id": "29:tom", "name": "Tom Sorrell"}, "text": "<at>Tom Sorrell</at>"},
        {"type": "mention", "mentioned": "broken"},
        "not an entity",
    ])
    message = read_message("<at>Clerk</at> /chair <at>Tom Sorrell</at>&nbsp;", mentions, "28:bot")
    assert message.text == "/chair Tom Sorrell" and message.mentions_bot
    assert len(mentions) == 2


def test_command_match_is_case_insensitive_and_keeps_lines():
    command, args, _ = match("/AGENDA Set\n10:00 A\n10:05 B")
    assert command.name == "agenda set" and args == "10:00 A\n10:05 B"


def test_plain_escapes_markdown():
    assert plain("[click](http://evil) *bold* 1. list") == "\\[click\\]\\(http://evil\\) \\*bold\\* 1. list"
    assert plain("- item\n2. two") == "\\- item\n2\\. two"


def test_storable_drops_what_documents_and_databases_refuse():
    from bot.text import storable
    assert storable("a\x00b\x0bc\ud800d\n\te") == "abcd\n\te"


def test_word_export_of_any_text_opens(tmp_path):
    import io
    import docx
    from dialogs.export import render_docx, render_html, render_markdown
    from dialogs.minutes_model import Minute, Minutes, MinutesItem

    record = [Minute("note", "note *x*"), Minute("question", "q?", ["a."], opens_questions=True),
              Minute("decision", "d")]
    item = MinutesItem(1, "10:00", "Tool <b>&", "Lab", record, "Outcome B – proceed with minor amendments", None)
    minutes = Minutes(1, "C", "T", "Wednesday 13 May 2026", "10:00", "11:00",
                      [("Present", [("A", "Chair")]), ("Apologies", [])], [item], [], [], [])
    document = docx.Document(io.BytesIO(render_docx(minutes)))
    assert any("Tool <b>&" in cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "Tool &lt;b&gt;&amp;" in render_html(minutes).decode()
    assert "note \\*x\\*" in render_markdown(minutes).decode()


def test_word_minutes_carry_their_styles_each_looked_up_once(monkeypatch):
    """python-docx finds a style named on a paragraph by reading the template's every style, twice:
    the renderer looks each name up once a document, and the document still carries the styles."""
    import io
    import docx
    from docx.styles.styles import Styles
    from dialogs.export import render_docx
    from dialogs.minutes_model import DueBackLine, Minutes, MinutesAction

    lookups = []
    looked_up = Styles.get_style_id
    monkeypatch.setattr(Styles, "get_style_id",
                        lambda self, style, kind: lookups.append(style) or looked_up(self, style, kind))
    actions = [MinutesAction(n, f"Task {n}", "Sam Todd", "due 1 June 2026", "open") for n in range(1, 31)]
    minutes = Minutes(1, "C", "T", "Wednesday 13 May 2026", "10:00", "11:00",
                      [("Present", [("A", "Chair")]), ("Apologies", [("B", None)])], [], actions, actions[:5],
                      [DueBackLine("Data Lab", "Tool", None)], declarations=["A – item 1 (Tool): owns shares"])
    document = docx.Document(io.BytesIO(render_docx(minutes)))
    styles = [paragraph.style.name for paragraph in document.paragraphs]
    assert styles.count("List Bullet") == 30 + 5 + 1 + 1 and styles.count("Heading 2") == 3
    assert styles[0] == "Heading 1" and {table.style.name for table in document.tables} == {"Table Grid"}
    assert sorted(name for name in lookups if name) == ["Heading 1", "Heading 2", "List Bullet", "Table Grid"]


def test_word_text_is_written_a_piece_at_a_time_with_its_tabs_and_line_breaks(monkeypatch):
    """python-docx writes a run's text a character at a time (a third of the minutes' Word
    rendering once the styles were looked up once): the renderer writes the pieces between tabs
    and line breaks whole (red when python-docx's character appender is used), into the elements
    python-docx would make: a tab, a line break, the words with their spaces kept."""
    import io
    import docx
    from docx.oxml.text.run import _RunContentAppender
    from dialogs.export import render_docx
    from dialogs.minutes_model import Minute, Minutes, MinutesItem

    characters = []
    monkeypatch.setattr(_RunContentAppender, "add_char", lambda self, char: characters.append(char))
    record = [Minute("note", "Costs:\tfirst year\nthen  yearly ")]
    minutes = Minutes(1, "C", "T", "Wednesday 13 May 2026", "10:00", "11:00", [("Present", [("A", "Chair")])],
                      [MinutesItem(1, None, "Tool", "Lab", record, None, None)], [], [], [])
    document = docx.Document(io.BytesIO(render_docx(minutes)))
    (paragraph,) = [p for cell in document.tables[-1].rows[1].cells for p in cell.paragraphs if "Costs" in p.text]
    xml = paragraph._p.xml
    assert characters == [] and paragraph.text == "Costs:\tfirst year\nthen  yearly "
    assert "<w:tab/>" in xml and "<w:br/>" in xml and 'xml:space="preserve">then  yearly </w:t>' in xml


def test_long_minutes_are_split_into_cards_writing_each_block_once(monkeypatch):
    """The split into cards under Teams' size wrote the whole card out again for each block it
    added (60-100 ms for a 3-hour meeting's five cards); it adds up the blocks' sizes now: the JSON
    written while splitting stays within a few times the cards' own (red when it is quadratic), and
    every part stays under the limit."""
    import json
    from bot.cards import MAX_CARD_BYTES, minutes_cards
    from dialogs.minutes_model import Minute, Minutes, MinutesItem

    items = [MinutesItem(n, None, f"Project {n}", "Lab", [Minute("note", f"Note {k} on {n}: " + "é" * 150)
                                                         for k in range(20)], None, None) for n in range(1, 21)]
    minutes = Minutes(1, "C", "T", "Wednesday 13 May 2026", "10:00", "13:00", [("Present", [("A", "Chair")])],
                      items, [], [], [])
    written = []
    dumps = json.dumps
    monkeypatch.setattr(json, "dumps", lambda value, **options: written.append(dumps(value, **options)) or written[-1])
    cards = minutes_cards(minutes)
    monkeypatch.undo()
    sizes = [len(json.dumps(card.content, ensure_ascii=False).encode()) for card in cards]
    assert len(cards) > 3 and max(sizes) <= MAX_CARD_BYTES
    assert sum(len(text.encode()) for text in written) < 3 * sum(sizes)


@settings(deadline=None)  # dateparser's first call loads its language data: a time, not a fault
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
       st.sampled_from(["today", "tomorrow", "Friday", "friday", "next friday", "this friday", "fri", "Monday",
                        "mon", "Sunday", "this sunday", "next Wednesday", "thurs", "in 2 weeks", "in 3 days",
                        "in 1 week", "2026-06-01"]))
def test_common_due_dates_read_as_dateparser_reads_them(day, text):
    """The fast path for the forms people type most gives dateparser's own answer."""
    import dateparser
    from dialogs.dates import parse_due
    local_now = datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON)
    expected = dateparser.parse(text, languages=["en"], settings={
        "PREFER_DATES_FROM": "future", "RELATIVE_BASE": local_now.replace(tzinfo=None), "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False})
    assume(expected is not None)  # "thurs": read by the fast path, not by dateparser
    assert parse_due(text, local_now) == expected.date()


def test_drawing_cards_does_not_load_the_word_renderer():
    import subprocess
    import sys
    from pathlib import Path
    probe = "import sys, bot.cards; print('docx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).parent.parent, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "False"
