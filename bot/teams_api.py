"""What Clerk asks Teams: who is in a conversation (botbuilder's roster call), and the meeting REST
calls it makes itself, on the Bot Connector's meeting endpoints (Microsoft Teams platform docs,
"Meeting apps APIs"):

- a participant's role: `GET {serviceUrl}/v1/meetings/{meetingId}/participants/{aadObjectId}`;
- the meeting's details: `GET {serviceUrl}/v1/meetings/{meetingId}`, answering `details`
  (`title`, `scheduledStartTime`, `scheduledEndTime`, `msGraphResourceId`) and `organizer`
  (`aadObjectId`); resource-specific permission OnlineMeeting.ReadBasic.Chat;
- a targeted in-meeting notification: `POST {serviceUrl}/v1/meetings/{meetingId}/notification`
  with `{"type": "targetedMeetingNotification", "value": {"recipients": [...], "surfaces": [...]}}`,
  shown on the meeting stage to the recipients only ("Build in-meeting notification for Teams
  meeting"); permission OnlineMeetingNotification.Send.Chat.

botbuilder's `TeamsInfo.get_meeting_participant` calls the wrong URL and blocks the event loop, and
its `send_meeting_notification` is a stub, so these go directly, with a short timeout. A failed
lookup answers None and Clerk carries on without it; a failed notification raises, for the outbox
to try again.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from urllib.parse import quote

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity
from botframework.connector.auth import MicrosoftAppCredentials

from bot.activity import teams_meeting_id, tenant_id
from bot.text import storable
from dialogs.context import Person, TeamsMeetingFacts
from dialogs.errors import DeliveryFailed

log = logging.getLogger("clerk.teams")
ROSTER_SECONDS = 3.0


class TeamsMeetings:
    def __init__(self, app_id: str, app_password: str, timeout_seconds: float = 2.0):
        self._credentials = MicrosoftAppCredentials(app_id, app_password) if app_id else None
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def _headers(self) -> dict[str, str]:
        if self._credentials is None:
            return {}
        token = await asyncio.to_thread(self._credentials.get_access_token)
        return {"Authorization": f"Bearer {token}"}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def _get(self, url: str, params: dict | None = None) -> dict | None:
        try:
            async with self._client().get(url, params=params, headers=await self._headers()) as response:
                if response.status != 200:
                    log.info("Teams meeting lookup answered %s", response.status)
                    return None
                body = await response.json(content_type=None)
        except Exception as error:  # network, timeout, token or JSON trouble: carry on without it
            log.info("Teams meeting lookup failed: %s", error)
            return None
        return body if isinstance(body, dict) else None

    async def role_of(self, service_url: str | None, meeting_id: str, aad_object_id: str,
                      tenant_id: str | None) -> str | None:
        if not service_url:
            return None
        body = await self._get(f"{_meeting_url(service_url, meeting_id)}/participants/{quote(aad_object_id, safe='')}",
                               {"tenantId": tenant_id} if tenant_id else None)
        meeting = body.get("meeting") if body else None
        role = meeting.get("role") if isinstance(meeting, dict) else None
        return role if isinstance(role, str) else None

    async def organizes(self, activity: Activity) -> bool:
        """Whether the sender organizes the Teams meeting the activity's chat belongs to."""
        meeting_id = teams_meeting_id(activity)
        aad_id = getattr(activity.from_property, "aad_object_id", None)
        if not meeting_id or not aad_id:
            return False
        return await self.role_of(activity.service_url, meeting_id, aad_id, tenant_id(activity)) == "Organizer"

    async def details_for(self, activity: Activity) -> TeamsMeetingFacts | None:
        meeting_id = teams_meeting_id(activity)
        return await self.details(activity.service_url, meeting_id) if meeting_id else None

    async def details(self, service_url: str | None, meeting_id: str) -> TeamsMeetingFacts | None:
        if not service_url:
            return None
        body = await self._get(_meeting_url(service_url, meeting_id))
        if body is None:
            return None
        details = body.get("details") if isinstance(body.get("details"), dict) else {}
        organizer = body.get("organizer") if isinstance(body.get("organizer"), dict) else {}
        return TeamsMeetingFacts(title=_text(details.get("title"), 300),
                                 scheduled_start=read_time(details.get("scheduledStartTime")),
                                 scheduled_end=read_time(details.get("scheduledEndTime")),
                                 graph_resource_id=_text(details.get("msGraphResourceId"), 400),
                                 organizer_aad_id=_text(organizer.get("aadObjectId"), 100))

    async def notify(self, service_url: str, meeting_id: str, body: dict) -> None:
        """Sends a targeted meeting notification; raises DeliveryFailed (retryable or not) when
        Teams does not accept it."""
        try:
            async with self._client().post(f"{_meeting_url(service_url, meeting_id)}/notification", json=body,
                                           headers=await self._headers()) as response:
                if response.status in (200, 201, 202, 207):
                    return
                detail = (await response.text())[:200]
        except Exception as error:
            raise DeliveryFailed(f"meeting notification failed: {error}", retryable=True) from error
        raise DeliveryFailed(f"meeting notification answered {response.status}: {detail}",
                             retryable=response.status == 429 or response.status >= 500)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


async def conversation_roster(turn_context: TurnContext) -> tuple[Person, ...] | None:
    """Who is in the conversation, by Teams account; None when Teams does not answer in time."""
    try:
        async with asyncio.timeout(ROSTER_SECONDS):
            members = await TeamsInfo.get_members(turn_context)
    except Exception as error:  # refused, unreachable or slow: the caller asks for an @mention
        log.info("could not read the conversation's members: %s", error)
        return None
    return tuple(Person(" ".join(storable(m.name or "").split()), m.id) for m in members if m.id)


def _meeting_url(service_url: str, meeting_id: str) -> str:
    return f"{service_url.rstrip('/')}/v1/meetings/{quote(meeting_id, safe='')}"


def _text(value: object, limit: int) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


def read_time(value: object) -> datetime | None:
    """An ISO 8601 time as Teams writes it ('2021-04-29T16:17:17.4388966Z'): aware, or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    whole, dot, rest = text.partition(".")
    if dot:  # Python reads at most six digits of a fraction; .NET writes seven
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{whole}.{rest[:min(digits, 6)]}{rest[digits:]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
