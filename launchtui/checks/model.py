"""What a check is and what it produces: statuses, severities and results."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

# Checks in flight at once. Waiting on the network does not need a small number here: the
# network layer caps connections per host (net/connect.PER_HOST) and DNS queries per resolver
# (net/dns.IN_FLIGHT), which is what keeps the probes polite.
DEFAULT_CONCURRENCY = 256
MAX_CONCURRENCY = 1024


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
