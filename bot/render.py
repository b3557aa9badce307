"""Rendering what a use case replied: one table from a view's type to what Teams is sent (a card
answering a press, the messages the outbox keeps, the private messages of a reply)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from botbuilder.schema import Activity, Attachment

from bot import cards
from bot.activity import personal_reference
from bot.links import LinkSigner
from bot.proactive import render_card, render_text
from dialogs.action_cards import ActionCard, ActionForm
from dialogs.action_log import LOG_FORMATS, ActionLogOffer
from dialogs.actions import ActionsView
from dialogs.agenda import AgendaView
from dialogs.context import Reply
from dialogs.delivery import MinutesPart, PersonalChat, Queued, personal_chat_id
from dialogs.desk import PrivateNote
from dialogs.export import FORMATS
from dialogs.minutes import ConfidentialOffer, ExportOffer, MinutesUpdate, MinutesView
from dialogs.panel import PanelOffer
from dialogs.transcript import TranscriptOffer
from dialogs.views import MinutesCardFor


class Renderer:
    def __init__(self, links: LinkSigner, clock: Callable[[], datetime]):
        self.links, self.clock = links, clock

    def card_of(self, reply: Reply | None, part: int) -> Attachment:
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

    def messages(self, reply: Reply) -> list[Queued]:
        """The reply as the messages the outbox keeps (rendered in the turn's transaction)."""
        view = reply.view
        said = [Queued(render_text(reply.text), text=reply.text)] if reply.text else []
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
        if isinstance(view, PanelOffer):
            link = self.links.link(f"/meetings/{view.meeting_id}/panel.html", self.clock())
            return [Queued(render_text(f"Live panel of '{cards.plain(view.title)}': [open it]({link}) (valid for "
                                       f"{int(self.links.lifetime.total_seconds() // 3600)} hours). In the Teams "
                                       "meeting, add Clerk to the side panel and paste this link there."))]
        if isinstance(view, AgendaView):
            return [Queued(render_card(cards.agenda_card(view)))]
        if isinstance(view, ActionsView):
            return [Queued(render_card(cards.actions_card(view)))]
        if isinstance(view, ActionCard):  # one message: the words, and under them the action's card
            # stale after an outage, its words fold with the chat's other confirmations (dialogs.delivery)
            return [Queued(render_card(cards.action_card(view), reply.text), text=reply.text or None)]
        if isinstance(view, ActionForm):
            return [Queued(render_card(cards.action_form(view)))]
        return said

    def private_messages(self, reply: Reply, activity: Activity) -> list[tuple[PersonalChat, Queued]]:
        """What the reply says privately, each to its person's personal chat."""
        messages = []
        for private in reply.privately:
            chat = PersonalChat(personal_chat_id(private.to.user_id), personal_reference(activity, private.to))
            if isinstance(private.view, ConfidentialOffer):
                messages.append((chat, Queued(render_text(self._confidential_links(private.view)))))
            elif isinstance(private.view, TranscriptOffer):
                messages.append((chat, self.transcript_link(private.view)))
            elif isinstance(private.view, PrivateNote):
                messages.append((chat, Queued(render_text(private.view.text))))
        return messages

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

    def transcript_link(self, offer: TranscriptOffer) -> Queued:
        link = self.links.link(f"/meetings/{offer.meeting_id}/transcript/{offer.keeper}.html", self.clock())
        hours = int(self.links.lifetime.total_seconds() // 3600)
        return Queued(render_text(
            f"The transcript of '{cards.plain(offer.title)}', cut to the agenda: [open it]({link}) (valid for {hours} "
            "hours; /transcript in the committee's chat gives a new link). For you and the secretary or chair only."))

    def _confidential_links(self, offer: ConfidentialOffer) -> str:
        links, hours = self._signed_links(f"/minutes/{offer.meeting_id}/confidential", FORMATS)
        return (f"Confidential minutes of '{cards.plain(offer.title)}', with the exempt items in full: {links} "
                f"(links valid for {hours} hours). Not for publication: share them only with those entitled.")

    def _export_links(self, offer: ExportOffer) -> str:
        links, hours = self._signed_links(f"/minutes/{offer.meeting_id}", FORMATS)
        return f"Minutes of '{cards.plain(offer.title)}': {links} (links valid for {hours} hours)."

