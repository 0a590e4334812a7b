"""Time limits for network operations, in seconds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 5.0
    read: float = 10.0
    dns: float = 5.0  # total lifetime of one DNS lookup, retries included
    request: float = 20.0  # whole HTTP exchange: guards against servers that trickle bytes

    @classmethod
    def uniform(cls, seconds: float) -> Timeouts:
        """Every per-operation limit set to `seconds`; a whole request gets twice that."""
        return cls(connect=seconds, read=seconds, dns=seconds, request=2 * seconds)
