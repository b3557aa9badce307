"""The Teams activity handler: turns activities into use-case calls and replies into messages."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
from datetime import datetime, timedelta
from typing import Callable

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Attachment, ChannelAccount

from bot import cards
from bot.links import LinkSigner
from bot.render import Renderer
from bot.outbox import ATTEMPT_SECONDS, Outbox
from bot.activity import (caller, card_committee, card_response, conversation_type, entities, participants,
                          reference_json, reference_key, teams_meeting_id, tenant_id)
from bot.commands import (BY_TEAMS, BY_VERB, CLERK_ADDED, MEETING_END, MEETING_START, MESSAGE_DELETED,
                          MESSAGE_EDITED, PARTICIPANTS_JOIN, PARTICIPANTS_LEAVE, Command, match)
from bot.failed import Failed
from bot import message_action
from bot.help import help_text, not_in_a_personal_chat, short_help, usage
from bot.teams_api import TeamsMeetings, conversation_roster, read_time
from bot.text import mentions_from_entities, read_message, storable
from config import Settings
from dialogs import action_cards, views
from dialogs.context import Person, Reply, Turn
from dialogs.delivery import Queued
from dialogs.minutes import MinutesUpdate
from dialogs.errors import ClerkError, UsageError
from dialogs.parsing import whole_number
from dialogs.roles import Role
from dialogs.turns import ConversationFacts, Handled, UseCase, run_turn
from storage.db import Database
from storage.unit_of_work import DatabaseUnavailable, UnitOfWork

log = logging.getLogger("clerk.bot")

TRY_AGAIN = "The record is unavailable just now, so nothing was recorded. Please try again in a moment."
WENT_WRONG = "Something went wrong on my side, so nothing was recorded. Please try again."
MAX_MESSAGE_CHARS = 20_000
# A meeting event's own StartTime or EndTime times the record when it is this close to Clerk's clock
# (a stale or skewed one would put the meeting on another day).
EVENT_TIME_TRUSTED = timedelta(hours=12)


class ClerkBot(TeamsActivityHandler):
    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime], meetings: TeamsMeetings,
                 links: LinkSigner, outbox: Outbox):
        self.db = db
        self.settings = settings
        self.clock = clock
        self.meetings = meetings
        self.links = links
        self.outbox = outbox
        self.render = Renderer(links, clock)
        # conversation id -> (what its stored reference was made of, committee id). Which committee a
        # conversation belongs to never changes, so this spares a read on every turn.
        self._conversations: dict[str, tuple[tuple, int]] = {}

    # Messages ------------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext):
        activity = turn_context.activity
        if isinstance(activity.value, dict) and "clerk" in activity.value:
            await self._card_action(turn_context, activity.value)
            return
        mentions = mentions_from_entities(entities(activity))
        bot_id = activity.recipient.id if activity.recipient else None
        message = read_message(activity.text or "", mentions, bot_id)
        personal = conversation_type(activity) == "personal"
        if not (personal or message.mentions_bot or message.text.startswith("/")):
            return  # plain chat between people: never answer it
        if len(message.text) > MAX_MESSAGE_CHARS:
            await self._answer(turn_context, f"That message is too long for me ({len(message.text)} characters; "
                                             f"the limit is {MAX_MESSAGE_CHARS}). Nothing was recorded.")
            return
        if not message.text:
            await self._answer(turn_context, "Hello, I'm Clerk: I keep the minutes. /help lists what I can do.")
            return
        command, args, word = match(message.text)
        if command is None and not word:  # "/" and nothing else
            await self._answer(turn_context, short_help())
            return
        if command is None:
            await self._answer(turn_context, f"I don't know '{word[:40]}'. /help lists the commands.")
            return
        if command.handler is None:
            await self._answer(turn_context, help_text(args))
            return
        if args and not command.takes_args:
            await self._answer(turn_context, f"/{command.name} takes nothing after it.\n{usage(command)}")
            return
        people = tuple(Person(m.name, m.user_id) for m in mentions if m.user_id != bot_id)
        handler = command.handler
        if personal:  # a personal chat is not a committee
            if command.personal is None:
                await self._answer(turn_context, not_in_a_personal_chat(command))
                return
            handler = command.personal

        async def use_case(uow: UnitOfWork, turn: Turn) -> Reply:
            return await handler(uow, turn, args)

        await self._run(turn_context, use_case, command=command, mentions=people, args=args)

    async def _card_action(self, turn_context: TurnContext, value: dict) -> None:
        """A button on a card posted before Universal Actions (Action.Submit arrives as a message with
        a value): the same row of the command table as its Action.Execute verb."""
        kind = value.get("clerk")
        verb = _LEGACY_SUBMITS.get(kind) if isinstance(kind, str) else None
        if verb is None:
            await self._say(turn_context, "That button is not one of mine any more. /minutes posts the minutes again.")
            return
        await self._press(turn_context, verb, value, in_chat=True)

    # Teams edits and deletions of messages -------------------------------------------------------
    # Teams sends a messageUpdate activity (channelData.eventType "editMessage") when someone edits a
    # message in a conversation with the bot, and a messageDelete ("softDeleteMessage") when it is
    # deleted; the activity's id is the edited or deleted message's. Source: Microsoft Teams platform
    # docs, "Messages in bot conversations": receive edit, undelete and soft delete message activities
    # (learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages);
    # botbuilder's TeamsActivityHandler routes them to these two methods.

    async def on_teams_message_edit(self, turn_context: TurnContext):
        activity = turn_context.activity
        if not activity.id:
            return
        mentions = mentions_from_entities(entities(activity))
        text = read_message(activity.text or "", mentions, activity.recipient.id if activity.recipient else None).text
        edition = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        await self._teams_sent(turn_context, MESSAGE_EDITED, text, claim_id=f"{activity.id}:edit:{edition}")

    async def on_teams_message_soft_delete(self, turn_context: TurnContext):
        if turn_context.activity.id:
            await self._teams_sent(turn_context, MESSAGE_DELETED, claim_id=f"{turn_context.activity.id}:delete")

    # Teams meeting events (Microsoft Teams platform docs, "Get meeting events": meetingStart and
    # meetingEnd with Title, meetingParticipantJoin and meetingParticipantLeave with members) -------

    async def on_event_activity(self, turn_context: TurnContext):
        activity = turn_context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        name = activity.name if isinstance(activity.name, str) else ""
        if name not in (MEETING_START, MEETING_END, PARTICIPANTS_JOIN, PARTICIPANTS_LEAVE):
            return
        people = tuple(participants(value))
        if name in (PARTICIPANTS_JOIN, PARTICIPANTS_LEAVE) and not people:
            log.info("participant event without usable members ignored")
            return
        title = storable(value["Title"]).strip()[:300] if isinstance(value.get("Title"), str) else ""
        happened = read_time(value.get("StartTime" if name == MEETING_START else "EndTime"))
        await self._teams_sent(turn_context, name, title if name == MEETING_START else "", people,
                               at=happened if happened and abs(happened - self.clock()) < EVENT_TIME_TRUSTED else None)

    async def _teams_sent(self, turn_context: TurnContext, sent: str, args: str = "",
                          people: tuple[Person, ...] = (), claim_id: str | None = None,
                          at: datetime | None = None) -> None:
        """What Teams sent runs its row of the command table, as a typed command runs its own; `at`:
        when it happened, by the event's own time (a meeting's StartTime or EndTime)."""
        command = BY_TEAMS[sent]

        async def use_case(uow: UnitOfWork, turn: Turn) -> Reply | None:
            return await command.handler(uow, dataclasses.replace(turn, now=at) if at else turn, args)

        await self._run(turn_context, use_case, command=command, mentions=people, claim_id=claim_id, args=args)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """A button pressed on one of Clerk's cards (Universal Actions: `adaptiveCard/action`, whose
        value is {"action": {"type": "Action.Execute", "verb", "data"}, "trigger"}), answered with the
        card as the presser should now see it; and "Record in the minutes" on a chat message
        (bot.message_action). Any other invoke (task/fetch, tab/fetch, other composeExtension/*,
        fileConsent/invoke...) gets a 400 that says so, with nothing posted."""
        activity = turn_context.activity
        name = activity.name if isinstance(activity.name, str) else ""
        if name in (message_action.FETCH, message_action.SUBMIT):
            return await message_action.answer(self, turn_context, name,
                                               activity.value if isinstance(activity.value, dict) else {})
        if name != "adaptiveCard/action":
            return InvokeResponse(status=400, body={"error": f"Clerk does not handle the invoke {name[:80]!r}"})
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        verb, data = action.get("verb"), action.get("data", {})
        if not isinstance(verb, str) or not isinstance(data, dict):
            return InvokeResponse(status=400, body={"statusCode": 400, "type": "application/vnd.microsoft.error",
                                                    "value": {"code": "BadRequest",
                                                              "message": "not an Action.Execute of Clerk's"}})
        return card_response(await self._press(turn_context, verb.removeprefix(cards.VERB_PREFIX), data))

    async def _press(self, turn_context: TurnContext, verb: str, data: dict, in_chat: bool = False) -> Attachment:
        """A button runs its row of the command table, as the presser, checked by the row's role
        exactly as the typed command is; the answer (or the refusal) is shown in the card, and
        `in_chat` (a legacy Action.Submit, which has no card to answer with) said in the chat too."""
        found = BY_VERB.get(verb)
        if found is None:
            return cards.message_card("That button is not one of mine any more. /help lists what I can do.")
        command, button = found
        personal = conversation_type(turn_context.activity) == "personal"
        committee_id = card_committee(data) if personal else None  # the personal desk names each action's
        try:
            args = button.args(data)
            meeting_id = views.card_meeting(data) if button.meeting_from_card else None
        except ClerkError as error:
            if in_chat:
                await self._say(turn_context, error.message)
            return cards.message_card(error.message)
        handler = command.personal if personal and command.personal else command.handler

        async def use_case(uow: UnitOfWork, turn: Turn) -> Reply:
            said = await (button.pressed(uow, turn, args, data) if button.pressed else handler(uow, turn, args))
            return await button.shows(uow, turn, data, said) if button.shows else said

        posts = self.render.messages if verb == "action.new" or in_chat else (lambda reply: [])
        role, subject = command.role_for(args), command.subject(args)
        if committee_id is not None:  # outside its committee's chat: only an owner, by Teams account
            role, subject = Role.ACTION_OWNER, whole_number(str(data.get("action")))
        outcome = await self.attempt(turn_context, use_case, (), role, command.doing, meeting_id, None, posts,
                                     subject, committee_id)
        if isinstance(outcome, Failed):
            if in_chat:
                await self._say(turn_context, outcome.message)
            if not outcome.refused:
                return cards.message_card(outcome.message)
            return await self._refusal_card(turn_context, data, outcome.message, committee_id)
        if outcome is None:  # pressed twice: the card as it is now
            return await self._refusal_card(turn_context, data, None, committee_id)
        await self.after(turn_context, outcome)
        return self.render.card_of(outcome.reply, views.card_part(data))

    async def _refusal_card(self, turn_context: TurnContext, data: dict, message: str | None,
                            committee_id: int | None) -> Attachment:
        """An action's card with why the press was refused (read afresh), or the reason alone."""
        try:
            number = action_cards.action_number(data)
        except ClerkError:
            return cards.message_card(message or "Done.")
        if committee_id is not None:  # pressed on the personal desk: the reason alone, nothing of the committee
            return cards.message_card(message or "Done.")

        async def use_case(uow, turn):
            return await action_cards.action_card(uow, turn, number, message, elsewhere=turn.personal)

        try:
            handled = await self._transact(turn_context, use_case, (), Role.ANYONE, "", None,
                                           f"{turn_context.activity.id}:seen", lambda reply: [], None, committee_id)
        except ClerkError as error:
            return cards.message_card(error.message)
        except Exception:
            log.exception("could not show action %s after a refused press", number)
            return cards.message_card(message or WENT_WRONG)
        return self.render.card_of(handled.reply if handled else None, 1)

    async def on_conversation_update_activity(self, turn_context: TurnContext):
        """Nobody asked anything in a conversation update: whatever fails in it (botbuilder looks up
        each new member with the Bot Connector, which may refuse) is logged, never posted in the chat."""
        try:
            await super().on_conversation_update_activity(turn_context)
        except Exception:
            log.exception("could not handle a conversation update in %s", turn_context.activity.conversation.id)

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext):
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_added or []):
            await self._teams_sent(turn_context, CLERK_ADDED)

    # Running a use case in one transaction ---------------------------------------------------

    async def _run(self, turn_context: TurnContext, use_case: UseCase, command: Command | None = None,
                   mentions: tuple[Person, ...] = (), claim_id: str | None = None, args: str = "") -> None:
        """Runs a use case in one transaction (dialogs.turns) and says its reply or why it failed.
        `claim_id` marks the activity handled under another key than its id (an edit of a message
        arrives with the message's own id, which its first delivery already claimed)."""
        role = command.role_for(args) if command else Role.ANYONE
        outcome = await self.attempt(turn_context, use_case, mentions, role,
                                     command.doing if command else "", None, claim_id, self.render.messages,
                                     command.subject(args) if command else None, usage_of=command)
        if isinstance(outcome, Failed):
            await self._say(turn_context, outcome.message)
        elif outcome is None:
            log.info("activity %s delivered again; already handled", turn_context.activity.id)
        else:
            await self.after(turn_context, outcome)

    async def attempt(self, turn_context: TurnContext, use_case: UseCase, mentions: tuple[Person, ...], role: Role,
                      doing: str, meeting_id: int | None, claim_id: str | None,
                      render: Callable[[Reply], list[Queued]], subject: int | None = None,
                      committee_id: int | None = None, usage_of: Command | None = None) -> Handled | Failed | None:
        """The turn (`_transact`), or why it recorded nothing, as the person is told: the one place
        errors become words. A typed mistake (`usage_of`) is followed by the command's usage."""
        try:
            return await self._transact(turn_context, use_case, mentions, role, doing, meeting_id, claim_id, render,
                                        subject, committee_id)
        except UsageError as error:
            return Failed(f"{error.message}\n{usage(usage_of)}" if usage_of else error.message, refused=True)
        except ClerkError as error:
            return Failed(error.message, refused=True)
        except DatabaseUnavailable:
            log.exception("database unavailable while handling %s", turn_context.activity.id)
            return Failed(TRY_AGAIN)
        except Exception:
            log.exception("failed to handle activity %s", turn_context.activity.id)
            return Failed(WENT_WRONG)

    async def _transact(self, turn_context: TurnContext, use_case: UseCase, mentions: tuple[Person, ...], role: Role,
                        doing: str, meeting_id: int | None, claim_id: str | None,
                        render: Callable[[Reply], list[Queued]], subject: int | None = None,
                        committee_id: int | None = None) -> Handled | None:
        """The use case in one transaction, its reply rendered by `render` into the outbox; what it
        raises comes back to the caller, which says it in the chat or in a card. `committee_id`: the
        committee a press on the personal desk acts in, checked by Teams account (dialogs.roles)."""
        activity = turn_context.activity
        conversation_id = activity.conversation.id
        now = self.clock()
        reference = reference_key(activity)
        known = self._conversations.get(conversation_id)

        personal = conversation_type(activity) == "personal"

        def make_turn(conversation_committee_id: int) -> Turn:
            return Turn(conversation_id=conversation_id, committee_id=committee_id or conversation_committee_id,
                        caller=caller(activity), now=now, personal=personal, tenant_id=tenant_id(activity),
                        tz=self.settings.timezone, mentions=mentions, activity_id=activity.id,
                        teams_meeting_id=teams_meeting_id(activity),
                        is_meeting_organizer=lambda: self.meetings.organizes(activity),
                        roster=lambda: conversation_roster(turn_context),
                        meeting_details=lambda: self.meetings.details_for(activity),
                        policy=self.settings.reminder_policy)

        def conversation() -> ConversationFacts:
            return ConversationFacts(conversation_id, reference_json(activity), conversation_type(activity),
                                     tenant_id(activity), activity.local_timezone)

        handled = await run_turn(
            self.db.unit_of_work, conversation_id, conversation, claim_id or activity.id, now, make_turn, use_case,
            role=role, doing=doing, meeting_id=meeting_id, subject=subject,
            committee_id=known[1] if known and known[0] == reference else None,
            render=render, render_private=lambda reply: self.render.private_messages(reply, activity),
            sender=self.outbox.instance)
        if handled is not None:
            self._conversations[conversation_id] = (reference, handled.committee_id)
        return handled

    async def after(self, turn_context: TurnContext, handled: Handled) -> None:
        """What follows a committed turn: posted minutes cards updated in place, the reply sent."""
        if handled.reply is not None and isinstance(handled.reply.view, MinutesUpdate):
            await self._update_minutes_cards(turn_context, handled.reply.view)
        await self.outbox.deliver_turn(turn_context, handled.queued)

    async def _update_minutes_cards(self, turn_context: TurnContext, view: MinutesUpdate) -> None:
        """Updates every posted minutes card in place (best effort: the record is already right,
        and /minutes posts it again)."""
        approved = cards.minutes_cards(view.minutes)
        for post in view.posts:
            if post.part <= len(approved):
                update = MessageFactory.attachment(approved[post.part - 1])
                update.id = post.activity_id
                try:
                    async with asyncio.timeout(ATTEMPT_SECONDS):
                        await turn_context.update_activity(update)
                except Exception:
                    log.exception("could not update minutes card %s", post.activity_id)

    async def _answer(self, turn_context: TurnContext, text: str) -> None:
        """An answer that records nothing still claims the activity, so a redelivery gets no second one."""
        async def use_case(uow: UnitOfWork, turn: Turn) -> Reply:
            return Reply(text)

        await self._run(turn_context, use_case)

    async def _say(self, turn_context: TurnContext, text: str) -> None:
        """An answer that reports nothing recorded (what is recorded is answered through the outbox)."""
        await self.outbox.say_now(turn_context, text)


# Cards posted before Universal Actions carry Action.Submit data; each is a verb of the table.
_LEGACY_SUBMITS = {cards.APPROVE: "minutes.approve", cards.EXPORT: "minutes.export"}

