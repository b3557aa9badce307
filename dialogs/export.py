"""The minutes as documents: Word, HTML and Markdown, all from the one Minutes model.

`FORMATS` is the one registry of document formats: the web route, the Export links and the README
read it. HTML and Markdown come from Jinja2 templates (dialogs/templates/) in which everything
inserted is escaped, so text people typed stays text; Word is laid out with python-docx.
Pure functions: a Minutes value in, bytes out. No database, no Teams.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from dialogs.minutes_model import Minutes

_TEMPLATES = Path(__file__).parent / "templates"
# What changes Markdown's meaning anywhere in a line (emphasis, code, links, HTML, strikethrough),
# and at a line's start (a heading, a list, a quote): only these are escaped, so the text pasted
# elsewhere reads as typed, brackets and all.
_MD_ANYWHERE = re.compile(r"([\\`*_\[\]<>~|])")
_MD_LINE_START = re.compile(r"^(\s*)([#+=-]|\d+[.)](?=\s|$))", re.MULTILINE)


class _Inline(str):
    """Text already escaped for the middle of a line (a heading's words after its '###')."""


def _markdown_text(value: object) -> str:
    """Everything a Markdown template inserts: what would change its meaning escaped, line breaks kept."""
    if isinstance(value, _Inline):
        return value
    text = _MD_ANYWHERE.sub(r"\\\1", str(value if value is not None else ""))
    return _MD_LINE_START.sub(_escaped_marker, text).replace("\n", "  \n")


def _inline_markdown(value: object) -> _Inline:
    """For a value that follows other text on its line: nothing at its start can begin a block."""
    return _Inline(_MD_ANYWHERE.sub(r"\\\1", " ".join(str(value).split())))


def _escaped_marker(match: re.Match) -> str:
    """'\\# ', '\\- ', and '1\\. ' (CommonMark escapes the full stop of a numbered line, not the digit)."""
    indent, marker = match.groups()
    return indent + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker)


def _html_lines(text: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in text.split("\n"))


html_templates = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True, undefined=StrictUndefined,
                    trim_blocks=True, lstrip_blocks=True)
html_templates.filters["lines"] = _html_lines
_markdown = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=False, undefined=StrictUndefined,
                        finalize=_markdown_text, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
_markdown.filters["inline"] = _inline_markdown


def render_html(minutes: Minutes) -> bytes:
    return html_templates.get_template("minutes.html.j2").render(m=minutes).encode()


def render_stage(title: str, lines: list[str]) -> bytes:
    """The small page an in-meeting notification shows on the meeting's stage: where the time is."""
    return html_templates.get_template("stage.html.j2").render(title=title, lines=lines).encode()


_plain = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=False, undefined=StrictUndefined,
                     trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_panel(panel) -> bytes:
    """The meeting's live panel (dialogs.panel), for its side panel and stage."""
    return html_templates.get_template("panel.html.j2").render(p=panel).encode()


def render_panel_setup() -> bytes:
    """The page Teams opens to add the live panel to a meeting (manifest configurableTabs)."""
    return html_templates.get_template("panel_setup.html.j2").render().encode()


# Colours for speakers in the transcript chart, each with at least 3:1 contrast on white (WCAG 1.4.11).
_SPEAKER_COLOURS = ("#0f6cbd", "#c50f1f", "#107c10", "#8764b8", "#ca5010", "#038387", "#4f6bed", "#986f0b")


def render_transcript(page, notice: str | None = None, word: str | None = None) -> bytes:
    """The transcript cut to the agenda (dialogs.transcript.TranscriptPage), with its chart drawn
    here: one bar per item, planned against taken and spoken minutes, split by speaker. `notice`:
    what recording a line did; `word`: the signed link to the same as a Word document."""
    speakers: dict[str, str] = {}
    widest = max([_taken_minutes(s) for s in page.sections] + [s.seconds / 60 for s in page.sections]
                 + [_planned_minutes(s) for s in page.sections] + [1])
    scale = 420 / widest
    chart = []
    for row, section in enumerate(page.sections):
        x, parts = 0.0, []
        for speaker, seconds in section.by_speaker:
            colour = speakers.setdefault(speaker, _SPEAKER_COLOURS[len(speakers) % len(_SPEAKER_COLOURS)])
            width = seconds / 60 * scale
            parts.append({"x": round(x, 1), "width": round(width, 1), "colour": colour, "speaker": speaker,
                          "minutes": _minutes(seconds)})
            x += width
        chart.append({"row": row, "label": section.interval.label, "parts": parts,
                      "planned_width": round(_planned_minutes(section) * scale, 1),
                      "taken_width": round(_taken_minutes(section) * scale, 1)})
    return html_templates.get_template("transcript.html.j2").render(
        t=page, chart=chart, minutes=_minutes, taken=_taken, notice=notice, word=word).encode()


def render_transcript_docx(page) -> bytes:
    """The transcript page as a Word document: the table of speaking time, then each part's excerpt."""
    word = _Word()
    word.heading(f"{page.title}: what was said, item by item", level=1)
    word.paragraph(f"{page.date}. For the secretary and the chair only.")
    table = word.table(cols=5)
    for cell, heading in zip(table.add_row().cells, ("Item", "Planned", "Taken", "Spoken", "By speaker")):
        word.run(cell.paragraphs[0], heading, bold=True)
    for section in page.sections:
        cells = table.add_row().cells
        values = (section.interval.label, section.interval.planned or "", _taken(section), _minutes(section.seconds),
                  "; ".join(f"{speaker} {_minutes(seconds)}" for speaker, seconds in section.by_speaker))
        for cell, value in zip(cells, values):
            word.run(cell.paragraphs[0], value)
    for section in page.sections:
        word.heading(section.interval.label, level=2)
        if section.interval.exempt:
            word.paragraph("Exempt item: these words are for the secretary and the chair only.")
        for cue in section.cues:
            paragraph = word.paragraph()
            word.run(paragraph, f"{page.clock(cue.start)} ")
            if cue.speaker:
                word.run(paragraph, f"{cue.speaker}: ", bold=True)
            word.run(paragraph, cue.text)
    return word.save()


def _planned_minutes(section) -> float:
    return float(section.interval.allotted or 0)


def _taken_minutes(section) -> float:
    interval = section.interval
    return (interval.end - interval.start).total_seconds() / 60 if interval.start and interval.end else 0.0


def _minutes(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60} min {whole % 60:02d} s"


def _taken(section) -> str:
    return _minutes(_taken_minutes(section) * 60) if section.interval.start and section.interval.end else ""


def render_plain_text(minutes: Minutes) -> bytes:
    """For pasting into an e-mail: the words as typed, no markup to escape or to show."""
    return _plain.get_template("minutes.txt.j2").render(m=minutes).encode()


def render_markdown(minutes: Minutes) -> bytes:
    return _markdown.get_template("minutes.md.j2").render(m=minutes).encode()


def filename(minutes: Minutes, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"minutes {minutes.title}").strip("-")[:80] or "minutes"
    return f"{stem}.{extension}"


# Word --------------------------------------------------------------------------------------------


# What python-docx writes as an element of its own in a run's text; the rest goes in w:t.
_RUN_BREAKS = re.compile(r"(\t|\r|\n)")


class _Word:
    """A Word document in Clerk's base style (Arial 10), written as python-docx writes it, faster.
    python-docx, given a style by name, reads every style of its template to find it and again to
    see whether it is the default, on each paragraph (more than half of a 3-hour meeting's
    rendering): here each name is looked up once a document, by its own lookup, and set as it sets
    it. And it writes a run's text a character at a time (a third of what was left): here a piece
    between tabs and line breaks at a time, into the same elements."""

    def __init__(self):
        self.document = Document()
        normal = self.document.styles["Normal"]
        normal.font.name, normal.font.size = "Arial", Pt(10)
        self._style_ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}

    def _style_id(self, name: str, kind: WD_STYLE_TYPE) -> str | None:
        key = (name, kind)
        if key not in self._style_ids:
            self._style_ids[key] = self.document.styles.get_style_id(name, kind)
        return self._style_ids[key]

    def paragraph(self, text: str = "", style: str | None = None, within: _Cell | None = None) -> Paragraph:
        """A new paragraph of the document, or of the table cell `within`."""
        paragraph = (within or self.document).add_paragraph()
        if text:
            self.run(paragraph, text)
        if style:
            paragraph._p.style = self._style_id(style, WD_STYLE_TYPE.PARAGRAPH)
        return paragraph

    @staticmethod
    def run(paragraph: Paragraph, text: str, bold: bool | None = None, italic: bool | None = None) -> Run:
        run = paragraph.add_run()
        for piece in _RUN_BREAKS.split(text):
            if piece == "\t":
                run._r.add_tab()
            elif piece in ("\r", "\n"):
                run._r.add_br()
            elif piece:
                run._r.add_t(piece)
        if bold is not None:
            run.bold = bold
        if italic is not None:
            run.italic = italic
        return run

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, f"Heading {level}")

    def table(self, cols: int) -> Table:
        table = self.document.add_table(rows=0, cols=cols)
        table._tbl.tblStyle_val = self._style_id("Table Grid", WD_STYLE_TYPE.TABLE)
        return table

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def render_docx(minutes: Minutes) -> bytes:
    """Laid out like the reference minutes: title block, people tables, then a table of items."""
    word = _Word()
    title = word.heading(minutes.name, level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading = [(minutes.document_title, True), (minutes.heading_time, True), (f"({minutes.held})", False)]
    for text, bold in heading + ([(minutes.chair_line, True)] if minutes.chair_line else []):
        paragraph = word.paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        word.run(paragraph, text, bold=bold)
    for line in ([minutes.approved] if minutes.approved else []) + minutes.amendments:
        word.run(word.paragraph(), line, italic=True)
    for label, people in minutes.people:
        word.run(word.paragraph(), f"{label}:", bold=True)
        table = word.table(cols=2)
        for name, role in people or [("none", None)]:
            cells = table.add_row().cells
            word.run(cells[0].paragraphs[0], name)
            word.run(cells[1].paragraphs[0], role or "")
    if minutes.quorum_line:
        word.paragraph(minutes.quorum_line)
    for minute in minutes.opening:
        word.paragraph(minute.text)
    word.run(word.paragraph(), "Declarations of interest:", bold=True)
    for line in minutes.declaration_lines:
        word.paragraph(line, "List Bullet")
    word.paragraph()
    if minutes.order_note:
        word.paragraph(minutes.order_note)
    columns = ("No.", "Time", "Minutes", "Lead") if minutes.shows_times else ("No.", "Minutes", "Lead")
    table = word.table(cols=len(columns))
    for cell, heading in zip(table.add_row().cells, columns):
        word.run(cell.paragraphs[0], heading, bold=True)
    for item in minutes.items:
        cells = dict(zip(columns, table.add_row().cells))
        word.run(cells["No."].paragraphs[0], item.label or "", bold=True)
        if minutes.shows_times:
            word.run(cells["Time"].paragraphs[0], item.time or "", bold=True)
        body = cells["Minutes"]
        word.run(body.paragraphs[0], item.title, bold=True)
        for minute in item.record:
            if minute.opens_questions:
                word.paragraph("Committee questions/ comments:", within=body)
            if minute.is_question:
                word.paragraph(f"- {minute.text}", within=body)
                for answer in minute.answers:
                    word.paragraph(f"    o {answer}", within=body)
            else:
                word.paragraph(minute.text, within=body)
        if item.outcome:
            paragraph = word.paragraph(within=body)
            word.run(paragraph, item.outcome, bold=True)
            if item.outcome_comment:
                word.run(paragraph, f" – {item.outcome_comment}")
        if item.status:
            word.run(word.paragraph(within=body), item.status, bold=True)
        word.run(cells["Lead"].paragraphs[0], item.presenter or "", bold=True)
    for heading, actions in minutes.action_sections:
        word.heading(heading, level=2)
        for action in actions:
            word.paragraph(action.line, "List Bullet")
    if minutes.due_back:
        word.heading("Due back at the next meeting", level=2)
        for due in minutes.due_back:
            word.paragraph(due.line, "List Bullet")
    if minutes.next_meeting:
        word.paragraph(f"Next meeting: {minutes.next_meeting}")
    word.run(word.paragraph(), minutes.close, bold=True)
    return word.save()


@dataclass(frozen=True)
class DocumentFormat:
    """One entry of a registry of documents: the minutes' FORMATS here, the action log's LOG_FORMATS."""

    extension: str
    label: str  # as the links to it name it
    media_type: str
    inline: bool  # shown in the browser rather than downloaded
    render: Callable[..., bytes]


FORMATS: dict[str, DocumentFormat] = {f.extension: f for f in (
    DocumentFormat("docx", "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False,
                   render_docx),
    DocumentFormat("html", "HTML", "text/html; charset=utf-8", True, render_html),
    DocumentFormat("md", "Markdown", "text/markdown; charset=utf-8", False, render_markdown),
    DocumentFormat("txt", "Plain text", "text/plain; charset=utf-8", True, render_plain_text),
)}


def render_privacy(handled_days: int, link_hours: int, transcript_days: int) -> bytes:
    """What Clerk stores, where, for how long, who can read it, how to have it deleted."""
    return html_templates.get_template("privacy.html.j2").render(handled_days=handled_days, link_hours=link_hours,
                                                                 transcript_days=transcript_days).encode()


def render_terms() -> bytes:
    return html_templates.get_template("terms.html.j2").render().encode()


def render_link_refused(command: str) -> bytes:
    """The page an expired or altered link answers with: it says so, and which command gives a new one."""
    return html_templates.get_template("link_refused.html.j2").render(command=command).encode()
