"""`launchtui demo`: start the embedded lab and show every check working against it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from launchtui.cli.cmd_check import FORMATS
from launchtui.cli.lab_options import add_lab_options, lab_config
from launchtui.model.results import Severity


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="start the embedded lab and open the app on it (headless: print the report)",
        description="Start the embedded lab (a fictional community platform on loopback with "
        "seeded launch problems), write its sprint file and open the app on it; the lab stops "
        "when the app closes. Without a terminal (or with --headless), run every automated "
        "check against the lab and print the report instead; that run exits 0 once the report is "
        "printed, since the lab's failures are seeded on purpose (the report says what "
        "`launchtui check` would exit with).",
    )
    add_lab_options(parser)
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--save",
        action="store_true",
        help="save the verdicts in the sprint file, the results in its run history",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="print the report instead of opening the app (the default without a terminal)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from launchtui.cli import headless
    from launchtui.lab.server import LabThread
    from launchtui.sprint import recorded, store

    config = lab_config(args)
    sprint_path: Path = args.sprint.resolve()
    sprint_path.parent.mkdir(parents=True, exist_ok=True)
    # The lab CA goes next to the sprint file, as with `launchtui lab`, so that the sprint's
    # ca_bundle stays valid after the demo for a later `launchtui lab` + `launchtui check`.
    with LabThread(config, sprint_path.parent) as lab:
        lab.write_sprint(sprint_path)
        # The lab's mail passwords reach email-test through the environment of this process
        # (never the user's keyring); they die with the lab.
        os.environ.update(lab.credential_environment())
        interactive = not args.headless and sys.stdin.isatty() and sys.stdout.isatty()
        if interactive:
            from launchtui.tui.app import run as open_app

            code = open_app(sprint_path)  # the lab serves until the app is closed
        else:
            for line in lab.describe():
                print(line, file=sys.stderr)
            document = store.load(sprint_path)
            report = headless.execute(document, stages=[], fail_on=Severity.HIGH, demo=True)
    if interactive:
        print(stopped_message(args.sprint), file=sys.stderr)
        return code
    if args.save:
        _, problem = recorded.record_run(sprint_path, report.results, report.started_at)
        if problem is not None:
            print(
                f"launchtui: saved the verdicts only; the run history: {problem}", file=sys.stderr
            )
    sys.stdout.write(headless.render(report, args.format))
    print(
        f"The lab has stopped. Run it on its own with `launchtui lab`, then "
        f"`launchtui check {args.sprint}`.",
        file=sys.stderr,
    )
    return report.exit_code


def stopped_message(sprint: Path) -> str:
    """What quitting the interactive demo prints: the lab is gone, and how to have it back."""
    return (
        "The lab has stopped (it runs only while the demo's app is open). Start it again with "
        "`launchtui demo` (from a checkout: `./dev demo`), or serve it alone with "
        f"`launchtui lab --sprint {sprint}` and open the app with `launchtui {sprint}`."
    )
