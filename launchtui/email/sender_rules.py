"""The big mailbox providers' sender rules, judged on a message as it was received.

Gmail and Yahoo since February 2024, Outlook.com since May 2025, hold senders of 5,000 or more
messages a day to published rules (README, "Sender rules", cites each page). A community's launch
email to every member is such a send. Each rule is judged from the delivered message's headers
(what the receiver recorded, not what was sent) and launchtui's own verification of it:

    spf          SPF passes for the sending address and MAIL FROM
    dkim         a DKIM signature verifies
    dmarc        DMARC passes: a record (p=none is enough) and an aligned identifier
    dkim-domain  the signature's d= is the From domain's organization (DMARC survives
                 forwarding only through an aligned DKIM signature)
    unsubscribe  marketing mail: RFC 8058 one-click (List-Unsubscribe with an HTTPS URI,
                 List-Unsubscribe-Post: List-Unsubscribe=One-Click, both covered by the DKIM
                 signature, RFC 8058 section 4); transactional mail needs none
    tls          every hop the receiver recorded went over TLS (`with ESMTPS`/`ESMTPSA`,
                 RFC 3848; UTF8SMTPS/UTF8SMTPSA, RFC 6531)
    rdns         the sending address has a PTR record whose name resolves back to it (FCrDNS)
    format       exactly one Date (RFC 5322 3.3, with a zone) and one Message-ID (3.6.4)
    from         the From address is on the sprint's mail domain and its display name is the
                 one [email].from sets (the roadmap: branded sender names match the domain
                 strategy)

Every rule ends in pass, warn, fail, unknown (could not be judged: never counted as met) or n/a.
The spam-complaint rate both Gmail and Yahoo require below 0.3% cannot be seen in a message: it
is listed as not measured, to be watched in the providers' own tools.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr, parsedate_tz
from typing import Any

from launchtui.email.dkim_verify import signature_tags
from launchtui.email.dns_sync import DnsTempError, SyncResolver
from launchtui.email.templates import MARKETING

PASS, WARN, FAIL, UNKNOWN, NA = "pass", "warn", "fail", "unknown", "n/a"
RULES = ("spf", "dkim", "dmarc", "dkim-domain", "unsubscribe", "tls", "rdns", "format", "from")

ONE_CLICK = "List-Unsubscribe=One-Click"
TLS_PROTOCOLS = frozenset({"esmtps", "esmtpsa", "utf8smtps", "utf8smtpsa", "lmtps", "lmtpsa"})
COMPLAINT_RATE = (
    "spam-complaint rate under 0.3% (Gmail, Yahoo): not visible in a message; watch Gmail "
    "Postmaster Tools and Yahoo Sender Hub after the launch send"
)


@dataclass(frozen=True, slots=True)
class Provider:
    key: str
    title: str
    since: str
    page: str
    rules: tuple[str, ...]  # the rules of RULES its published requirements ask for


# Bulk senders (5,000+ messages a day); each provider's own page lists them.
PROVIDERS = (
    Provider(
        "gmail",
        "Gmail",
        "February 2024",
        "https://support.google.com/a/answer/81126",
        ("spf", "dkim", "dmarc", "unsubscribe", "tls", "rdns", "format"),
    ),
    Provider(
        "yahoo",
        "Yahoo",
        "February 2024",
        "https://senders.yahooinc.com/best-practices/",
        ("spf", "dkim", "dmarc", "unsubscribe", "rdns", "format"),
    ),
    Provider(
        "outlook",
        "Outlook.com",
        "May 2025",
        "https://techcommunity.microsoft.com/blog/microsoftdefenderforoffice365blog/"
        "strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90"
        "volume-senders/4399730",
        ("spf", "dkim", "dmarc"),
    ),
)


@dataclass(frozen=True, slots=True)
class Judged:
    """One rule on one message: status, what was seen (network text, shown literally), and the
    fix when it is not met."""

    status: str
    seen: str
    fix: str = ""


@dataclass(frozen=True, slots=True)
class Hop:
    """One Received header: `from` host and address, `by` host, `with` protocol."""

    source: str
    address: str
    by: str
    protocol: str


@dataclass(frozen=True, slots=True)
class SenderFacts:
    """What the judgement needs besides the message: the sprint's mail domain and From, and
    the verification results the delivery test recorded (Outcome.verified)."""

    mail_domain: str
    from_setting: str  # [email].from: "Name <address>"
    verified: Mapping[str, str] = field(default_factory=dict)
    from_aligned: bool = False  # the From domain is the mail domain's organization


def judge(
    template: str, message: bytes, facts: SenderFacts, resolver: SyncResolver
) -> dict[str, Judged]:
    """Every rule of RULES for one delivered message."""
    headers = BytesHeaderParser(policy=compat32).parsebytes(message)
    verified = facts.verified
    signature = _signature_tags(headers)
    hops = received_hops(headers)
    return {
        "spf": _auth("SPF", verified.get("spf", ""), verified.get("spf_reason", "")),
        "dkim": _auth("DKIM", verified.get("dkim", ""), verified.get("dkim_reason", "")),
        "dmarc": _dmarc(verified),
        "dkim-domain": _dkim_domain(verified, facts),
        "unsubscribe": _unsubscribe(template, headers, signature, facts.mail_domain),
        "tls": _tls(hops),
        "rdns": _rdns(sending_address(headers, hops), resolver),
        "format": _format(headers),
        "from": _from(headers, facts),
    }


def provider_verdicts(rules: Mapping[str, str]) -> dict[str, str]:
    """Per provider: "meets", "misses: a, b" or "unknown: a" from one message's rule statuses
    (a warn is met: the providers' requirements ask for the rule, the warning is ours)."""
    verdicts = {}
    for provider in PROVIDERS:
        missed = [r for r in provider.rules if rules.get(r) == FAIL]
        unknown = [r for r in provider.rules if rules.get(r, UNKNOWN) == UNKNOWN]
        if missed:
            verdicts[provider.key] = "misses: " + ", ".join(missed)
        elif unknown:
            verdicts[provider.key] = "unknown: " + ", ".join(unknown)
        else:
            verdicts[provider.key] = "meets"
    return verdicts


_WORST = (FAIL, UNKNOWN, WARN, PASS, NA)  # the order one rule's statuses combine in


@dataclass(frozen=True, slots=True)
class TemplateRules:
    """One template's latest delivery test, its messages' rules combined (the worst status of
    each rule over the seed inboxes), as the check and the handover read the delivery log."""

    template: str
    at: str  # when that test ran
    messages: int  # its messages delivered and judged
    rules: dict[str, str]
    seen: dict[str, str]  # what was seen, for each rule's worst message
    fixes: dict[str, str]

    @property
    def providers(self) -> dict[str, str]:
        return provider_verdicts(self.rules)


def latest_judged(entries: Sequence[Mapping[str, Any]]) -> tuple[list[TemplateRules], list[str]]:
    """Each template's latest test in the delivery log (entries oldest first, as
    delivery_log.saved_email_tests gives them), and the templates whose latest test has no
    judged message (not delivered, or logged before sender rules were judged)."""
    latest: dict[str, list[Mapping[str, Any]]] = {}
    for entry in entries:
        template = str(entry.get("template") or "")
        kept = latest.get(template)
        if not template:
            continue
        if kept and kept[0]["at"] == entry["at"]:
            kept.append(entry)
        elif not kept or str(entry["at"]) >= str(kept[0]["at"]):
            latest[template] = [entry]
    judged, not_judged = [], []
    for template, tests in latest.items():
        rated = [t for t in tests if t.get("sender_rules")]
        if not rated:
            not_judged.append(template)
            continue
        fixes: dict[str, str] = {}
        for test in rated:
            for rule, fix in (test.get("sender_fixes") or {}).items():
                fixes.setdefault(str(rule), str(fix))
        judged.append(
            TemplateRules(
                template,
                str(tests[0]["at"]),
                len(rated),
                {rule: _status(_worst(rated, rule)["sender_rules"], rule) for rule in RULES},
                {rule: _seen(_worst(rated, rule), rule) for rule in RULES},
                fixes,
            )
        )
    return judged, not_judged


def _worst(tests: Sequence[Mapping[str, Any]], rule: str) -> Mapping[str, Any]:
    return min(tests, key=lambda test: _WORST.index(_status(test["sender_rules"], rule)))


def _seen(test: Mapping[str, Any], rule: str) -> str:
    return str((test.get("sender_seen") or {}).get(rule, ""))


def _status(rules: Mapping[str, Any], rule: str) -> str:
    """A logged status, read strictly: anything else (a hand edit) is unknown, never met."""
    value = rules.get(rule)
    return value if value in _WORST else UNKNOWN


# --- authentication ------------------------------------------------------------------------


def _auth(name: str, result: str, reason: str) -> Judged:
    if result == PASS:
        return Judged(PASS, f"{name} pass")
    if result in ("temperror", ""):
        return Judged(UNKNOWN, f"{name} {result or 'not evaluated'}: {reason}".rstrip(": "))
    fix = {
        "SPF": "Authorize the relay's sending addresses in the SPF record of the MAIL FROM "
        "domain (the email.spf check writes the record).",
        "DKIM": "Sign with a key published at <selector>._domainkey.<your domain> (the relay's "
        "custom-domain DKIM set-up; the email.dkim check reads the key).",
    }[name]
    return Judged(FAIL, f"{name} {result}: {reason}".rstrip(": "), fix)


def _dmarc(verified: Mapping[str, str]) -> Judged:
    result = verified.get("dmarc", "")
    aligned = verified.get("dmarc_aligned", "none")
    policy = verified.get("dmarc_policy", "")
    reason = verified.get("dmarc_reason", "")
    if result == PASS:
        return Judged(PASS, f"DMARC pass (p={policy or 'none'}), aligned: {aligned}")
    if result == "temperror" or not result:
        return Judged(UNKNOWN, f"DMARC {result or 'not evaluated'}: {reason}".rstrip(": "))
    if result == "none":
        return Judged(
            FAIL,
            f"no usable DMARC record: {reason}",
            'Publish _dmarc.<your domain> TXT "v=DMARC1; p=none; rua=mailto:<reports address>" '
            "(p=none is enough for the providers; the email.dmarc check writes it).",
        )
    return Judged(
        FAIL,
        f"DMARC {result}: {reason}",
        "Make the From domain align with a passing identifier: sign with DKIM d=<your domain> "
        "or send with a MAIL FROM (return path) on your domain.",
    )


def _dkim_domain(verified: Mapping[str, str], facts: SenderFacts) -> Judged:
    domain = verified.get("dkim_domain", "")
    if verified.get("dkim") != PASS or not domain:
        return Judged(FAIL, "no verified DKIM signature", "Sign with DKIM d=<your domain>.")
    if "dkim" in verified.get("dmarc_aligned", "").split(", "):
        return Judged(PASS, f"d={domain} aligns with the From domain")
    return Judged(
        WARN,
        f"d={domain} does not align with the From domain: DMARC rests on SPF alone, which "
        "forwarding breaks",
        f"Set up DKIM for {facts.mail_domain} at the relay (custom-domain signing) so that "
        f"d={facts.mail_domain}.",
    )


# --- one-click unsubscribe -----------------------------------------------------------------


def _signature_tags(headers: Message) -> dict[str, str]:
    """The tags of the topmost DKIM-Signature; {} when there is none or it does not parse."""
    value = headers.get("DKIM-Signature")
    if value is None:
        return {}
    return signature_tags(str(value).encode("utf-8", "surrogateescape"))


def _uris(value: str) -> list[str]:
    """The <...> URIs of a List-Unsubscribe value (RFC 2369), in order."""
    return re.findall(r"<\s*([^>]*?)\s*>", value)


def _unsubscribe(
    template: str, headers: Message, signature: Mapping[str, str], domain: str
) -> Judged:
    values = [str(v) for v in headers.get_all("List-Unsubscribe") or []]
    posts = [str(v).strip() for v in headers.get_all("List-Unsubscribe-Post") or []]
    example = (
        f"List-Unsubscribe: <https://{domain}/unsubscribe?m=MEMBER-TOKEN>, "
        f"<mailto:unsubscribe@{domain}?subject=unsubscribe>\n"
        f"List-Unsubscribe-Post: {ONE_CLICK}\n"
        "and sign both with DKIM (h= lists list-unsubscribe:list-unsubscribe-post)"
    )
    if template not in MARKETING:
        seen = "transactional: no unsubscribe needed" + (" (has one)" if values else "")
        return Judged(NA, seen)
    if not values:
        return Judged(FAIL, "no List-Unsubscribe header", f"Add to the announcement:\n{example}")
    uris = [uri for value in values for uri in _uris(value)]
    https = [uri for uri in uris if uri.lower().startswith("https://")]
    seen = "List-Unsubscribe: " + ", ".join(f"<{uri}>" for uri in uris)
    if not https:
        status = WARN if any(u.lower().startswith("mailto:") for u in uris) else FAIL
        why = "mailto: only, no HTTPS one-click URI" if status == WARN else "no HTTPS URI"
        return Judged(status, f"{seen} ({why})", f"Add an HTTPS one-click URI:\n{example}")
    if len(values) > 1 or len(posts) != 1 or posts[0] != ONE_CLICK:
        got = "; ".join(posts) or "none"
        return Judged(
            FAIL,
            f"{seen}; List-Unsubscribe-Post: {got} (RFC 8058 needs exactly {ONE_CLICK})",
            f"Send exactly one of each:\n{example}",
        )
    signed = {h.strip().lower() for h in signature.get("h", "").split(":")}
    missing = [h for h in ("list-unsubscribe", "list-unsubscribe-post") if h not in signed]
    if missing:
        return Judged(
            FAIL,
            f"{seen}; one-click, but the DKIM signature does not cover {', '.join(missing)} "
            "(RFC 8058 section 4)",
            "Have the relay sign both headers (h= must list list-unsubscribe and "
            "list-unsubscribe-post); a relay that adds them after signing cannot.",
        )
    return Judged(PASS, f"{seen}; one-click POST, signed")


# --- the path the message took -------------------------------------------------------------

_FROM = re.compile(r"^\s*from\s+(\S+)(.*?)(?=\sby\s|\swith\s|\sid\s|\sfor\s|;|$)", re.I | re.S)
_BY = re.compile(r"\sby\s+(\S+)", re.I)
_WITH = re.compile(r"\swith\s+([A-Za-z0-9-]+)", re.I)
_BRACKETED = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")


def received_hops(headers: Message) -> list[Hop]:
    """The Received headers (RFC 5321 4.4), topmost first, as far as each parses."""
    hops = []
    for value in headers.get_all("Received") or []:
        text = " " + re.sub(r"\s+", " ", str(value))
        source = _FROM.match(text)
        address = _BRACKETED.search(source.group(2)) if source else None
        by = _BY.search(text)
        protocol = _WITH.search(text)
        hops.append(
            Hop(
                source.group(1) if source else "",
                address.group(1) if address else "",
                by.group(1) if by else "",
                protocol.group(1) if protocol else "",
            )
        )
    return hops


def _tls(hops: Sequence[Hop]) -> Judged:
    """Every hop between two hosts (a `from` with an address); a receiver's internal hops
    (`by` alone) are not SMTP between hosts."""
    hops = [hop for hop in hops if hop.source and hop.address]
    if not hops:
        return Judged(UNKNOWN, "no Received header names a sending host and address")
    clear = [hop for hop in hops if hop.protocol.lower() not in TLS_PROTOCOLS]
    path = "; ".join(f"{h.source} [{h.address}] -> {h.by} with {h.protocol or '?'}" for h in hops)
    if clear:
        names = ", ".join(f"{h.source} -> {h.by} ({h.protocol or 'no protocol'})" for h in clear)
        return Judged(
            FAIL,
            f"not over TLS: {names}",
            "Turn on TLS for outgoing SMTP at the relay (STARTTLS to the receiving servers); "
            f"the hops as recorded: {path}",
        )
    return Judged(PASS, f"every hop over TLS: {path}")


_CLIENT_IP = re.compile(r"client-ip\s*=\s*([0-9A-Fa-f:.]+)", re.I)


def sending_address(headers: Message, hops: Sequence[Hop]) -> str:
    """The address that handed the message to the receiver: Received-SPF's client-ip (RFC 7208
    9.1, which the receiver writes for the connection it evaluated), else the topmost hop with
    an address."""
    for value in headers.get_all("Received-SPF") or []:
        found = _CLIENT_IP.search(str(value))
        if found and _is_ip(found.group(1)):
            return found.group(1)
    for hop in hops:
        if hop.address and _is_ip(hop.address):
            return hop.address
    return ""


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _rdns(address: str, resolver: SyncResolver) -> Judged:
    if not address:
        return Judged(UNKNOWN, "the sending address is not in the received headers")
    ip = ipaddress.ip_address(address)
    reverse = ip.reverse_pointer
    try:
        names = resolver.pointers(address)
        if not names:
            return Judged(
                FAIL,
                f"{address} has no PTR record ({reverse})",
                f"Ask whoever hosts {address} (the relay's provider) for a PTR record naming "
                f"the sending host:\n{reverse}. PTR mail.<your domain>.\nand publish that "
                f"name's address record: mail.<your domain>. "
                f"{'A' if ip.version == 4 else 'AAAA'} {address}",
            )
        for name in names:
            if address in resolver.forward(name, ip.version):
                return Judged(PASS, f"{address} -> {name} -> {address}")
    except DnsTempError as exc:
        return Judged(UNKNOWN, f"reverse DNS of {address} not answered: {exc}")
    kind = "A" if ip.version == 4 else "AAAA"
    return Judged(
        FAIL,
        f"{address} -> {', '.join(names)}, which does not resolve back to {address}",
        f"Publish {names[0]}. {kind} {address}, or ask the host of {address} to point its PTR "
        f"({reverse}.) at a name that resolves to it.",
    )


# --- the message itself --------------------------------------------------------------------

_MSG_ID = re.compile(r"^\s*<[^<>@\s]+@[^<>@\s]+>\s*$")


def _format(headers: Message) -> Judged:
    problems = []
    dates = headers.get_all("Date") or []
    ids = headers.get_all("Message-ID") or []
    if len(dates) != 1:
        problems.append(f"{len(dates)} Date headers (RFC 5322 3.6: exactly one)")
    elif (parsed := parsedate_tz(str(dates[0]))) is None or parsed[9] is None:
        problems.append(f"Date {str(dates[0])!r} is not an RFC 5322 date with a zone")
    if len(ids) != 1:
        problems.append(f"{len(ids)} Message-ID headers (RFC 5322 3.6.4: one)")
    elif not _MSG_ID.match(str(ids[0])):
        problems.append(f"Message-ID {str(ids[0])!r} is not <left@right>")
    if problems:
        return Judged(
            FAIL,
            "; ".join(problems),
            "Have the application (or the relay) write one Date with a zone and one "
            "Message-ID <unique@your domain> per message.",
        )
    return Judged(PASS, f"Date and Message-ID {str(ids[0]).strip()} well formed")


def _from(headers: Message, facts: SenderFacts) -> Judged:
    values = headers.get_all("From") or []
    if len(values) != 1:
        return Judged(FAIL, f"{len(values)} From headers (RFC 5322 3.6: exactly one)")
    found = [(name, address) for name, address in getaddresses([str(values[0])]) if address]
    if len(found) != 1:
        return Judged(
            FAIL,
            f"From holds {len(found)} addresses: {str(values[0]).strip()}",
            f"Send with exactly one From address: From: {facts.from_setting}",
        )
    [(name, address)] = found
    want_name, want_address = parseaddr(facts.from_setting)
    seen = f"From: {name} <{address}>" if name else f"From: <{address}>"
    if not facts.from_aligned:
        return Judged(
            FAIL,
            f"{seen}: not on {facts.mail_domain}",
            f"Send from an address on {facts.mail_domain} ([email].from: {facts.from_setting}).",
        )
    if not name:
        return Judged(
            WARN,
            f"{seen}: no display name",
            f'Send with the branded name: From: "{want_name or "<community name>"}" <{address}>',
        )
    if want_name and name != want_name:
        return Judged(
            WARN,
            f"{seen}: the display name is not {want_name!r} ([email].from)",
            f"Use one sender name everywhere: From: {facts.from_setting}",
        )
    if want_address and address.lower() != want_address.lower():
        return Judged(WARN, f"{seen}: not the address [email].from names ({want_address})")
    return Judged(PASS, seen)
