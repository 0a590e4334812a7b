"""What the performance checks run on: light enough to list the checks (no network stack)."""

from __future__ import annotations

from launchtui.model.flows import CORE_FLOWS
from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target

FLOWS_SETTING = "[flows]"  # perf.latency's one target when no flow is declared


def latency_flows(sprint: Sprint) -> list[Target]:
    """One row per core flow declared (login, join, invite, posts), then every other flow
    declared as a table of steps (a flow written for the probe); named by the flow."""
    specs = sprint.flow_specs
    names = [name for name in CORE_FLOWS if name in specs]
    names += [name for name, flow in specs.items() if name not in CORE_FLOWS and flow.declared]
    if not names:
        return [Target.for_setting(FLOWS_SETTING)]
    return [Target.for_host(name) for name in names]
