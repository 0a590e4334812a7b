"""What a result is about: its target, kept as text in the sprint file and the reports.

A target is one of: a hostname (`app.acme.community`), a URL (`https://app.acme.community/`),
a DNS name (`google._domainkey.acme.community`), a setting that is missing (`[site].canonical`),
or a pair written `A -> B` (a declared redirect `old URL -> new URL`, a host and the canonical
origin it must converge on). This module is the one place that builds and reads that text.
"""

from __future__ import annotations

from urllib.parse import urlsplit

ARROW = " -> "


def pair(first: str, second: str) -> str:
    return f"{first}{ARROW}{second}"


def split_pair(target: str) -> tuple[str, str] | None:
    """(first, second) of a pair target, None for any other kind."""
    first, arrow, second = target.partition(ARROW)
    return (first, second) if arrow else None


def host_of(target: str) -> str:
    """The hostname a target is about, lower-cased: a pair's first part, a URL's host, or the
    target's first word (results are grouped by host in the routing map and the risk list)."""
    first = target.split(ARROW, 1)[0]
    if "://" in first:
        return (urlsplit(first).hostname or first).lower()
    return first.split(" ", 1)[0].lower()
