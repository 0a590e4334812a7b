"""Following a redirect chain one hop at a time, recording every hop.

The HTTP client never follows redirects itself; this does, with a hop limit, loop detection,
and relative Location headers resolved against the URL that sent them. A chain always ends
with a reason: a final response, a loop, too many hops, an unusable Location, or a network
error (the hops up to it are kept either way).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from launchtui.net.errors import NetError
from launchtui.net.http import Fetched, HttpClient

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
MAX_HOPS = 10
# Pages are read to find links; redirects need only their headers.
HOP_BODY_LIMIT = 64 * 1024


class End(enum.StrEnum):
    FINAL = "final"  # a response that is not a redirect
    LOOP = "loop"
    TOO_MANY = "too-many-hops"
    BAD_LOCATION = "bad-location"
    ERROR = "error"  # no response from some hop


@dataclass(frozen=True, slots=True)
class Hop:
    url: str
    status: int
    location: str | None  # the raw Location header, as sent

    def describe(self) -> str:
        if self.location is None:
            return f"{self.status} {self.url}"
        return f"{self.status} {self.url} -> {self.location}"


@dataclass(slots=True)
class Chain:
    start: str
    hops: list[Hop] = field(default_factory=list)
    end: End = End.FINAL
    reason: str = ""  # for every end but FINAL
    final: Fetched | None = None  # the last response when end is FINAL

    @property
    def final_url(self) -> str | None:
        return self.final.url if self.final is not None else None

    @property
    def redirects(self) -> list[Hop]:
        return [hop for hop in self.hops if hop.status in REDIRECT_STATUSES]

    def evidence(self) -> list[str]:
        lines = [hop.describe() for hop in self.hops]
        if self.end is not End.FINAL:
            lines.append(f"stopped: {self.reason}")
        return lines


def resolve_location(base: str, location: str) -> str | None:
    """The absolute http(s) URL a Location header points at, or None if it is unusable."""
    location = location.strip()
    if not location or any(ord(c) < 0x20 or c == "\x7f" for c in location):
        return None
    try:
        absolute = urljoin(base, location)
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return absolute


async def follow(
    http: HttpClient, url: str, *, max_hops: int = MAX_HOPS, body_limit: int = HOP_BODY_LIMIT
) -> Chain:
    """Request `url` and each Location after it, until a non-redirect or a reason to stop."""
    chain = Chain(start=url)
    seen = {_normal(url)}
    current = url
    while True:
        try:
            response = await http.fetch(current, max_body=body_limit)
        except NetError as exc:
            chain.end, chain.reason = End.ERROR, str(exc)
            return chain
        location = response.header("location")
        if response.status not in REDIRECT_STATUSES:
            chain.hops.append(Hop(current, response.status, None))
            chain.final = response
            return chain
        chain.hops.append(Hop(current, response.status, location))
        if len(chain.redirects) > max_hops:
            chain.end, chain.reason = End.TOO_MANY, f"more than {max_hops} redirects"
            return chain
        target = resolve_location(current, location or "")
        if target is None:
            chain.end = End.BAD_LOCATION
            chain.reason = f"{response.status} from {current} has an unusable Location {location!r}"
            return chain
        if _normal(target) in seen:
            chain.end, chain.reason = End.LOOP, f"redirect loop: {target} was already visited"
            return chain
        seen.add(_normal(target))
        current = target


def _normal(url: str) -> str:
    """Equal for URLs that differ only in host case or an explicit default port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}{parts.path or '/'}" + (
        f"?{parts.query}" if parts.query else ""
    )
