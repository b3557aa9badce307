"""The Teams activity handler: turns activities into use-case calls and replies into messages."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import datetime
from typing import Callable

from botbuilder.core import InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, Attachment, ChannelAccount, ConversationAccount

from bot import cards
from bot.links import LinkSigner
from bot.outbox import ATTEMPT_SECONDS, Outbox
from bot.proactive import render_card, render_text
from bot.commands import Command, help_text, match, not_in_a_personal_chat, short_help, usage
from bot.teams_api import MeetingRoles
from bot.text import mentions_from_entities, read_message, storable
from config import Settings
from dialogs import attendance, corrections, meeting, minutes
from dialogs.action_log import LOG_FORMATS, ActionLogOffer
from dialogs import buttons
from dialogs.actions import ActionsView
from dialogs.buttons import ActionCard, ActionForm, MinutesCardFor
from dialogs.agenda import AgendaView
from dialogs.context import Person, Reply, Turn
from dialogs.delivery import MinutesPart, PersonalChat, Queued, personal_chat_id
from dialogs.desk import PrivateNote
from dialogs.minutes import ConfidentialOffer, ExportOffer, MinutesUpdate, MinutesView
from dialogs.errors import ClerkError, UsageError
from dialogs.export import FORMATS
from dialogs.roles import Role
from dialogs.turns import ConversationFacts, Handled, UseCase, run_turn
from storage.db import Database
from storage.unit_of_work import DatabaseUnavailable, UnitOfWork

log = logging.getLogger("clerk.bot")

TRY_AGAIN = "The record is unavailable just now, so nothing was recorded. Please try again in a moment."
WENT_WRONG = "Something went wrong on my side, so nothing was recorded. Please try again."
MAX_MESSAGE_CHARS = 20_000
ROSTER_SECONDS = 3.0


class ClerkBot(TeamsActivityHandler):
    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime], roles: MeetingRoles,
                 links: LinkSigner, outbox: Outbox):
        self.db = db
        self.settings = settings
        self.clock = clock
        self.roles = roles
        self.links = links
        self.outbox = outbox
        # conversation id -> (what its stored reference was made of, committee id). Which committee a
        # conversation belongs to never changes, so this spares a read on every turn.
        self._conversations: dict[str, tuple[tuple, int]] = {}

    # Messages ------------------------------------------------------------------------------

    async def on_message_activity(self, turn_context: TurnContext):
        activity = turn_context.activity
        if isinstance(activity.value, dict) and "clerk" in activity.value:
            await self._card_action(turn_context, activity.value)
            return
        mentions = mentions_from_entities(_entities(activity))
        bot_id = activity.recipient.id if activity.recipient else None
        message = read_message(activity.text or "", mentions, bot_id)
        personal = _conversation_type(activity) == "personal"
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

        await self._run(turn_context, use_case, command=command, mentions=people)

    async def _card_action(self, turn_context: TurnContext, value: dict) -> None:
        """A button on one of Clerk's cards (Action.Submit arrives as a message with a value)."""
        meeting_id = value.get("meeting")
        if not isinstance(meeting_id, int) or isinstance(meeting_id, bool) or not 0 < meeting_id < 2**31:
            await self._say(turn_context, "That button is not one of mine any more. /minutes posts the minutes again.")
            return
        if value.get("clerk") == cards.APPROVE:
            async def use_case(uow: UnitOfWork, turn):
                return await minutes.approve(uow, turn, meeting_id)

            await self._run(turn_context, use_case, role=Role.CHAIR, doing="approve the minutes",
                            meeting_id=meeting_id)
        elif value.get("clerk") == cards.EXPORT:
            async def use_case(uow: UnitOfWork, turn):
                return await minutes.export(uow, turn, meeting_id)

            await self._run(turn_context, use_case)
        else:
            await self._say(turn_context, "That button is not one of mine any more. /minutes posts the minutes again.")

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
        mentions = mentions_from_entities(_entities(activity))
        text = read_message(activity.text or "", mentions, activity.recipient.id if activity.recipient else None).text
        command, args, _ = match(text)
        name = command.name if command else None
        message_id = activity.id

        async def use_case(uow: UnitOfWork, turn: Turn):
            return await corrections.teams_edit(uow, turn, message_id, name, args)

        edition = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        await self._run(turn_context, use_case, claim_id=f"{message_id}:edit:{edition}")

    async def on_teams_message_soft_delete(self, turn_context: TurnContext):
        message_id = turn_context.activity.id
        if not message_id:
            return

        async def use_case(uow: UnitOfWork, turn: Turn):
            return await corrections.teams_delete(uow, turn, message_id)

        await self._run(turn_context, use_case, claim_id=f"{message_id}:delete")

    # Teams meeting events ------------------------------------------------------------------

    async def on_event_activity(self, turn_context: TurnContext):
        activity = turn_context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        name = activity.name or ""
        if name == "application/vnd.microsoft.meetingStart":
            title = storable(value["Title"]).strip() if isinstance(value.get("Title"), str) else None
            meeting_id = _teams_meeting_id(activity) or (value.get("Id") if isinstance(value.get("Id"), str) else None)

            async def use_case(uow: UnitOfWork, turn):
                return await meeting.start_from_teams(uow, turn, title and title[:300], meeting_id)
        elif name == "application/vnd.microsoft.meetingEnd":
            async def use_case(uow: UnitOfWork, turn):
                return await meeting.end_from_teams(uow, turn)
        elif name in ("application/vnd.microsoft.meetingParticipantJoin",
                      "application/vnd.microsoft.meetingParticipantLeave"):
            people = _participants(value)
            if not people:
                log.info("participant event without usable members ignored")
                return
            record = attendance.joined_from_teams if name.endswith("Join") else attendance.left_from_teams

            async def use_case(uow: UnitOfWork, turn):
                await record(uow, turn, people)
                return None
        else:
            return
        await self._run(turn_context, use_case)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """A button pressed on one of Clerk's cards (Universal Actions: `adaptiveCard/action`, whose
        value is {"action": {"type": "Action.Execute", "verb", "data"}, "trigger"}), answered with the
        card as the presser should now see it. Any other invoke (task/fetch, tab/fetch,
        composeExtension/*, fileConsent/invoke...) gets a 400 that says so, with nothing posted."""
        activity = turn_context.activity
        name = activity.name if isinstance(activity.name, str) else ""
        if name != "adaptiveCard/action":
            return InvokeResponse(status=400, body={"error": f"Clerk does not handle the invoke {name[:80]!r}"})
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        verb, data = action.get("verb"), action.get("data", {})
        if not isinstance(verb, str) or not isinstance(data, dict):
            return InvokeResponse(status=400, body={"statusCode": 400, "type": "application/vnd.microsoft.error",
                                                    "value": {"code": "BadRequest",
                                                              "message": "not an Action.Execute of Clerk's"}})
        return _card_response(await self._press(turn_context, verb.removeprefix(cards.VERB_PREFIX), data))

    async def _press(self, turn_context: TurnContext, verb: str, data: dict) -> Attachment:
        """Runs the button's use case as the presser and renders the card to answer with; a refusal
        or a mistake is shown in the card."""
        family, _, detail = verb.partition(".")
        meeting_id = data.get("meeting") if isinstance(data.get("meeting"), int) else None
        part = data.get("part") if isinstance(data.get("part"), int) else 1
        role, doing = Role.ANYONE, ""
        if family == "action" and detail == "form":
            async def use_case(uow, turn):
                return await buttons.action_form(uow, turn)
        elif family == "action" and detail == "new":
            async def use_case(uow, turn):
                return await buttons.submit_action_form(uow, turn, data)
        elif family == "action":
            async def use_case(uow, turn):
                return await buttons.press_action(uow, turn, detail, data)
        elif verb == "minutes.refresh" and meeting_id:
            async def use_case(uow, turn):
                return await buttons.minutes_for(uow, turn, meeting_id, part)
        elif verb == "minutes.approve" and meeting_id:
            role, doing = Role.CHAIR, "approve the minutes"

            async def use_case(uow, turn):
                return await minutes.approve(uow, turn, meeting_id)
        elif verb == "agenda.refresh":
            async def use_case(uow, turn):
                return await buttons.agenda_for(uow, turn)
        elif verb in ("agenda.next", "agenda.break"):
            role, doing = Role.CHAIR_OR_SECRETARY, "move the meeting on"

            async def use_case(uow, turn):
                return await buttons.press_agenda(uow, turn, detail)
        else:
            return cards.message_card("That button is not one of mine any more. /help lists what I can do.")
        posts = (lambda reply: self._messages(reply)) if verb == "action.new" else (lambda reply: [])
        try:
            handled = await self._transact(turn_context, use_case, (), role, doing, meeting_id, None, posts)
        except ClerkError as error:
            return await self._refusal_card(turn_context, family, data, error.message)
        except DatabaseUnavailable:
            log.exception("database unavailable while handling %s", turn_context.activity.id)
            return cards.message_card(TRY_AGAIN)
        except Exception:
            log.exception("failed to handle button %s", verb)
            return cards.message_card(WENT_WRONG)
        if handled is None:  # pressed twice: the card as it is now
            return await self._refusal_card(turn_context, family, data, None)
        await self._after(turn_context, handled)
        return self._card_of(handled.reply, part)

    def _card_of(self, reply: Reply | None, part: int) -> Attachment:
        view = reply.view if reply else None
        if isinstance(view, ActionCard):
            return cards.action_card(view)
        if isinstance(view, ActionsView):
            return cards.actions_card(view)
        if isinstance(view, ActionForm):
            return cards.action_form(view)
        if isinstance(view, AgendaView):
            return cards.agenda_card(view)
        if isinstance(view, MinutesCardFor):
            return cards.minutes_card_for(view)
        if isinstance(view, MinutesUpdate):
            return cards.minutes_card_for(MinutesCardFor(view.minutes, part, False))
        return cards.message_card(reply.text if reply and reply.text else "Done.")

    async def _refusal_card(self, turn_context: TurnContext, family: str, data: dict, message: str | None) -> Attachment:
        """An action's card with why the press was refused (read afresh), or the reason alone."""
        number = data.get("action")
        if family != "action" or not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 2**31 \
                or "committee" in data:  # pressed outside its committee's chat: the reason alone
            return cards.message_card(message or "Done.")

        async def use_case(uow, turn):
            return await buttons.action_card(uow, turn, number, message)

        try:
            handled = await self._transact(turn_context, use_case, (), Role.ANYONE, "", None,
                                           f"{turn_context.activity.id}:seen", lambda reply: [])
        except ClerkError as error:
            return cards.message_card(error.message)
        except Exception:
            log.exception("could not show action %s after a refused press", number)
            return cards.message_card(message or WENT_WRONG)
        return self._card_of(handled.reply if handled else None, 1)

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
            await self._say(turn_context, "Hello, I'm Clerk: I keep this committee's minutes. "
                                          "/help lists what I can do; /start opens a meeting record.")

    # Running a use case in one transaction ---------------------------------------------------

    async def _run(self, turn_context: TurnContext, use_case: UseCase, command: Command | None = None,
                   mentions: tuple[Person, ...] = (), role: Role | None = None, doing: str = "",
                   meeting_id: int | None = None, claim_id: str | None = None) -> None:
        """Runs a use case in one transaction (dialogs.turns) and says its reply or why it failed.
        `claim_id` marks the activity handled under another key than its id (an edit of a message
        arrives with the message's own id, which its first delivery already claimed)."""
        activity = turn_context.activity
        try:
            handled = await self._transact(turn_context, use_case, mentions,
                                           role or (command.role if command else Role.ANYONE),
                                           doing or (command.doing if command else ""), meeting_id, claim_id,
                                           self._messages)
        except UsageError as error:
            await self._say(turn_context, f"{error.message}\n{usage(command)}" if command else error.message)
            return
        except ClerkError as error:
            await self._say(turn_context, error.message)
            return
        except DatabaseUnavailable:
            log.exception("database unavailable while handling %s", activity.id)
            await self._say(turn_context, TRY_AGAIN)
            return
        except Exception:
            log.exception("failed to handle activity %s", activity.id)
            await self._say(turn_context, WENT_WRONG)
            return
        if handled is None:
            log.info("activity %s delivered again; already handled", activity.id)
            return
        await self._after(turn_context, handled)

    async def _transact(self, turn_context: TurnContext, use_case: UseCase, mentions: tuple[Person, ...], role: Role,
                        doing: str, meeting_id: int | None, claim_id: str | None,
                        render: Callable[[Reply], list[Queued]]) -> Handled | None:
        """The use case in one transaction, its reply rendered by `render` into the outbox; what it
        raises comes back to the caller, which says it in the chat or in a card."""
        activity = turn_context.activity
        conversation_id = activity.conversation.id
        now = self.clock()
        reference_key = _reference_key(activity)
        known = self._conversations.get(conversation_id)

        def make_turn(committee_id: int) -> Turn:
            return Turn(conversation_id=conversation_id, committee_id=committee_id, caller=_caller(activity), now=now,
                        tz=self.settings.timezone, mentions=mentions, activity_id=activity.id,
                        teams_meeting_id=_teams_meeting_id(activity),
                        is_meeting_organizer=lambda: self._is_meeting_organizer(activity),
                        roster=lambda: self._roster(turn_context),
                        policy=self.settings.reminder_policy)

        def conversation() -> ConversationFacts:
            return ConversationFacts(conversation_id, _reference_json(activity), _conversation_type(activity),
                                     _tenant_id(activity))

        handled = await run_turn(
            self.db.unit_of_work, conversation_id, conversation, claim_id or activity.id, now, make_turn, use_case,
            role=role, doing=doing, meeting_id=meeting_id,
            committee_id=known[1] if known and known[0] == reference_key else None,
            render=render, render_private=lambda reply: self._private_messages(reply, activity),
            sender=self.outbox.instance)
        if handled is not None:
            self._conversations[conversation_id] = (reference_key, handled.committee_id)
        return handled

    async def _after(self, turn_context: TurnContext, handled: Handled) -> None:
        """What follows a committed turn: posted minutes cards updated in place, the reply sent."""
        if handled.reply is not None and isinstance(handled.reply.view, MinutesUpdate):
            await self._update_minutes_cards(turn_context, handled.reply.view)
        await self.outbox.deliver_turn(turn_context, handled.queued)

    def _messages(self, reply: Reply) -> list[Queued]:
        """The reply as the messages the outbox keeps (rendered in the turn's transaction)."""
        view = reply.view
        said = [Queued(render_text(reply.text))] if reply.text else []
        if isinstance(view, MinutesView):
            parts = cards.minutes_cards(view.minutes)
            return said + [Queued(render_card(card),
                                  MinutesPart(view.minutes.meeting_id, number, len(parts)))
                           for number, card in enumerate(parts, start=1)]
        if isinstance(view, MinutesUpdate):  # the posted cards are updated in place; parts they lack are posted
            most_parts = max((post.parts for post in view.posts), default=0)
            extra = cards.minutes_cards(view.minutes)[most_parts:]
            return [Queued(render_card(card)) for card in extra] + said
        if isinstance(view, ExportOffer):
            return [Queued(render_text(self._export_links(view)))]
        if isinstance(view, ActionLogOffer):
            return [Queued(render_text(self._action_log_links(view)))]
        if isinstance(view, AgendaView):
            return [Queued(render_card(cards.agenda_card(view)))]
        if isinstance(view, ActionsView):
            return [Queued(render_card(cards.actions_card(view)))]
        if isinstance(view, ActionCard):  # one message: the words, and under them the action's card
            return [Queued(render_card(cards.action_card(view), reply.text))]
        if isinstance(view, ActionForm):
            return [Queued(render_card(cards.action_form(view)))]
        return said

    def _private_messages(self, reply: Reply, activity: Activity) -> list[tuple[PersonalChat, Queued]]:
        """What the reply says privately, each to its person's personal chat."""
        messages = []
        for private in reply.privately:
            chat = PersonalChat(personal_chat_id(private.to.user_id), _personal_reference(activity, private.to))
            if isinstance(private.view, ConfidentialOffer):
                messages.append((chat, Queued(render_text(self._confidential_links(private.view)))))
            elif isinstance(private.view, PrivateNote):
                messages.append((chat, Queued(render_text(private.view.text))))
        return messages

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

    def _signed_links(self, stem: str, registry: dict) -> tuple[str, int]:
        """'[Label](signed link) · ...' for each format of a registry, and how many hours they last."""
        now = self.clock()
        links = [f"[{document.label}]({self.links.link(f'{stem}.{document.extension}', now)})"
                 for document in registry.values()]
        return " · ".join(links), int(self.links.lifetime.total_seconds() // 3600)

    def _action_log_links(self, offer: ActionLogOffer) -> str:
        links, hours = self._signed_links(f"/committees/{offer.committee_id}/actions", LOG_FORMATS)
        return (f"Action log of {cards.plain(offer.committee)}: {links} (links valid for {hours} hours; "
                "the web page can be pinned as a Website tab).")

    def _confidential_links(self, offer: ConfidentialOffer) -> str:
        links, hours = self._signed_links(f"/minutes/{offer.meeting_id}/confidential", FORMATS)
        return (f"Confidential minutes of '{cards.plain(offer.title)}', with the exempt items in full: {links} "
                f"(links valid for {hours} hours). Not for publication: share them only with those entitled.")

    def _export_links(self, offer: ExportOffer) -> str:
        links, hours = self._signed_links(f"/minutes/{offer.meeting_id}", FORMATS)
        return f"Minutes of '{cards.plain(offer.title)}': {links} (links valid for {hours} hours)."

    async def _answer(self, turn_context: TurnContext, text: str) -> None:
        """An answer that records nothing still claims the activity, so a redelivery gets no second one."""
        async def use_case(uow: UnitOfWork, turn: Turn) -> Reply:
            return Reply(text)

        await self._run(turn_context, use_case)

    async def _say(self, turn_context: TurnContext, text: str) -> None:
        """An answer that reports nothing recorded (what is recorded is answered through the outbox)."""
        await self.outbox.say_now(turn_context, text)

    async def _roster(self, turn_context: TurnContext) -> tuple[Person, ...] | None:
        """Who is in this conversation, by Teams account; None when Teams does not answer in time."""
        try:
            async with asyncio.timeout(ROSTER_SECONDS):
                members = await TeamsInfo.get_members(turn_context)
        except Exception as error:  # refused, unreachable or slow: the caller asks for an @mention
            log.info("could not read the conversation's members: %s", error)
            return None
        return tuple(Person(" ".join(storable(m.name or "").split()), m.id) for m in members if m.id)

    async def _is_meeting_organizer(self, activity: Activity) -> bool:
        meeting_id = _teams_meeting_id(activity)
        aad_id = getattr(activity.from_property, "aad_object_id", None)
        if not meeting_id or not aad_id:
            return False
        role = await self.roles.role_of(activity.service_url, meeting_id, aad_id, _tenant_id(activity))
        return role == "Organizer"


# Reading the parts of an activity defensively: Teams payloads vary, and a malformed one must not
# cost more than a log line.


def _card_response(attachment: Attachment) -> InvokeResponse:
    """The invoke response that shows a card to the person who pressed (Universal Actions: the
    `application/vnd.microsoft.card.adaptive` response type)."""
    return InvokeResponse(status=200, body={"statusCode": 200, "type": attachment.content_type,
                                            "value": attachment.content})


def _entities(activity: Activity) -> list[dict]:
    return [{"type": e.type, **(e.additional_properties or {})} for e in activity.entities or [] if e is not None]


def _channel_data(activity: Activity) -> dict:
    return activity.channel_data if isinstance(activity.channel_data, dict) else {}


def _conversation_type(activity: Activity) -> str | None:
    return activity.conversation.conversation_type if activity.conversation else None


def _tenant_id(activity: Activity) -> str | None:
    tenant = _channel_data(activity).get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return tenant["id"]
    return getattr(activity.conversation, "tenant_id", None)


def _teams_meeting_id(activity: Activity) -> str | None:
    meeting_data = _channel_data(activity).get("meeting")
    if isinstance(meeting_data, dict) and isinstance(meeting_data.get("id"), str):
        return meeting_data["id"]
    return None


def _caller(activity: Activity) -> Person:
    sender = activity.from_property
    name = storable(sender.name if sender and isinstance(sender.name, str) else "") or "Someone"
    return Person(name=" ".join(name.split())[:200] or "Someone", user_id=sender.id if sender else None)


def _participants(value: dict) -> list[Person]:
    people = []
    members = value.get("members")
    for member in members if isinstance(members, list) else []:
        user = member.get("user") if isinstance(member, dict) else None
        if not isinstance(user, dict) or not isinstance(user.get("name"), str) or not user["name"].strip():
            continue
        user_id = user.get("id") if isinstance(user.get("id"), str) else None
        name = " ".join(storable(user["name"]).split())[:200]
        if name:
            people.append(Person(name, user_id))
    return people


def _reference_key(activity: Activity) -> tuple:
    """What the stored conversation reference is made of, cheap to compare on every turn."""
    conversation, bot = activity.conversation, activity.recipient
    return (activity.service_url, activity.channel_id, bot.id if bot else None, bot.name if bot else None,
            conversation.id, conversation.conversation_type, conversation.tenant_id, conversation.is_group,
            _tenant_id(activity))


def _personal_reference(activity: Activity, person: Person) -> str:
    """How to reach a person's personal chat with Clerk: this conversation's reference, addressed to
    them, without a conversation id (bot.outbox creates the chat, which Teams answers with the
    existing one if there is one)."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    reference.user = ChannelAccount(id=person.user_id, name=person.name)
    reference.conversation = ConversationAccount(id="", conversation_type="personal", is_group=False,
                                                 tenant_id=_tenant_id(activity))
    return json.dumps(reference.serialize(), sort_keys=True)


def _reference_json(activity: Activity) -> str:
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None  # the reference must not change with every message
    return json.dumps(reference.serialize(), sort_keys=True)
