"""How much the engine's concurrency buys: 30 lab hostnames, every answer delayed 200 ms.

Runs dns.resolve + tls.certificate over all of them, once with the default concurrency and
once one at a time, and prints the wall time next to the sum of the checks' own durations.

    .venv/bin/python benchmarks/engine_concurrency.py [--hosts 30] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from launchtui.checks.engine import run_checks
from launchtui.checks.model import DEFAULT_CONCURRENCY, Result, Status
from launchtui.checks.registry import all_checks
from launchtui.lab.config import bench_config
from launchtui.lab.server import LabThread
from launchtui.net.context import NetworkContext
from launchtui.sprint import store

CHECK_IDS = ("dns.resolve", "tls.certificate")


def measure(sprint_path: Path, concurrency: int) -> tuple[float, list[Result]]:
    sprint = store.load(sprint_path).sprint
    checks = [c for c in all_checks() if c.id in CHECK_IDS]

    async def go() -> list[Result]:
        async with NetworkContext.create(sprint.network, sprint=sprint) as ctx:
            return await run_checks(checks, sprint, ctx, concurrency=concurrency)

    began = time.perf_counter()
    results = asyncio.run(go())
    return time.perf_counter() - began, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=30)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--skip-sequential", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        config = bench_config(args.hosts, args.delay)
        with LabThread(config, Path(workdir)) as lab:
            sprint_path = lab.write_sprint(Path(workdir) / "bench.toml")
            runs = [DEFAULT_CONCURRENCY] + ([] if args.skip_sequential else [1])
            print(
                f"{args.hosts} hostnames, every DNS answer, TLS handshake and HTTP response "
                f"delayed {args.delay * 1000:.0f} ms; checks: {', '.join(CHECK_IDS)}"
            )
            for concurrency in runs:
                wall, results = measure(sprint_path, concurrency)
                total = sum(r.duration_ms for r in results) / 1000
                passed = sum(1 for r in results if r.status is Status.PASS)
                print(
                    f"concurrency {concurrency:>2}: {len(results)} results "
                    f"({passed} pass), wall {wall:.2f} s, sum of check durations "
                    f"{total:.2f} s, speed-up {total / wall:.1f}x"
                )
                bad = [r for r in results if r.status is not Status.PASS]
                for result in bad[:5]:
                    print(f"  not pass: {result.id} {result.target}: {result.summary}")


if __name__ == "__main__":
    main()
