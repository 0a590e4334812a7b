"""The sprint's alert routes ([monitoring]) and when each was last proven, as the dashboard
shows them: email to [monitoring].alert_email, Slack through the credential [monitoring]
.slack_webhook names (its name only: the value is a secret).

"Last proven" comes from one place, `route_proofs`: for now the "Alert routes proven" task's
evidence and its updated_at (what `monitor prove` records there, or what the engineer wrote),
the same proof for every route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from launchtui.model.monitoring import MonitoringConfig
from launchtui.sprint.tasks_store import TaskState

PROOF_TASK = ("monitoring", "alert-routes-proven")
EMAIL, SLACK = "email", "slack"


@dataclass(frozen=True, slots=True)
class Proof:
    at: str  # ISO 8601 UTC, "" when the proof says no time
    evidence: str


@dataclass(frozen=True, slots=True)
class AlertRoute:
    route: str  # EMAIL or SLACK
    label: str  # "email", "Slack"
    to: str  # the address, or the credential's name
    proof: Proof | None  # None: never proven


def route_proofs(states: Mapping[tuple[str, str], TaskState]) -> dict[str, Proof]:
    """The latest proof of each route, by route; a route missing was never proven. Read
    from the proof task's state: its evidence stands for every route it proved."""
    state = states.get(PROOF_TASK)
    if state is None or not state.evidence.strip():
        return {}
    proof = Proof(state.updated_at, state.evidence.strip())
    return {EMAIL: proof, SLACK: proof}


def alert_routes(
    config: MonitoringConfig, states: Mapping[tuple[str, str], TaskState]
) -> list[AlertRoute]:
    """The routes [monitoring] declares, in a fixed order (email, then Slack)."""
    proofs = route_proofs(states)
    routes = []
    if config.alert_email:
        routes.append(AlertRoute(EMAIL, "email", config.alert_email, proofs.get(EMAIL)))
    if config.slack_webhook:
        routes.append(AlertRoute(SLACK, "Slack", config.slack_webhook, proofs.get(SLACK)))
    return routes
