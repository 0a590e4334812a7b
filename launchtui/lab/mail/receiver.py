"""The lab's receiving side: authenticate an arriving message as a mailbox provider would,
record the results in an Authentication-Results header (RFC 8601), and pick the folder.

Results are computed, never assumed: DKIM with dkimpy against the key in the lab's DNS, DMARC
from the lab zone's _dmarc record and identifier alignment. SPF is left out of the header (a
receiver lists only the methods it evaluated) until an SPF evaluator is available here.
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
    domain_of,
    evaluate_dmarc,
    from_address,
    verify_dkim,
)


@dataclass(frozen=True)
class Verdict:
    dkim: DkimVerdict
    dmarc: DmarcVerdict
    from_domain: str
    auth: AuthResults


def authenticate(message: bytes, resolver: SyncResolver, authserv_id: str) -> Verdict:
    dkim_verdict = verify_dkim(message, resolver)
    from_domain = domain_of(from_address(message)[1])
    dmarc = evaluate_dmarc(from_domain, dkim_verdict, None, resolver)
    dkim_props = {}
    if dkim_verdict.domain:
        dkim_props = {"header.d": dkim_verdict.domain, "header.s": dkim_verdict.selector}
    dmarc_props = {"header.from": from_domain or "unknown"}
    results = (
        MethodResult("dkim", dkim_verdict.result, dkim_props),
        MethodResult("dmarc", dmarc.result, dmarc_props),
    )
    return Verdict(dkim_verdict, dmarc, from_domain, AuthResults(authserv_id, results))


def folder_for(policy: str, verdict: Verdict) -> tuple[str, str]:
    """(folder, why) under a Mailbox policy ("lenient" or "strict")."""
    if policy == "strict":
        if verdict.dmarc.result == "pass":
            return "INBOX", "strict filter: DMARC passed"
        return "Junk", f"strict filter: DMARC {verdict.dmarc.result} ({verdict.dmarc.reason})"
    if verdict.dkim.result == "pass":
        return "INBOX", "lenient filter: DKIM passed"
    return "Junk", f"lenient filter: no authentication passed (DKIM {verdict.dkim.result})"


def stamped(
    message: bytes,
    verdict: Verdict,
    *,
    recipient: str,
    helo: str,
    client_ip: str,
    hostname: str,
    queue_id: str,
    filter_note: str,
) -> bytes:
    """The message as stored: the receiver's trace and result headers on top."""
    date = email.utils.formatdate(localtime=False)
    helo_text = "".join(ch for ch in helo if ch.isprintable())[:255] or "unknown"
    headers = [
        f"Delivered-To: {recipient}",
        f"Authentication-Results: {verdict.auth.header_value()}",
        f"X-Lab-Filter: {filter_note}",
        f"Received: from {helo_text} ([{client_ip}])\r\n\tby {hostname} (launchtui lab relay)"
        f" with ESMTPSA id {queue_id}\r\n\tfor <{recipient}>; {date}",
    ]
    return "".join(h + "\r\n" for h in headers).encode("utf-8") + message
