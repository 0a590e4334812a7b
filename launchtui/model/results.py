"""What a check produces: statuses, severities, and one result type.

A result as a check returns it and as the store keeps it are the same type; the store's has
`previous`, the result it replaced, so that a view can say what changed since the last run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # could not check: timeout, refusal, SERVFAIL; never shown as pass
    SKIP = "skip"  # not configured
    MANUAL = "manual"  # needs a person


class Severity(enum.StrEnum):
    BLOCKER = "blocker"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for blocker, 3 for low: lower ranks matter more."""
        return list(Severity).index(self)


# Evidence is plain data (str, int, float, bool, lists and dicts of them) so that it can be
# written to TOML and JSON unchanged.
Evidence = dict[str, Any]


@dataclass(slots=True)
class Outcome:
    """What a check function returns for one target."""

    status: Status
    summary: str
    evidence: Evidence = field(default_factory=dict)
    fix: str = ""


@dataclass(frozen=True, slots=True)
class Previous:
    """The result a newer one replaced: enough to say what changed since the last run."""

    status: Status
    summary: str = ""
    checked_at: str = ""

    @classmethod
    def of(cls, result: Result) -> Previous:
        return cls(result.status, result.summary, result.checked_at)


@dataclass(slots=True)
class Result:
    """One check's result for one target, with the fields of the JSON contract."""

    id: str
    stage: str
    target: str
    status: Status
    severity: Severity
    summary: str
    evidence: Evidence = field(default_factory=dict)
    fix: str = ""
    duration_ms: int = 0
    checked_at: str = ""  # ISO 8601 UTC, set by the engine
    previous: Previous | None = None  # as stored: the result this one replaced

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "stage": self.stage,
            "target": self.target,
            "status": str(self.status),
            "severity": str(self.severity),
            "summary": self.summary,
            "evidence": self.evidence,
            "fix": self.fix,
            "duration_ms": self.duration_ms,
            "checked_at": self.checked_at,
        }
