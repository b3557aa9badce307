"""Turning what Teams delivers into the text a command parser reads. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Control characters (other than line breaks and tabs) and lone surrogates: no person types them,
# and XML-based documents (Word) and databases refuse them.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def storable(text: str) -> str:
    return _UNSTORABLE.sub("", text)


@dataclass(frozen=True)
class MentionEntity:
    user_id: str | None
    name: str
    text: str  # how the mention appears in the message, e.g. "<at>Clerk</at>"


def mentions_from_entities(entities: list[dict]) -> list[MentionEntity]:
    """Mention entities as Teams sends them; malformed ones are skipped, never fatal."""
    found = []
    for entity in entities or []:
        if not isinstance(entity, dict) or entity.get("type") != "mention":
            continue
        mentioned = entity.get("mentioned")
        if not isinstance(mentioned, dict):
            continue
        user_id = mentioned.get("id") if isinstance(mentioned.get("id"), str) else None
        name = storable(mentioned.get("name")) if isinstance(mentioned.get("name"), str) else ""
        text = entity.get("text") if isinstance(entity.get("text"), str) else f"<at>{name}</at>"
        found.append(MentionEntity(user_id, name.strip() or "someone", text))
    return found


@dataclass(frozen=True)
class Addressed:
    text: str  # the command text, bot mention removed, other mentions as plain names
    mentions_bot: bool


# Elements whose end (or, for br, whose place) ends a line of the words a person wrote; a list item
# also begins with "- ".
_BLOCKS = frozenset("p div br li ul ol blockquote pre h1 h2 h3 h4 h5 h6 tr table hr".split())
_UNSPOKEN = frozenset("script style head title img".split())  # no words of the message


class _Words(HTMLParser):
    """The words of a Teams message in HTML: links, lists, quotes, code and mentions keep their
    words and lose their markup (a real HTML parser: nested, unclosed and odd tags included)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _UNSPOKEN and tag != "img":
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in _UNSPOKEN and tag != "img":
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS and tag != "br" and not (self.parts and self.parts[-1].endswith("\n")):
            self.parts.append("\n")  # nested blocks (a list's last item and the list) end one line

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def words_of(html_text: str) -> str:
    parser = _Words()
    parser.feed(html_text)
    parser.close()
    return "".join(parser.parts)


def read_message(raw_text: str, mentions: list[MentionEntity], bot_id: str | None) -> Addressed:
    text = storable(raw_text or "")
    mentions_bot = False
    for mention in mentions:
        if bot_id and mention.user_id == bot_id:
            mentions_bot = mentions_bot or mention.text in text
            text = text.replace(mention.text, " ")
    text = words_of(text).replace("\xa0", " ").replace("\r\n", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return Addressed("\n".join(lines).strip(), mentions_bot)
