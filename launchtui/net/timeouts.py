"""Time limits for network operations, in seconds.

One default for every entry point (the app, `check`, the demo): [network].timeout of the sprint
file (5 s unless set), `--timeout` to override it for one run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float
    read: float
    dns: float  # total lifetime of one DNS lookup, retries included
    request: float  # the whole HTTP exchange: guards against servers that trickle bytes

    @classmethod
    def uniform(cls, seconds: float) -> Timeouts:
        """Every per-operation limit set to `seconds`; a whole request gets twice that."""
        return cls(connect=seconds, read=seconds, dns=seconds, request=2 * seconds)
