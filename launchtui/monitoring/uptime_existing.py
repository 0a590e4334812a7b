"""Uptime services read back: Gatus, an Uptime Kuma backup, Upptime.

Shapes, as documented:
- Gatus (github.com/TwiN/gatus README, "Configuration"): `endpoints[]` with `url`,
  `conditions` (a certificate condition reads `[CERTIFICATE_EXPIRATION]`), `enabled` and
  `alerts[]` whose `type` names a provider configured under `alerting` (`email`, `slack`...).
- Uptime Kuma's backup JSON (server.js, "uploadBackup"): `monitorList[]` with `type`, `url`,
  `active`, `expiryNotification` (a certificate-expiry notice for HTTPS monitors) and
  `notificationIDList`; `notificationList[]` with `id`, `active` and `config`, a JSON text
  whose `type` is the channel ("smtp" is email, "slack"...).
- Upptime's `.upptimerc.yml` (upptime.js.org/docs/configuration): `sites[]` with `url`
  (`check: tcp-ping` sites are no HTTP monitor). A site down opens a GitHub issue (assigned
  to `assignees`); its Slack, email... notifications are configured as repository secrets
  (NOTIFICATION_SLACK=true with NOTIFICATION_SLACK_WEBHOOK_URL..., upptime.js.org/docs/
  notifications), which the file does not show; it has no certificate alert.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from launchtui.monitoring.watched import Watched, https_host, items, normalise_url, strings, truthy

CERT_CONDITION = "[CERTIFICATE_EXPIRATION]"
HTTP_KUMA_TYPES = ("http", "keyword", "json-query")
KUMA_ROUTES = {"smtp": "email"}  # Kuma's channel type -> the route it is


def is_gatus(document: dict[str, Any]) -> bool:
    return isinstance(document.get("endpoints"), list)


def is_kuma(document: dict[str, Any]) -> bool:
    return isinstance(document.get("monitorList"), list)


def is_upptime(document: dict[str, Any]) -> bool:
    return isinstance(document.get("sites"), list)


def gatus(path: Path, document: dict[str, Any]) -> Watched:
    alerting = document.get("alerting")
    providers = {str(k) for k in alerting} if isinstance(alerting, dict) else set()
    urls: set[str] = set()
    certificates: set[str] = set()
    routes: set[str] = set()
    cert_alert = False
    notes: list[str] = []
    for endpoint in items(document.get("endpoints")):
        if not truthy(endpoint.get("enabled")):
            continue
        url = str(endpoint.get("url", ""))
        normal = normalise_url(url)
        if normal is not None:
            urls.add(normal)
        alerts = {
            str(alert.get("type"))
            for alert in items(endpoint.get("alerts"))
            if truthy(alert.get("enabled"))
        }
        unconfigured = alerts - providers
        if unconfigured:
            notes.append(
                f"endpoint {endpoint.get('name', url)!s}: alert type "
                f"{', '.join(sorted(unconfigured))} has no provider under alerting"
            )
        routes |= alerts & providers
        watches_cert = any(CERT_CONDITION in c for c in strings(endpoint.get("conditions")))
        host = https_host(url) or _tls_host(url)
        if watches_cert and host and alerts & providers:  # a condition nobody hears is none
            certificates.add(host)
            cert_alert = True
    return Watched(
        str(path),
        "Gatus",
        frozenset(urls),
        frozenset(certificates),
        cert_alert,
        frozenset(routes),
        notes=tuple(notes),
    )


def _tls_host(url: str) -> str | None:
    if not url.lower().startswith("tls://"):
        return None
    host = url[len("tls://") :].rsplit(":", 1)[0]
    return host.lower().rstrip(".") or None


def kuma(path: Path, document: dict[str, Any]) -> Watched:
    channels: dict[str, str] = {}
    for notification in items(document.get("notificationList")):
        if not truthy(notification.get("active")):
            continue
        config = notification.get("config")
        if isinstance(config, str):
            try:
                config = json.loads(config)
            except (ValueError, RecursionError):
                config = {}
        kind = config.get("type") if isinstance(config, dict) else None
        if isinstance(kind, str) and kind:
            channels[str(notification.get("id"))] = KUMA_ROUTES.get(kind, kind)
    urls: set[str] = set()
    certificates: set[str] = set()
    routes: set[str] = set()
    for monitor in items(document.get("monitorList")):
        if monitor.get("type") not in HTTP_KUMA_TYPES or not truthy(monitor.get("active")):
            continue
        url = str(monitor.get("url", ""))
        normal = normalise_url(url)
        if normal is not None:
            urls.add(normal)
        linked = monitor.get("notificationIDList")
        ids = [str(k) for k, on in linked.items() if on] if isinstance(linked, dict) else []
        monitor_routes = {channels[i] for i in ids if i in channels}
        routes |= monitor_routes
        host = https_host(url)
        if host and truthy(monitor.get("expiryNotification"), default=False) and monitor_routes:
            certificates.add(host)
    return Watched(
        str(path),
        "Uptime Kuma backup",
        frozenset(urls),
        frozenset(certificates),
        bool(certificates),
        frozenset(routes),
    )


def upptime(path: Path, document: dict[str, Any]) -> Watched:
    urls = {
        normal
        for site in items(document.get("sites"))
        if site.get("check") in (None, "http")
        for normal in [normalise_url(str(site.get("url", "")))]
        if normal is not None
    }
    routes = {"github-issues"}
    routes |= {str(n.get("type")) for n in items(document.get("notifications")) if n.get("type")}
    notes = [
        "Upptime opens a GitHub issue when a site is down; its Slack or email notifications "
        "are repository secrets (NOTIFICATION_*), not in this file; it has no "
        "certificate-expiry alert"
    ]
    assignees = strings(document.get("assignees"))
    if assignees:
        notes.append(
            f"issues are assigned to {', '.join(assignees)}: GitHub notifies them as their "
            "own settings say"
        )
    return Watched(
        str(path),
        "Upptime",
        frozenset(urls),
        routes=frozenset(routes),
        routes_elsewhere=True,
        notes=tuple(notes),
    )
