"""dns.consistency: the public resolvers and the zone's own nameservers give the same answer.

Each of [network].public_resolvers is asked on its own, and so is each authoritative nameserver
of the hostname's zone (found through its NS records). What is compared is the zone's data for
the name: its CNAME target if it has one, else its A and AAAA sets. TTLs (a resolver counts its
cached copy down), record order (resolvers rotate it) and letter case are ignored; the
addresses behind a CNAME to another zone are that zone's business (a CDN may rightly answer
differently in each place) and are not compared. Without public resolvers configured there is
nothing independent to compare the zone with, so the check is skipped.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from launchtui.model.results import Outcome, Status
from launchtui.model.sprint import HostPort
from launchtui.model.targets import Target
from launchtui.net import authoritative
from launchtui.net.commands import Commands
from launchtui.net.connect import format_hostport
from launchtui.net.dns import Answer, DnsClient, Lookup
from launchtui.net.errors import NetError

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

AUTHORITATIVE = "authoritative"


@dataclass(frozen=True, slots=True)
class Reply:
    answer: str  # normalised: "CNAME target", "A 1.2.3.4; AAAA ::1", "NXDOMAIN"...
    ttl: int | None
    server: HostPort


async def run(ctx: CheckContext, target: Target) -> Outcome:
    host = target.value
    if not ctx.net.config.public_resolvers:
        return Outcome(
            Status.SKIP,
            f"{host}: no [network].public_resolvers configured to compare the zone with",
            fix="Name the public resolvers your members' networks use in the sprint file, e.g.\n"
            '[network]\npublic_resolvers = ["1.1.1.1", "8.8.8.8", "9.9.9.9"]\n'
            "then run the check again.",
        )
    public = {
        f"public resolver {format_hostport(server)}": ctx.net.public_resolver(server)
        for server in ctx.net.config.public_resolvers
    }
    zone_replies, public_replies = await asyncio.gather(
        _ask_authoritative(ctx, host), _ask_all(public, host)
    )
    return judge(host, zone_replies | public_replies, ctx.net.commands)


async def _ask_authoritative(ctx: CheckContext, host: str) -> dict[str, Reply | str]:
    try:
        zone = await authoritative.find_zone(ctx.net.dns, host)
    except NetError as exc:
        return {f"{AUTHORITATIVE} nameservers": str(exc)}
    servers, missing = await authoritative.nameservers(
        ctx.net.connector, zone, ctx.net.timeouts.dns
    )
    replies = await _ask_all({f"{AUTHORITATIVE} {s.label}": s.client for s in servers}, host)
    return {f"{AUTHORITATIVE} {name}": reason for name, reason in missing.items()} | replies


async def _ask_all(sources: dict[str, DnsClient], host: str) -> dict[str, Reply | str]:
    """Each source's reply, or the reason it gave none."""
    labels = list(sources)
    results = await asyncio.gather(
        *(_ask(sources[label], host) for label in labels), return_exceptions=True
    )
    replies: dict[str, Reply | str] = {}
    for label, result in zip(labels, results, strict=True):
        if isinstance(result, NetError):
            replies[label] = str(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            replies[label] = result
    return replies


async def _ask(client: DnsClient, host: str) -> Reply:
    results = await asyncio.gather(
        *(client.lookup(host, rdtype) for rdtype in ("CNAME", "A", "AAAA")),
        return_exceptions=True,
    )
    lookups = [result for result in results if isinstance(result, Lookup)]
    if len(lookups) < len(results):
        raise next(result for result in results if isinstance(result, BaseException))
    cname, a, aaaa = lookups
    server = client.nameservers[0]
    if cname.answer is Answer.FOUND:
        return Reply(f"CNAME {cname.records[0].lower()}", cname.ttl, server)
    if Answer.NXDOMAIN in (a.answer, aaaa.answer):
        return Reply("NXDOMAIN", None, server)
    parts = [f"{x.rdtype} {', '.join(sorted(x.records))}" for x in (a, aaaa) if x.records]
    ttl = a.ttl if a.ttl is not None else aaaa.ttl
    return Reply("; ".join(parts) or "no address (NODATA)", ttl, server)


def judge(host: str, replies: dict[str, Reply | str], commands: Commands) -> Outcome:
    """The verdict on every source's reply (or error reason), keyed by source label."""
    answered = {label: r for label, r in replies.items() if isinstance(r, Reply)}
    errors = {label: r for label, r in replies.items() if isinstance(r, str)}
    evidence: dict[str, object] = {"answers": {k: r.answer for k, r in answered.items()}}
    if errors:
        evidence["errors"] = errors
    if not answered:
        first = next(iter(errors.values()))
        return Outcome(
            Status.ERROR,
            f"could not check: none of the {len(errors)} sources answered ({first})",
            evidence,
            fix=f"Nothing was compared for {host}. Make the public resolvers in [network] and "
            "the zone's nameservers reachable from where launchtui runs (firewall, UDP and "
            "TCP port 53), then run the check again.",
        )
    zone_ttls = [r.ttl for k, r in answered.items() if k.startswith(AUTHORITATIVE) and r.ttl]
    if zone_ttls:
        evidence["authoritative_ttl"] = max(zone_ttls)
    groups: dict[str, list[str]] = {}
    for label, reply in answered.items():
        groups.setdefault(reply.answer, []).append(label)
    if len(groups) > 1:
        return Outcome(
            Status.FAIL,
            f"{host}: {_disagreement(groups)}",
            evidence,
            fix=_fix_disagreement(host, answered, max(zone_ttls, default=None), commands),
        )
    [answer] = groups
    if errors:
        asked = ", ".join(errors)
        return Outcome(
            Status.WARN,
            f"{host}: {len(answered)} sources agree ({answer}), but {asked} could not be asked",
            evidence,
            fix=_fix_unasked(host, errors, commands),
        )
    return Outcome(Status.PASS, f"{host}: all {len(answered)} sources agree: {answer}", evidence)


def _disagreement(groups: dict[str, list[str]]) -> str:
    """One line naming who answers what, measured against the zone's nameservers if they
    agree among themselves."""
    zone = [a for a, labels in groups.items() if any(x.startswith(AUTHORITATIVE) for x in labels)]
    if len(zone) != 1:
        return "answers differ: " + "; ".join(
            f"{answer} from {', '.join(labels)}" for answer, labels in groups.items()
        )
    others = [
        f"{', '.join(labels)} {'answers' if len(labels) == 1 else 'answer'} {answer}"
        for answer, labels in groups.items()
        if answer != zone[0]
    ]
    return f"{'; '.join(others)}, but the zone's nameservers answer {zone[0]}"


def _fix_disagreement(
    host: str, answered: dict[str, Reply], ttl: int | None, commands: Commands
) -> str:
    lasts = f"up to the record's TTL ({ttl} s here)" if ttl else "up to the record's TTL"
    digs = "\n".join(
        f"   {commands.dig(host, 'A', server=reply.server)}" for reply in answered.values()
    )
    return (
        f"{host} gets a different answer depending on which resolver a visitor's network "
        "uses: some members reach the right server, others an old one or none at all.\n"
        "1. Decide which answer is right: the zone's authoritative nameservers are the "
        "source of truth, and every public resolver should end up with their answer.\n"
        "2. A public resolver that differs from them serves a cached old record, for "
        f"{lasts}. Before changing records for the launch, lower the TTL (to 300 s) a day "
        "ahead; Cloudflare (https://one.one.one.one/purge-cache/) and Google "
        "(https://dns.google/cache) can flush a name at once.\n"
        "3. If the authoritative nameservers disagree among themselves, one of them has "
        "not received the change: check the zone's sync or transfer at your DNS provider, "
        "and that the NS records at your registrar list only its current nameservers.\n"
        "4. With split-horizon DNS (an internal view), make sure the public view holds the "
        "production record.\n"
        f"5. Verify: these all print the same:\n{digs}"
    )


def _fix_unasked(host: str, errors: dict[str, str], commands: Commands) -> str:
    reasons = "\n".join(f"   {label}: {reason}" for label, reason in errors.items())
    return (
        f"The sources that answered agree about {host}, but these could not be compared:\n"
        f"{reasons}\n"
        "1. A public resolver in [network].public_resolvers that cannot be reached from "
        "here: fix the address or remove it.\n"
        "2. Authoritative nameservers that cannot be found or asked: make sure the zone's NS "
        f"records name servers that answer on port 53 (`{commands.dig('<your domain>', 'NS')}`, "
        f"then `dig @<nameserver> {host} A`).\n"
        "3. Run the check again."
    )
