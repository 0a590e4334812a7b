"""The seed inbox test: send each template through the sprint's relay to every seed inbox,
find each message by its token over IMAP, and record what happened to it.

Per message (one per template and seed inbox): delivered or not within the time limit, the
folder (inbox or spam), the latency (polled every POLL_INTERVAL), the receiving server's
Authentication-Results (spf, dkim, dmarc as it reported them, "not reported" otherwise), the
From display name and whether the From domain is the sending domain, and launchtui's own
verification: DKIM of the received bytes with dkimpy, SPF (check_host() for the relay's
address and our MAIL FROM) and DMARC alignment, every lookup through the sprint's
nameservers; and the mailbox providers' sender rules judged on the message as received
(email.sender_rules). Blocking from end to end: call `run` from a worker thread in an
event-driven app.
"""

from __future__ import annotations

import email.utils
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from typing import Any

from launchtui.credentials import CredentialStore, env_var
from launchtui.email.authres import parse as parse_authres
from launchtui.email.dns_sync import DnsTempError, SyncResolver
from launchtui.email.imap_read import IMAPS_PORT, Found, InboxError, InboxReader
from launchtui.email.message_auth import (
    SpfVerdict,
    check_spf,
    domain_of,
    evaluate_dmarc,
    from_address,
    relaxed_aligned,
    verify_dkim,
)
from launchtui.email.sender_rules import Judged, SenderFacts, judge, provider_verdicts
from launchtui.email.smtp_send import Relay, SendError, send
from launchtui.email.templates import TestMessage, render
from launchtui.errors import CredentialError, UsageError
from launchtui.model.sprint import HostPort, SeedInbox, Sprint
from launchtui.net.address import is_ip, parse_hostport
from launchtui.net.tls import verify_context

POLL_INTERVAL = 0.5  # seconds between two looks into the seed inboxes
WATCHDOG_GRACE = 3  # the poll may overrun its time limit by this many operation timeouts
SMTP_PASSWORD = "smtp_password"
NOT_REPORTED = "not reported"


@dataclass
class Outcome:
    """One test message to one seed inbox."""

    template: str
    inbox: str  # the seed inbox address
    token: str
    subject: str
    sent: bool = False
    delivered: bool = False
    folder: str = ""  # "inbox", "spam", or "" when not found
    mailbox: str = ""  # the IMAP folder it was found in
    latency_ms: int | None = None
    authentication_results: dict[str, str] = field(default_factory=dict)  # spf/dkim/dmarc
    authserv_id: str = ""
    from_name: str = ""
    from_domain: str = ""
    from_domain_matches: bool = False
    verified: dict[str, str] = field(default_factory=dict)  # launchtui's own checks
    # the providers' sender rules judged on the message as received (email.sender_rules)
    sender_rules: dict[str, Judged] = field(default_factory=dict)
    error: str = ""

    @property
    def status(self) -> str:
        """ "inbox", "spam", "not delivered" (sent, not found in time) or "error"."""
        if self.delivered:
            return self.folder
        return "error" if self.error else "not delivered"

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "inbox": self.inbox,
            "token": self.token,
            "subject": self.subject,
            "status": self.status,
            "sent": self.sent,
            "delivered": self.delivered,
            "folder": self.folder,
            "mailbox": self.mailbox,
            "latency_ms": self.latency_ms,
            "authentication_results": dict(self.authentication_results),
            "authserv_id": self.authserv_id,
            "from_name": self.from_name,
            "from_domain": self.from_domain,
            "from_domain_matches": self.from_domain_matches,
            "verified": dict(self.verified),
            "sender_rules": {
                rule: {"status": j.status, "seen": j.seen, "fix": j.fix}
                for rule, j in self.sender_rules.items()
            },
            "providers": provider_verdicts(self.statuses) if self.sender_rules else {},
            "error": self.error,
        }

    @property
    def statuses(self) -> dict[str, str]:
        return {rule: judged.status for rule, judged in self.sender_rules.items()}


@dataclass
class DeliveryRun:
    sprint_id: str
    started_at: str
    relay: str  # "host:port (starttls)"
    relay_ip: str
    sending_domain: str
    timeout: float
    outcomes: list[Outcome] = field(default_factory=list)
    wall_ms: int = 0

    @property
    def exit_code(self) -> int:
        """0 when every message reached an inbox, 1 otherwise."""
        ok = self.outcomes and all(o.status == "inbox" for o in self.outcomes)
        return 0 if ok else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "sprint": self.sprint_id,
            "started_at": self.started_at,
            "relay": self.relay,
            "relay_ip": self.relay_ip,
            "sending_domain": self.sending_domain,
            "timeout_s": self.timeout,
            "wall_ms": self.wall_ms,
            "exit_code": self.exit_code,
            "messages": [o.to_dict() for o in self.outcomes],
        }


@dataclass(frozen=True)
class _Inbox:
    seed: SeedInbox
    host: str
    address: HostPort
    password: str


def run(
    sprint: Sprint,
    templates: Sequence[str],
    *,
    timeout: float = 60.0,
    op_timeout: float = 10.0,
    credentials: CredentialStore | None = None,
    progress: Callable[[str], None] | None = None,
) -> DeliveryRun:
    """Run the seed inbox test. UsageError/CredentialError (exit code 2) for a sprint that
    cannot be tested; everything the network does is recorded in the outcomes instead."""
    started = time.monotonic()
    note = progress or (lambda _text: None)
    store = credentials or CredentialStore(sprint.id)
    config = sprint.email
    smtp = config.smtp
    if smtp is None or not smtp.host:
        raise UsageError(f"{sprint.path.name}: no [email].smtp relay to send through")
    if not config.from_address:
        raise UsageError(f"{sprint.path.name}: [email].from is not set")
    if not config.seed_inboxes:
        raise UsageError(f"{sprint.path.name}: no [email].seed_inboxes to send to")
    sender_name, sender = email.utils.parseaddr(config.from_address)
    if "@" not in sender:
        raise UsageError(
            f"{sprint.path.name}: [email].from has no address: {config.from_address!r}"
        )
    smtp_password = _credential(store, SMTP_PASSWORD, sprint)
    inboxes = [_inbox(sprint, seed, store) for seed in config.seed_inboxes]
    resolver = SyncResolver(sprint.network.nameservers, timeout=op_timeout)
    trust = verify_context(sprint.network.ca_bundle)
    community = sprint.client or sender_name or sprint.name
    messages = [
        render(
            t,
            from_header=config.from_address,
            recipient=i.seed.address,
            community=community,
            unsubscribe=config.unsubscribe,
        )
        for t in templates
        for i in inboxes
    ]
    outcomes = [Outcome(m.template, m.recipient, m.token, m.subject) for m in messages]
    report = DeliveryRun(
        sprint_id=sprint.id,
        started_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        relay=f"{smtp.host}:{smtp.port} ({smtp.tls})",
        relay_ip="",
        sending_domain=config.domain,
        timeout=timeout,
        outcomes=outcomes,
    )
    spf = SpfVerdict("none", "", "not evaluated: the relay's address is unknown")
    try:
        address = endpoint(sprint, smtp.host, smtp.port, resolver)
        report.relay_ip = address[0]
        # SPF as a receiver would evaluate it for the relay's address (the one we reach) and
        # our MAIL FROM, the same for every message; before sending, so that it cannot delay
        # the first look into the inboxes and inflate the latencies.
        spf = check_spf(report.relay_ip, sender, "", resolver)
        relay = Relay(smtp.host, smtp.port, smtp.tls, smtp.username, address)
        note(f"sending {len(messages)} messages through {report.relay}")
        refusals = send(
            relay,
            smtp_password,
            sender,
            [(m.recipient, m.data) for m in messages],
            trust=trust,
            timeout=op_timeout,
        )
    except (SendError, DnsTempError) as exc:
        sent = exc.sent if isinstance(exc, SendError) else 0
        refusals = [""] * sent + [f"not sent: {exc}"] * (len(messages) - sent)
    sent_at = time.monotonic()
    for outcome, refusal in zip(outcomes, refusals, strict=True):
        outcome.sent = not refusal
        outcome.error = refusal
    polled = [n for n, outcome in enumerate(outcomes) if outcome.sent]
    if not polled:
        report.wall_ms = int((time.monotonic() - started) * 1000)
        return report
    note(f"waiting up to {timeout:g} s for them in {len(inboxes)} seed inboxes")
    _poll(inboxes, messages, outcomes, polled, sent_at, timeout, op_timeout, trust, sprint, spf)
    for outcome in outcomes:
        if not outcome.delivered and not outcome.error:
            outcome.error = f"not found in the inbox or spam folder within {timeout:g} s"
    report.wall_ms = int((time.monotonic() - started) * 1000)
    return report


def _credential(store: CredentialStore, name: str, sprint: Sprint) -> str:
    value = store.get(name)
    if value is None:
        raise CredentialError(
            f"credential {name} is not set: store it with `launchtui credentials set "
            f"{sprint.path.name} {name}` or set {env_var(name)}"
        )
    return value


def _inbox(sprint: Sprint, seed: SeedInbox, store: CredentialStore) -> _Inbox:
    if not seed.address or not seed.imap:
        raise UsageError(
            f"{sprint.path.name}: each [email].seed_inboxes entry needs an address and an imap"
        )
    try:
        host, port = parse_hostport(seed.imap, IMAPS_PORT)
    except ValueError as exc:
        raise UsageError(f"{sprint.path.name}: [email].seed_inboxes imap: {exc}") from None
    password = _credential(store, seed.credential, sprint)
    return _Inbox(seed, host, (host, port), password)


def endpoint(sprint: Sprint, host: str, port: int, resolver: SyncResolver) -> HostPort:
    """Where a connection to host:port goes: [network].connect_to, an IP, or DNS."""
    mapped = sprint.network.connect_to.get((host.lower(), port))
    if mapped is not None:
        return mapped
    if is_ip(host):
        return (host.strip("[]"), port)
    addresses = resolver.addresses(host)
    if not addresses:
        raise DnsTempError(f"{host} has no A or AAAA record ({resolver.label})")
    return (addresses[0], port)


def _poll(
    inboxes: list[_Inbox],
    messages: list[TestMessage],
    outcomes: list[Outcome],
    pending: list[int],  # indexes of the messages to look for; emptied as they are found
    sent_at: float,
    timeout: float,
    op_timeout: float,
    trust: ssl.SSLContext,
    sprint: Sprint,
    spf: SpfVerdict,
) -> None:
    resolver = SyncResolver(sprint.network.nameservers, timeout=op_timeout)
    readers: dict[str, InboxReader] = {}
    failed: dict[str, str] = {}
    deadline = sent_at + timeout
    # A server trickling bytes keeps every single read under op_timeout: the watchdog cuts
    # all connections once the whole wait has run well past its limit.
    budget = timeout + WATCHDOG_GRACE * op_timeout
    overdue = threading.Event()

    def cut() -> None:
        overdue.set()
        for reader in list(readers.values()):
            reader.abort()

    watchdog = threading.Timer(budget, cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        while pending:
            for inbox in inboxes:
                address = inbox.seed.address
                mine = [n for n in pending if messages[n].recipient == address]
                if not mine or address in failed:
                    continue
                try:
                    reader = readers.get(address)
                    if reader is None:
                        reader = InboxReader(
                            inbox.host,
                            endpoint(sprint, inbox.host, inbox.address[1], resolver),
                            inbox.seed.username or address,
                            inbox.password,
                            trust=trust,
                            timeout=op_timeout,
                        )
                        readers[address] = reader  # before open(): the watchdog sees it
                        reader.open()
                    for n in mine:
                        found = reader.find(messages[n].token)
                        if found is not None:
                            latency = time.monotonic() - sent_at
                            _record(outcomes[n], found, latency, sprint, resolver, spf)
                            pending.remove(n)
                except (InboxError, DnsTempError) as exc:
                    reason = f"{exc}"
                    if overdue.is_set():
                        reason = f"{inbox.host}:{inbox.address[1]} took longer than {budget:g} s"
                    failed[address] = reason
                    for n in mine:
                        if n in pending:
                            outcomes[n].error = f"seed inbox not readable: {reason}"
                            pending.remove(n)
            if not pending or time.monotonic() >= deadline or overdue.is_set():
                return
            time.sleep(min(POLL_INTERVAL, max(0.0, deadline - time.monotonic())))
    finally:
        watchdog.cancel()
        for reader in readers.values():
            reader.close()


def _record(
    outcome: Outcome,
    found: Found,
    latency: float,
    sprint: Sprint,
    resolver: SyncResolver,
    spf: SpfVerdict,
) -> None:
    outcome.delivered = True
    outcome.folder = found.folder
    outcome.mailbox = found.mailbox
    outcome.latency_ms = int(latency * 1000)
    headers = BytesHeaderParser().parsebytes(found.data)
    reported = headers.get_all("Authentication-Results") or []
    results = parse_authres(str(reported[0])) if reported else None
    outcome.authserv_id = results.authserv_id if results else ""
    for method in ("spf", "dkim", "dmarc"):
        entry = results.first(method) if results else None
        outcome.authentication_results[method] = entry.result if entry else NOT_REPORTED
    name, address = from_address(found.data)
    outcome.from_name = name
    outcome.from_domain = domain_of(address)
    outcome.from_domain_matches = relaxed_aligned(
        outcome.from_domain, sprint.email.domain, resolver
    )
    dkim = verify_dkim(found.data, resolver)
    dmarc = evaluate_dmarc(outcome.from_domain, dkim, (spf.result, spf.domain), resolver)
    outcome.verified = {
        "dkim": dkim.result,
        "dkim_domain": dkim.domain,
        "dkim_selector": dkim.selector,
        "dkim_reason": dkim.reason,
        "spf": spf.result,
        "spf_domain": spf.domain,
        "spf_reason": spf.reason,
        "dmarc": dmarc.result,
        "dmarc_policy": dmarc.policy,
        "dmarc_aligned": ", ".join(dmarc.aligned) or "none",
        "dmarc_reason": dmarc.reason,
    }
    facts = SenderFacts(
        sprint.email.domain,
        sprint.email.from_address,
        outcome.verified,
        from_aligned=outcome.from_domain_matches,
    )
    outcome.sender_rules = judge(outcome.template, found.data, facts, resolver)
