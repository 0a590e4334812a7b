"""Which results make a headless run exit 1."""

from __future__ import annotations

from collections.abc import Iterable

from launchtui.model.results import Result, Severity, Status

# An error means "could not check": a gate that let it through would turn an outage of the
# check into a pass.
GATING = (Status.FAIL, Status.ERROR)


def gating(results: Iterable[Result], fail_on: Severity) -> list[Result]:
    return [r for r in results if r.status in GATING and r.severity.rank <= fail_on.rank]
