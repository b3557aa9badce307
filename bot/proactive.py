"""Messages as the outbox keeps them until they are sent: the Bot Framework activity Clerk will
post, as JSON, less its address, or a targeted meeting notification. Sending puts the address in
front of that text (`addressed`), so a card is written once, when its message is queued, and never
read again: msrest's serialisation of an Activity cost a turn more than everything else the outbox
does, and reading the card back and writing it again a few percent more."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from botbuilder.schema import Activity, Attachment, ChannelAccount, Mention

from bot import cards
from bot.manifest import teams_app_id
from dialogs.context import Person
from dialogs.delivery import ActionRef


_ACTIVITY = '{"type": "message", '  # how every kept activity begins: json.dumps keeps the keys' order


def _kept(activity: dict) -> str:
    """An activity as the outbox keeps it: what botbuilder's MessageFactory makes, less the address."""
    return json.dumps({"type": "message", "inputHint": "acceptingInput", **activity})


def render_text(text: str, mentions: tuple[Person, ...] = (), action: ActionRef | None = None) -> str:
    """Text in which `<at>Name</at>`, for each person with a Teams id, becomes a real mention so
    Teams notifies them; with an action's number, followed by that action's buttons
    (dialogs.delivery.RenderText)."""
    mentioned = tuple(person for person in mentions if person.user_id)
    if action is not None:  # one message, the card: text beside a card is two messages in some clients
        return render_card(cards.reminder_card(text, mentioned, action))
    return _kept({"text": text, **_mentioning([(person.user_id, person.name) for person in mentioned])})


def _mentioning(people: list) -> dict:
    """The mention entities for (Teams user id, name) pairs, none when there are none."""
    if not people:
        return {}
    return {"entities": [{"type": "mention", "mentioned": {"id": user_id, "name": name}, "text": f"<at>{name}</at>"}
                         for user_id, name in people]}


def render_in_meeting(text: str, page_url: str, bot_id: str) -> str:
    """A notice that Teams also shows on the stage of the meeting under way, as an in-meeting
    notification: `channelData.notification.alertInMeeting`, whose `externalResourceUrl` is a
    Teams "bubble" deep link to the page to show. Source: Microsoft Teams platform docs, "Build
    in-meeting notification for Teams meeting" (learn.microsoft.com/microsoftteams/platform/
    apps-in-teams-meetings/in-meeting-notification-for-meeting)."""
    bubble = (f"https://teams.microsoft.com/l/bubble/{teams_app_id(bot_id)}?"
              + urlencode({"url": page_url, "height": 200, "width": 420, "title": "Clerk", "completionBotId": bot_id}))
    return _kept({"text": text,
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
    return json.dumps({"meetingNotification": {"meetingId": teams_meeting_id, "body": body}, "text": text})


def meeting_notification_of(payload: str) -> dict | None:
    """The targeted meeting notification a kept message is, or None for a message to post in a chat."""
    if payload.startswith(_ACTIVITY):
        return None
    return json.loads(payload).get("meetingNotification")  # a notification, or a message kept before this form


def render_card(attachment: Attachment, text: str = "") -> str:
    """A card, with the words that come above it in the same message."""
    return _kept({"attachmentLayout": "list",
                  "attachments": [{"contentType": attachment.content_type, "content": attachment.content}],
                  **({"text": text} if text else {})})


def activity_text(payload: str) -> str:
    """The kept message's activity, as JSON text. A message an earlier Clerk kept in its own small
    form ({"text", "mentions"} or {"card", "contentType", "text"}) may still wait after an upgrade:
    it is made into the activity here."""
    if payload.startswith(_ACTIVITY):
        return payload
    message = json.loads(payload)
    if "card" in message:
        return render_card(Attachment(content_type=message["contentType"], content=message["card"]),
                           message.get("text") or "")
    channel_data = {"channelData": message["channelData"]} if message.get("channelData") else {}
    return _kept({"text": message["text"], **channel_data, **_mentioning(message.get("mentions") or [])})


def addressed(activity: str, reference: dict, reply_to_id: str | None) -> bytes:
    """The activity addressed as botbuilder's apply_conversation_reference does: from the bot, to the
    user, in the reference's conversation; a reply names the activity it answers. The address goes
    in front of the activity's own keys, which are never these."""
    address = {"channelId": reference.get("channelId"), "serviceUrl": reference.get("serviceUrl"),
               "conversation": reference.get("conversation"), "from": reference.get("bot"),
               "recipient": reference.get("user")}
    if reference.get("locale"):
        address["locale"] = reference["locale"]
    if reply_to_id:
        address["replyToId"] = reply_to_id
    return f"{json.dumps(address)[:-1]}, {activity[1:]}".encode()


def activity_of(payload: str) -> Activity:
    """The same activity as botbuilder's Activity, for what goes through botbuilder (a personal chat
    created to send it). msrest keeps an entity's own fields only as a Mention."""
    body = json.loads(activity_text(payload))
    activity = Activity().deserialize(body)
    activity.entities = [Mention(mentioned=ChannelAccount(**entity["mentioned"]), text=entity["text"], type="mention")
                         for entity in body.get("entities", [])] or None
    return activity
