"""Proving the alert routes through the team's Alertmanager ([monitoring].alertmanager): the
test alert goes where real alerts go, through its routing and its receivers' secrets.

One test alert is POSTed to its API v2 (`/api/v2/alerts`, an array of alerts with labels,
annotations, startsAt and endsAt: prometheus.io/docs/alerting/latest/clients and the
OpenAPI specification api/v2/openapi.yaml), its `launchtui_token` label unique to the run.
Then, once a POLL_INTERVAL until ARRIVAL_TIMEOUT:
- email: the seed inbox whose address is [monitoring].alert_email is searched for the token
  anywhere in a message (Alertmanager writes the message: its subject names the labels);
- slack: Alertmanager's own /metrics, `alertmanager_notifications_total` and
  `alertmanager_notifications_failed_total` with integration="slack", must have risen without
  a failure (a webhook that refused the message shows as a failed notification).
Finally the alert is resolved (endsAt now), so it does not stay firing.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from launchtui.credentials import CredentialStore
from launchtui.email.dns_sync import DnsTempError
from launchtui.email.imap_read import InboxError, InboxReader
from launchtui.email.templates import new_token
from launchtui.model.monitoring import AlertProof
from launchtui.model.sprint import Sprint
from launchtui.monitoring.alert_common import (
    POLL_INTERVAL,
    SUBJECT_PREFIX,
    missing_credential,
    now_iso,
    seed_inbox_reader,
)
from launchtui.net.context import NetworkContext
from launchtui.net.errors import NetError
from launchtui.net.fetched import Fetched
from launchtui.net.timeouts import Timeouts

ALERT_NAME = "LaunchtuiTestAlert"
TOKEN_LABEL = "launchtui_token"
ALERT_LIFETIME = timedelta(minutes=10)  # if resolving fails, the alert ends by itself
MAX_METRICS = 1024 * 1024
_SAMPLE = re.compile(
    r"^alertmanager_notifications(?P<failed>_failed)?_total\{(?P<labels>[^}]*)\}\s+(?P<value>\S+)",
    re.MULTILINE,
)
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def notifications(metrics: str) -> dict[tuple[str, bool], float]:
    """(integration, failed) -> notifications so far, summed over receivers, from
    Alertmanager's /metrics (Prometheus text format)."""
    counts: dict[tuple[str, bool], float] = {}
    for sample in _SAMPLE.finditer(metrics):
        labels = dict(_LABEL.findall(sample["labels"]))
        key = (labels.get("integration", ""), sample["failed"] is not None)
        try:
            counts[key] = counts.get(key, 0.0) + float(sample["value"])
        except ValueError:
            continue
    return counts


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"  # RFC 3339, as the API asks


class _Alertmanager:
    def __init__(self, sprint: Sprint, op_timeout: float) -> None:
        self.base = sprint.monitoring.alertmanager.rstrip("/")
        self._sprint, self._timeout = sprint, op_timeout

    def _request(self, path: str, body: object | None = None) -> Fetched:
        async def run() -> Fetched:
            timeouts = Timeouts.uniform(self._timeout)
            async with NetworkContext.create(self._sprint.network, timeouts) as net:
                if body is None:
                    return await net.http.fetch(self.base + path, max_body=MAX_METRICS)
                return await net.http.fetch(
                    self.base + path,
                    "POST",
                    headers={"Content-Type": "application/json"},
                    content=json.dumps(body).encode(),
                )

        return asyncio.run(run())

    def counts(self) -> dict[tuple[str, bool], float]:
        fetched = self._request("/metrics")
        if fetched.status != 200:
            raise NetError(f"{self.base}/metrics answered {fetched.status}")
        return notifications(fetched.body.decode("utf-8", "replace"))

    def post(self, alert: dict[str, object]) -> None:
        fetched = self._request("/api/v2/alerts", [alert])
        if fetched.status != 200:
            answer = " ".join(fetched.body[:200].decode("utf-8", "replace").split())
            raise NetError(f"{self.base}/api/v2/alerts answered {fetched.status} {answer!r}")


def prove(
    sprint: Sprint,
    routes: Sequence[str],
    store: CredentialStore,
    arrival_timeout: float,
    op_timeout: float,
    note: Callable[[str], None],
) -> list[AlertProof]:
    at, started = now_iso(), time.monotonic()
    manager = _Alertmanager(sprint, op_timeout)
    details: dict[str, str] = {}
    proven: dict[str, bool] = {}

    def settle(route: str, ok: bool, detail: str) -> None:
        proven[route], details[route] = ok, detail

    address = sprint.monitoring.alert_email
    reader: InboxReader | None = None
    if "email" in routes:
        seed = next(
            (s for s in sprint.email.seed_inboxes if s.address.lower() == address.lower()), None
        )
        password = store.get(seed.credential) if seed is not None else None
        if seed is None:
            note(f"{address} is not a seed inbox: its email cannot be confirmed here")
        elif password is None:
            settle(
                "email", False, f"email to {address}: {missing_credential(seed.credential, sprint)}"
            )
        else:
            try:
                reader = seed_inbox_reader(sprint, seed, password, op_timeout)
                reader.open()
            except (InboxError, DnsTempError, ValueError) as exc:
                reader = None
                settle("email", False, f"email to {address}: seed inbox not readable: {exc}")
    token = new_token()
    now = datetime.now(UTC)
    alert: dict[str, object] = {
        "labels": {"alertname": ALERT_NAME, TOKEN_LABEL: token},
        "annotations": {
            "summary": f"{SUBJECT_PREFIX} {token}",
            "description": f"launchtui monitor prove is checking that alerts for {sprint.name} "
            "reach their routes. Nothing is wrong.",
        },
        "startsAt": _stamp(now),
        "endsAt": _stamp(now + ALERT_LIFETIME),
    }
    where = f"Alertmanager {manager.base}"
    try:
        before = manager.counts()
        note(f"sending a test alert through {where}")
        manager.post(alert)
    except NetError as exc:
        if reader is not None:
            reader.close()
        reason = f"{exc}"
        return [
            AlertProof(
                route,
                "alertmanager",
                False,
                _ms(started),
                details.get(route) or f"{route}: test alert not sent through {where}: {reason}",
                at,
            )
            for route in routes
        ]
    sent = time.monotonic()
    deadline = sent + arrival_timeout
    note(f"waiting up to {arrival_timeout:g} s for its notifications")
    try:
        while True:
            _look(manager, before, reader, token, routes, proven, settle, address, where, sent)
            if all(route in proven for route in routes) or time.monotonic() >= deadline:
                break
            time.sleep(min(POLL_INTERVAL, max(0.0, deadline - time.monotonic())))
    finally:
        if reader is not None:
            reader.close()
        resolved = _resolve(manager, alert)
    for route in routes:
        if route not in proven:
            settle(route, False, _unseen(route, address, where, arrival_timeout, reader))
    return [
        AlertProof(
            route, "alertmanager", proven[route], _ms(started), details[route] + resolved, at
        )
        for route in routes
    ]


def _look(
    manager: _Alertmanager,
    before: dict[tuple[str, bool], float],
    reader: InboxReader | None,
    token: str,
    routes: Sequence[str],
    proven: dict[str, bool],
    settle: Callable[[str, bool, str], None],
    address: str,
    where: str,
    sent: float,
) -> None:
    """One look at every route still unsettled."""
    after = f"after {time.monotonic() - sent:.1f} s"
    try:
        counts = manager.counts()
    except NetError as exc:
        for route in routes:
            if route not in proven:
                settle(route, False, f"{route}: {where} stopped answering: {exc}")
        return
    for integration in routes:
        if integration in proven:
            continue
        failed = counts.get((integration, True), 0.0) - before.get((integration, True), 0.0)
        if failed > 0:
            settle(
                integration,
                False,
                f"{integration} through {where}: its {integration} notification failed "
                f"(alertmanager_notifications_failed_total rose {after}): its log says why",
            )
            continue
        total = counts.get((integration, False), 0.0) - before.get((integration, False), 0.0)
        if integration == "slack" and total > 0:
            settle("slack", True, f"slack through {where}: notification sent {after}")
        elif integration == "email" and reader is None and total > 0:
            settle(
                "email",
                False,
                f"email to {address} sent by {where} {after}, not confirmed: {address} is not "
                "one of [email].seed_inboxes; confirm receipt by hand",
            )
    if "email" in proven or reader is None:
        return
    try:
        found = reader.find(token, anywhere=True)
    except InboxError as exc:
        settle(
            "email", False, f"email to {address} through {where}: seed inbox not readable: {exc}"
        )
        return
    if found is None:
        return
    if found.folder == "spam":
        settle(
            "email",
            False,
            f"email to {address} through {where} arrived in the spam folder {found.mailbox} "
            f"{after}: alerts there go unseen",
        )
    else:
        settle(
            "email", True, f"email to {address} through {where} arrived in {found.mailbox} {after}"
        )


def _unseen(route: str, address: str, where: str, waited: float, reader: InboxReader | None) -> str:
    if route == "email" and reader is None:
        return (
            f"email to {address} through {where}: {address} is not one of "
            "[email].seed_inboxes; confirm receipt by hand"
        )
    if route == "email":
        return f"email to {address} through {where}: not found within {waited:g} s"
    return (
        f"slack through {where}: no slack notification within {waited:g} s (does a route send "
        f"alertname={ALERT_NAME} to a slack receiver?)"
    )


def _resolve(manager: _Alertmanager, alert: dict[str, object]) -> str:
    """Resolve the test alert; "" when done, else why not (for every proof's words)."""
    try:
        manager.post(alert | {"endsAt": _stamp(datetime.now(UTC))})
    except NetError as exc:
        return f" (the test alert could not be resolved: {exc}; it ends by itself)"
    return ""


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
