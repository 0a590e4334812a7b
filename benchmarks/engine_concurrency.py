"""How fast a run is when the network is slow: 30 lab hostnames, every answer delayed 200 ms.

Two measurements against the same lab:
- the full default run (every check of every stage, as `launchtui check` runs it): its wall
  time against the slowest single check, that check run alone over every target (goal: under
  1.5x that, and under 3 s);
- dns.resolve + tls.certificate alone, with the default concurrency and one at a time, and
  the speed-up as the ratio of the two wall times.

    .venv/bin/python benchmarks/engine_concurrency.py [--hosts 30] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from lab_process import lab_process

from launchtui.checks.context import check_context
from launchtui.checks.engine import run_checks
from launchtui.checks.registry import Check, all_checks
from launchtui.lab.config import bench_config
from launchtui.model.limits import DEFAULT_CONCURRENCY
from launchtui.model.results import Result, Status
from launchtui.sprint import store

PAIR = ("dns.resolve", "tls.certificate")
FULL_RUN_GOAL = 1.5  # times the slowest single result
FULL_RUN_LIMIT = 3.0  # seconds


def measure(sprint_path: Path, checks: list[Check], concurrency: int) -> tuple[float, list[Result]]:
    sprint = store.load(sprint_path).sprint

    async def go() -> list[Result]:
        async with check_context(sprint) as ctx:
            return await run_checks(checks, ctx, concurrency=concurrency)

    began = time.perf_counter()
    results = asyncio.run(go())
    return time.perf_counter() - began, results


def full_run(sprint_path: Path, runs: int) -> None:
    checks = all_checks()
    alone = {check.id: measure(sprint_path, [check], DEFAULT_CONCURRENCY)[0] for check in checks}
    slowest = max(alone, key=lambda check_id: alone[check_id])
    walls = []
    for _ in range(runs):
        wall, results = measure(sprint_path, checks, DEFAULT_CONCURRENCY)
        walls.append(wall)
    wall = min(walls)
    ratio = wall / alone[slowest]
    met = ratio < FULL_RUN_GOAL and wall < FULL_RUN_LIMIT
    print(
        f"full default run ({len(results)} results of {len(checks)} checks), best of {runs}: "
        f"wall {wall:.2f} s (runs: {', '.join(f'{w:.2f}' for w in walls)})"
    )
    print(
        f"slowest check alone: {slowest} {alone[slowest]:.2f} s; full run / slowest "
        f"{ratio:.2f}x (goal under {FULL_RUN_GOAL}x and {FULL_RUN_LIMIT:g} s: "
        f"{'met' if met else 'NOT met'})"
    )
    ranked = sorted(alone.items(), key=lambda item: -item[1])
    print("  each check alone: " + ", ".join(f"{c} {w:.2f}" for c, w in ranked[:6]) + ", ...")
    counts: dict[str, int] = {}
    for result in results:
        counts[str(result.status)] = counts.get(str(result.status), 0) + 1
    print(f"  statuses: {counts}")


def pair(sprint_path: Path) -> None:
    """The pair concurrently, then one at a time, always: the speed-up is the ratio of the two
    wall times (check durations grow under load, so their sum would overstate it)."""
    checks = [c for c in all_checks() if c.id in PAIR]
    walls: dict[int, float] = {}
    for concurrency in (DEFAULT_CONCURRENCY, 1):
        wall, results = measure(sprint_path, checks, concurrency)
        walls[concurrency] = wall
        total = sum(r.duration_ms for r in results) / 1000
        passed = sum(1 for r in results if r.status is Status.PASS)
        print(
            f"{', '.join(PAIR)} at concurrency {concurrency:>3}: {len(results)} results "
            f"({passed} pass), wall {wall:.2f} s (sum of check durations {total:.2f} s)"
        )
        for result in [r for r in results if r.status is not Status.PASS][:5]:
            print(f"  not pass: {result.id} {result.target}: {result.summary}")
    speed_up = walls[1] / walls[DEFAULT_CONCURRENCY]
    print(f"speed-up, wall one at a time / wall concurrent: {speed_up:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=30)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=3, help="full runs; the best is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        config = bench_config(args.hosts, args.delay)
        with lab_process(config, Path(workdir)) as sprint_path:
            print(
                f"{args.hosts} hostnames, every DNS answer, TLS handshake and HTTP response "
                f"delayed {args.delay * 1000:.0f} ms; the lab runs in its own process"
            )
            full_run(sprint_path, args.runs)
            pair(sprint_path)


if __name__ == "__main__":
    main()
