"""Reading a Teams activity into plain values, defensively: Teams payloads vary, and a malformed
one must not cost more than a log line."""

from __future__ import annotations

import json

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, Attachment, ChannelAccount, ConversationAccount, ConversationReference

from bot.text import storable
from dialogs.context import Person
from dialogs.delivery import PersonalChat, personal_chat_id


def card_response(attachment: Attachment) -> InvokeResponse:
    """The invoke response that shows a card to the person who pressed (Universal Actions: the
    `application/vnd.microsoft.card.adaptive` response type)."""
    return InvokeResponse(status=200, body={"statusCode": 200, "type": attachment.content_type,
                                            "value": attachment.content})


def entities(activity: Activity) -> list[dict]:
    return [{"type": e.type, **(e.additional_properties or {})} for e in activity.entities or [] if e is not None]


def channel_data(activity: Activity) -> dict:
    return activity.channel_data if isinstance(activity.channel_data, dict) else {}


def conversation_type(activity: Activity) -> str | None:
    return activity.conversation.conversation_type if activity.conversation else None


def tenant_id(activity: Activity) -> str | None:
    tenant = channel_data(activity).get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return tenant["id"]
    return getattr(activity.conversation, "tenant_id", None)


def teams_meeting_id(activity: Activity) -> str | None:
    """The Teams meeting the chat belongs to: channelData.meeting.id, or a meeting event's own Id."""
    meeting_data = channel_data(activity).get("meeting")
    if isinstance(meeting_data, dict) and isinstance(meeting_data.get("id"), str):
        return meeting_data["id"]
    value = activity.value if activity.type == "event" and isinstance(activity.value, dict) else {}
    return value["Id"] if isinstance(value.get("Id"), str) else None


def caller(activity: Activity) -> Person:
    sender = activity.from_property
    name = storable(sender.name if sender and isinstance(sender.name, str) else "") or "Someone"
    return Person(name=" ".join(name.split())[:200] or "Someone", user_id=sender.id if sender else None)


def participants(value: dict) -> list[Person]:
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


def reference_key(activity: Activity) -> tuple:
    """What the stored conversation reference is made of, cheap to compare on every turn."""
    conversation, bot = activity.conversation, activity.recipient
    return (activity.service_url, activity.channel_id, bot.id if bot else None, bot.name if bot else None,
            conversation.id, conversation.conversation_type, conversation.tenant_id, conversation.is_group,
            tenant_id(activity))


def personal_reference(activity: Activity, person: Person) -> str:
    """How to reach a person's personal chat with Clerk: this conversation's reference, addressed to
    them, without a conversation id (bot.outbox creates the chat, which Teams answers with the
    existing one if there is one)."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    reference.user = ChannelAccount(id=person.user_id, name=person.name)
    reference.conversation = ConversationAccount(id="", conversation_type="personal", is_group=False,
                                                 tenant_id=tenant_id(activity))
    return json.dumps(reference.serialize(), sort_keys=True)


def personal_chat_from(reference: str, person: Person) -> PersonalChat:
    """A person's personal chat with Clerk, reached from a committee chat's stored reference (for a
    sweep, which has no activity to start from)."""
    stored = ConversationReference().deserialize(json.loads(reference))
    stored.activity_id = None
    stored.user = ChannelAccount(id=person.user_id, name=person.name)
    stored.conversation = ConversationAccount(id="", conversation_type="personal", is_group=False,
                                              tenant_id=stored.conversation.tenant_id if stored.conversation else None)
    return PersonalChat(personal_chat_id(person.user_id), json.dumps(stored.serialize(), sort_keys=True))


def reference_from_body(body: dict) -> dict:
    """The conversation reference of an activity as Teams posted it (JSON), with the keys of
    `reference_json`'s, read from the body instead of serialising botbuilder's objects again."""
    return {"channelId": body.get("channelId"), "serviceUrl": body.get("serviceUrl"), "locale": body.get("locale"),
            "conversation": body.get("conversation"), "bot": body.get("recipient"), "user": body.get("from")}


def reference_json(activity: Activity) -> str:
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None  # the reference must not change with every message
    return json.dumps(reference.serialize(), sort_keys=True)


def card_committee(data: dict) -> int | None:
    """The committee a card shown on the personal desk names: a whole number in range, or None."""
    committee = data.get("committee")
    if isinstance(committee, int) and not isinstance(committee, bool) and 0 < committee < 2**31:
        return committee
    return None
