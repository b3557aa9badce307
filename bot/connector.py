"""Bot Connector clients built once and reused, sending over one aiohttp session.

Per turn, botbuilder 4.17 builds a new ConnectorClient and a new UserTokenClient; each builds an
msrest Configuration whose retry policy computes a 999-entry list, about 3.6 ms of CPU apiece, and
the clients send through `requests` on a small thread pool. None of that depends on the turn. This
wrapper around the configured BotFrameworkAuthentication keeps everything botbuilder does
(authentication of inbound requests, credentials per app id and audience, serviceUrl routing)
and changes only where the clients come from:
- one ConnectorClient per (app id, service URL, audience), kept, whose requests go through one
  shared aiohttp session instead of `requests` in threads;
- the UserTokenClient is built only if a turn actually uses it (Clerk never signs anyone in).

`post_activity` sends an activity Clerk built as JSON itself through such a client's service URL and
credentials, without msrest's serialisation of the whole activity (a card's every node, one by one),
which cost a reply more than the rest of its turn.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

import aiohttp
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    JwtTokenValidation,
    UserTokenClient,
)
from msrest.pipeline import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline, Request, Response
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http.aiohttp import AioHttpClientResponse


class SharedSessionSender(AsyncHTTPSender):
    """msrest's last pipeline step, over one long-lived aiohttp session."""

    def __init__(self, session_provider):
        self._session_provider = session_provider

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_details):
        return None

    def build_context(self) -> Any:
        return None

    async def send(self, request: Request, **config: Any) -> Response:
        http_request = request.http_request
        response = await self._session_provider().request(
            http_request.method, http_request.url, headers=http_request.headers, data=http_request.data,
        )
        wrapped = AioHttpClientResponse(http_request, response)
        await wrapped.load_body()
        return Response(request, wrapped)


class BearerTokenPolicy(AsyncHTTPPolicy):
    """Adds the app's token to each request, as botbuilder's credentials do for `requests`."""

    def __init__(self, credentials):
        super().__init__()
        self._credentials = credentials

    async def send(self, request: Request, **kwargs: Any) -> Response:
        request.http_request.headers.update(await authorization(self._credentials))
        return await self.next.send(request, **kwargs)


async def authorization(credentials) -> dict[str, str]:
    """The app's bearer token as a header, none when authentication is off. msal answers from its
    token cache; only a refresh goes to the network."""
    if credentials is None or not getattr(credentials, "microsoft_app_id", None):
        return {}
    return {"Authorization": f"Bearer {await asyncio.to_thread(credentials.get_access_token)}"}


class ConnectorAnswered(Exception):
    """The Bot Connector refused a post: its `response` has the status and headers (Retry-After)."""

    def __init__(self, response: aiohttp.ClientResponse):
        super().__init__(f"HTTP {response.status}")
        self.response = response


async def post_activity(session: aiohttp.ClientSession, client: ConnectorClient, conversation_id: str,
                        reply_to_id: str | None, activity: bytes) -> str | None:
    """Reply to Activity, or Send to Conversation without `reply_to_id`, of the Bot Connector REST
    API (POST /v3/conversations/{conversationId}/activities[/{activityId}]; Microsoft's "API reference
    for the Bot Framework Connector service"), as botbuilder's `send_activity` would with `client`.
    `activity`: its JSON. Returns the posted activity's id, when the connector says it."""
    url = f"{client.config.base_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}/activities"
    if reply_to_id:
        url += f"/{quote(reply_to_id, safe='')}"
    headers = {"Content-Type": "application/json; charset=utf-8", **await authorization(client.config.credentials)}
    async with session.post(url, data=activity, headers=headers) as response:
        body = await response.read()
        if response.status >= 300:
            raise ConnectorAnswered(response)
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        return None
    return answer.get("id") if isinstance(answer, dict) else None


class ReusingConnectorFactory(ConnectorFactory):
    def __init__(self, owner: "ReusingAuthentication", inner: ConnectorFactory, app_id: str | None):
        self._owner, self._inner, self._app_id = owner, inner, app_id

    async def create(self, service_url: str, audience: str = None) -> ConnectorClient:
        return await self._owner.connector_client(self._inner, self._app_id, service_url, audience)


class LazyUserTokenClient(UserTokenClient):
    """Builds the real client the first time a turn needs it."""

    def __init__(self, build):
        self._build = build
        self._client: UserTokenClient | None = None

    async def _real(self) -> UserTokenClient:
        if self._client is None:
            self._client = await self._build()
        return self._client

    async def get_user_token(self, *args, **kwargs):
        return await (await self._real()).get_user_token(*args, **kwargs)

    async def get_sign_in_resource(self, *args, **kwargs):
        return await (await self._real()).get_sign_in_resource(*args, **kwargs)

    async def sign_out_user(self, *args, **kwargs):
        return await (await self._real()).sign_out_user(*args, **kwargs)

    async def get_token_status(self, *args, **kwargs):
        return await (await self._real()).get_token_status(*args, **kwargs)

    async def get_aad_tokens(self, *args, **kwargs):
        return await (await self._real()).get_aad_tokens(*args, **kwargs)

    async def exchange_token(self, *args, **kwargs):
        return await (await self._real()).exchange_token(*args, **kwargs)


class ReusingAuthentication(BotFrameworkAuthentication):
    def __init__(self, inner: BotFrameworkAuthentication):
        self._inner = inner
        self._clients: dict[tuple, ConnectorClient] = {}
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def connector_client(self, inner: ConnectorFactory, app_id: str | None, service_url: str,
                               audience: str | None) -> ConnectorClient:
        key = (app_id, service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = await inner.create(service_url, audience)
            config = client.config
            config.pipeline = AsyncPipeline(
                [config.user_agent_policy, BearerTokenPolicy(config.credentials), RawDeserializer(),
                 config.http_logger_policy],
                SharedSessionSender(self.session),
            )
            client._client.config.pipeline = config.pipeline
            self._clients[key] = client
        return client

    def _reusing(self, factory: ConnectorFactory | None, claims: ClaimsIdentity | None) -> ConnectorFactory | None:
        if factory is None:
            return None
        app_id = JwtTokenValidation.get_app_id_from_claims(claims.claims) if claims and claims.claims else None
        return ReusingConnectorFactory(self, factory, app_id)

    async def authenticate_request(self, activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._reusing(result.connector_factory, result.claims_identity)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str):
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._reusing(self._inner.create_connector_factory(claims_identity), claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return LazyUserTokenClient(lambda: self._inner.create_user_token_client(claims_identity))

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)
