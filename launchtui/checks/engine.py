"""Runs checks concurrently, each under a time budget, and never lets one crash the run.

A check's own exception, a timeout, a refusal or SERVFAIL becomes an `error` result carrying
the reason, and a fix for that kind of failure: "could not check" must never read as a pass.
A check's own exception is a bug, not a finding about the site: it says "internal error" and
names the exception type in evidence["internal_error"], so nothing mistakes it for a network
failure (tests/check_helpers.assert_could_not_check relies on this).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from launchtui.checks._could_not_check import GENERIC, error_fix
from launchtui.checks.registry import Check
from launchtui.model.limits import DEFAULT_CONCURRENCY
from launchtui.model.results import Outcome, Result, Status
from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target
from launchtui.net.errors import NetError

if TYPE_CHECKING:  # the network stack loads when a check runs
    from launchtui.checks.context import CheckContext

ResultCallback = Callable[[Result], None]

INTERNAL = (
    "Nothing was verified: launchtui itself failed in this check, which says nothing about "
    "the site. Run the check again; if it fails the same way, report it with this result."
)


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plan(checks: list[Check], sprint: Sprint) -> list[tuple[Check, Target]]:
    """Every (check, target) pair to run, in report order."""
    return [(check, target) for check in checks for target in check.targets(sprint)]


async def run_checks(
    checks: list[Check],
    ctx: CheckContext,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: ResultCallback | None = None,
) -> list[Result]:
    """Run every target of every check; results come back in plan order."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(check: Check, target: Target) -> Result:
        async with gate:
            result = await run_one(check, target, ctx)
        if on_result is not None:
            on_result(result)
        return result

    return list(await asyncio.gather(*(one(c, t) for c, t in plan(checks, ctx.sprint))))


async def run_one(check: Check, target: Target, ctx: CheckContext) -> Result:
    started = time.perf_counter()
    checked_at = now_iso()
    try:
        async with asyncio.timeout(check.budget):
            outcome = await check.run(ctx, target)
    except TimeoutError:
        outcome = _error(f"could not check: no result within the {check.budget:g} s budget")
    except NetError as exc:
        fix = error_fix(exc, ctx.net.commands, ctx.sprint.site.apex)
        outcome = _error(f"could not check: {exc}", fix)
    except Exception as exc:  # a bug in one check must not take the run down
        kind = type(exc).__name__
        outcome = Outcome(
            Status.ERROR,
            f"could not check: internal error: {kind}: {exc}",
            {"internal_error": kind},
            fix=INTERNAL,
        )
    return Result(
        id=check.id,
        stage=check.stage,
        target=target.text,  # the key in the sprint file and the reports
        status=outcome.status,
        severity=check.severity,
        summary=outcome.summary,
        evidence=outcome.evidence,
        fix=outcome.fix if outcome.status is not Status.PASS else "",
        duration_ms=round((time.perf_counter() - started) * 1000),
        checked_at=checked_at,
    )


def _error(reason: str, fix: str = GENERIC) -> Outcome:
    return Outcome(Status.ERROR, reason, fix=fix)
