"""`launchtui perf export SPRINT --locust FILE`: the sprint's core flows as a locustfile.

Reads the sprint file only ([flows] and [network]); no network, no credential values (a flow
needing one reads it from the environment when Locust runs). The sprint file itself is never
overwritten.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from launchtui.errors import UsageError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "perf",
        help="performance: export the core flows as a Locust load test",
        description="Performance guardrails (stage 4) from the command line.",
    )
    actions = parser.add_subparsers(dest="perf_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write a locustfile of the sprint's [flows]",
        description="Write a locustfile (Python) of the sprint's core flows, for load that "
        "needs Locust's distributed master and workers. Exit code 2 on a usage or sprint-file "
        "error.",
    )
    export.add_argument("sprint", metavar="SPRINT", help="the sprint file (TOML)")
    export.add_argument("--locust", metavar="FILE", required=True, help="the locustfile to write")
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    from launchtui.perf import locust
    from launchtui.sprint import store

    document = store.load(args.sprint)
    target = Path(args.locust)
    if target.exists() and os.path.samefile(target, document.path):
        raise UsageError(f"{args.locust}: is the sprint file itself; choose another output file")
    try:
        count = locust.write(document.sprint, target)
    except OSError as exc:
        raise UsageError(f"{args.locust}: cannot write: {exc.strerror or exc}") from None
    print(
        f"wrote a locustfile of {count} flow{'s' if count != 1 else ''} to {args.locust}",
        file=sys.stderr,
    )
    return 0
