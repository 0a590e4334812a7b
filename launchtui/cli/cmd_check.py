"""`launchtui check`: run the automated checks headless, for CI and cron."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from launchtui.cli.dns_options import add_dns_options, timeout
from launchtui.errors import UsageError
from launchtui.model.limits import DEFAULT_CONCURRENCY, MAX_CONCURRENCY
from launchtui.model.results import Severity
from launchtui.model.stages import STAGE_NAMES

FORMATS = ("text", "json", "junit")


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
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--fail-on",
        choices=[str(s) for s in Severity],
        default="high",
        help="lowest severity that makes the run exit 1 (default: high)",
    )
    parser.add_argument(
        "--save",
        action="store_true",
        help="save the verdicts in the sprint file, the results in full in its run history",
    )
    add_dns_options(parser, overrides_sprint=True)
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
    timeout(args)
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise UsageError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
    # The engine pulls in dnspython, httpx and cryptography: imported only when checks run,
    # so that --help and the other commands start at once.
    from launchtui.cli import headless
    from launchtui.sprint import recorded, store

    document = store.load(args.sprint)
    report = headless.execute(
        document,
        stages=list(args.stage),
        fail_on=Severity(args.fail_on),
        overrides=args,
    )
    if args.save:
        _, problem = recorded.record_run(document.path, report.results, report.started_at)
        if problem is not None:
            print(
                f"launchtui: saved the verdicts only; the run history: {problem}", file=sys.stderr
            )
    sys.stdout.write(headless.render(report, args.format))
    return report.exit_code
