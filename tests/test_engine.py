"""The engine: concurrency under a limit, time budgets, and failures that become errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from check_helpers import assert_could_not_check

from launchtui.checks.context import check_context
from launchtui.checks.engine import run_checks
from launchtui.checks.registry import Check
from launchtui.model.results import Outcome, Severity, Status
from launchtui.model.sprint import NetworkConfig, Site, Sprint
from launchtui.model.targets import Target
from launchtui.net.errors import NetError

SPRINT = Sprint(
    path=Path("x.toml"),
    id="x",
    name="x",
    site=Site(apex="a.test", hostnames=tuple(f"h{i}.a.test" for i in range(12))),
)


def make(run, budget: float = 5.0) -> Check:
    return Check(
        id="t.check",
        stage="edge",
        severity=Severity.HIGH,
        title="test",
        targets=lambda sprint: [Target.for_host(h) for h in sprint.site.all_hostnames],
        run=run,
        budget=budget,
    )


def run(check: Check, concurrency: int = 16):
    async def go():
        async with check_context(SPRINT, NetworkConfig()) as ctx:
            return await run_checks([check], ctx, concurrency=concurrency)

    return asyncio.run(go())


def test_results_come_back_in_plan_order_with_contract_fields():
    async def check(ctx, target):
        await asyncio.sleep(0.01 if target.value.startswith("h1") else 0)
        return Outcome(Status.PASS, f"ok {target}", {"t": target.text})

    results = run(make(check))
    assert [r.target for r in results] == list(SPRINT.site.all_hostnames)
    first = results[0].to_dict()
    assert set(first) >= {
        "id",
        "stage",
        "target",
        "status",
        "severity",
        "summary",
        "evidence",
        "fix",
        "duration_ms",
    }
    assert first["status"] == "pass" and first["severity"] == "high"


def test_concurrency_never_exceeds_the_limit():
    running = [0]
    peak = [0]

    async def check(ctx, target):
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        await asyncio.sleep(0.02)
        running[0] -= 1
        return Outcome(Status.PASS, "ok")

    run(make(check), concurrency=3)
    assert peak[0] == 3


@pytest.mark.parametrize(
    ("raise_", "expected"),
    [
        (NetError("connection refused by 127.0.0.1:9"), "connection refused by 127.0.0.1:9"),
        (ValueError("boom"), "internal error: ValueError: boom"),
    ],
)
def test_an_exception_becomes_an_error_result_never_a_crash(raise_, expected):
    async def check(ctx, target):
        raise raise_

    results = run(make(check))
    assert {r.status for r in results} == {Status.ERROR}
    assert expected in results[0].summary
    assert results[0].fix  # an error still tells the user what to do


def test_a_crash_is_told_apart_from_a_network_failure():
    async def crashes(ctx, target):
        raise TypeError("'NoneType' object is not subscriptable (connection refused)")

    async def refused(ctx, target):
        raise NetError("connection refused by 127.0.0.1:9")

    [crash, *_] = run(make(crashes))
    assert crash.status is Status.ERROR
    assert crash.summary.startswith("could not check: internal error: TypeError: ")
    assert crash.evidence == {"internal_error": "TypeError"}
    assert "says nothing about the site" in crash.fix
    # A test that only asks for an error, or for its reason, would pass on this crash.
    with pytest.raises(AssertionError):
        assert_could_not_check(crash, "connection refused")
    [failure, *_] = run(make(refused))
    assert_could_not_check(failure, "connection refused by 127.0.0.1:9")
    assert "internal_error" not in failure.evidence


def test_a_check_over_budget_is_an_error():
    async def check(ctx, target):
        await asyncio.sleep(60)
        return Outcome(Status.PASS, "never")

    results = run(make(check, budget=0.2))
    assert {r.status for r in results} == {Status.ERROR}
    assert "0.2 s budget" in results[0].summary


def test_fix_text_is_dropped_from_passes():
    async def check(ctx, target):
        return Outcome(Status.PASS, "ok", fix="should not show")

    assert {r.fix for r in run(make(check))} == {""}
