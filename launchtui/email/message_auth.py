"""Authenticating one received message: DKIM (dkimpy), DMARC alignment, the From header.

Used twice: by the lab's receiving side to write its Authentication-Results, and by the
delivery test to verify a message itself rather than trust the receiver. DNS goes through a
SyncResolver (the sprint's nameservers, or the lab's DNS server); these functions block and
belong in a worker thread.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass

import dkim

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


class _Log:
    """Collects what dkimpy logs: it reports a missing or broken key only there."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, message: object, *args: object) -> None:
        self.errors.append(str(message))

    def debug(self, *args: object) -> None:
        pass

    info = warning = debug


def verify_dkim(message: bytes, resolver: SyncResolver) -> DkimVerdict:
    """Verify the topmost DKIM-Signature, fetching its key through `resolver`.

    RFC 8601 results: pass; fail (the signature or body hash does not match); none (no
    signature); temperror (the key lookup got no answer); permerror (no key record, a broken
    key or signature, anything dkimpy cannot use).
    """
    if len(message) > MAX_MESSAGE:
        return DkimVerdict("permerror", reason=f"message over {MAX_MESSAGE} bytes: not verified")
    log = _Log()
    lookups: list[str] = []  # "found", "missing" or the reason DNS gave no answer

    def dnsfunc(name: bytes, timeout: float = 5) -> bytes | None:
        try:
            records = resolver.txt(name.decode("ascii", "replace"))
        except DnsTempError as exc:
            lookups.append(str(exc))
            raise dkim.DnsTimeoutError(str(exc)) from None
        lookups.append("found" if records else "missing")
        return records[0] if records else None

    try:
        signer = dkim.DKIM(message, logger=log)
    except Exception as exc:  # dkimpy on a message it cannot parse
        return DkimVerdict("permerror", reason=f"{type(exc).__name__}: {exc}")
    if not any(name.lower() == b"dkim-signature" for name, _ in signer.headers):
        return DkimVerdict("none", reason="no DKIM-Signature header")
    try:
        ok = signer.verify(dnsfunc=dnsfunc)
    except dkim.DKIMException as exc:
        result = "fail" if "body hash mismatch" in str(exc) else "permerror"
        return _verdict(signer, result, str(exc))
    except Exception as exc:  # dkimpy on hostile input: a result, never a crash
        return _verdict(signer, "permerror", f"{type(exc).__name__}: {exc}")
    if ok:
        return _verdict(signer, "pass", "signature verified")
    looked_up = lookups[-1] if lookups else ""
    if looked_up not in ("", "found", "missing"):
        return _verdict(signer, "temperror", looked_up)
    if looked_up == "missing":
        return _verdict(signer, "permerror", "no key record for the selector")
    if looked_up == "found" and log.errors:
        return _verdict(signer, "permerror", log.errors[-1])
    return _verdict(signer, "fail", "signature does not match")


def _verdict(signer: dkim.DKIM, result: str, reason: str) -> DkimVerdict:
    def text(value: object) -> str:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""

    return DkimVerdict(result, text(signer.domain).lower(), text(signer.selector), reason)


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
