"""Domain errors: each carries the one short message the user sees in chat."""


class ClerkError(Exception):
    """A request Clerk understood but cannot carry out; nothing was recorded."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UsageError(ClerkError):
    """Missing or malformed arguments; the reply adds the command's syntax and an example."""


class NotAllowed(ClerkError):
    """The sender may not use this command; the message names who may."""
