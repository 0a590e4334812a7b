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

# monitoring.synthetic: one GET per monitor, bounded by PROBE_TIMEOUT_S like the exported probe
register(
    Check(
        id="monitoring.synthetic",
        stage="monitoring",
        severity=Severity.HIGH,
        title="The core flows answer now, as the exported monitors judge them",
        targets=targets.http_monitors,
        run=RunsIn("launchtui.checks.monitoring.synthetic"),
        trend="elapsed_ms",  # the app draws each monitor's response time over its runs
    )
)
# monitoring.cert-expiry: one handshake per public hostname, CERT_HANDSHAKES at once; the
# budget covers a few rounds of stalled handshakes
register(
    Check(
        id="monitoring.cert-expiry",
        stage="monitoring",
        severity=Severity.HIGH,
        title="Every public hostname's certificate has at least 14 days left",
        targets=targets.certificates,
        run=RunsIn("launchtui.checks.monitoring.cert_expiry"),
        budget=120.0,
    )
)
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
