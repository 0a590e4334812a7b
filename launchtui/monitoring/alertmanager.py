"""The Alertmanager configuration of the Prometheus export: alerts emailed through the sprint's
SMTP relay to [monitoring].alert_email, and posted to the Slack incoming webhook named by
[monitoring].slack_webhook, resolved notices included.

Secrets are read from files (Alertmanager 0.25: email `auth_password_file`, Slack
`api_url_file`), never written in: the export names each file and the credential to fill
it with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchtui.email.delivery import SMTP_PASSWORD
from launchtui.model.sprint import Sprint
from launchtui.monitoring import targets
from launchtui.monitoring.export import SecretRef
from launchtui.monitoring.prometheus_options import PrometheusOptions

NO_ROUTE = "no-route"  # the receiver of a sprint that declares no alert route


@dataclass(frozen=True, slots=True)
class Routes:
    config: dict[str, Any]
    secrets: tuple[SecretRef, ...]
    notes: tuple[str, ...]


def render(sprint: Sprint, secrets_dir: Path, options: PrometheusOptions) -> Routes:
    receivers: list[dict[str, Any]] = []
    secrets: list[SecretRef] = []
    notes: list[str] = []
    email = _email(sprint, secrets_dir, secrets, notes)
    if email is not None:
        receivers.append({"name": "email", "email_configs": [email]})
    webhook = sprint.monitoring.slack_webhook
    if webhook:
        path = secrets_dir / webhook
        secrets.append(SecretRef(str(path), webhook, "the Slack incoming-webhook URL"))
        slack: dict[str, Any] = {
            "api_url_file": str(path),
            "send_resolved": True,
            "title": "{{ .CommonAnnotations.summary }}",
            "text": "{{ range .Alerts }}{{ .Annotations.summary }} "
            "({{ .Labels.severity }}, {{ .Status }}): "
            "{{ .Annotations.runbook }}\n{{ end }}",
        }
        if sprint.network.ca_bundle is not None:
            # The sprint's trust anchors (a lab or staging CA) for the webhook's HTTPS too, as
            # for the SMTP relay; Go's ca_file replaces the system roots for this client.
            slack["http_config"] = {"tls_config": {"ca_file": str(sprint.network.ca_bundle)}}
        receivers.append({"name": "slack", "slack_configs": [slack]})
    if not receivers:
        notes.append("no alert route: set [monitoring].alert_email or slack_webhook")
        receivers.append({"name": NO_ROUTE})
    route: dict[str, Any] = {
        "receiver": receivers[0]["name"],
        "group_by": ["alertname", "monitor", "hostname"],
        "group_wait": options.group_wait,
        "group_interval": options.group_interval,
        "repeat_interval": options.repeat_interval,
    }
    if len(receivers) > 1:  # every alert goes to every route
        route["routes"] = [{"receiver": r["name"], "continue": True} for r in receivers]
    config = {
        "route": route,
        "receivers": receivers,
        # a certificate under the critical line is already under the warning line: one page
        "inhibit_rules": [
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity="warning"'],
                "equal": ["alertname", "hostname"],
            }
        ],
    }
    return Routes(config, tuple(secrets), tuple(notes))


def _email(
    sprint: Sprint, secrets_dir: Path, secrets: list[SecretRef], notes: list[str]
) -> dict[str, Any] | None:
    to = sprint.monitoring.alert_email
    smtp = sprint.email.smtp
    if not to:
        return None
    if smtp is None or not smtp.host or not sprint.email.from_address:
        notes.append(
            f"no email route to {to}: it needs [email].smtp and [email].from to send through"
        )
        return None
    smarthost, mapped = targets.smtp_address(smtp.host, smtp.port, sprint.network)
    email: dict[str, Any] = {
        "to": to,
        "from": sprint.email.from_address,
        "smarthost": smarthost,
        "send_resolved": True,
        # Alertmanager speaks implicit TLS on port 465 only, else STARTTLS when required
        "require_tls": smtp.tls != "none",
    }
    if smtp.tls == "tls" and smtp.port != 465:
        notes.append(
            f"[email].smtp.tls = tls on port {smtp.port}: Alertmanager uses implicit TLS on "
            "465 only and will try STARTTLS here"
        )
    if smtp.username:
        path = secrets_dir / SMTP_PASSWORD
        email["auth_username"] = smtp.username
        email["auth_password_file"] = str(path)
        secrets.append(SecretRef(str(path), SMTP_PASSWORD, "the SMTP relay's password"))
    tls: dict[str, str] = {}
    if mapped:
        tls["server_name"] = smtp.host
    if sprint.network.ca_bundle is not None:
        tls["ca_file"] = str(sprint.network.ca_bundle)
    if tls:
        email["tls_config"] = tls
    return email
