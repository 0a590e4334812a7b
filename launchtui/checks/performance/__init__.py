"""Stage 4, performance guardrails: latency, private pages kept out of shared caches, rate
limits, what a page really loads.

The stage's checks are declared here (see launchtui.checks.edge for how declarations and the
modules that run them are split); each block is self-contained.
"""

from __future__ import annotations

from launchtui.checks.performance import _targets as targets
from launchtui.checks.registry import Check, RunsIn, register
from launchtui.model.results import Severity

register(
    Check(
        id="perf.private-cache",
        stage="performance",
        severity=Severity.BLOCKER,
        title="Member pages are never served from a shared cache to someone else",
        targets=targets.private_pages,
        run=RunsIn("launchtui.checks.performance.private_cache"),
        audit=True,
    )
)
register(
    Check(
        id="perf.rate-limit",
        stage="performance",
        severity=Severity.HIGH,
        title="Login, join and invite are rate limited, and say when to retry",
        targets=targets.rate_limited,
        run=RunsIn("launchtui.checks.performance.rate_limit"),
        budget=150.0,  # three bursts one after the other, each at most 30 requests
    )
)
