"""One headless run: what was asked, what came back, and what it means for the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field

from launchtui.model.results import Result, Severity
from launchtui.model.sprint import Sprint
from launchtui.model.tasks import Task
from launchtui.reports.gate import gating
from launchtui.reports.routing import RouteEntry, build_routing


@dataclass(slots=True)
class RunReport:
    sprint: Sprint
    stages: list[str]  # every stage that ran, by name: all seven when none was chosen
    results: list[Result]
    fail_on: Severity
    started_at: str
    wall_ms: int
    previous: dict[tuple[str, str], str] = field(default_factory=dict)  # -> previous status
    open_tasks: list[Task] = field(default_factory=list)  # manual tasks of those stages not done
    unchecked_stages: list[str] = field(default_factory=list)  # ran, but have no automated check
    demo: bool = False  # the demo exits 0 whatever its seeded problems make the gate say

    @property
    def gating(self) -> list[Result]:
        return gating(self.results, self.fail_on)

    @property
    def gate_exit_code(self) -> int:
        """What `launchtui check` exits with for these results."""
        return 1 if self.gating else 0

    @property
    def exit_code(self) -> int:
        """What this command exits with: the gate's code, except for the demo."""
        return 0 if self.demo else self.gate_exit_code

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
