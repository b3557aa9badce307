"""Microsoft Graph, for a meeting's transcripts (dialogs.transcript.TranscriptSource).

- Token: client credentials, `POST {CLERK_LOGIN_URL}/{tenant}/oauth2/v2.0/token` with scope
  `{CLERK_GRAPH_URL}/.default`, as the bot's own app or the one GRAPH_CLIENT_ID names.
- List: `GET /v1.0/users/{organizer}/onlineMeetings/{meetingId}/transcripts` ("List transcripts":
  `value` of callTranscript with `id` and `createdDateTime`).
- Content: `GET .../transcripts/{id}/content?$format=text/vtt` ("Get callTranscript": WebVTT with
  `<v Speaker>` voice tags). When the tenant has switched speaker attribution off, that answers 403
  with the inner code SpeakerAttributionNotAllowed, and the content without speakers is asked for
  instead (`Accept: application/vnd.microsoft.graph.transcript+text`).
Graph meters this API per minute of transcript after a free evaluation allowance, then answers 402.
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import quote

import aiohttp

from bot.teams_api import read_time
from config import Settings
from dialogs.transcript import Status, TranscriptFile, TranscriptUnavailable

log = logging.getLogger("clerk.graph")
UNATTRIBUTED = "application/vnd.microsoft.graph.transcript+text"


class Graph:
    def __init__(self, graph_url: str, login_url: str, client_id: str, client_secret: str,
                 timeout_seconds: float = 20.0):
        self._graph, self._login = graph_url.rstrip("/"), login_url.rstrip("/")
        self._client_id, self._secret = client_id, client_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None
        self._tokens: dict[str, tuple[str, float]] = {}  # tenant -> (token, monotonic expiry)

    @classmethod
    def for_settings(cls, settings: Settings) -> "Graph":
        """As the app registration GRAPH_CLIENT_ID names, else as the bot's own."""
        return cls(settings.graph_url, settings.login_url, settings.graph_client_id or settings.APP_ID,
                   settings.graph_client_secret or settings.APP_PASSWORD)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _token(self, tenant: str) -> str:
        cached = self._tokens.get(tenant)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        if not self._client_id:
            raise TranscriptUnavailable(Status.NO_PERMISSION, "Clerk has no app id to ask Microsoft Graph with.")
        form = {"client_id": self._client_id, "client_secret": self._secret, "grant_type": "client_credentials",
                "scope": f"{self._graph}/.default"}
        try:
            async with self._client().post(f"{self._login}/{quote(tenant, safe='')}/oauth2/v2.0/token",
                                           data=form) as response:
                body = await response.json(content_type=None)
                status = response.status
        except Exception as error:
            raise TranscriptUnavailable(None, f"The sign-in service did not answer: {str(error)[:120]}") from None
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            said = body.get("error_description") or body.get("error") if isinstance(body, dict) else None
            raise TranscriptUnavailable(Status.NO_PERMISSION,
                                        f"Microsoft's sign-in refused Clerk ({status}): {str(said)[:160]}")
        lifetime = body.get("expires_in") if isinstance(body.get("expires_in"), int) else 3600
        self._tokens[tenant] = (body["access_token"], time.monotonic() + max(60, lifetime - 60))
        return body["access_token"]

    async def _get(self, tenant: str, path: str, accept: str | None = None) -> tuple[int, bytes, dict]:
        headers = {"Authorization": f"Bearer {await self._token(tenant)}"}
        if accept:
            headers["Accept"] = accept
        try:
            async with self._client().get(f"{self._graph}{path}", headers=headers) as response:
                body = await response.read()
                return response.status, body, dict(response.headers)
        except Exception as error:
            raise TranscriptUnavailable(None, f"Microsoft Graph did not answer: {str(error)[:120]}") from None

    async def transcripts(self, tenant_id: str, organizer_id: str, graph_meeting_id: str) -> list[TranscriptFile]:
        base = (f"/v1.0/users/{quote(organizer_id, safe='')}/onlineMeetings/{quote(graph_meeting_id, safe='')}"
                "/transcripts")
        status, body, _ = await self._get(tenant_id, base)
        if status == 404 and not _says_expired(body):
            return []  # not there yet
        if status != 200:
            raise _unavailable(status, body)
        listed = _json(body).get("value")
        files = []
        for transcript in listed if isinstance(listed, list) else []:
            if not isinstance(transcript, dict) or not isinstance(transcript.get("id"), str):
                continue
            began = read_time(transcript.get("createdDateTime"))
            path = f"{base}/{quote(transcript['id'], safe='')}/content"
            status, content, _ = await self._get(tenant_id, f"{path}?$format=text/vtt")
            with_speakers = True
            if status == 403 and _code(content) == "SpeakerAttributionNotAllowed":
                status, content, _ = await self._get(tenant_id, path, accept=UNATTRIBUTED)
                with_speakers = False
            if status == 404:
                return []  # listed before its content is ready: try again later
            if status != 200:
                raise _unavailable(status, content)
            if began is not None:
                files.append(TranscriptFile(began, content.decode("utf-8", "replace"), with_speakers))
        return sorted(files, key=lambda file: file.began)


def _json(body: bytes) -> dict:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _error(body: bytes) -> dict:
    error = _json(body).get("error")
    return error if isinstance(error, dict) else {}


def _code(body: bytes) -> str:
    """The inner error code where Graph gives one, else the error's own code."""
    error = _error(body)
    inner = error.get("innerError") if isinstance(error.get("innerError"), dict) else {}
    code = inner.get("code") or error.get("code")
    return code if isinstance(code, str) else ""


def _says_expired(body: bytes) -> bool:
    message = _error(body).get("message")
    return "expired" in f"{_code(body)} {message}".casefold()


def _unavailable(status: int, body: bytes) -> TranscriptUnavailable:
    """What an answer other than the transcript means: a status, or None to try again later."""
    message = _error(body).get("message")
    said = f"Graph answered {status}" + (f" ({_code(body)}: {str(message)[:160]})" if message else "")
    text = f"{_code(body)} {message}".casefold()
    if status == 402:
        return TranscriptUnavailable(Status.ALLOWANCE_USED, said)
    if status in (404, 410) and (status == 410 or _says_expired(body)):
        return TranscriptUnavailable(Status.EXPIRED, said)
    if status == 401 or (status == 403 and ("policy" in text or "permission" in text or "denied" in text)):
        return TranscriptUnavailable(Status.NO_PERMISSION, said)
    if status == 403:
        return TranscriptUnavailable(Status.ACCESS_OFF, said)
    log.info("transcript fetch: %s", said)
    return TranscriptUnavailable(None, said)
