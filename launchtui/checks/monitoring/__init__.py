"""Stage 6, monitoring: the core flows answer as the exported monitors judge them, every
certificate has time left, the team's monitors cover the flows and alert someone, and
production errors reach an error tracker.

The stage's checks are declared here (see launchtui.checks.edge for how declarations and the
modules that run them are split); each block is self-contained.
"""

from __future__ import annotations

from launchtui.checks.monitoring import _targets as targets
from launchtui.checks.registry import Check, RunsIn, register
from launchtui.model.results import Severity

# monitoring.coverage: reads local files only (bounded: 5 MB a file, 50 rule files)
register(
    Check(
        id="monitoring.coverage",
        stage="monitoring",
        severity=Severity.HIGH,
        title="The team's monitors watch every core flow and certificate, and alert someone",
        targets=targets.coverage,
        run=RunsIn("launchtui.checks.monitoring.coverage"),
    )
)
# monitoring.error-reporting: one canary event per run, never retried
register(
    Check(
        id="monitoring.error-reporting",
        stage="monitoring",
        severity=Severity.HIGH,
        title="Production errors reach the error tracker (a canary event is accepted)",
        targets=targets.error_reporting,
        run=RunsIn("launchtui.checks.monitoring.error_reporting"),
    )
)
