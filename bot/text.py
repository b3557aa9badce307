"""Turning what Teams delivers into the text a command parser reads. Pure functions."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_AT = re.compile(r"<at[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?(p|div|span|br|b|i|u|em|strong)\b[^>]*>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(p|div|li)>|<br\s*/?>", re.IGNORECASE)
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


def read_message(raw_text: str, mentions: list[MentionEntity], bot_id: str | None) -> Addressed:
    text = storable(raw_text or "")
    mentions_bot = False
    for mention in mentions:
        if bot_id and mention.user_id == bot_id:
            mentions_bot = mentions_bot or mention.text in text
            text = text.replace(mention.text, " ")
    text = _AT.sub(lambda m: m.group(1), text)
    text = _BLOCK_END.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ").replace("\r\n", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return Addressed("\n".join(lines).strip(), mentions_bot)
