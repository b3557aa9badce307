"""Signed, expiring links to the minutes documents Clerk's own web server serves.

A link carries its expiry time and an HMAC-SHA256 of the path and expiry under a secret from the
environment, so only people given the link can open it, only until it expires, and a changed
link is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

_EXPIRY = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")


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
        """False for anything but an unexpired link signed here: '²' passes str.isdigit(), and
        compare_digest refuses non-ASCII text, so both are checked before use."""
        if not _EXPIRY.fullmatch(expires) or int(expires) < now.timestamp():
            return False
        if not _SIGNATURE.fullmatch(signature):
            return False
        return hmac.compare_digest(self._signature(path, int(expires)), signature)
