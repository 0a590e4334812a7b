"""dns.resolve: every public hostname resolves to an address, CNAMEs followed."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from launchtui.model.results import Outcome, Status
from launchtui.model.targets import Target
from launchtui.net.dns import Answer, Lookup
from launchtui.net.errors import NetError

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext


async def run(ctx: CheckContext, target: Target) -> Outcome:
    host = target.value
    a, aaaa = await asyncio.gather(
        ctx.net.dns.lookup(host, "A"), ctx.net.dns.lookup(host, "AAAA"), return_exceptions=True
    )
    lookups = [x for x in (a, aaaa) if isinstance(x, Lookup)]
    failures = [x for x in (a, aaaa) if isinstance(x, BaseException)]
    for failure in failures:
        if not isinstance(failure, NetError):
            raise failure
    if not lookups:
        raise failures[0]  # neither type could be looked up: could not check

    evidence = _evidence(lookups, ctx)
    dig = ctx.net.commands.dig
    nxdomain = next((x for x in lookups if x.answer is Answer.NXDOMAIN), None)
    if nxdomain is not None and nxdomain.cnames:
        end = nxdomain.cnames[-1]
        return Outcome(
            Status.FAIL,
            f"{host} is a CNAME to {end}, which does not exist (NXDOMAIN)",
            evidence,
            fix=f"{host} points (CNAME) at {end}, a name that does not exist: visitors get "
            "a DNS error, and if the target is a hosting or SaaS name anyone can claim, "
            "whoever claims it serves your subdomain.\n"
            f"1. Point the CNAME of {host} at the right target, or delete the record if "
            "the hostname is no longer used.\n"
            f"2. Verify: `{dig(host, 'A')}` returns an address.",
        )
    if nxdomain is not None:
        return Outcome(
            Status.FAIL,
            f"{host} does not exist in DNS (NXDOMAIN)",
            evidence,
            fix=_fix_missing(host, "there is no record at all for this name", dig(host, "A")),
        )
    addresses = [record for lookup in lookups for record in lookup.records]
    if failures:
        missing = "AAAA" if isinstance(a, Lookup) else "A"
        return Outcome(
            Status.WARN,
            f"{host} resolves, but its {missing} lookup failed: {failures[0]}",
            evidence | {"failed_lookup": str(failures[0])},
            fix=f"Some clients ask for {missing} first and will stall or fail. Check the "
            f"{missing} record of {host} at your DNS provider (a broken or unsupported record "
            f"type makes the nameserver answer SERVFAIL), then verify with "
            f"`{dig(host, missing, short=False)}`.",
        )
    if not addresses:
        return Outcome(
            Status.FAIL,
            f"{host} exists but has no A or AAAA record",
            evidence,
            fix=_fix_missing(host, "the name exists but points at no address", dig(host, "A")),
        )
    return Outcome(Status.PASS, f"{host} resolves to {', '.join(addresses)}", evidence)


def _evidence(lookups: list[Lookup], ctx: CheckContext) -> dict[str, object]:
    evidence: dict[str, object] = {"resolver": ctx.net.dns.label}
    for lookup in lookups:
        key = lookup.rdtype.lower()
        found = lookup.answer is Answer.FOUND
        evidence[key] = list(lookup.records) if found else str(lookup.answer)
        if lookup.cnames:
            evidence["cname_chain"] = list(lookup.cnames)
        if lookup.ttl is not None:
            evidence[f"{key}_ttl"] = lookup.ttl
    return evidence


def _fix_missing(host: str, why: str, verify: str) -> str:
    return (
        f"{host} is a public hostname of the site but {why}.\n"
        f"1. At your DNS provider, add an A record (and AAAA if you serve IPv6) for {host} "
        "pointing at your host's address, or a CNAME to your platform's target hostname.\n"
        f"2. If {host} is no longer used, remove it from [site].hostnames instead.\n"
        f"3. Verify: `{verify}` returns the address from every network."
    )
