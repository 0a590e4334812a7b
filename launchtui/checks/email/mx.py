"""email.mx: the email domain receives mail: MX records whose targets resolve to addresses.

Replies to invites, bounces and "reply to this post" mail all need the domain to receive.
- fail: the domain does not exist; no MX target can receive (each is an IP literal, does not
  exist or has no address); no MX and no address either; a null MX mixed with other MX
  records (RFC 7505 section 3 forbids it: senders cannot tell which one holds).
- warn: a null MX alone ("0 .", RFC 7505): the domain deliberately receives no mail, which
  a community platform whose members reply to its mail should not do, and receivers may
  refuse mail from a null-MX domain (RFC 7505 section 4.2); no MX but an address (the
  implicit MX of RFC 5321 section 5.1: mail goes to the web server, which rarely accepts
  it); some targets unusable; a target that is an alias (RFC 2181 section 10.3 and RFC 5321
  section 5.1 require the MX name to own its address records, not a CNAME).
- error: a lookup got no answer.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from launchtui.model.results import Evidence, Outcome, Status
from launchtui.model.targets import Target
from launchtui.net.commands import Commands
from launchtui.net.dns import Answer, DnsClient
from launchtui.net.errors import NetError

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

MAX_TARGETS = 10  # MX targets looked up; a hostile domain may publish hundreds


@dataclass(slots=True)
class Exchange:
    preference: int
    name: str  # the exchange, without the trailing dot; "" for the null MX "."
    addresses: list[str] = field(default_factory=list)
    cnames: list[str] = field(default_factory=list)
    problem: str = ""  # why mail cannot go there; "" when it can
    error: str = ""  # the lookup got no answer

    def to_dict(self) -> dict[str, object]:
        shown: dict[str, object] = {"preference": self.preference, "exchange": self.name or "."}
        shown["addresses"] = list(self.addresses)
        if self.cnames:
            shown["cname_chain"] = list(self.cnames)
        if self.problem:
            shown["problem"] = self.problem
        if self.error:
            shown["error"] = self.error
        return shown


def parse_mx(text: str) -> Exchange:
    """ "10 mail.example.com" (as DnsClient gives it, trailing dot removed) -> Exchange."""
    preference, _, exchange = text.strip().partition(" ")
    name = exchange.strip().rstrip(".").lower()
    return Exchange(int(preference) if preference.isdigit() else -1, name)


def _ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


async def resolve_exchange(client: DnsClient, exchange: Exchange) -> None:
    """Fill in the addresses of an MX target, or why it cannot receive."""
    if _ip_literal(exchange.name):
        exchange.problem = "is an IP address, not a host name: senders look it up as a name"
        return
    try:
        for rdtype in ("A", "AAAA"):
            lookup = await client.lookup(exchange.name, rdtype)
            exchange.cnames = exchange.cnames or list(lookup.cnames)
            if lookup.answer is Answer.NXDOMAIN:
                exchange.problem = "does not exist (NXDOMAIN)"
                return
            exchange.addresses += lookup.records
    except NetError as exc:
        exchange.error = str(exc)
        return
    if not exchange.addresses:
        exchange.problem = "has no A or AAAA record"


async def run(ctx: CheckContext, target: Target) -> Outcome:
    domain = target.value
    lookup = await ctx.net.dns.lookup(domain, "MX")
    evidence: Evidence = {"resolver": ctx.net.dns.label}
    if lookup.answer is Answer.NXDOMAIN:
        return Outcome(
            Status.FAIL,
            f"{domain} does not exist (NXDOMAIN): it can neither receive nor send mail",
            evidence,
            fix=f"Register {domain} or correct [email].domain in the sprint file.",
        )
    if not lookup.records:
        return await _no_mx(ctx, domain, evidence)
    evidence["mx"] = list(lookup.records[: MAX_TARGETS * 2])
    exchanges = sorted((parse_mx(text) for text in lookup.records), key=lambda e: e.preference)
    if any(not e.name for e in exchanges):
        return _null_mx(domain, exchanges, evidence, ctx.net.commands)
    shown = exchanges[:MAX_TARGETS]
    for exchange in shown:
        await resolve_exchange(ctx.net.dns, exchange)
    evidence["exchanges"] = [exchange.to_dict() for exchange in shown]
    if len(exchanges) > MAX_TARGETS:
        evidence["not_checked"] = len(exchanges) - MAX_TARGETS
    errors = [e for e in shown if e.error]
    if errors:
        return Outcome(
            Status.ERROR,
            f"could not check: {errors[0].error}",
            evidence,
            fix="Nothing was verified about that mail server. Make DNS reachable from where "
            "launchtui runs, then run the check again.",
        )
    return _judge(domain, shown, evidence, ctx.net.commands)


def _judge(
    domain: str, exchanges: list[Exchange], evidence: Evidence, commands: Commands
) -> Outcome:
    unusable = [e for e in exchanges if e.problem]
    aliases = [e for e in exchanges if e.cnames and not e.problem]
    listing = ", ".join(f"{e.preference} {e.name}" for e in exchanges)
    if len(unusable) == len(exchanges):
        first = unusable[0]
        return Outcome(
            Status.FAIL,
            f"{domain}: no MX target can receive mail: {first.name} {first.problem}"
            + (f" (+{len(unusable) - 1} more)" if len(unusable) > 1 else ""),
            evidence,
            fix=_fix_targets(domain, unusable, aliases, commands),
        )
    if unusable or aliases:
        problems = [f"{e.name} {e.problem}" for e in unusable] + [
            f"{e.name} is an alias (CNAME to {e.cnames[-1]}), which RFC 2181 10.3 forbids "
            "for MX targets"
            for e in aliases
        ]
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        return Outcome(
            Status.WARN,
            f"{domain} receives mail at {listing}, but {problems[0]}{more}",
            evidence,
            fix=_fix_targets(domain, unusable, aliases, commands),
        )
    addresses = ", ".join(dict.fromkeys(a for e in exchanges for a in e.addresses))
    return Outcome(Status.PASS, f"{domain} receives mail at {listing} ({addresses})", evidence)


async def _no_mx(ctx: CheckContext, domain: str, evidence: Evidence) -> Outcome:
    implicit = Exchange(0, domain)
    await resolve_exchange(ctx.net.dns, implicit)
    if implicit.error:
        raise NetError(implicit.error)
    evidence["mx"] = []
    evidence["implicit_mx"] = implicit.to_dict()
    add = f"{domain}. MX 10 <your mail provider's host>."
    verify = ctx.net.commands.dig(domain, "MX")
    if implicit.addresses:
        return Outcome(
            Status.WARN,
            f"{domain} has no MX record: mail goes to its own address "
            f"{implicit.addresses[0]} (implicit MX, RFC 5321 5.1), usually a web server that "
            "does not accept mail",
            evidence,
            fix=(
                "Senders fall back to the domain's A/AAAA address when there is no MX, so "
                "replies and bounces land on whatever runs there.\n"
                f"1. Add the MX records your mail provider gives you: {add}\n"
                f"2. Verify: `{verify}` lists them."
            ),
        )
    return Outcome(
        Status.FAIL,
        f"{domain} receives no mail: no MX record and no address to fall back to",
        evidence,
        fix=(
            "Replies to community mail, bounces and postmaster mail have nowhere to go.\n"
            f"1. Add the MX records your mail provider gives you: {add}\n"
            f"2. Verify: `{verify}` lists them."
        ),
    )


def _null_mx(
    domain: str, exchanges: list[Exchange], evidence: Evidence, commands: Commands
) -> Outcome:
    verify = f"Verify: `{commands.dig(domain, 'MX')}`."
    if len(exchanges) > 1:
        return Outcome(
            Status.FAIL,
            f"{domain} publishes a null MX (.) alongside other MX records: senders cannot "
            "tell whether it receives mail (RFC 7505 3)",
            evidence,
            fix=(
                f"A null MX says {domain} receives no mail and must be the only MX record.\n"
                f"1. Delete the record {domain}. MX 0 . and keep the real mail servers.\n"
                f"2. {verify}"
            ),
        )
    return Outcome(
        Status.WARN,
        f"this domain receives no mail: {domain} publishes a null MX (0 ., RFC 7505), so "
        "replies and bounces to community mail are refused, and receivers may refuse its mail",
        evidence,
        fix=(
            "A null MX is for domains that never receive mail. Members reply to invites and "
            "notifications, and RFC 7505 4.2 lets receivers reject mail from a domain that "
            "cannot receive replies.\n"
            f"1. Replace {domain}. MX 0 . with the MX records of your mail provider.\n"
            f"2. {verify}"
        ),
    )


def _fix_targets(
    domain: str, unusable: list[Exchange], aliases: list[Exchange], commands: Commands
) -> str:
    steps = [
        f"Point {domain}. MX {e.preference} {e.name}. at a host name with its own A/AAAA "
        f"record, or delete it ({e.name} {e.problem})."
        for e in unusable
    ]
    steps += [
        f"Replace the MX target {e.name} with the name its alias points to ({e.cnames[-1]}): "
        f"{domain}. MX {e.preference} {e.cnames[-1]}."
        for e in aliases
    ]
    steps.append(
        f"Verify: `{commands.dig(domain, 'MX')}`, then `{commands.dig('<each target>', 'A')}`."
    )
    return "\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1))
