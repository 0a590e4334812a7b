"""Third-party services the lab plays for stage 6: a host whose HostSpec names a `receiver`
answers every HTTPS request with that receiver (a chat webhook, an error-tracking ingest)
instead of the community's site. A receiver sees the whole request, body included (bounded by
the web server), and keeps what it was sent for tests and the demo to read back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from launchtui.lab.app import Reply


@dataclass(frozen=True, slots=True)
class Request:
    host: str
    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]  # lower-case names; a repeated header's last value
    body: bytes


class Receiver(Protocol):
    def reply(self, request: Request) -> Reply:
        """The answer to one request (called on the lab's event loop: never block)."""
        ...
