"""Stage 4, performance guardrails: p95 of the core flows, private pages never cached, rate
limits, what a page really loads.

The stage's checks are declared here (see launchtui.checks.edge for how declarations and the
modules that run them are split); each block is self-contained.
"""

from __future__ import annotations

from launchtui.checks.performance import _targets as targets
from launchtui.checks.registry import Check, RunsIn, register
from launchtui.model.results import Severity

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
    )
)
