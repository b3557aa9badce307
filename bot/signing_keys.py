"""The keys that sign Bot Framework tokens, fetched without ever blocking the event loop.

botbuilder 4.17 fetches the OpenID metadata and the signing keys with `requests.get`, without a
timeout, on the event loop (botframework/connector/auth/jwt_token_extractor.py, `_OpenIdMetadata`),
and does not remember a failed fetch. A key endpoint or an egress proxy that accepts a connection
and never answers therefore froze every request, `/healthz` included, and each forged token fetched
again. Every JwtTokenExtractor takes its metadata object from the class-level
`JwtTokenExtractor.metadataCache` (`get_open_id_metadata`), so installing `SigningKeyStore` there
replaces only the fetching; botbuilder still does all of the token validation. Here:
- the fetch goes through aiohttp with a short timeout, honouring HTTP(S)_PROXY as `requests` did;
- concurrent requests share one fetch;
- keys are kept, and refreshed in the background once a day (an unknown key id refreshes them, at
  most once an hour, as botbuilder does);
- a failed fetch is remembered for a short while, so requests during an outage are answered at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Callable

import aiohttp
from botframework.connector.auth import JwtTokenExtractor
from botframework.connector.auth.jwt_token_extractor import _OpenIdConfig
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("clerk.signing_keys")

FETCH_SECONDS = 3.0  # metadata and keys together; well inside Teams' 15 s
REFRESH_AFTER_SECONDS = 24 * 3600.0
UNKNOWN_KEY_REFRESH_SECONDS = 3600.0
FAILURE_MEMORY_SECONDS = 30.0


class SigningKeysUnavailable(Exception):
    """The keys could not be fetched: the request cannot be verified now (503, not 401)."""


class SigningKeys:
    """One OpenID metadata URL's keys; `get(key_id)` is what botbuilder's token extractor calls."""

    def __init__(self, url: str, session: Callable[[], aiohttp.ClientSession],
                 clock: Callable[[], float] = time.monotonic):
        self.url = url
        self._session = session
        self._clock = clock
        self._keys: list[dict] = []
        self._fetched_at: float | None = None
        self._failed_at: float | None = None
        self._fetch: asyncio.Task | None = None

    async def get(self, key_id: str | None) -> _OpenIdConfig:
        now = self._clock()
        if self._fetched_at is None:
            await self._fetched()
        elif now - self._fetched_at >= REFRESH_AFTER_SECONDS and not self._recently_failed(now):
            self._start_fetch()  # keep answering from the keys we have
        key = self._find(key_id)
        if key is None and now - self._fetched_at >= UNKNOWN_KEY_REFRESH_SECONDS and not self._recently_failed(now):
            await self._fetched()
            key = self._find(key_id)
        if key is None:
            raise PermissionError("Unauthorized. The token is signed with an unknown key.")
        return key

    def _recently_failed(self, now: float) -> bool:
        return self._failed_at is not None and now - self._failed_at < FAILURE_MEMORY_SECONDS

    async def _fetched(self) -> None:
        if self._recently_failed(self._clock()):
            raise SigningKeysUnavailable("the token signing keys could not be fetched a moment ago")
        # Shielded: one caller giving up (its request timed out) does not cancel the others' fetch.
        await asyncio.shield(self._start_fetch())
        if self._fetched_at is None:
            raise SigningKeysUnavailable("the token signing keys could not be fetched")

    def _start_fetch(self) -> asyncio.Task:
        if self._fetch is None or self._fetch.done():
            self._fetch = asyncio.create_task(self._refresh())
        return self._fetch

    def cancel_fetch(self) -> None:
        if self._fetch is not None and not self._fetch.done():
            self._fetch.cancel()

    async def _refresh(self) -> None:
        """Never raises: a failure is remembered, and the keys already held stay in use."""
        try:
            async with asyncio.timeout(FETCH_SECONDS):
                session = self._session()
                async with session.get(self.url) as response:
                    response.raise_for_status()
                    keys_url = (await response.json(content_type=None))["jwks_uri"]
                async with session.get(keys_url) as response:
                    response.raise_for_status()
                    keys = (await response.json(content_type=None))["keys"]
            if not isinstance(keys, list):
                raise ValueError("the key set is not a list")
        except (Exception, asyncio.TimeoutError) as error:  # any failure: network, HTTP, JSON, shape
            self._failed_at = self._clock()
            log.warning("could not fetch the token signing keys from %s: %s", self.url,
                        f"{type(error).__name__}: {error}"[:300])
            return
        self._keys, self._fetched_at, self._failed_at = keys, self._clock(), None

    def _find(self, key_id: str | None) -> _OpenIdConfig | None:
        for key in self._keys:
            if isinstance(key, dict) and key.get("kid") == key_id:
                try:
                    public_key = RSAAlgorithm.from_jwk(json.dumps(key))
                except Exception:  # a malformed key in the set signs nothing
                    return None
                return _OpenIdConfig(public_key, key.get("endorsements", []))
        return None


class SigningKeyStore(dict):
    """Stands in for `JwtTokenExtractor.metadataCache`: a SigningKeys for each metadata URL."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self._clock = clock
        self._client: aiohttp.ClientSession | None = None

    def get(self, url, default=None):  # the only call botbuilder makes (get_open_id_metadata)
        if url not in self:
            self[url] = SigningKeys(url, self.session, self._clock)
        return self[url]

    def session(self) -> aiohttp.ClientSession:
        if self._client is None or self._client.closed:
            # trust_env: an egress proxy in HTTPS_PROXY is used, as `requests` used it.
            self._client = aiohttp.ClientSession(trust_env=True, timeout=aiohttp.ClientTimeout(total=FETCH_SECONDS))
        return self._client

    def install(self) -> "SigningKeyStore":
        JwtTokenExtractor.metadataCache = self
        return self

    async def close(self) -> None:
        for keys in self.values():
            keys.cancel_fetch()
        if self._client is not None:
            await self._client.close()
