"""The sprint's alert routes ([monitoring]) and when each was last proven, as the dashboard
shows them: email to [monitoring].alert_email, Slack through the credential [monitoring]
.slack_webhook names (its name only: the value is a secret).

"Last proven" is each route's latest proof in the run history (`monitor prove` records one per
route and test alert; launchtui.sprint.history `latest_proofs`), a failed one included: a route
whose last test alert did not arrive is not shown as proven by an older success.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from launchtui.model.monitoring import AlertProof, MonitoringConfig

EMAIL, SLACK = "email", "slack"


@dataclass(frozen=True, slots=True)
class AlertRoute:
    route: str  # EMAIL or SLACK
    label: str  # "email", "Slack"
    to: str  # the address, or the credential's name
    proof: AlertProof | None  # the latest test alert through it; None: never tried


def alert_routes(config: MonitoringConfig, proofs: Mapping[str, AlertProof]) -> list[AlertRoute]:
    """The routes [monitoring] declares, in a fixed order (email, then Slack), each with its
    latest proof (`proofs` by route)."""
    routes = []
    if config.alert_email:
        routes.append(AlertRoute(EMAIL, "email", config.alert_email, proofs.get(EMAIL)))
    if config.slack_webhook:
        routes.append(AlertRoute(SLACK, "Slack", config.slack_webhook, proofs.get(SLACK)))
    return routes
