"""The quick audit's deliverable: a risk list ranked by launch impact, and a fix order.

Ranking: severity first (a blocker outranks anything high), then how sure the finding is
(fail, then error -- could not check -- then warn), then stage order. Groups for the fix order:
- "blocker": blocker-severity checks that failed or could not be checked: fix before launch;
- "high": high-severity failures and errors, and blocker-severity warnings (an expiring
  certificate is not broken yet, but will be);
- "nice-to-have": everything else that is not passing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from launchtui.checks.model import Result, Severity, Status
from launchtui.stages import STAGE_NAMES

GROUPS = ("blocker", "high", "nice-to-have")
_STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.WARN)


@dataclass(frozen=True, slots=True)
class Risk:
    rank: int
    group: str
    result: Result

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "rank": self.rank,
            "group": self.group,
            "id": r.id,
            "stage": r.stage,
            "target": r.target,
            "status": str(r.status),
            "severity": str(r.severity),
            "summary": r.summary,
            "fix": r.fix,
        }


def group_of(result: Result) -> str:
    broken = result.status in (Status.FAIL, Status.ERROR)
    if result.severity is Severity.BLOCKER and broken:
        return "blocker"
    if (result.severity is Severity.HIGH and broken) or result.severity is Severity.BLOCKER:
        return "high"
    return "nice-to-have"


def rank_risks(results: list[Result]) -> list[Risk]:
    open_results = [r for r in results if r.status in _STATUS_ORDER]
    ordered = sorted(
        open_results,
        key=lambda r: (
            GROUPS.index(group_of(r)),
            r.severity.rank,
            _STATUS_ORDER.index(r.status),
            STAGE_NAMES.index(r.stage) if r.stage in STAGE_NAMES else len(STAGE_NAMES),
        ),
    )
    return [Risk(n, group_of(r), r) for n, r in enumerate(ordered, start=1)]


def fix_order(risks: list[Risk]) -> dict[str, list[int]]:
    """Risk ranks per group, in the order to fix them."""
    return {group: [risk.rank for risk in risks if risk.group == group] for group in GROUPS}
