"""The sprint's monitors as one Gatus configuration file (TwiN/gatus README: "Endpoints",
"Conditions", "Client configuration", "Configuring Email alerts", "Configuring Slack alerts").

Each core flow is an endpoint judged on [STATUS] (2xx, redirects not followed),
[RESPONSE_TIME] (< SLOW_MS), [BODY] for health and [CERTIFICATE_EXPIRATION]; each hostname
gets a tls:// endpoint for its certificate and a DNS endpoint. Secrets are `${VAR}`
references (Gatus expands environment variables in its configuration), never values.

What Gatus cannot express, and the export says so: [network].connect_to (no connect-to
address or TLS server name), [network].ca_bundle (only `insecure`), a regular expression on
the body (the health condition is a JSONPath `status` field in the words the regex accepts),
and a separate "slow for SLOW_FOR": the response time is one of the endpoint's conditions.
"""

from __future__ import annotations

import math
from typing import Any

from launchtui.credentials import env_var
from launchtui.email.delivery import SMTP_PASSWORD
from launchtui.model.monitoring import (
    CERT_WARN_DAYS,
    DOWN_FOR,
    PROBE_TIMEOUT_S,
    SLOW_MS,
    Monitor,
)
from launchtui.model.sprint import Sprint
from launchtui.monitoring import durations, targets
from launchtui.monitoring.export import Export, SecretRef, dump, header

INTERVAL = "60s"
# The words HEALTH_BODY_REGEX accepts as "up", as a Gatus any() on the body's `status`.
HEALTH_WORDS = ("ok", "pass", "passed", "up", "healthy", "green", "success")
GROUP_CORE = "core flows"
GROUP_CERTIFICATES = "certificates"
GROUP_DNS = "dns"


def render(sprint: Sprint, interval: str = INTERVAL) -> Export:
    failures = max(1, math.ceil(durations.seconds(DOWN_FOR) / durations.seconds(interval)))
    alerting, secrets, notes = _alerting(sprint)
    alerts = [
        {
            "type": kind,
            "failure-threshold": failures,  # down for DOWN_FOR before it alerts
            "success-threshold": 1,
            "send-on-resolved": True,
        }
        for kind in alerting
    ]
    network = sprint.network
    client: dict[str, Any] = {"timeout": f"{PROBE_TIMEOUT_S}s"}
    if network.nameservers:
        host, port = network.nameservers[0]
        client["dns-resolver"] = f"udp://{targets.hostport((host, port))}"
    endpoints = [_http(monitor, client, interval) for monitor in sprint.monitors.http]
    resolver = targets.resolver(network)
    for host in sprint.monitors.certificates:
        endpoints.append(
            {
                "name": f"certificate {host}",
                "group": GROUP_CERTIFICATES,
                "url": f"tls://{host}:443",
                "interval": interval,
                "client": client,
                "conditions": [
                    "[CONNECTED] == true",
                    f"[CERTIFICATE_EXPIRATION] > {CERT_WARN_DAYS * 24}h",
                ],
            }
        )
        endpoints.append(
            {
                "name": f"dns {host}",
                "group": GROUP_DNS,
                "url": resolver[0] if resolver[1] == 53 else targets.hostport(resolver),
                "dns": {"query-name": host, "query-type": "A"},
                "interval": interval,
                "conditions": ["[DNS_RCODE] == NOERROR"],
            }
        )
    if network.connect_to:
        notes.append(
            "Gatus has no connect-to: its endpoints reach each hostname where DNS says "
            "([network].connect_to is not expressed)"
        )
    if network.ca_bundle is not None:
        notes.append(
            "Gatus cannot trust an extra CA ([network].ca_bundle): install it in the system "
            "store where Gatus runs"
        )
    if alerts:
        endpoints = [{**endpoint, "alerts": alerts} for endpoint in endpoints]
    document: dict[str, Any] = {"endpoints": endpoints}
    if alerting:
        document = {"alerting": alerting, **document}
    text = header(sprint.name, "Gatus configuration") + dump(document)
    return Export({"config.yaml": text}, secrets, tuple(notes))


def _http(monitor: Monitor, client: dict[str, Any], interval: str) -> dict[str, Any]:
    conditions = ["[STATUS] >= 200", "[STATUS] < 300", f"[RESPONSE_TIME] < {SLOW_MS}"]
    if monitor.body_regex:
        conditions.append(f"[BODY].status == any({', '.join(HEALTH_WORDS)})")
    if monitor.url.startswith("https://"):
        conditions.append(f"[CERTIFICATE_EXPIRATION] > {CERT_WARN_DAYS * 24}h")
    return {
        "name": monitor.name,
        "group": GROUP_CORE,
        "url": monitor.url,
        "method": "GET",
        "interval": interval,
        # a page that redirects is not the page watched
        "client": {**client, "ignore-redirect": True},
        "conditions": conditions,
    }


def _alerting(sprint: Sprint) -> tuple[dict[str, Any], tuple[SecretRef, ...], list[str]]:
    alerting: dict[str, Any] = {}
    secrets: list[SecretRef] = []
    notes: list[str] = []
    to = sprint.monitoring.alert_email
    smtp = sprint.email.smtp
    if to and smtp is not None and smtp.host and sprint.email.from_address:
        email: dict[str, Any] = {
            "from": sprint.email.from_address,
            "host": smtp.host,
            "port": smtp.port,
            "to": to,
        }
        if smtp.username:
            variable = env_var(SMTP_PASSWORD)
            email["username"] = smtp.username
            email["password"] = f"${{{variable}}}"
            secrets.append(SecretRef(variable, SMTP_PASSWORD, "the SMTP relay's password"))
        alerting["email"] = email
    elif to:
        notes.append(f"no email alerts to {to}: they need [email].smtp and [email].from")
    webhook = sprint.monitoring.slack_webhook
    if webhook:
        variable = env_var(webhook)
        alerting["slack"] = {"webhook-url": f"${{{variable}}}"}
        secrets.append(SecretRef(variable, webhook, "the Slack incoming-webhook URL"))
    if not alerting:
        notes.append("no alert route: set [monitoring].alert_email or slack_webhook")
    return alerting, tuple(secrets), notes
