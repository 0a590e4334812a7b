"""What both ways of proving an alert route share (launchtui.monitoring.routes directly,
launchtui.monitoring.via_alertmanager through the team's Alertmanager): the test alert's
words, the polling pace, and the seed inbox reader (the delivery test's)."""

from __future__ import annotations

from datetime import UTC, datetime

from launchtui.credentials import env_var
from launchtui.email.delivery import endpoint
from launchtui.email.dns_sync import SyncResolver
from launchtui.email.imap_read import IMAPS_PORT, InboxReader
from launchtui.model.sprint import SeedInbox, Sprint
from launchtui.net.address import parse_hostport
from launchtui.net.tls import verify_context

SUBJECT_PREFIX = "[launchtui test alert]"
POLL_INTERVAL = 1.0  # one look into the seed inbox a second: polite to the provider


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def missing_credential(name: str, sprint: Sprint) -> str:
    return (
        f"credential {name} is not set: store it with `launchtui credentials set "
        f"{sprint.path.name} {name}` or set {env_var(name)}"
    )


def seed_inbox_reader(
    sprint: Sprint, seed: SeedInbox, password: str, op_timeout: float
) -> InboxReader:
    host, port = parse_hostport(seed.imap, IMAPS_PORT)
    resolver = SyncResolver(sprint.network.nameservers, timeout=op_timeout)
    return InboxReader(
        host,
        endpoint(sprint, host, port, resolver),
        seed.username or seed.address,
        password,
        trust=verify_context(sprint.network.ca_bundle),
        timeout=op_timeout,
    )
