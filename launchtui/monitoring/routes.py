"""Proving the sprint's alert routes: one test alert through each route [monitoring]
declares, confirmed where it lands, and the proof recorded.

- email: a message with a random token in its subject, sent through [email].smtp (the
  smtp_password credential; the delivery test's SMTP sender), to [monitoring].alert_email;
  proven when it is found in that seed inbox's INBOX over IMAP (the delivery test's reader)
  within ARRIVAL_TIMEOUT. An alert filed as spam goes unseen: not proven. An alert_email that
  is no seed inbox is sent but cannot be confirmed here: not proven either, and said so.
- slack: a JSON `{"text": ...}` POSTed to the incoming-webhook URL (the credential named by
  [monitoring].slack_webhook); proven when the answer is 200 with the body `ok`, as Slack
  documents (docs.slack.dev "Sending messages using incoming webhooks", Handling errors).

With [monitoring].alertmanager set, the test alert goes through the team's Alertmanager
instead (launchtui.monitoring.via_alertmanager): the routes as real alerts take them.

One message per route per run, every network operation bounded by OP_TIMEOUT and the wait
for the email by ARRIVAL_TIMEOUT, the inbox looked into once a POLL_INTERVAL. Blocking from
end to end: call from a worker thread in an event-driven app. A secret (the webhook URL, a
password) never reaches a proof's words: the webhook appears as host/services/T…/B…/****.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from launchtui.credentials import CredentialStore
from launchtui.email.delivery import SMTP_PASSWORD, endpoint
from launchtui.email.dns_sync import DnsTempError, SyncResolver
from launchtui.email.imap_read import Found, InboxError
from launchtui.email.smtp_send import Relay, SendError, send
from launchtui.email.templates import compose, new_token
from launchtui.model.monitoring import AlertProof, MonitoringConfig
from launchtui.model.sprint import SeedInbox, Sprint
from launchtui.monitoring import via_alertmanager
from launchtui.monitoring.alert_common import (
    POLL_INTERVAL,
    SUBJECT_PREFIX,
    missing_credential,
    now_iso,
    seed_inbox_reader,
)
from launchtui.net.context import NetworkContext
from launchtui.net.errors import NetError, NetTimeout, Refused, TlsVerificationError
from launchtui.net.fetched import Fetched
from launchtui.net.timeouts import Timeouts
from launchtui.net.tls import verify_context
from launchtui.sprint.history import History
from launchtui.sprint.tasks_store import record_task

ROUTES = ("email", "slack")
ARRIVAL_TIMEOUT = 60.0  # seconds the email may take to arrive
OP_TIMEOUT = 10.0  # one network operation (connect, a command, a request)
WATCHDOG_GRACE = 3  # the wait may overrun ARRIVAL_TIMEOUT by this many operation timeouts
TASK = ("monitoring", "alert-routes-proven")
MAX_SHOWN = 200  # characters of a webhook's answer shown

# What each of Slack's documented webhook errors means for the person proving the route.
SLACK_ERRORS = {
    "invalid_payload": "the webhook could not read the message as JSON",
    "no_text": "the message had no text, blocks or attachments",
    "invalid_token": "the webhook's secret is wrong: copy its URL again from the Slack app",
    "no_service": "the webhook was revoked or the URL is wrong: create one and store its URL "
    "in the credential again",
    "channel_is_archived": "its channel is archived: unarchive it or make a webhook for "
    "another channel",
    "channel_not_found": "its channel no longer exists: make a webhook for another channel",
    "action_prohibited": "the workspace's admins restrict posting there",
    "posting_to_general_channel_denied": "only admins may post to that channel",
    "team_disabled": "the Slack workspace is disabled",
    "rollup_error": "Slack failed on its side: try again later",
}

_NET_KINDS: tuple[tuple[type[NetError], str], ...] = (
    (Refused, "connection refused"),
    (NetTimeout, "timed out"),
    (TlsVerificationError, "certificate not trusted"),
)


def declared_routes(config: MonitoringConfig) -> tuple[str, ...]:
    """The alert routes [monitoring] declares, in ROUTES order."""
    declared = {"email": config.alert_email, "slack": config.slack_webhook}
    return tuple(route for route in ROUTES if declared[route])


def redacted_webhook(url: str) -> str:
    """A webhook URL safe to show: its host and the shape of its path, never the secret."""
    parts = urlsplit(url)
    segments = parts.path.strip("/").split("/")
    host = parts.hostname or "?"
    if len(segments) == 4 and segments[0] == "services":
        return f"{host}/services/{segments[1][:1]}…/{segments[2][:1]}…/****"
    return f"{host}/****"


def prove(
    sprint: Sprint,
    routes: Sequence[str],
    *,
    credentials: CredentialStore | None = None,
    arrival_timeout: float = ARRIVAL_TIMEOUT,
    op_timeout: float = OP_TIMEOUT,
    progress: Callable[[str], None] | None = None,
) -> list[AlertProof]:
    """A proof for each of `routes` (proven or not, with the reason), in that order."""
    store = credentials or CredentialStore(sprint.id)
    note = progress or (lambda _text: None)
    if sprint.monitoring.alertmanager:
        return via_alertmanager.prove(sprint, routes, store, arrival_timeout, op_timeout, note)
    proofs = []
    for route in routes:
        if route == "email":
            proofs.append(_email(sprint, store, arrival_timeout, op_timeout, note))
        elif route == "slack":
            proofs.append(_slack(sprint, store, op_timeout, note))
        else:
            raise ValueError(f"unknown alert route {route!r}")
    return proofs


class _Proof:
    """Times one route's proof from its start."""

    def __init__(self, route: str) -> None:
        self.route, self.at, self._started = route, now_iso(), time.monotonic()

    def done(self, ok: bool, detail: str) -> AlertProof:
        elapsed = int((time.monotonic() - self._started) * 1000)
        return AlertProof(self.route, "direct", ok, elapsed, detail, self.at)


def _email(
    sprint: Sprint,
    store: CredentialStore,
    arrival_timeout: float,
    op_timeout: float,
    note: Callable[[str], None],
) -> AlertProof:
    proof = _Proof("email")
    address = sprint.monitoring.alert_email
    smtp = sprint.email.smtp
    sender = email.utils.parseaddr(sprint.email.from_address)[1]
    if smtp is None or not smtp.host:
        return proof.done(False, f"email to {address} not sent: no [email].smtp relay")
    if "@" not in sender:
        return proof.done(False, f"email to {address} not sent: [email].from is not set")
    password = store.get(SMTP_PASSWORD)
    if password is None:
        return proof.done(
            False, f"email to {address} not sent: {missing_credential(SMTP_PASSWORD, sprint)}"
        )
    seed = next(
        (s for s in sprint.email.seed_inboxes if s.address.lower() == address.lower()), None
    )
    inbox_password = store.get(seed.credential) if seed is not None else None
    if seed is not None and inbox_password is None:
        reason = missing_credential(seed.credential, sprint)
        return proof.done(False, f"email to {address} not sent: its seed inbox: {reason}")
    token = new_token()
    subject = f"{SUBJECT_PREFIX} {token}"
    resolver = SyncResolver(sprint.network.nameservers, timeout=op_timeout)
    trust = verify_context(sprint.network.ca_bundle)
    where = f"{smtp.host}:{smtp.port}"
    note(f"sending a test alert to {address} through {where}")
    try:
        relay = Relay(
            smtp.host,
            smtp.port,
            smtp.tls,
            smtp.username,
            endpoint(sprint, smtp.host, smtp.port, resolver),
        )
        body = (
            f"This is a test alert for {sprint.name}, sent by launchtui monitor prove to check "
            f"that alerts reach this address. Nothing is wrong.\n\nToken: {token}\n"
        )
        data = compose(
            from_header=sprint.email.from_address,
            to=address,
            subject=subject,
            token=token,
            body=body,
        )
        refusals = send(relay, password, sender, [(address, data)], trust=trust, timeout=op_timeout)
    except (SendError, DnsTempError) as exc:
        return proof.done(False, f"email to {address} not sent: {exc}")
    if refusals[0]:
        return proof.done(False, f"email to {address} not sent: {refusals[0]}")
    sent_at = time.monotonic()
    if seed is None or inbox_password is None:
        return proof.done(
            False,
            f"email to {address} sent through {where} (subject {subject!r}), not confirmed: "
            f"{address} is not one of [email].seed_inboxes; confirm receipt by hand",
        )
    note(f"waiting up to {arrival_timeout:g} s for it in {address} over IMAP")
    try:
        found = _await(sprint, seed, inbox_password, token, arrival_timeout, op_timeout)
    except (InboxError, DnsTempError, ValueError) as exc:
        return proof.done(False, f"email to {address} sent, the seed inbox not readable: {exc}")
    if found is None:
        return proof.done(
            False,
            f"email to {address} sent, not found in its inbox or spam folder within "
            f"{arrival_timeout:g} s",
        )
    after = f"after {time.monotonic() - sent_at:.1f} s"
    if found.folder == "spam":
        return proof.done(
            False,
            f"email to {address} arrived in the spam folder {found.mailbox} {after}: alerts "
            "there go unseen (mark it not spam, or fix the relay's authentication: "
            "launchtui email-test)",
        )
    return proof.done(True, f"email to {address} arrived in {found.mailbox} {after}")


def _await(
    sprint: Sprint,
    seed: SeedInbox,
    password: str,
    token: str,
    arrival_timeout: float,
    op_timeout: float,
) -> Found | None:
    """The message carrying `token` in the seed inbox, looked for until arrival_timeout."""
    reader = seed_inbox_reader(sprint, seed, password, op_timeout)
    deadline = time.monotonic() + arrival_timeout
    # Each IMAP read is bounded, but a server trickling bytes could stretch the whole wait:
    # the watchdog cuts the connection once it runs well past its limit.
    budget = arrival_timeout + WATCHDOG_GRACE * op_timeout
    overdue = threading.Event()

    def cut() -> None:
        overdue.set()
        reader.abort()

    watchdog = threading.Timer(budget, cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        reader.open()
        while True:
            found = reader.find(token)
            if found is not None or time.monotonic() >= deadline:
                return found
            time.sleep(min(POLL_INTERVAL, max(0.0, deadline - time.monotonic())))
    except InboxError:
        if overdue.is_set():
            raise InboxError(f"{reader.where} took longer than {budget:g} s") from None
        raise
    finally:
        watchdog.cancel()
        reader.close()


def _slack(
    sprint: Sprint, store: CredentialStore, op_timeout: float, note: Callable[[str], None]
) -> AlertProof:
    proof = _Proof("slack")
    name = sprint.monitoring.slack_webhook
    url = store.get(name)
    if url is None:
        return proof.done(False, f"slack webhook not posted to: {missing_credential(name, sprint)}")
    shown = redacted_webhook(url)
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return proof.done(
            False, f"slack webhook not posted to: credential {name} is not an https:// URL"
        )
    text = (
        f"{SUBJECT_PREFIX} {new_token()}: launchtui is checking that alerts for {sprint.name} "
        "reach this channel. Nothing is wrong."
    )
    note(f"posting a test alert to {shown}")
    try:
        fetched = asyncio.run(_post(sprint, url, {"text": text}, op_timeout))
    except NetError as exc:
        reason = str(exc).replace(url, shown)
        for fragment in (parts.path, parts.query):  # a message may name the target alone
            if len(fragment) > 1:
                reason = reason.replace(fragment, "/****")
        kind = next((k for cls, k in _NET_KINDS if isinstance(exc, cls)), "failed")
        return proof.done(False, f"slack webhook {shown} not reached ({kind}): {reason}")
    seconds = fetched.elapsed_ms / 1000
    answer = " ".join(fetched.body[:MAX_SHOWN].decode("utf-8", "replace").split())
    if fetched.status == 200 and answer == "ok":
        return proof.done(True, f"slack webhook {shown} answered ok in {seconds:.1f} s")
    meaning = SLACK_ERRORS.get(answer, "not the documented answer of a Slack incoming webhook")
    return proof.done(
        False, f"slack webhook {shown} answered {fetched.status} {answer!r}: {meaning}"
    )


async def _post(sprint: Sprint, url: str, payload: object, op_timeout: float) -> Fetched:
    async with NetworkContext.create(sprint.network, Timeouts.uniform(op_timeout)) as net:
        return await net.http.fetch(
            url,
            "POST",
            headers={"Content-Type": "application/json"},
            max_body=MAX_SHOWN,
            content=json.dumps(payload).encode(),
        )


def store_proofs(
    sprint_path: Path, proofs: Sequence[AlertProof], declared: Sequence[str]
) -> tuple[str, bool]:
    """Store the proofs in the run history; return the task's evidence, from each declared
    route's latest proof (a run proving one route keeps the other's earlier proof), and
    whether it is done: only when every declared route's latest proof holds."""
    history = History(sprint_path)
    history.record_proofs(proofs)
    latest = history.latest_proofs()
    lines = [
        latest[route].detail if route in latest else f"{route}: never proven" for route in declared
    ]
    done = all(route in latest and latest[route].ok for route in declared)
    return "; ".join(lines) + f" — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", done


def record(
    sprint_path: Path, proofs: Sequence[AlertProof], declared: Sequence[str]
) -> tuple[str, bool]:
    """store_proofs, then the task's evidence and done written to the sprint file."""
    evidence, done = store_proofs(sprint_path, proofs, declared)
    record_task(sprint_path, *TASK, done=done, evidence=evidence, updated_at=now_iso())
    return evidence, done
