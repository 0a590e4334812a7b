"""Shared by the redirect checks: following a chain, the verdicts on chains that do not end in
a page, URL origins, hop targets and chain evidence.

The evidence keys "hops" and "final_url" are read back by the routing map
(launchtui/reports/routing.py): keep them stable.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from launchtui.checks.edge._targets import origin
from launchtui.model.results import Evidence, Outcome, Status
from launchtui.net.errors import NetError
from launchtui.net.http import Fetched, HttpClient
from launchtui.net.redirects import Chain, End, follow, resolve_location


def same_url(a: str, b: str) -> bool:
    """Equal up to host case, a default port, an empty path and a fragment."""

    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url)
        return origin(url), parts.path or "/", parts.query

    return key(a) == key(b)


def hop_targets(chain: Chain) -> list[str | None]:
    """Where each redirect hop sends the client, resolved (None: an unusable Location)."""
    return [
        resolve_location(hop.url, hop.location) if hop.location is not None else None
        for hop in chain.redirects
    ]


def chain_evidence(chain: Chain) -> Evidence:
    evidence: Evidence = {"start": chain.start, "hops": chain.evidence(), "end": str(chain.end)}
    if chain.final is not None:
        evidence["final_url"] = chain.final.url
        evidence["final_status"] = chain.final.status
    return evidence


def stopped(chain: Chain) -> bool:
    """The chain ended without a final page for a reason the site is to blame for."""
    return chain.end in (End.LOOP, End.TOO_MANY, End.BAD_LOCATION)


async def follow_from(http: HttpClient, start: str) -> Chain:
    """The chain from `start`; NetError when not even the first hop answered (nothing was
    checked: the engine reports that as could not check)."""
    chain = await follow(http, start)
    if chain.end is End.ERROR and not chain.hops:
        raise NetError(chain.reason)
    return chain


def final_page(
    chain: Chain, start: str, evidence: Evidence, fix: Callable[[str], str]
) -> Fetched | Outcome:
    """The page a chain ends on, or the verdict on a chain that never does: fail when the site
    stops it (a loop, too many hops, an unusable Location; `fix(why)` says how to mend it),
    could not check when a later hop did not answer."""
    if stopped(chain):
        return Outcome(
            Status.FAIL,
            f"{start} never reaches a page: {chain.reason}",
            evidence,
            fix=fix(f"the redirect chain never ends in a page ({chain.reason})"),
        )
    if chain.end is End.ERROR or chain.final is None:
        return Outcome(
            Status.ERROR,
            f"could not check: {start} redirects, but hop {len(chain.hops)} "
            f"({chain.hops[-1].url}) failed: {chain.reason}",
            evidence,
            fix="Nothing after the last hop shown was verified. Make that URL reachable "
            "from here, then run the check again.",
        )
    return chain.final
