"""The order results are reported in: what needs action first."""

from __future__ import annotations

from launchtui.model.results import Result, Status

STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL, Status.SKIP, Status.PASS)


def by_urgency(results: list[Result]) -> list[Result]:
    """Failures first, worst severity first; ties keep the run's own order."""
    return sorted(results, key=lambda r: (STATUS_ORDER.index(r.status), r.severity.rank))


def counts(results: list[Result]) -> dict[str, int]:
    return {str(s): sum(1 for r in results if r.status is s) for s in STATUS_ORDER}
