"""Stage 3, deployment hardening: env vars, secrets, the repository and the deploy's health.

The stage's checks are declared here (see launchtui.checks.edge for how declarations and the
modules that run them are split).
"""

from __future__ import annotations

from launchtui.checks.deploy import _targets as targets
from launchtui.checks.registry import Check, RunsIn, register
from launchtui.model.results import Severity

register(
    Check(
        id="deploy.env",
        stage="deploy",
        severity=Severity.BLOCKER,
        title="Every environment variable production needs is set and real",
        targets=targets.env,
        run=RunsIn("launchtui.checks.deploy.env"),
        audit=True,
    )
)
register(
    Check(
        id="deploy.secrets",
        stage="deploy",
        severity=Severity.BLOCKER,
        title="No hardcoded secrets in the repository, build output or history",
        targets=targets.repo,
        run=RunsIn("launchtui.checks.deploy.secrets"),
        audit=True,
        budget=120.0,
    )
)
register(
    Check(
        id="deploy.health",
        stage="deploy",
        severity=Severity.HIGH,
        title="The deploy is healthy on every host",
        targets=targets.health,
        run=RunsIn("launchtui.checks.deploy.health"),
    )
)
register(
    Check(
        id="deploy.repo",
        stage="deploy",
        severity=Severity.MEDIUM,
        title="Lockfile, a documented deploy, no committed .env",
        targets=targets.repo,
        run=RunsIn("launchtui.checks.deploy.repo"),
    )
)
