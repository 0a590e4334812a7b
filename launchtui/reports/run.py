"""One headless run: what was asked, what came back, and what it means for the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field

from launchtui.checks.model import Result, Severity
from launchtui.reports.gate import gating
from launchtui.reports.routing import RouteEntry, build_routing
from launchtui.sprint.model import Sprint


@dataclass(slots=True)
class RunReport:
    sprint: Sprint
    stages: list[str]
    results: list[Result]
    fail_on: Severity
    started_at: str
    wall_ms: int
    previous: dict[tuple[str, str], str] = field(default_factory=dict)  # -> previous status

    @property
    def gating(self) -> list[Result]:
        return gating(self.results, self.fail_on)

    @property
    def exit_code(self) -> int:
        return 1 if self.gating else 0

    @property
    def routing(self) -> list[RouteEntry]:
        """The routing map, when the edge stage ran (it is built from that stage's results)."""
        if not any(result.stage == "edge" for result in self.results):
            return []
        return build_routing(self.sprint, self.results)

    def change(self, result: Result) -> str:
        """ "" when unchanged or first seen, else e.g. "was pass"."""
        before = self.previous.get((result.id, result.target))
        if before is None or before == str(result.status):
            return ""
        return f"was {before}"
