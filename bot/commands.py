"""The command table: every chat command with its syntax, help line, example and use case.

Adding a command is adding one row. `/help`, the Teams manifest's command list and the README's
command reference all come from this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Awaitable, Callable

from dialogs import (
    action_cards,
    action_log,
    actions,
    agenda,
    agenda_items,
    attendance,
    committee,
    corrections,
    desk,
    due_back,
    formal,
    meeting,
    minutes,
    minutes_record,
    panel,
    reminders,
    timekeeping,
    transcript,
    undo,
    views,
)
from dialogs.context import Reply, Turn
from dialogs.parsing import whole_number
from dialogs.roles import Role
from storage.unit_of_work import UnitOfWork

Handler = Callable[[UnitOfWork, Turn, str], Awaitable[Reply]]
# A press's own use case, for buttons that are not the typed command said again (forms, views):
# it gets the arguments the button read from the card (if any) and the card's data.
Pressed = Callable[[UnitOfWork, Turn, str, dict], Awaitable[Reply]]
# The card a press answers with, from what its use case replied.
Shown = Callable[[UnitOfWork, Turn, dict, Reply], Awaitable[Reply]]


@dataclass(frozen=True)
class Button:
    """A button on one of Clerk's cards (Action.Execute verb, or legacy Action.Submit data) that runs
    its row's command: `args` reads the card's data into the command's arguments, so the role rule,
    the use case and the answer are the typed command's; `pressed` is a use case of its own where
    the card gives what typing cannot (a form, the minutes it shows); `shows` renders the card
    answered with."""

    verb: str
    args: Callable[[dict], str] = lambda data: ""
    pressed: Pressed | None = None
    shows: Shown | None = None
    meeting_from_card: bool = False  # the role rule asks about the meeting the card names


@dataclass(frozen=True)
class Command:
    name: str  # one or two words: "agenda add"
    syntax: str
    summary: str
    example: str
    handler: Handler | None  # None: answered by the bot layer itself (help)
    takes_args: bool = True
    role: Role = Role.ANYONE  # who may use it; refused with "Only the chair ... can <doing>."
    doing: str = ""
    personal: Handler | None = None  # what it does in a personal chat; None: it belongs in a committee's chat
    buttons: tuple[Button, ...] = ()
    teams: str | None = None  # what Teams sends to run it, for the rows no one types (TEAMS_SENT)
    open_to_view: bool = False  # without arguments it only shows, which anyone may; `role` is for changing

    def role_for(self, args: str) -> Role:
        return Role.ANYONE if self.open_to_view and not args.strip() else self.role

    def subject(self, args: str) -> int | None:
        """The action or entry number the command names, for the roles that follow ownership."""
        if self.role not in (Role.ACTION_OWNER, Role.ENTRY_AUTHOR):
            return None
        return whole_number((args.split() or [""])[0].lstrip("#"))

    @property
    def description(self) -> str:
        """The summary, with who may use the command when not everyone may."""
        who = "" if self.role is Role.ANYONE else f" ({self.role.value}{' to change' if self.open_to_view else ''})"
        return f"{self.summary.rstrip('.')}{who}."

    @property
    def help_line(self) -> str:
        return f"{self.syntax} — {self.description}"


COMMANDS: list[Command] = [
    Command("help", "/help [command]", "List the commands, or show one command's syntax and an example.",
            "/help agenda add", None),
    Command("committee name", "/committee name <name>", "Name the committee this conversation belongs to.",
            "/committee name Data Ethics Committee", committee.set_name, role=Role.CHAIR_OR_SECRETARY,
            doing="change the committee's settings"),
    Command("committee timezone", "/committee timezone <Area/City>",
            "Set the committee's timezone, for every time Clerk shows, reads and reminds (default: its first "
            "chat's).", "/committee timezone Europe/Dublin", committee.set_timezone, role=Role.CHAIR_OR_SECRETARY,
            doing="change the committee's settings"),
    Command("committee quorum", "/committee quorum <N>", "Set how many members make the meeting quorate.",
            "/committee quorum 5", committee.set_quorum, role=Role.CHAIR_OR_SECRETARY,
            doing="change the quorum"),
    Command("committee", "/committee", "Show the committee's name, members and quorum.",
            "/committee", committee.show_committee, takes_args=False),
    Command("members add", "/members add <Name>, <Role>; <Name>, <Role>", "Add standing members of the committee.",
            "/members add Marion Oswald, Chair; Tom Sorrell, Member", committee.add_members,
            role=Role.CHAIR_OR_SECRETARY, doing="change the members"),
    Command("members alias", "/members alias <Name> = <other name>",
            "Record another name a member goes by, so either finds them.",
            "/members alias Jennifer Housego = Jen", committee.add_alias, role=Role.CHAIR_OR_SECRETARY,
            doing="change the members"),
    Command("members remove", "/members remove <Name>", "Remove a standing member.",
            "/members remove Tom Sorrell", committee.remove_member, role=Role.CHAIR_OR_SECRETARY,
            doing="change the members"),
    Command("members", "/members", "List the committee's standing members.",
            "/members", committee.list_members, takes_args=False),
    Command("start", "/start [title]", "Open a meeting record (title defaults to committee and date).",
            "/start Ethics Committee, May meeting", meeting.start),
    Command("end", "/end", "Close the meeting record.", "/end", meeting.end,
            takes_args=False, role=Role.CHAIR_OR_SECRETARY, doing="end the meeting"),
    Command("chair", "/chair @Name | /chair Name", "Name the chair of this meeting.",
            "/chair Marion Oswald", meeting.set_chair, role=Role.CHAIR_ONCE_NAMED, doing="name another chair"),
    Command("secretary none", "/secretary none", "Record that the meeting has no secretary.",
            "/secretary none", meeting.no_secretary, takes_args=False, role=Role.CHAIR_OR_SECRETARY,
            doing="change who is secretary"),
    Command("secretary", "/secretary @Name | /secretary Name",
            "Name the meeting's secretary, who may do what the chair may except approve the minutes, name the "
            "chair and give the casting vote.",
            "/secretary Sam Todd", meeting.set_secretary, role=Role.CHAIR, doing="name the secretary"),
    Command("present", "/present <Name>, <Role> [from item N]; <Name>, <Role>",
            "Record people as present (from item N: they came for that item).",
            "/present Jack Tracey, Policy Lead; Sam Todd, Data Lab", attendance.present),
    Command("apologies", "/apologies <Name> [(reason)]; <Name> [- reason]", "Record apologies, with their reasons.",
            "/apologies Jamie Grace (unable to join: IT problems); Pete Fussey - on leave", attendance.apologies),
    Command("absent", "/absent <Name>", "Correct a record: the person was neither present nor apologised.",
            "/absent Pete Fussey", attendance.absent),
    Command("substitute", "/substitute <Name> for <Member>",
            "Record a substitute, who counts toward the quorum in the member's place.",
            "/substitute Kerry Reid for Tom Sorrell", attendance.substitute),
    Command("arrived", "/arrived <Name | a member of the public> [HH:MM]",
            "Record that someone arrived (default: now); members of the public are counted.",
            "/arrived Jamie Grace 10:45", attendance.arrived),
    Command("public", "/public <N | words>",
            "Record members of the public present: a number, or the words the minutes give.",
            "/public No members of the public were present.", attendance.public),
    Command("left", "/left <Name> [HH:MM]", "Record that someone left (default: now).",
            "/left Jamie Grace 12:10", attendance.left),
    Command("attendance history", "/attendance history", "Every attendance change and correction, who and when.",
            "/attendance history", attendance.history, takes_args=False),
    Command("attendance", "/attendance", "Show present, in attendance, apologies, absent members and the quorum.",
            "/attendance", attendance.show, takes_args=False),
    Command("venue", "/venue <where>", "Say where the meeting is held (default: virtually via Microsoft Teams).",
            "/venue Hybrid: Room 2, Police HQ, and Microsoft Teams", meeting.set_venue,
            role=Role.CHAIR_OR_SECRETARY, doing="change the venue"),
    Command("times", "/times HH:MM-HH:MM", "Correct the start and close the minutes give.",
            "/times 10:00-13:00", meeting.set_times, role=Role.CHAIR_OR_SECRETARY, doing="correct the times"),
    Command("agenda add", "/agenda add [HH:MM] <Title> [(N min)] [- Presenter | presenter: Name]",
            "Add an agenda item, or a break with the title Break.",
            "/agenda add 10:10 Offending checking tool (30 min) presenter: Data Lab", agenda.add, role=Role.CHAIR_OR_SECRETARY, doing="change the agenda"),
    Command("agenda set", "/agenda set [replace] <one item a line, as /agenda add>",
            "Replace the agenda in one message (items carried from the last meeting stay unless named or replace).",
            "/agenda set\n10:00 Welcome - Chair\n10:05 Update on actions\n11:20 Break\n13:00 Close",
            agenda.replace, role=Role.CHAIR_OR_SECRETARY, doing="change the agenda"),
    Command("agenda remove", "/agenda remove <N | HH:MM>", "Remove an item (or a break, by its time).",
            "/agenda remove 4", agenda.remove, role=Role.CHAIR_OR_SECRETARY, doing="change the agenda"),
    Command("agenda move", "/agenda move <N> HH:MM", "Move an item to a new start time.",
            "/agenda move 4 11:35", agenda.move, role=Role.CHAIR_OR_SECRETARY, doing="change the agenda"),
    Command("agenda end", "/agenda end HH:MM", "Set the planned close of the meeting.",
            "/agenda end 13:00", agenda.set_end, role=Role.CHAIR_OR_SECRETARY, doing="change the agenda"),
    Command("agenda", "/agenda", "Show the agenda with timings and how late the meeting runs.",
            "/agenda", agenda.show, takes_args=False, buttons=(Button("agenda.refresh", pressed=views.agenda_pressed),)),
    Command("next", "/next", "End the current item and start the next item or break.",
            "/next", agenda.next_item, takes_args=False, role=Role.CHAIR_OR_SECRETARY, doing="move the meeting on",
            buttons=(Button("agenda.next", shows=views.agenda_after_press),)),
    Command("recess", "/recess", "End the current item and start a break.",
            "/recess", agenda.start_break, takes_args=False, role=Role.CHAIR_OR_SECRETARY, doing="move the meeting on",
            buttons=(Button("agenda.break", shows=views.agenda_after_press),)),
    Command("item", "/item <N> [title <text> | presenter <name>]",
            "Jump to item N, or correct its title or presenter (at any time; its minutes stay).",
            "/item 3 title Declarations of interest – members to declare any interests", agenda_items.item,
            role=Role.CHAIR_OR_SECRETARY, doing="change the agenda"),
    Command("time", "/time", "Time used and left on the current item, and the meeting's projected close.",
            "/time", timekeeping.show_time, takes_args=False),
    Command("timekeeping", "/timekeeping on|off", "Turn the notice when an item reaches its time on or off.",
            "/timekeeping off", committee.set_timekeeping, role=Role.CHAIR_OR_SECRETARY,
            doing="change the committee's settings"),
    Command("note", "/note [item N] <text>", "Record a minute against the current item.",
            "/note The Chair thanked the secretariat.", minutes_record.note),
    Command("question", "/question [item N] <text>", "Record a member's question.",
            "/question Will there be a pilot before the tool goes live?", minutes_record.question),
    Command("answer", "/answer [item N] <text>", "Record the presenter's answer to the latest question.",
            "/answer A pilot stage is planned.", minutes_record.answer),
    Command("decision", "/decision [item N] <text>", "Record something the committee agreed or requested.",
            "/decision The Lab to return with false-positive rates.", minutes_record.decision),
    Command("declare", "/declare [item N] [Name:] <interest> [; withdrew | ; did not vote]",
            "Record a declaration of interest in the current item or item N (default: yours).",
            "/declare item 5 Tom Sorrell: trustee of the charity; withdrew", formal.declare),
    Command("motion", "/motion [item N] <text> [mover: Name] [seconder: Name]",
            "Record a motion on the current item; /vote records its result.",
            "/motion That the tool proceed to a pilot mover: Tom Sorrell seconder: Kerry Reid", formal.motion),
    Command("vote casting", "/vote casting for|against", "The chair's casting vote on a tied motion.",
            "/vote casting for", formal.casting_vote, role=Role.CHAIR, doing="give the casting vote"),
    Command("vote", "/vote for <n> against <n> [abstain <n>] | /vote <n>-<n> | /vote carried|lost|unanimous",
            "Record the vote on the latest motion, as people say it (7 for, 1 abstention; 7-2; carried with 1 "
            "abstention); a simple majority of votes cast carries it.",
            "/vote for 7 against 2 abstain 1", formal.vote),
    Command("defer", "/defer [item N] [reason]",
            "Defer the current item (or item N) to the next meeting, whose agenda it goes on.",
            "/defer item 4 awaiting the impact assessment", formal.defer, role=Role.CHAIR_OR_SECRETARY,
            doing="change the agenda"),
    Command("withdraw", "/withdraw [item N] [reason]", "Record that an item was withdrawn.",
            "/withdraw item 5 the presenter withdrew the paper", formal.withdraw, role=Role.CHAIR_OR_SECRETARY,
            doing="change the agenda"),
    Command("previous approved", "/previous approved [<date>] [with amendments: <text>]",
            "Record that the minutes of the previous meeting (or those of a date) were approved as an accurate record.",
            "/previous approved with amendments: item 3 should read 'pilot in July'", formal.previous_approved,
            role=Role.CHAIR_OR_SECRETARY, doing="record the approval of the previous minutes"),
    Command("confidential", "/confidential [item N] <reason> [public: <summary>]",
            "Mark the current item (or item N) exempt: the public minutes give only its number, title, reason and "
            "the public summary (which may follow later); the chair and secretary get its minutes privately.",
            "/confidential item 6 information about an individual public: The council resolved unanimously to "
            "renew the contract.", formal.confidential,
            role=Role.CHAIR_OR_SECRETARY, doing="mark an item exempt"),
    Command("outcome", "/outcome [item N] <letter> [comment]", "Set the item's outcome on the scale.",
            "/outcome B proceed once the guidance is drafted", minutes_record.outcome,
            role=Role.CHAIR_OR_SECRETARY, doing="set outcomes"),
    Command("edit", "/edit #N <new text>",
            "Correct an entry of the minutes (its author or the chair; after approval, the chair, as an amendment).",
            "/edit #12 The Lab will return in July.", corrections.edit, role=Role.ENTRY_AUTHOR, doing="change it"),
    Command("delete", "/delete #N", "Take an entry out of the minutes; its history keeps it.", "/delete #12",
            corrections.delete, role=Role.ENTRY_AUTHOR, doing="change it"),
    Command("undo", "/undo", "Take back your own most recent change of any kind; again, the one before.", "/undo",
            undo.undo, takes_args=False),
    Command("history", "/history #N | /history action N | /history meeting",
            "Every change to an entry, an action, or the meeting's chair, secretary, venue, times and agenda.",
            "/history #12", corrections.history),
    Command("action", "/action [item N] <text> [@Owner | owner: Name] [due: <date> | due: next meeting]",
            "Record an action against the current item (or item N), with its owners and due date; alone, open a form.",
            "/action Circulate the revised paper owner: Jack Tracey due: Friday", action_cards.record_action,
            buttons=(Button("action.form"), Button("action.new", pressed=action_cards.submit_action_form))),
    Command("actions", "/actions [all | mine | overdue | @Owner]",
            "List open actions (or all, yours, overdue, someone's); in a personal chat, yours in every committee.",
            "/actions overdue", actions.list_actions, personal=actions.actions_everywhere,
            buttons=(Button("action.open", pressed=action_cards.open_pressed),)),
    Command("done", "/done <N> [note]", "Mark action N done.", "/done 12 paper circulated", actions.done,
            role=Role.ACTION_OWNER, doing="change it",
            buttons=(Button("action.done", action_cards.done_args, shows=action_cards.after_press),)),
    Command("reopen", "/reopen <N>", "Reopen action N.", "/reopen 12", actions.reopen, role=Role.ACTION_OWNER,
            doing="change it"),
    Command("assign", "/assign <N> @Owner | /assign <N> Name", "Give action N new owners.",
            "/assign 12 Sam Todd", actions.assign, role=Role.ACTION_OWNER, doing="change it",
            buttons=(Button("action.assign", action_cards.number_args, pressed=action_cards.assign_pressed,
                            shows=action_cards.after_press),)),
    Command("due", "/due <N> <date>", "Change action N's due date.", "/due 12 in 2 weeks", actions.set_due,
            role=Role.ACTION_OWNER, doing="change it",
            buttons=(Button("action.due", action_cards.due_args, shows=action_cards.after_press),)),
    Command("update", "/update <N> <text>", "Add a progress note to action N.",
            "/update 12 draft shared with the Lab", actions.update, role=Role.ACTION_OWNER, doing="change it",
            buttons=(Button("action.update", action_cards.update_args, shows=action_cards.after_press),)),
    Command("snooze", "/snooze <N>", "Hold action N's reminders for a week.", "/snooze 12", actions.snooze,
            role=Role.ACTION_OWNER, doing="change it",
            buttons=(Button("action.snooze", action_cards.number_args, shows=action_cards.after_press),)),
    Command("drop", "/drop <N> <reason>", "Drop action N, with the reason.", "/drop 12 overtaken by the review",
            actions.drop, role=Role.ACTION_OWNER, doing="change it"),
    Command("dueback", "/dueback [@Presenter | Name] [item N] [reason]",
            "Record that a presenter must return at the next meeting (default: current item and presenter).",
            "/dueback Data Lab item 3 with the false-positive rates", due_back.due_back),
    Command("nextmeeting", "/nextmeeting <date> [HH:MM]", "Record the date of the committee's next meeting.",
            "/nextmeeting 12 July 10:00", due_back.set_next_meeting),
    Command("remind", "/remind me privately | /remind me in the committee",
            "Choose where your own reminders go: your personal chat with Clerk, or the committee's chat.",
            "/remind me privately", desk.remind_me, personal=desk.remind_me),
    Command("meetings", "/meetings", "Your committees' next meetings, and what you are due back for.",
            "/meetings", desk.my_meetings, takes_args=False, personal=desk.my_meetings),
    Command("reminders pause", "/reminders pause", "Pause every reminder of this committee.",
            "/reminders pause", reminders.pause, takes_args=False, role=Role.CHAIR_OR_SECRETARY,
            doing="pause or resume reminders"),
    Command("reminders resume", "/reminders resume", "Resume the committee's reminders.",
            "/reminders resume", reminders.resume, takes_args=False, role=Role.CHAIR_OR_SECRETARY,
            doing="pause or resume reminders"),
    Command("reminders", "/reminders [off N | on N]",
            "List scheduled reminders, or silence or restore one action's.",
            "/reminders off 12", reminders.command),
    Command("transcript", "/transcript [fetch | delete]",
            "Where the meeting's Teams transcript stands, cut to the agenda; fetch it now, or delete Clerk's copy.",
            "/transcript fetch", transcript.command, role=Role.CHAIR_OR_SECRETARY, doing="use the meeting's transcript"),
    Command("panel", "/panel", "Link to the meeting's live panel: agenda, time and actions, for its side panel.",
            "/panel", panel.offer, takes_args=False),
    Command("actionlog", "/actionlog",
            "Links to the committee's action log: a web page, a CSV file and a calendar of due dates.",
            "/actionlog", action_log.offer, takes_args=False),
    Command("minutes confidential", "/minutes confidential [date]",
            "Send the confidential minutes (with the exempt items) to your personal chat with Clerk.",
            "/minutes confidential 13 May", minutes.send_confidential, role=Role.CHAIR_OR_SECRETARY,
            doing="have the confidential minutes"),
    Command("minutes approve", "/minutes approve [date]",
            "Approve the minutes of the last meeting (or of the meeting on a date) as an accurate record.",
            "/minutes approve", minutes.approve_named, role=Role.CHAIR, doing="approve the minutes",
            buttons=(Button("minutes.approve", pressed=views.approve_pressed, meeting_from_card=True),)),
    Command("minutes", "/minutes [date]", "Post the draft minutes of the current or last meeting, or of the meeting on a date.",
            "/minutes 13 May", minutes.show,
            buttons=(Button("minutes.refresh", pressed=views.minutes_pressed),
                     Button("minutes.export", pressed=views.export_pressed))),
    Command("style", "/style [council | ethics committee | board | <setting> <value>]",
            "Show the house style of the minutes, or set it from a preset or one setting at a time.",
            "/style council", committee.house_style, role=Role.CHAIR_OR_SECRETARY,
            doing="change the committee's settings", open_to_view=True),
    Command("outcomes set", "/outcomes set A=<words>; B=<words>; ...", "Redefine the committee's outcome scale.",
            "/outcomes set A=proceed; B=proceed with minor amendments", committee.set_outcomes,
            role=Role.CHAIR_OR_SECRETARY, doing="change the outcome scale"),
    Command("outcomes none", "/outcomes none", "Use no outcome scale: outcomes are recorded with /decision.",
            "/outcomes none", committee.no_outcomes, takes_args=False,
            role=Role.CHAIR_OR_SECRETARY, doing="change the outcome scale"),
    Command("outcomes", "/outcomes", "Show the committee's outcome scale.", "/outcomes",
            committee.show_outcomes, takes_args=False),
]

# What Teams sends rather than anyone typing: rows of the same kind, run by the same dispatcher after
# the same role rule. Each is found by `teams`: an event's name, or an edit or deletion of a message
# (Teams lets only a message's author edit or delete it). Not typed, so not in /help.
MEETING_START, MEETING_END = "application/vnd.microsoft.meetingStart", "application/vnd.microsoft.meetingEnd"
PARTICIPANTS_JOIN = "application/vnd.microsoft.meetingParticipantJoin"
PARTICIPANTS_LEAVE = "application/vnd.microsoft.meetingParticipantLeave"
MESSAGE_EDITED, MESSAGE_DELETED, CLERK_ADDED = "messageUpdate", "messageDelete", "conversationUpdate"


async def _edited(uow: UnitOfWork, turn: Turn, text: str) -> Reply | None:
    """An edited message's new text, read as a command again."""
    command, args, _ = match(text)
    return await corrections.teams_edit(uow, turn, command.name if command else None, args)


TEAMS_SENT: list[Command] = [
    Command("meeting start", "(the Teams meeting starts)", "Open the meeting record, titled as the Teams meeting.",
            "", meeting.start_from_teams, teams=MEETING_START),
    Command("meeting end", "(the Teams meeting ends)", "Close the meeting record.", "", meeting.end_from_teams,
            teams=MEETING_END),
    Command("participants join", "(people join the Teams meeting)", "Mark them present, with the time.", "",
            attendance.joined_from_teams, teams=PARTICIPANTS_JOIN),
    Command("participants leave", "(people leave the Teams meeting)", "Record that they left, with the time.", "",
            attendance.left_from_teams, teams=PARTICIPANTS_LEAVE),
    Command("message edited", "(a message is edited in Teams)", "The entry it recorded takes the new text.", "",
            _edited, teams=MESSAGE_EDITED),
    Command("message deleted", "(a message is deleted in Teams)", "The entry it recorded leaves the minutes.", "",
            corrections.teams_delete, teams=MESSAGE_DELETED),
    Command("clerk added", "(Clerk is added to a chat)", "Greet the chat and say how to begin.", "",
            committee.welcome, teams=CLERK_ADDED),
]
BY_TEAMS = {command.teams: command for command in TEAMS_SENT}

BY_NAME = {command.name: command for command in COMMANDS}
# Every button, by its verb, with the row it belongs to: one table for typed and pressed alike.
BY_VERB: dict[str, tuple[Command, Button]] = {b.verb: (c, b) for c in COMMANDS for b in c.buttons}


def match(text: str) -> tuple[Command | None, str, str]:
    """Finds the command at the start of text. Returns (command, arguments, first word).

    Two-word commands win over one-word ones; arguments keep their line breaks.
    """
    body = text.strip()
    if body.startswith("/"):
        body = body[1:].lstrip()
    words = body.split(None, 2)
    if not words:
        return None, "", ""
    first = words[0].lower()
    if len(words) > 1:
        pair = f"{first} {words[1].lower()}"
        if pair in BY_NAME:
            return BY_NAME[pair], _after_words(body, 2), first
    if first in BY_NAME:
        return BY_NAME[first], _after_words(body, 1), first
    return None, _after_words(body, 1), first


def _after_words(body: str, count: int) -> str:
    words = re.match(r"(?:\s*\S+){%d}" % count, body)
    return body[words.end():].strip() if words else ""


def family(word: str) -> list[Command]:
    return [c for c in COMMANDS if c.name == word or c.name.startswith(word + " ")]
