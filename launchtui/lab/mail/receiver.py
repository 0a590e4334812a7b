"""The lab's receiving side: authenticate an arriving message as a mailbox provider would,
record the results in an Authentication-Results header (RFC 8601), and pick the folder.

Results are computed, never assumed: SPF with check_host() for the client address and MAIL
FROM, DKIM with dkimpy against the key in the lab's DNS, DMARC from the _dmarc record and
identifier alignment as RFC 9989 has it (the DNS Tree Walk, sp and np, t=y), all through the
lab's own DNS server.
Blocking (dkimpy and DNS): run it in a worker thread, never on the lab's event loop.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass

from launchtui.email.authres import AuthResults, MethodResult
from launchtui.email.dns_sync import SyncResolver
from launchtui.email.message_auth import (
    DkimVerdict,
    DmarcVerdict,
    SpfVerdict,
    check_spf,
    domain_of,
    evaluate_dmarc,
    from_address,
    verify_dkim,
)


@dataclass(frozen=True)
class Verdict:
    spf: SpfVerdict
    dkim: DkimVerdict
    dmarc: DmarcVerdict
    from_domain: str
    auth: AuthResults


def authenticate(
    message: bytes,
    resolver: SyncResolver,
    authserv_id: str,
    *,
    client_ip: str,
    mail_from: str,
    helo: str,
) -> Verdict:
    spf = check_spf(client_ip, mail_from, helo, resolver)
    dkim_verdict = verify_dkim(message, resolver)
    from_domain = domain_of(from_address(message)[1])
    dmarc = evaluate_dmarc(from_domain, dkim_verdict, (spf.result, spf.domain), resolver)
    dkim_props = {}
    if dkim_verdict.domain:
        dkim_props = {"header.d": dkim_verdict.domain, "header.s": dkim_verdict.selector}
    mail_from_prop = mail_from or f"postmaster@{spf.domain}"
    results = (
        MethodResult("spf", spf.result, {"smtp.mailfrom": mail_from_prop}),
        MethodResult("dkim", dkim_verdict.result, dkim_props),
        MethodResult("dmarc", dmarc.result, _dmarc_props(dmarc, from_domain)),
    )
    return Verdict(spf, dkim_verdict, dmarc, from_domain, AuthResults(authserv_id, results))


def _dmarc_props(dmarc: DmarcVerdict, from_domain: str) -> dict[str, str]:
    """header.from, then the record's policy as RFC 9989 read it (its IANA section registers
    polrec.p and polrec.domain); t=y and the policy it leaves in force are said too."""
    props = {"header.from": from_domain or "unknown"}
    if dmarc.written:
        props["polrec.p"] = dmarc.written
        if dmarc.record_domain != from_domain:
            props["polrec.domain"] = dmarc.record_domain
        if dmarc.testing:
            props["polrec.t"] = "y"
            props["policy.dmarc"] = dmarc.policy
    return props


def folder_for(policy: str, verdict: Verdict) -> tuple[str, str]:
    """(folder, why) under a Mailbox policy ("lenient" or "strict")."""
    if policy == "strict":
        if verdict.dmarc.result == "pass":
            return "INBOX", "strict filter: DMARC passed"
        return "Junk", f"strict filter: DMARC {verdict.dmarc.result} ({verdict.dmarc.reason})"
    passed = [
        name for name, v in (("SPF", verdict.spf), ("DKIM", verdict.dkim)) if v.result == "pass"
    ]
    if passed:
        return "INBOX", f"lenient filter: {' and '.join(passed)} passed"
    return "Junk", (
        f"lenient filter: nothing passed (SPF {verdict.spf.result}, DKIM {verdict.dkim.result})"
    )


def _printable(text: str, limit: int = 255) -> str:
    return "".join(ch for ch in text if ch.isprintable())[:limit]


def received_spf(verdict: Verdict, *, hostname: str, client_ip: str, mail_from: str) -> str:
    """The Received-SPF field (RFC 7208 section 9.1): result, a comment naming the receiver
    and the reason (parentheses made brackets, so the comment stays one comment), then the
    key-value pairs."""
    reason = _printable(verdict.spf.reason or verdict.spf.result, 200)
    reason = reason.replace("(", "[").replace(")", "]").replace("\\", "/")
    sender = _printable(mail_from).replace("\\", "\\\\").replace('"', '\\"')
    return (
        f"Received-SPF: {verdict.spf.result} ({hostname}: {reason}) client-ip={client_ip};"
        f' envelope-from="{sender}"; helo={hostname};'
    )


def stamped(
    message: bytes,
    verdict: Verdict,
    *,
    recipient: str,
    hostname: str,
    sending_ip: str,
    ptr_name: str,
    mail_from: str,
    tls: bool,
    queue_id: str,
    filter_note: str,
) -> bytes:
    """The message as stored: the receiver's trace and result headers on top of what the
    relay delivered (its own Received and, when it signs, its DKIM-Signature). The delivery
    hop comes from the relay (`hostname`, at `sending_ip`, whose reverse DNS is `ptr_name`)
    to mx.<recipient's domain>, over TLS (ESMTPS) or not (ESMTP)."""
    date = email.utils.formatdate(localtime=False)
    receiver = f"mx.{recipient.rpartition('@')[2]}"
    protocol = "ESMTPS" if tls else "ESMTP"
    headers = [
        f"Delivered-To: {recipient}",
        f"Authentication-Results: {verdict.auth.header_value()}",
        f"X-Lab-Filter: {filter_note}",
        received_spf(verdict, hostname=hostname, client_ip=sending_ip, mail_from=mail_from),
        f"Received: from {hostname} ({_printable(ptr_name) or 'unknown'} [{sending_ip}])\r\n"
        f"\tby {receiver} (launchtui lab receiver) with {protocol} id {queue_id}\r\n"
        f"\tfor <{recipient}>; {date}",
    ]
    return "".join(h + "\r\n" for h in headers).encode("utf-8") + message


def submission_received(*, helo: str, client_ip: str, hostname: str, queue_id: str) -> bytes:
    """The relay's own trace field for the submission hop (client -> relay): always ESMTPSA,
    since the relay requires STARTTLS and AUTH."""
    date = email.utils.formatdate(localtime=False)
    helo_text = _printable(helo) or "unknown"
    return (
        f"Received: from {helo_text} ([{client_ip}])\r\n\tby {hostname} (launchtui lab relay)"
        f" with ESMTPSA id {queue_id}; {date}\r\n"
    ).encode()
