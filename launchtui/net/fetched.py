"""One HTTP response as the checks read it: status, headers in order, a capped body."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    status: int
    http_version: str
    headers: tuple[tuple[str, str], ...]  # names lower-cased, in the order received
    body: bytes
    truncated: bool  # the body was longer than the cap
    elapsed_ms: int

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    def capped(self, cap: int) -> Fetched:
        """The same response as read with a smaller body cap."""
        if len(self.body) <= cap:
            return self
        return replace(self, body=self.body[:cap], truncated=True)
