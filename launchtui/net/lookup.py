"""What a DNS lookup found: the answer kinds and the record of one lookup (no dnspython)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Answer(enum.StrEnum):
    FOUND = "found"
    NXDOMAIN = "nxdomain"  # the name does not exist
    NODATA = "nodata"  # the name exists, but has no record of this type


@dataclass(frozen=True, slots=True)
class Lookup:
    name: str
    rdtype: str
    answer: Answer
    records: tuple[str, ...] = ()
    cnames: tuple[str, ...] = ()  # the CNAME chain followed, in order
    ttl: int | None = None
    server: str = ""
