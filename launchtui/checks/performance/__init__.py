"""Stage 4, performance guardrails: p95 of the core flows, private pages never cached, rate
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
# perf.latency: flows run one after another (see the module), each at most 60 s of schedule
# plus its timeout; the budget covers a target waiting for the others of its run.
register(
    Check(
        id="perf.latency",
        stage="performance",
        severity=Severity.HIGH,
        title="Core flows answer with p95 under 500 ms and under 1% errors",
        targets=targets.latency_flows,
        run=RunsIn("launchtui.checks.performance.latency"),
        budget=600.0,
        trend="p95_ms",  # the app draws each flow's p95 over its runs
    )
)
# perf.page: a real headless Chromium per target (bounded: PAGE_TIMEOUT a page, the browser
# killed whatever happens), or a static pass over the HTML without one.
register(
    Check(
        id="perf.page",
        stage="performance",
        severity=Severity.MEDIUM,
        title="What each core page loads: repeated API calls, third-party and blocking scripts",
        targets=targets.pages,
        run=RunsIn("launchtui.checks.performance.page"),
        budget=60.0,
    )
)
