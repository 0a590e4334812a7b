"""The quick audit's deliverable: a risk list ranked by launch impact, and a fix order.

Ranking: severity first (a blocker outranks anything high), then how sure the finding is
(fail, then error -- could not check -- then warn), then stage order. Groups for the fix order:
- "blocker": blocker-severity checks that failed or could not be checked: fix before launch;
- "high": high-severity failures and errors, and blocker-severity warnings (an expiring
  certificate is not broken yet, but will be);
- "nice-to-have": everything else that is not passing.

A hostname that does not resolve, or whose certificate is broken, makes most other checks of
that host end in `error` too. Those errors are not separate risks: they are listed under the
root cause (`blocked`), so that the list stays a fix order instead of an echo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from launchtui.checks.model import Result, Severity, Status
from launchtui.stages import STAGE_NAMES

GROUPS = ("blocker", "high", "nice-to-have")
_STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.WARN)


# Checks whose failure on a host makes the other checks of that host unable to run.
ROOT_CAUSES = ("dns.resolve", "tls.certificate")


@dataclass(frozen=True, slots=True)
class Risk:
    rank: int
    group: str
    result: Result
    blocked: tuple[Result, ...] = ()  # errors on the same host that this risk explains

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
            "blocked": [
                {"id": b.id, "target": b.target, "summary": b.summary} for b in self.blocked
            ],
        }


def group_of(result: Result) -> str:
    broken = result.status in (Status.FAIL, Status.ERROR)
    if result.severity is Severity.BLOCKER and broken:
        return "blocker"
    if (result.severity is Severity.HIGH and broken) or result.severity is Severity.BLOCKER:
        return "high"
    return "nice-to-have"


def target_host(target: str) -> str:
    """The hostname a target is about: a URL's host, or the first word of the target."""
    if "://" in target:
        return (urlsplit(target).hostname or target).lower()
    return target.split(" ", 1)[0].lower()


def rank_risks(results: list[Result]) -> list[Risk]:
    open_results = [r for r in results if r.status in _STATUS_ORDER]
    roots: dict[str, Result] = {}
    for result in open_results:
        broken = result.status in (Status.FAIL, Status.ERROR)
        if result.id in ROOT_CAUSES and broken:
            roots.setdefault(target_host(result.target), result)
    blocked: dict[int, list[Result]] = {}
    independent = []
    for result in open_results:
        root = roots.get(target_host(result.target))
        if result.status is Status.ERROR and root is not None and root is not result:
            blocked.setdefault(id(root), []).append(result)
        else:
            independent.append(result)
    ordered = sorted(
        independent,
        key=lambda r: (
            GROUPS.index(group_of(r)),
            r.severity.rank,
            _STATUS_ORDER.index(r.status),
            STAGE_NAMES.index(r.stage) if r.stage in STAGE_NAMES else len(STAGE_NAMES),
        ),
    )
    return [
        Risk(n, group_of(r), r, tuple(blocked.get(id(r), ())))
        for n, r in enumerate(ordered, start=1)
    ]


def fix_order(risks: list[Risk]) -> dict[str, list[int]]:
    """Risk ranks per group, in the order to fix them."""
    return {group: [risk.rank for risk in risks if risk.group == group] for group in GROUPS}
