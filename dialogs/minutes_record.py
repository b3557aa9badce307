"""What is said about each agenda item: notes, questions and answers, decisions, outcomes."""

from __future__ import annotations

from dialogs.agenda import agenda_of
from dialogs.committee import outcome_scale, outcome_words
from dialogs.context import Reply, Turn
from dialogs.errors import ClerkError, UsageError
from dialogs.guards import current_meeting
from dialogs.parsing import split_item_prefix, within_limit
from storage.models import AgendaItem, ItemEntry
from storage.unit_of_work import UnitOfWork
from storage.vocabulary import EntryKind



async def _target(uow: UnitOfWork, turn: Turn, args: str) -> tuple[int | None, AgendaItem, str]:
    number, text = split_item_prefix(args)
    agenda = await agenda_of(uow, await current_meeting(uow, turn))
    entry = agenda.find(number) if number is not None else agenda.current
    if entry is None:
        raise ClerkError("No item is under way: /next starts one, or name the item, e.g. item 3.")
    return entry.number, entry.item, text


def _where(number: int | None) -> str:
    return "the break" if number is None else f"item {number}"


def _check_text(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise UsageError(f"Give the {what} after the command.")
    return within_limit(text, f"a {what}")


async def _record(uow: UnitOfWork, turn: Turn, args: str, kind: str) -> Reply:
    number, item, text = await _target(uow, turn, args)
    text = _check_text(text, kind)
    question_id = None
    if kind == EntryKind.ANSWER:
        question = await uow.entries.latest_question(item.id)
        if question is None:
            raise ClerkError(f"There is no question on {_where(number)} to answer: /question records one.")
        question_id = question.id
    uow.stage(
        ItemEntry(item_id=item.id, kind=kind, text=text, question_id=question_id,
                  author=turn.caller.name, created_at=turn.now)
    )
    return Reply(f"{kind.capitalize()} recorded on {_where(number)}.")


async def note(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await _record(uow, turn, args, EntryKind.NOTE)


async def question(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await _record(uow, turn, args, EntryKind.QUESTION)


async def answer(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await _record(uow, turn, args, EntryKind.ANSWER)


async def decision(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    return await _record(uow, turn, args, EntryKind.DECISION)


async def outcome(uow: UnitOfWork, turn: Turn, args: str) -> Reply:
    number, item, text = await _target(uow, turn, args)
    letter, _, comment = text.partition(" ")
    letter, comment = letter.strip().upper(), comment.strip()
    if not letter:
        raise UsageError("Give the outcome letter.")
    committee = await uow.committees.get_committee(turn.committee_id)
    scale = outcome_scale(committee)
    if letter not in scale:
        raise ClerkError(f"'{letter}' is not on the outcome scale ({', '.join(sorted(scale))}). /outcomes shows it.")
    within_limit(comment, "an outcome comment")
    if number is None:
        raise ClerkError("A break has no outcome: name the item, e.g. /outcome item 3 B.")
    previous = item.outcome_letter
    item.outcome_letter, item.outcome_comment = letter, comment or None
    uow.stage(
        ItemEntry(item_id=item.id, kind=EntryKind.OUTCOME, text=f"{letter} {comment}".strip(),
                  author=turn.caller.name, created_at=turn.now)
    )
    changed = f" (was {previous})" if previous and previous != letter else ""
    return Reply(f"Item {number}: {outcome_words(letter, scale)}{changed}.")
