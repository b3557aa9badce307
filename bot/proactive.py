"""Messages as the outbox keeps them until they are sent: a small JSON of their own, not a
serialised Activity (msrest's serialisation and deserialisation of an Activity cost a turn more
than everything else the outbox does)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from botbuilder.schema import Activity, Attachment, ChannelAccount, Mention

from bot import cards
from bot.manifest import teams_app_id
from dialogs.context import Person
from dialogs.delivery import ActionRef


def render_text(text: str, mentions: tuple[Person, ...] = (), action: ActionRef | None = None) -> str:
    """Text in which `<at>Name</at>`, for each person with a Teams id, becomes a real mention so
    Teams notifies them; with an action's number, followed by that action's buttons
    (dialogs.delivery.RenderText)."""
    mentioned = tuple(person for person in mentions if person.user_id)
    if action is not None:  # one message, the card: text beside a card is two messages in some clients
        return render_card(cards.reminder_card(text, mentioned, action))
    return json.dumps({"text": text, "mentions": [[person.user_id, person.name] for person in mentioned]})


def render_in_meeting(text: str, page_url: str, bot_id: str) -> str:
    """A notice that Teams also shows on the stage of the meeting under way, as an in-meeting
    notification: `channelData.notification.alertInMeeting`, whose `externalResourceUrl` is a
    Teams "bubble" deep link to the page to show. Source: Microsoft Teams platform docs, "Build
    in-meeting notification for Teams meeting" (learn.microsoft.com/microsoftteams/platform/
    apps-in-teams-meetings/in-meeting-notification-for-meeting)."""
    bubble = (f"https://teams.microsoft.com/l/bubble/{teams_app_id(bot_id)}?"
              + urlencode({"url": page_url, "height": 200, "width": 420, "title": "Clerk", "completionBotId": bot_id}))
    return json.dumps({"text": text, "mentions": [],
                       "channelData": {"notification": {"alertInMeeting": True, "externalResourceUrl": bubble}}})


def render_targeted_notification(text: str, page_url: str, teams_meeting_id: str, recipients: list[str]) -> str:
    """A notice shown on the meeting stage to `recipients` only (Teams user ids), as a targeted
    meeting notification: POST /v1/meetings/{meetingId}/notification with type
    "targetedMeetingNotification" and a meetingStage surface showing the page (Microsoft Teams
    platform docs, "Build in-meeting notification for Teams meeting", "Targeted in-meeting
    notification"). `text` is what the outbox folds or logs; Teams shows the page."""
    body = {"type": "targetedMeetingNotification",
            "value": {"recipients": recipients,
                      "surfaces": [{"surface": "meetingStage", "contentType": "task",
                                    "content": {"value": {"height": "200", "width": "420", "title": "Clerk",
                                                          "url": page_url}}}]}}
    return json.dumps({"text": text, "meetingNotification": {"meetingId": teams_meeting_id, "body": body}})


def meeting_notification_of(message: dict) -> dict | None:
    """The targeted meeting notification a kept message (its payload, read) is, or None for a
    message to post in a chat."""
    return message.get("meetingNotification")


def render_card(attachment: Attachment, text: str = "") -> str:
    """A card, with the words that come above it in the same message."""
    return json.dumps({"card": attachment.content, "contentType": attachment.content_type, "text": text})


def activity_json(message: dict) -> dict:
    """The Bot Framework activity, as JSON, for a message the outbox kept (its payload, read): what
    botbuilder's MessageFactory makes of it, addressed by the sender."""
    activity: dict = {"type": "message", "inputHint": "acceptingInput"}
    if "card" in message:
        activity["attachmentLayout"] = "list"
        activity["attachments"] = [{"contentType": message["contentType"], "content": message["card"]}]
        if message.get("text"):
            activity["text"] = message["text"]
    else:
        activity["text"] = message["text"]
    if message.get("channelData"):
        activity["channelData"] = message["channelData"]
    if message.get("mentions"):
        activity["entities"] = [{"type": "mention", "mentioned": {"id": user_id, "name": name},
                                 "text": f"<at>{name}</at>"} for user_id, name in message["mentions"]]
    return activity


def activity_of(message: dict) -> Activity:
    """The same activity as botbuilder's Activity, for what goes through botbuilder (a personal chat
    created to send it). msrest keeps an entity's own fields only as a Mention."""
    body = activity_json(message)
    activity = Activity().deserialize(body)
    activity.entities = [Mention(mentioned=ChannelAccount(**entity["mentioned"]), text=entity["text"], type="mention")
                         for entity in body.get("entities", [])] or None
    return activity
