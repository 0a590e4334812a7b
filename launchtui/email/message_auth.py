"""Authenticating one received message: DKIM (dkimpy), DMARC alignment, the From header.

Used twice: by the lab's receiving side to write its Authentication-Results, and by the
delivery test to verify a message itself rather than trust the receiver. DNS goes through a
SyncResolver (the sprint's nameservers, or the lab's DNS server); these functions block and
belong in a worker thread.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass

from launchtui.email.dkim_verify import MessageUnreadable, verify_message
from launchtui.email.dns_sync import DnsTempError, SyncResolver

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
    return name, address.lower()


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


def relaxed_aligned(first: str, second: str) -> bool:
    """Relaxed identifier alignment (RFC 7489 3.1), judged without the Public Suffix List: one
    domain equals or is a subdomain of the other. Sibling subdomains of one organization
    count as not aligned: an error towards "fail", never a false pass."""
    a, b = first.rstrip(".").lower(), second.rstrip(".").lower()
    return bool(a and b) and (a == b or a.endswith("." + b) or b.endswith("." + a))


def dmarc_record(
    domain: str, resolver: SyncResolver
) -> tuple[str, dict[str, str]] | tuple[None, str]:
    """(where, tags) of the DMARC record for `domain`, looked up at the domain then at each
    parent down to two labels; (None, why) when there is none or it is unusable."""
    labels = domain.rstrip(".").lower().split(".")
    for start in range(0, max(1, len(labels) - 1)):
        where = ".".join(labels[start:])
        records = [r for r in resolver.txt(f"_dmarc.{where}") if r.lower().startswith(b"v=dmarc1")]
        if len(records) > 1:
            return None, f"{len(records)} DMARC records at _dmarc.{where}"
        if records:
            tags = {}
            for part in records[0].decode("utf-8", "replace").split(";"):
                key, _, value = part.partition("=")
                if key.strip():
                    tags[key.strip().lower()] = value.strip()
            return where, tags
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
        where, tags = dmarc_record(from_domain, resolver)
    except DnsTempError as exc:
        return DmarcVerdict("temperror", reason=str(exc))
    modes = tags if isinstance(tags, dict) else {}

    def aligned_with(domain: str, mode_tag: str) -> bool:
        if modes.get(mode_tag, "r").lower() == "s":
            return domain.rstrip(".").lower() == from_domain
        return relaxed_aligned(domain, from_domain)

    aligned = []
    if dkim_verdict.result == "pass" and aligned_with(dkim_verdict.domain, "adkim"):
        aligned.append("dkim")
    if spf is not None and spf[0] == "pass" and aligned_with(spf[1], "aspf"):
        aligned.append("spf")
    if where is None:
        return DmarcVerdict("none", aligned=tuple(aligned), reason=str(tags))
    policy = modes.get("p", "")
    if policy not in ("none", "quarantine", "reject"):
        return DmarcVerdict("permerror", policy, where, tuple(aligned), "p= missing or invalid")
    result = "pass" if aligned else "fail"
    reason = f"aligned: {', '.join(aligned)}" if aligned else "no aligned identifier passed"
    return DmarcVerdict(result, policy, where, tuple(aligned), reason)
