"""The rules, called as use cases with a unit of work on a real SQLite file: no web app, no HTTP.
Each runs a command the way bot/ does (dialogs.turns.run_turn with the command table's row), so
the role rule is the one every way in goes through."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.commands import COMMANDS, match
from dialogs.context import Person, Turn
from dialogs.errors import ClerkError
from dialogs.identity import is_same_person, name_key
from dialogs.reminder_policy import ReminderPolicy
from dialogs.turns import ConversationFacts, run_turn
from storage.connections import Transaction
from storage.db import Database
from storage.models import Meeting
from storage.repositories import meetings as meetings_repository

LONDON = ZoneInfo("Europe/London")
CHAIR = Person("Marion Oswald", "29:marion")
MEMBER = Person("Tom Sorrell", "29:tom")
OFFICER = Person("Sam Todd", "29:sam")


class Committee:
    """One committee's chat, spoken to through the command table and run_turn."""

    def __init__(self, db: Database, conversation: str = "19:rules@thread.v2", personal: bool = False):
        self.db, self.conversation, self.personal = db, conversation, personal
        self.now = datetime(2026, 5, 13, 9, 0, tzinfo=timezone.utc)
        self.count = 0

    async def say(self, text: str, by: Person = CHAIR, roster: tuple[Person, ...] = (CHAIR, MEMBER, OFFICER)) -> str:
        command, args, _ = match(text)
        handler = command.personal if self.personal and command.personal else command.handler
        self.count += 1

        async def listed():
            return roster

        def make_turn(committee_id: int) -> Turn:
            return Turn(self.conversation, committee_id, by, self.now, LONDON, ReminderPolicy((7, 1), 7, (7,), None), personal=self.personal,
                        tenant_id="tenant-1",
                        activity_id=f"rule-{self.count}", roster=listed)

        def facts() -> ConversationFacts:
            return ConversationFacts(self.conversation, "{}", "personal" if self.personal else "groupChat", "tenant-1")

        async def use_case(uow, turn):
            return await handler(uow, turn, args)

        try:
            handled = await run_turn(self.db.unit_of_work, self.conversation, facts, f"rule-{self.count}", self.now,
                                     make_turn, use_case, role=command.role, doing=command.doing,
                                     subject=command.subject(args))
        except ClerkError as error:
            return error.message
        return handled.reply.text if handled and handled.reply else ""


@pytest.fixture
async def db(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/rules.db")
    await database.migrate()
    yield database
    await database.dispose()


async def a_meeting(chat: Committee) -> None:
    await chat.say("/members add Marion Oswald, Chair; Tom Sorrell, Member; Kerry Reid, Member")
    await chat.say("/start")
    await chat.say("/chair Marion Oswald")
    await chat.say("/agenda add 10:00 Checking tool presenter: Data Lab")
    await chat.say("/next")


async def test_undo_takes_back_the_latest_change_of_any_kind_then_the_one_before(db):
    chat = Committee(db)
    await a_meeting(chat)
    await chat.say("/action Circulate the paper owner: Sam Todd")
    await chat.say("/action Book the room owner: Tom Sorrell")
    assert (await chat.say("/note A note")).startswith("Note recorded")
    assert await chat.say("/done 2") == "Action 2 done: Book the room."
    assert await chat.say("/undo") == "Undone: done on action 2: it is open again."
    assert await chat.say("/undo") == "Undone: #1 (note) is out of the minutes."
    assert await chat.say("/actions") == "Open actions: 2"
    assert "(taken back with /undo)" in await chat.say("/history #1")


async def test_undo_puts_back_attendance_and_the_meeting_facts(db):
    chat = Committee(db)
    await a_meeting(chat)
    await chat.say("/venue Room 2")
    await chat.say("/arrived Kerry Reid 10:45")
    assert await chat.say("/undo") == "Undone: Kerry Reid arrived."
    assert await chat.say("/undo") == "Undone: the venue is Meeting held virtually via Microsoft Teams again " \
                                      "(was Room 2)."


async def test_an_actions_own_changes_are_its_owners_the_chairs_and_the_secretarys(db):
    chat = Committee(db)
    await a_meeting(chat)
    await chat.say("/action Circulate the paper owner: Sam Todd")
    refused = "Only the owners of action 1 (Sam Todd), the chair or the secretary can change it."
    for command in ("/done 1", "/update 1 x", "/due 1 Friday", "/assign 1 Tom Sorrell", "/drop 1 no", "/snooze 1"):
        assert await chat.say(command, by=MEMBER) == refused, command
    assert await chat.say("/update 1 drafted", by=OFFICER) == "Progress noted on action 1."
    assert await chat.say("/done 1", by=CHAIR) == "Action 1 done: Circulate the paper."


async def test_members_quorum_and_the_meetings_flow_are_the_chairs_or_the_secretarys(db):
    chat = Committee(db)
    await a_meeting(chat)
    assert await chat.say("/members remove Kerry Reid", by=MEMBER) == \
        "Only the chair (Marion Oswald) can change the members."
    assert await chat.say("/next", by=MEMBER) == "Only the chair (Marion Oswald) can move the meeting on."
    assert await chat.say("/committee quorum 2", by=MEMBER) == "Only the chair (Marion Oswald) can change the quorum."
    assert await chat.say("/note Anyone may note.", by=MEMBER) == "Note recorded on item 1. #1"


async def test_a_substitute_who_is_not_a_member_counts_toward_the_quorum(db):
    chat = Committee(db)
    await a_meeting(chat)
    await chat.say("/committee quorum 2")
    await chat.say("/present Marion Oswald")
    assert "NOT quorate now" in await chat.say("/attendance")
    await chat.say("/substitute Jo Bloggs for Tom Sorrell")
    shown = await chat.say("/attendance")
    assert "Quorum 2: 2 members present so far; quorate now." in shown, shown


async def test_a_presenter_recorded_with_a_title_finds_their_due_back(db):
    chat = Committee(db)
    await a_meeting(chat)
    await chat.say("/nextmeeting 10 June 2026")
    await chat.say("/dueback Dr Jane Roe item 1 with the pilot results")
    for name in ("Jane Roe", "Dr Jane Roe", "Roe, Jane"):
        desk = Committee(db, conversation=f"a:personal-{name}", personal=True)
        shown = await desk.say("/meetings", by=Person(name, None))
        assert "you are due back with 'Checking tool'" in shown, (name, shown)


def test_one_identity_rule():
    assert name_key("Dr Jane Roe") == name_key("Roe, Jane") == "jane roe"
    assert is_same_person("jane roe", None, Person("Dr. Jane Roe"))
    assert is_same_person("jane roe", "29:jane", Person("Jane Roe", "29:jane"))
    assert not is_same_person("jane roe", "29:jane", Person("Jane Roe", "29:impostor"))


def test_the_table_states_a_role_for_every_command_that_changes_the_meeting_or_its_members():
    by_name = {command.name: command for command in COMMANDS}
    for name in ("next", "item", "recess", "end", "members add", "members remove", "committee quorum", "outcome"):
        assert by_name[name].role.value.startswith("chair"), name
    for name in ("done", "reopen", "assign", "due", "update", "drop", "snooze"):
        assert by_name[name].role.value == "the action's owners, the chair or the secretary", name


async def test_the_commands_of_an_items_discussion_make_no_orm_session(db, monkeypatch):
    """What a meeting types most (bench/run.py's script): each turn's statements and reads, and the
    changes to what it read, written with no ORM Session, which costs about a tenth of a turn (red
    when one of them asks for the ORM's ways: /note's check for staged rows, /answer's query for
    the question, /outcome's read of the committee, /next's changes left to a Session's flush)."""
    chat = Committee(db)
    await a_meeting(chat)
    await chat.say("/agenda add 10:30 Race Action Plan")
    made = []
    make_session = Transaction.session

    def counted(transaction):
        if transaction.orm is None:
            made.append(True)
        return make_session(transaction)

    monkeypatch.setattr(Transaction, "session", counted)
    for text, reply in (("/next", "Item 2: Race Action Plan."), ("/note The plan was outlined.", "Note recorded"),
                        ("/question Will there be a pilot?", "Question recorded"),
                        ("/answer Yes, in May.", "Answer recorded"),
                        ("/action Circulate the plan owner: Tom Sorrell due: Friday", "Action 1 recorded"),
                        ("/outcome B", "Item 2: Outcome B"), ("/time", "")):
        made.clear()
        said = await chat.say(text)
        assert said.startswith(reply) and not made, (text, said, len(made))


async def test_the_open_meeting_is_read_once_a_unit_of_work_while_it_stays_open(db, monkeypatch):
    """The authority check and the use case both ask for the open meeting: one read a turn (red when
    each asking reads it), and a meeting ended since is asked of the database again (red when what
    was read outlives it)."""
    chat = Committee(db)
    await a_meeting(chat)
    await chat.say("/agenda add 10:30 Race Action Plan")
    reads = []

    async def counted(session, model, statement, parameters):
        reads.append(model)
        return await read(session, model, statement, parameters)

    read = meetings_repository.load
    monkeypatch.setattr(meetings_repository, "load", counted)
    assert (await chat.say("/next")).startswith("Item 2: Race Action Plan.")
    assert reads == [Meeting]
    async with db.unit_of_work() as uow:
        meeting = await uow.meetings.open_meeting(1)
        assert await uow.meetings.open_meeting(1) is meeting and len(reads) == 2
        meeting.ended_at = chat.now
        assert await uow.meetings.open_meeting(1) is None and len(reads) == 3
