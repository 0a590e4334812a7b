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
from launchtui.email.dmarc import Record, is_dmarc
from launchtui.email.dmarc import parse as parse_dmarc
from launchtui.email.dns_sync import DnsTempError, SyncResolver
from launchtui.email.orgdomain import organizational_domain, same_organization
from launchtui.email.spf import check_host
from launchtui.net.dns import DnsClient

MAX_MESSAGE = 10 * 1024 * 1024  # larger messages are not verified


@dataclass(frozen=True, slots=True)
class DkimVerdict:
    result: str  # RFC 8601: "pass", "fail", "none", "temperror", "permerror"
    domain: str = ""  # d= of the signature verified (the topmost)
    selector: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DmarcVerdict:
    result: str  # "pass", "fail", "none" (no record), "temperror", "permerror"
    policy: str = ""  # p= of the record found
    record_domain: str = ""  # where the record was found
    aligned: tuple[str, ...] = ()  # which passing identifiers align: "dkim", "spf"
    reason: str = ""


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


def relaxed_aligned(first: str, second: str) -> bool:
    """Relaxed identifier alignment (RFC 7489 3.1): the same organizational domain (Public
    Suffix List)."""
    a, b = first.rstrip(".").lower(), second.rstrip(".").lower()
    return bool(a and b) and same_organization(a, b)


def dmarc_record(domain: str, resolver: SyncResolver) -> tuple[str, Record] | tuple[None, str]:
    """(where, record) of the DMARC record for `domain`, looked up at the domain, then at its
    organizational domain (RFC 7489 6.6.3); (None, why) when there is none, or several.
    DnsTempError when a lookup gets no answer."""
    domain = domain.rstrip(".").lower()
    for where in dict.fromkeys([domain, organizational_domain(domain)]):
        texts = [r.decode("utf-8", "replace") for r in resolver.txt(f"_dmarc.{where}")]
        records = [text for text in texts if is_dmarc(text)]
        if len(records) > 1:
            return None, f"{len(records)} DMARC records at _dmarc.{where}"
        if records:
            return where, parse_dmarc(records[0])
    return None, f"no DMARC record at _dmarc.{domain}"


def evaluate_dmarc(
    from_domain: str,
    dkim_verdict: DkimVerdict,
    spf: tuple[str, str] | None,
    resolver: SyncResolver,
) -> DmarcVerdict:
    """DMARC for a From domain, given the DKIM verdict and (SPF result, MAIL FROM domain).
    Alignment is relaxed unless the record asks for strict (adkim=s, aspf=s)."""
    from_domain = from_domain.rstrip(".").lower()
    if not from_domain:
        return DmarcVerdict("permerror", reason="no From domain")
    try:
        where, found = dmarc_record(from_domain, resolver)
    except DnsTempError as exc:
        return DmarcVerdict("temperror", reason=str(exc))
    modes = found.tags if isinstance(found, Record) else {}

    def aligned_with(domain: str, mode_tag: str) -> bool:
        if modes.get(mode_tag, "r").lower() == "s":
            return domain.rstrip(".").lower() == from_domain
        return relaxed_aligned(domain, from_domain)

    aligned = []
    if dkim_verdict.result == "pass" and aligned_with(dkim_verdict.domain, "adkim"):
        aligned.append("dkim")
    if spf is not None and spf[0] == "pass" and aligned_with(spf[1], "aspf"):
        aligned.append("spf")
    if where is None or not isinstance(found, Record):
        return DmarcVerdict("none", aligned=tuple(aligned), reason=str(found))
    policy = found.receiver_policy()
    if policy is None:  # receivers discard it (RFC 7489 6.6.3)
        problems = "; ".join(found.errors) or "no usable policy"
        return DmarcVerdict("none", "", where, tuple(aligned), f"unusable record: {problems}")
    result = "pass" if aligned else "fail"
    reason = f"aligned: {', '.join(aligned)}" if aligned else "no aligned identifier passed"
    return DmarcVerdict(result, policy, where, tuple(aligned), reason)
