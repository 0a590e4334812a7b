"""`launchtui monitor`: stage 6 from the command line.

- `monitor export SPRINT --to prometheus DIR` / `--to gatus FILE`: the sprint's monitors as
  configuration for engines teams already run (launchtui.cli.monitor_export).
- `monitor prove SPRINT`: a test alert through each alert route, confirmed where it lands, and
  recorded as the proof on the "alert routes proven" task (launchtui.cli.monitor_prove).
- `monitor --once SPRINT [--format text|json|junit]`: one synthetic pass over the monitors,
  for cron and CI (launchtui.cli.monitor_once).

Exit codes: 0 all well, 1 something is down or a route unproven, 2 usage or sprint-file error.
Each action's module is imported only when it runs.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from launchtui.errors import UsageError

ENGINES = ("prometheus", "gatus")
ROUTES = ("email", "slack")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "monitor",
        help="export monitors, prove alert routes, run one synthetic pass",
        description="Monitoring (stage 6) from the command line: `monitor --once SPRINT`, "
        "`monitor export SPRINT --to ENGINE PATH`, `monitor prove SPRINT`. Exit code 1 when a "
        "monitor is down or a route is unproven, 2 on a usage or sprint-file error.",
    )
    parser.add_argument(
        "--once",
        metavar="SPRINT",
        help="one synthetic pass over the sprint's monitors (for cron and CI)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "junit"),
        default="text",
        help="output of --once (default: text)",
    )
    parser.set_defaults(handler=_run_once)
    actions = parser.add_subparsers(dest="monitor_command", metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="write the monitors for Prometheus (a folder) or Gatus (a file)",
        description="Write the sprint's monitors, alert rules and alert routes as configuration "
        "for Prometheus with blackbox_exporter and Alertmanager (a folder), or for Gatus (one "
        "YAML file). Secrets are referenced from files, never written.",
    )
    export.add_argument("sprint", metavar="SPRINT", help="the sprint file (TOML)")
    export.add_argument(
        "--to",
        nargs=2,
        metavar=("ENGINE", "PATH"),
        required=True,
        help="prometheus DIR, or gatus FILE",
    )
    export.set_defaults(handler=_handler("monitor_export"))
    prove = actions.add_parser(
        "prove",
        help="send a test alert through each alert route and confirm it arrived",
        description="Send a test alert through the sprint's alert routes (through "
        "[monitoring].alertmanager when set, else each route directly), confirm the email in "
        "the seed inbox and the webhook's answer, and record the proof on the task.",
    )
    prove.add_argument("sprint", metavar="SPRINT", help="the sprint file (TOML)")
    prove.add_argument(
        "--route",
        choices=ROUTES,
        action="append",
        help="prove only this route (repeatable; default: every route the sprint declares)",
    )
    prove.add_argument(
        "--format", choices=("text", "json"), default="text", help="output (default: text)"
    )
    prove.set_defaults(handler=_handler("monitor_prove"))


def _handler(module: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        code: int = importlib.import_module(f"launchtui.cli.{module}").run(args)
        return code

    return run


def _run_once(args: argparse.Namespace) -> int:
    if args.once is None:
        raise UsageError(
            "monitor: say what to do: --once SPRINT, export SPRINT --to ENGINE PATH, or "
            "prove SPRINT (see launchtui monitor --help)"
        )
    code: int = _handler("monitor_once")(args)
    return code
