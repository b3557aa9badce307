"""Domain errors: each carries the one short message the user sees in chat; and the failure of a
delivery, which the rules decide whether to retry."""

from datetime import timedelta


class ClerkError(Exception):
    """A request Clerk understood but cannot carry out; nothing was recorded."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UsageError(ClerkError):
    """Missing or malformed arguments; the reply adds the command's syntax and an example."""


class NotAllowed(ClerkError):
    """The sender may not use this command; the message names who may."""


class DeliveryFailed(Exception):
    """The Bot Connector did not accept a message (an HTTP error, a timeout, no reference)."""

    def __init__(self, reason: str, retry_after: timedelta | None = None, retryable: bool = True,
                 unknown_outcome: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.retryable = retryable
        self.unknown_outcome = unknown_outcome  # it timed out: the connector may have posted it
