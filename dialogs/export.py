"""The minutes as documents: Markdown, HTML and Word, all from the one Minutes model.

Pure functions: a Minutes value in, text or bytes out. No database, no Teams.
"""

from __future__ import annotations

import html
import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from dialogs.minutes import Minutes, MinutesAction, MinutesItem
from storage.vocabulary import ActionStatus

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def render(minutes: Minutes, fmt: str) -> bytes:
    if fmt == "md":
        return render_markdown(minutes).encode()
    if fmt == "html":
        return render_html(minutes).encode()
    if fmt == "docx":
        return render_docx(minutes)
    raise ValueError(f"unknown format {fmt!r}")


def filename(minutes: Minutes, fmt: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"minutes {minutes.title}").strip("-")[:80] or "minutes"
    return f"{stem}.{fmt}"


def heading_time(minutes: Minutes) -> str:
    return f"{minutes.date_text}, {minutes.start} – {minutes.end or 'not closed'}"


def action_text(action: MinutesAction) -> str:
    status = "" if action.status == ActionStatus.OPEN else f" ({action.status})"
    return f"Action {action.number}: {action.text} — {action.owners}, {action.due}{status}"


def item_heading(item: MinutesItem) -> str:
    return item.title if item.is_break else f"{item.number}. {item.title}"


# Markdown ----------------------------------------------------------------------------------------


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def render_markdown(minutes: Minutes) -> str:
    out = [f"# {_md(minutes.committee)} – Minutes", "", f"**{_md(minutes.title)}**", "",
           f"**{heading_time(minutes)}**", "", f"({minutes.held})", ""]
    if minutes.approved:
        out += [f"*{_md(minutes.approved)}*", ""]
    for label, people in (("Present", minutes.present), ("Apologies", minutes.apologies)):
        out += [f"## {label}", ""]
        out += [f"- {_md(name)}" + (f" – {_md(role)}" if role else "") for name, role in people] or ["- none"]
        out.append("")
    out += ["## Minutes", ""]
    for item in minutes.items:
        lead = f" — {_md(item.presenter)}" if item.presenter else ""
        out += [f"### {item.time} {_md(item_heading(item))}{lead}", ""]
        out += [_md(note) + "\n" for note in item.notes]
        if item.questions:
            out += ["Committee questions/ comments:", ""]
            for qa in item.questions:
                out.append(f"- {_md(qa.question)}")
                out += [f"    - {_md(answer)}" for answer in qa.answers]
            out.append("")
        out += [f"- Decision: {_md(d)}" for d in item.decisions]
        if item.decisions:
            out.append("")
        if item.outcome:
            comment = f" – {_md(item.outcome_comment)}" if item.outcome_comment else ""
            out += [f"**{item.outcome}**{comment}", ""]
    _md_actions(out, "Actions agreed", minutes.actions)
    _md_actions(out, "Update on earlier actions", minutes.earlier_actions)
    if minutes.due_back:
        out += ["## Due back at the next meeting", ""]
        out += [f"- {_md(d.presenter)}: {_md(d.title)}" + (f" – {_md(d.reason)}" if d.reason else "")
                for d in minutes.due_back]
        out.append("")
    if minutes.next_meeting:
        out += [f"Next meeting: {minutes.next_meeting}", ""]
    out += [f"**{minutes.end or '—'} Meeting close**", ""]
    return "\n".join(out)


def _md_actions(out: list[str], title: str, actions: list[MinutesAction]) -> None:
    if actions:
        out += [f"## {title}", ""] + [f"- {_md(action_text(a))}" for a in actions] + [""]


# HTML --------------------------------------------------------------------------------------------


def _h(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def render_html(minutes: Minutes) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_h(minutes.committee)} – Minutes – {_h(minutes.title)}</title>",
           "<style>body{font-family:Arial,sans-serif;max-width:60em;margin:2em auto}"
           "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.4em;"
           "vertical-align:top;text-align:left}.outcome{font-weight:bold}</style></head><body>",
           f"<h1>{_h(minutes.committee)} – Minutes</h1>", f"<p><strong>{_h(minutes.title)}</strong></p>",
           f"<p><strong>{_h(heading_time(minutes))}</strong></p>", f"<p>({_h(minutes.held)})</p>"]
    if minutes.approved:
        out.append(f"<p><em>{_h(minutes.approved)}</em></p>")
    for label, people in (("Present", minutes.present), ("Apologies", minutes.apologies)):
        out.append(f"<h2>{label}</h2><table>")
        out += [f"<tr><td>{_h(name)}</td><td>{_h(role or '')}</td></tr>" for name, role in people] or \
            ["<tr><td>none</td><td></td></tr>"]
        out.append("</table>")
    out.append("<h2>Minutes</h2><table><tr><th>No.</th><th>Time</th><th>Minutes</th><th>Lead</th></tr>")
    for item in minutes.items:
        cell = [f"<p><strong>{_h(item.title)}</strong></p>"] + [f"<p>{_h(n)}</p>" for n in item.notes]
        if item.questions:
            cell.append("<p>Committee questions/ comments:</p><ul>")
            for qa in item.questions:
                answers = "".join(f"<li>{_h(a)}</li>" for a in qa.answers)
                cell.append(f"<li>{_h(qa.question)}" + (f"<ul>{answers}</ul>" if answers else "") + "</li>")
            cell.append("</ul>")
        cell += [f"<p>Decision: {_h(d)}</p>" for d in item.decisions]
        if item.outcome:
            comment = f" – {_h(item.outcome_comment)}" if item.outcome_comment else ""
            cell.append(f'<p class="outcome">{_h(item.outcome)}{comment}</p>')
        number = "" if item.is_break else str(item.number)
        out.append(f"<tr><td>{number}</td><td>{item.time}</td><td>{''.join(cell)}</td>"
                   f"<td>{_h(item.presenter or '')}</td></tr>")
    out.append("</table>")
    for title, actions in (("Actions agreed", minutes.actions), ("Update on earlier actions", minutes.earlier_actions)):
        if actions:
            out.append(f"<h2>{title}</h2><ul>" + "".join(f"<li>{_h(action_text(a))}</li>" for a in actions) + "</ul>")
    if minutes.due_back:
        out.append("<h2>Due back at the next meeting</h2><ul>" + "".join(
            f"<li>{_h(d.presenter)}: {_h(d.title)}" + (f" – {_h(d.reason)}" if d.reason else "") + "</li>"
            for d in minutes.due_back) + "</ul>")
    if minutes.next_meeting:
        out.append(f"<p>Next meeting: {_h(minutes.next_meeting)}</p>")
    out.append(f"<p><strong>{_h(minutes.end or '—')} Meeting close</strong></p></body></html>")
    return "\n".join(out)


# Word --------------------------------------------------------------------------------------------


def render_docx(minutes: Minutes) -> bytes:
    """Laid out like the reference minutes: title block, people tables, then a table of items."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Arial", Pt(10)
    title = document.add_heading(f"{minutes.committee} – Minutes", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, bold in ((minutes.title, True), (heading_time(minutes), True), (f"({minutes.held})", False)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(text).bold = bold
    if minutes.approved:
        document.add_paragraph().add_run(minutes.approved).italic = True
    for label, people in (("Present:", minutes.present), ("Apologies:", minutes.apologies)):
        document.add_paragraph().add_run(label).bold = True
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for name, role in people or [("none", None)]:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = name, role or ""
    document.add_paragraph()
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, ("No.", "Time", "Minutes", "Lead")):
        cell.paragraphs[0].add_run(heading).bold = True
    for item in minutes.items:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run("" if item.is_break else str(item.number)).bold = True
        cells[1].paragraphs[0].add_run(item.time).bold = True
        body = cells[2]
        body.paragraphs[0].add_run(item.title).bold = True
        for note in item.notes:
            body.add_paragraph(note)
        if item.questions:
            body.add_paragraph("Committee questions/ comments:")
            for qa in item.questions:
                body.add_paragraph(f"- {qa.question}")
                for answer in qa.answers:
                    body.add_paragraph(f"    o {answer}")
        for decision in item.decisions:
            body.add_paragraph(f"Decision: {decision}")
        if item.outcome:
            paragraph = body.add_paragraph()
            paragraph.add_run(item.outcome).bold = True
            if item.outcome_comment:
                paragraph.add_run(f" – {item.outcome_comment}")
        cells[3].paragraphs[0].add_run(item.presenter or "").bold = True
    for heading, actions in (("Actions agreed", minutes.actions), ("Update on earlier actions", minutes.earlier_actions)):
        if actions:
            document.add_heading(heading, level=2)
            for action in actions:
                document.add_paragraph(action_text(action), style="List Bullet")
    if minutes.due_back:
        document.add_heading("Due back at the next meeting", level=2)
        for due in minutes.due_back:
            document.add_paragraph(f"{due.presenter}: {due.title}" + (f" – {due.reason}" if due.reason else ""),
                                   style="List Bullet")
    if minutes.next_meeting:
        document.add_paragraph(f"Next meeting: {minutes.next_meeting}")
    document.add_paragraph().add_run(f"{minutes.end or '—'} Meeting close").bold = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
