"""Stage 4, performance guardrails: latency, private caching, rate limits, what a page loads.

The stage's checks are declared here (see launchtui.checks.edge for how declarations and the
modules that run them are split); each block is self-contained.
"""

from __future__ import annotations

from launchtui.checks.performance import _targets as targets
from launchtui.checks.registry import Check, RunsIn, register
from launchtui.model.results import Severity

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
