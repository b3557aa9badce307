"""Why a turn recorded nothing, in the words the person gets: the value every way in answers with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Failed:
    message: str
    refused: bool = False  # the use case or the role rule said no (not the database or a fault)
