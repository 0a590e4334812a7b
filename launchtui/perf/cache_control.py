"""What a response's caching headers allow, as RFC 9111 (HTTP Caching, June 2022) says.

- Section 5.2.2.5 no-store: no cache, shared or private, may store the response.
- Section 5.2.2.7 private: a shared cache must not store the response; with field names
  (`private="Set-Cookie"`) only those fields are kept out, and the rest may be stored, so a
  qualified `private` does not keep a personal page out of a shared cache.
- Section 5.2.2.9 public and 5.2.2.10 s-maxage: a shared cache may store the response (even
  one answering a request with Authorization, section 3.5); `max-age` (5.2.2.1) gives it a
  freshness lifetime in any cache.
- Section 4.2.2: without explicit freshness, a cache may assign a heuristic one to a 200.
- Section 5.1: an `Age` header means the response came from a cache.

Directive names are case-insensitive; values are tokens or quoted strings (section 5.2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

_DIRECTIVE = re.compile(
    r'\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?\s*(?:,|$)'
)


def parse(value: str | None) -> dict[str, str]:
    """The directives of a Cache-Control value (lower-cased names -> values, "" when bare);
    several header lines are joined with commas first. Unparsable parts are skipped."""
    directives: dict[str, str] = {}
    if not value:
        return directives
    position = 0
    while position < len(value):
        match = _DIRECTIVE.match(value, position)
        if match is None or match.end() == position:
            comma = value.find(",", position)
            if comma < 0:
                break
            position = comma + 1
            continue
        name, raw = match[1].lower(), match[2] or ""
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        directives.setdefault(name, raw)  # the first occurrence wins
        position = match.end()
    return directives


DELTA_SECONDS_CAP = 2**31  # RFC 9111 section 1.2.2


def delta_seconds(text: str) -> int | None:
    """A delta-seconds value (RFC 9111 section 1.2.2: ASCII digits only, so not "²" or "١٢"),
    a larger one than 2^31 read as 2^31 as that section says; None when it is not one."""
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0") or "0"
    return DELTA_SECONDS_CAP if len(digits) > 10 else min(int(digits), DELTA_SECONDS_CAP)


_seconds = delta_seconds


class Sharing(Enum):
    """How far a response may travel through caches."""

    KEPT_OUT = "kept out of shared caches"  # no-store, or an unqualified private
    SHARED = "storable by shared caches"  # public, s-maxage or a positive max-age
    UNCLEAR = "left to the caches' heuristics"  # no Cache-Control, no-cache, max-age=0...


@dataclass(frozen=True, slots=True)
class CacheRules:
    header: str  # the Cache-Control value as received ("" when absent)
    directives: dict[str, str]
    sharing: Sharing
    reason: str  # why, in words, naming the directive and RFC 9111's section
    browser_lifetime: int | None = None  # max-age seconds a private cache may reuse it

    @property
    def present(self) -> bool:
        return bool(self.header.strip())


def judge(header: str | None, expires: str | None = None) -> CacheRules:
    """What a response's Cache-Control (and Expires) lets a shared cache do with it."""
    text = header or ""
    d = parse(text)
    max_age = _seconds(d.get("max-age", ""))
    if "no-store" in d:
        return CacheRules(text, d, Sharing.KEPT_OUT, "no-store (RFC 9111 section 5.2.2.5)")
    if "private" in d and not d["private"]:
        return CacheRules(
            text,
            d,
            Sharing.KEPT_OUT,
            "private: only the member's browser may keep it (RFC 9111 section 5.2.2.7)",
            max_age,
        )
    qualified = " (a private naming fields keeps only those fields out)" if "private" in d else ""
    if "public" in d:
        return CacheRules(
            text, d, Sharing.SHARED, f"public (RFC 9111 section 5.2.2.9){qualified}", max_age
        )
    s_maxage = _seconds(d.get("s-maxage", ""))
    if s_maxage is not None:
        return CacheRules(
            text, d, Sharing.SHARED, f"s-maxage={s_maxage} (RFC 9111 section 5.2.2.10)", max_age
        )
    if max_age and "no-cache" not in d:
        return CacheRules(
            text,
            d,
            Sharing.SHARED,
            f"max-age={max_age} without private: any cache may store and reuse it "
            f"(RFC 9111 section 5.2.2.1){qualified}",
            max_age,
        )
    if not text.strip():
        why = "no Cache-Control: caches may give it a heuristic freshness (RFC 9111 section 4.2.2)"
        if expires:
            why = f"no Cache-Control, Expires {expires}: caches may store it until then"
        return CacheRules(text, d, Sharing.UNCLEAR, why)
    return CacheRules(
        text,
        d,
        Sharing.UNCLEAR,
        "neither private nor no-store: a shared cache may store it and reuse it after "
        "revalidation (RFC 9111 section 5.2.2.4 no-cache, 5.2.2.1 max-age=0)",
        max_age,
    )


_HIT = re.compile(r"\b(hit|stale|updating|revalidated)\b", re.IGNORECASE)


def shared_hit(headers: dict[str, str]) -> str:
    """What in `headers` (lower-cased names) shows a shared cache answered, or "": an `Age`
    (RFC 9111 section 5.1), `X-Cache: HIT` (Varnish, Fastly, CloudFront, nginx), or a
    `CF-Cache-Status` of HIT, STALE, UPDATING or REVALIDATED (Cloudflare)."""
    shown = []
    if "age" in headers:
        shown.append(f"Age: {headers['age']}")
    for name, label in (("x-cache", "X-Cache"), ("cf-cache-status", "CF-Cache-Status")):
        value = headers.get(name, "")
        if _HIT.search(value):
            shown.append(f"{label}: {value}")
    return ", ".join(shown)
