"""`launchtui check`: run the automated checks headless, for CI and cron."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from launchtui.checks.engine import DEFAULT_CONCURRENCY, now_iso, run_checks
from launchtui.checks.model import Result, Severity
from launchtui.checks.registry import checks_for_stages
from launchtui.errors import UsageError
from launchtui.net.address import parse_connect_to, parse_hostport
from launchtui.net.context import NetworkContext, with_overrides
from launchtui.net.timeouts import Timeouts
from launchtui.reports import json_report, junit, text
from launchtui.reports.run import RunReport
from launchtui.sprint import store
from launchtui.sprint.model import NetworkConfig
from launchtui.stages import STAGE_NAMES

FORMATS = {"text": text.render, "json": json_report.render, "junit": junit.render}


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="run the automated checks headless",
        description="Run the automated checks of a sprint against the real domain. Exit code 0: "
        "nothing at or above --fail-on failed; 1: something did (a check that could not run, "
        "an error, counts as failed); 2: usage or sprint-file error.",
    )
    parser.add_argument("sprint", metavar="SPRINT", help="the sprint file (TOML)")
    parser.add_argument(
        "--stage",
        action="append",
        default=[],
        metavar="NAME",
        help=f"only this stage (repeatable): {', '.join(STAGE_NAMES)}",
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="text")
    parser.add_argument(
        "--fail-on",
        choices=[str(s) for s in Severity],
        default="high",
        help="lowest severity that makes the run exit 1 (default: high)",
    )
    parser.add_argument(
        "--save", action="store_true", help="write the results into the sprint file"
    )
    parser.add_argument(
        "--nameserver",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="resolver for this run instead of [network].nameservers (repeatable)",
    )
    parser.add_argument(
        "--ca-bundle", metavar="PEM", help="extra trust anchors instead of [network].ca_bundle"
    )
    parser.add_argument(
        "--connect-to",
        action="append",
        default=[],
        metavar="HOST:PORT:ADDR:PORT",
        help="connect to ADDR:PORT for HOST:PORT, keeping Host and TLS name (repeatable)",
    )
    parser.add_argument(
        "--timeout", type=float, default=5.0, metavar="SECONDS", help="per network operation"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"checks running at once (default {DEFAULT_CONCURRENCY})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    for name in args.stage:
        if name not in STAGE_NAMES:
            raise UsageError(f'unknown stage "{name}" (expected one of {", ".join(STAGE_NAMES)})')
    if not 0 < args.timeout <= 300:
        raise UsageError("--timeout must be between 0 and 300 seconds")
    if not 1 <= args.concurrency <= 64:
        raise UsageError("--concurrency must be between 1 and 64")
    document = store.load(args.sprint)
    report = execute(
        document,
        stages=list(args.stage),
        fail_on=Severity(args.fail_on),
        overrides=args,
    )
    if args.save:
        store.record_results(document.path, report.results, report.started_at)
    sys.stdout.write(FORMATS[args.format](report))
    return report.exit_code


def execute(
    document: store.SprintDocument,
    *,
    stages: list[str],
    fail_on: Severity,
    overrides: argparse.Namespace | None = None,
) -> RunReport:
    """Run the selected checks on a loaded sprint and build the report."""
    sprint = document.sprint
    network = sprint.network
    timeouts = Timeouts()
    concurrency = DEFAULT_CONCURRENCY
    if overrides is not None:
        network = _apply_flags(network, overrides)
        timeouts = Timeouts.uniform(overrides.timeout)
        concurrency = overrides.concurrency
    previous = {key: stored.status for key, stored in store.saved_results(document).items()}
    checks = checks_for_stages(stages)
    started_at = now_iso()
    began = time.perf_counter()

    async def go() -> list[Result]:
        async with NetworkContext.create(network, timeouts) as ctx:
            return await run_checks(checks, sprint, ctx, concurrency=concurrency)

    results = asyncio.run(go())
    return RunReport(
        sprint=sprint,
        stages=stages,
        results=results,
        fail_on=fail_on,
        started_at=started_at,
        wall_ms=round((time.perf_counter() - began) * 1000),
        previous={k: str(v) for k, v in previous.items()},
    )


def _apply_flags(network: NetworkConfig, args: argparse.Namespace) -> NetworkConfig:
    try:
        nameservers = tuple(parse_hostport(text, 53) for text in args.nameserver)
        connect_to = dict(parse_connect_to(text) for text in args.connect_to)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    ca_bundle = None
    if args.ca_bundle:
        ca_bundle = Path(args.ca_bundle).resolve()
        if not ca_bundle.is_file():
            raise UsageError(f"--ca-bundle: no such file: {args.ca_bundle}")
    return with_overrides(network, nameservers, ca_bundle, connect_to)
