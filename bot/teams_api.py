"""The one Teams REST call Clerk makes itself: a participant's role in a meeting.

botbuilder's `TeamsInfo.get_meeting_participant` calls the wrong URL and blocks the event loop, so
this asks `GET {serviceUrl}/v1/meetings/{meetingId}/participants/{aadObjectId}` directly with a
short timeout. Any failure answers None and the chair rules apply without it.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

import aiohttp
from botframework.connector.auth import MicrosoftAppCredentials

log = logging.getLogger("clerk.teams")


class MeetingRoles:
    def __init__(self, app_id: str, app_password: str, timeout_seconds: float = 2.0):
        self._credentials = MicrosoftAppCredentials(app_id, app_password) if app_id else None
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def role_of(self, service_url: str | None, meeting_id: str, aad_object_id: str,
                      tenant_id: str | None) -> str | None:
        if not service_url:
            return None
        url = (f"{service_url.rstrip('/')}/v1/meetings/{quote(meeting_id, safe='')}"
               f"/participants/{quote(aad_object_id, safe='')}")
        params = {"tenantId": tenant_id} if tenant_id else None
        try:
            headers = {}
            if self._credentials is not None:
                token = await asyncio.to_thread(self._credentials.get_access_token)
                headers["Authorization"] = f"Bearer {token}"
            if self._session is None:
                self._session = aiohttp.ClientSession(timeout=self._timeout)
            async with self._session.get(url, params=params, headers=headers) as response:
                if response.status != 200:
                    log.info("meeting role lookup answered %s", response.status)
                    return None
                body = await response.json(content_type=None)
        except Exception as error:  # network, timeout, token or JSON trouble: fall back
            log.info("meeting role lookup failed: %s", error)
            return None
        meeting = body.get("meeting") if isinstance(body, dict) else None
        role = meeting.get("role") if isinstance(meeting, dict) else None
        return role if isinstance(role, str) else None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
