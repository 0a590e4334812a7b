"""Authenticating one received message: DKIM (dkimpy), SPF, DMARC alignment, the From header.

Used twice: by the lab's receiving side to write its Authentication-Results, and by the
delivery test to verify a message itself rather than trust the receiver. DNS goes through a
SyncResolver (the sprint's nameservers, or the lab's DNS server); these functions block and
belong in a worker thread.
"""

from __future__ import annotations

import asyncio
import email.errors
import email.header
import email.utils
from dataclasses import dataclass

from launchtui.email.dkim_verify import MessageUnreadable, verify_message
from launchtui.email.dmarc import TreeWalk, discover, exists, under_test
from launchtui.email.dns_sync import SyncResolver
from launchtui.email.spf import check_host
from launchtui.net.dns import DnsClient
from launchtui.net.errors import NetError

MAX_MESSAGE = 10 * 1024 * 1024  # larger messages are not verified


@dataclass(frozen=True, slots=True)
class DkimVerdict:
    result: str  # RFC 8601: "pass", "fail", "none", "temperror", "permerror"
    domain: str = ""  # d= of the signature verified (the topmost)
    selector: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DmarcVerdict:
    """DMARC by RFC 9989: policy discovery by the DNS Tree Walk, sp or np for a subdomain,
    t=y applying one level below the policy written."""

    result: str  # "pass", "fail", "none" (no record), "temperror", "permerror"
    policy: str = ""  # the policy receivers apply to a failing message (after t=y)
    record_domain: str = ""  # where the record was found
    aligned: tuple[str, ...] = ()  # which passing identifiers align: "dkim", "spf"
    reason: str = ""
    written: str = ""  # the policy tag's value that applies (p, sp or np), before t=y
    testing: bool = False  # the record says t=y
    walked: tuple[str, ...] = ()  # the _dmarc names asked, in order


def from_address(message: bytes) -> tuple[str, str]:
    """(display name, address) of the message's From header; ("", "") when it has none."""
    head = message.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    value = ""
    lines = head.decode("utf-8", "replace").splitlines()
    for index, line in enumerate(lines):
        if line.lower().startswith("from:"):
            value = line[5:]
            for more in lines[index + 1 :]:
                if not more[:1].isspace():
                    break
                value += more
            break
    name, address = email.utils.parseaddr(value.strip())
    return _decoded(name), address.lower()


def _decoded(text: str) -> str:
    """A display name with its RFC 2047 encoded words decoded (as written when undecodable)."""
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (ValueError, LookupError, UnicodeError, email.errors.HeaderParseError):
        return text


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].rstrip(".").lower()


def verify_dkim(message: bytes, resolver: SyncResolver) -> DkimVerdict:
    """Verify the topmost DKIM-Signature (launchtui.email.dkim_verify, with dkimpy), fetching
    its key through the resolver's nameservers. The result is RFC 8601's: pass, fail, none
    (no signature), temperror (the key lookup got no answer), permerror (no key, a broken key,
    a message dkimpy cannot read)."""
    if len(message) > MAX_MESSAGE:
        return DkimVerdict("permerror", reason=f"message over {MAX_MESSAGE} bytes: not verified")
    try:
        signatures = verify_message(message, resolver.nameservers, resolver.timeout)
    except MessageUnreadable as exc:
        return DkimVerdict("permerror", reason=str(exc))
    if not signatures:
        return DkimVerdict("none", reason="no DKIM-Signature header")
    top = signatures[0]
    return DkimVerdict(top.code, top.domain.lower(), top.selector, top.reason)


@dataclass(frozen=True, slots=True)
class SpfVerdict:
    result: str  # RFC 7208: pass, fail, softfail, neutral, none, permerror, temperror
    domain: str  # the MAIL FROM domain evaluated (the HELO name when MAIL FROM was empty)
    reason: str = ""
    lookups: int = 0


def check_spf(ip: str, mail_from: str, helo: str, resolver: SyncResolver) -> SpfVerdict:
    """SPF check_host() (launchtui.email.spf) for a client address and MAIL FROM, through
    the resolver's nameservers, on an event loop of its own: call it from a worker thread."""
    client = DnsClient(resolver.nameservers, timeout=resolver.timeout)
    try:
        outcome = asyncio.run(check_host(client, ip, mail_from, helo))
    except ValueError as exc:  # not an IP address
        return SpfVerdict("permerror", "", str(exc))
    return SpfVerdict(str(outcome.result), outcome.domain, outcome.reason, outcome.lookups)


def relaxed_aligned(first: str, second: str, resolver: SyncResolver) -> bool:
    """Relaxed identifier alignment (RFC 9989 4.4): the same organizational domain, found by
    the DNS Tree Walk (4.10.2). When DNS gives no answer, only identical names align."""
    client = DnsClient(resolver.nameservers, timeout=resolver.timeout)
    try:
        return asyncio.run(TreeWalk(client).same_organization(first, second))
    except NetError:
        return first.rstrip(".").lower() == second.rstrip(".").lower() != ""


def evaluate_dmarc(
    from_domain: str,
    dkim_verdict: DkimVerdict,
    spf: tuple[str, str] | None,
    resolver: SyncResolver,
) -> DmarcVerdict:
    """DMARC for a From domain, given the DKIM verdict and (SPF result, MAIL FROM domain), on
    an event loop of its own: call it from a worker thread. Alignment is relaxed unless the
    record asks for strict (adkim=s, aspf=s)."""
    from_domain = from_domain.rstrip(".").lower()
    if not from_domain:
        return DmarcVerdict("permerror", reason="no From domain")
    client = DnsClient(resolver.nameservers, timeout=resolver.timeout)
    try:
        return asyncio.run(_evaluate(client, from_domain, dkim_verdict, spf))
    except NetError as exc:
        return DmarcVerdict("temperror", reason=str(exc))


async def _evaluate(
    client: DnsClient,
    from_domain: str,
    dkim_verdict: DkimVerdict,
    spf: tuple[str, str] | None,
) -> DmarcVerdict:
    walk = TreeWalk(client)
    found = await discover(client, from_domain, walk)
    modes = found.record.tags if found.record is not None else {}

    async def aligned_with(domain: str, mode_tag: str) -> bool:
        if modes.get(mode_tag, "r").lower() == "s":
            return domain.rstrip(".").lower() == from_domain
        return await walk.same_organization(domain, from_domain)

    aligned = []
    if dkim_verdict.result == "pass" and await aligned_with(dkim_verdict.domain, "adkim"):
        aligned.append("dkim")
    if spf is not None and spf[0] == "pass" and await aligned_with(spf[1], "aspf"):
        aligned.append("spf")
    walked = tuple(step.name for step in found.walked)
    if found.record is None:
        several = found.several
        reason = (
            f"{len(several[0].records)} DMARC records at {several[0].name}, all discarded"
            if several
            else f"no DMARC record at {', '.join(walked)}"
        )
        return DmarcVerdict("none", aligned=tuple(aligned), reason=reason, walked=walked)
    record, where = found.record, found.policy_domain
    inherited = found.inherited
    written = record.receiver_policy(
        subdomain=inherited, exists=not inherited or await exists(client, from_domain)
    )
    if written is None:  # receivers apply no DMARC (RFC 9989 4.10.1)
        problems = "; ".join(record.errors) or "no usable policy"
        return DmarcVerdict(
            "none", "", where, tuple(aligned), f"unusable record: {problems}", walked=walked
        )
    policy = under_test(written) if record.testing else written
    result = "pass" if aligned else "fail"
    reason = f"aligned: {', '.join(aligned)}" if aligned else "no aligned identifier passed"
    if record.testing and result == "fail":
        reason += f"; t=y (testing): {written} applied as {policy}"
    return DmarcVerdict(
        result, policy, where, tuple(aligned), reason, written, record.testing, walked
    )
