"""Signed, expiring links to the minutes documents Clerk's own web server serves.

A link carries its expiry time and an HMAC-SHA256 of the path and expiry under a secret from the
environment, so only people given the link can open it, only until it expires, and a changed
link is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import urlencode


class LinkSigner:
    def __init__(self, secret: str, public_url: str, lifetime: timedelta):
        self._secret = secret.encode()
        self.public_url = public_url.rstrip("/")
        self.lifetime = lifetime

    def _signature(self, path: str, expires: int) -> str:
        return hmac.new(self._secret, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def link(self, path: str, now: datetime) -> str:
        expires = int((now + self.lifetime).timestamp())
        query = urlencode({"expires": expires, "signature": self._signature(path, expires)})
        return f"{self.public_url}{path}?{query}"

    def valid(self, path: str, expires: str, signature: str, now: datetime) -> bool:
        if not expires.isdigit() or int(expires) < now.timestamp():
            return False
        return hmac.compare_digest(self._signature(path, int(expires)), signature)
