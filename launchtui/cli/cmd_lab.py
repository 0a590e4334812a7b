"""`launchtui lab`: run the embedded lab in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchtui.cli.lab_options import add_lab_options, lab_config

if TYPE_CHECKING:
    from launchtui.lab.server import Lab


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="run the embedded lab (a fictional community on loopback) in the foreground",
        description="Serve Harbor Club, a fictional community platform with seeded launch "
        "problems, on loopback: an authoritative DNS server and three 'public resolvers', "
        "HTTPS and HTTP virtual hosts with certificates from a lab CA, and the platform's "
        "endpoints. Writes the demo sprint file pointing at it (or refreshes only the "
        "[network] table of an existing one), then serves until Ctrl-C or SIGTERM.",
        epilog="Ports: DNS on N (UDP and TCP), public resolvers on N+1..N+3, HTTPS on N+10, "
        "HTTP on N+11, SMTP relay on N+20, IMAP on N+21, where N is --base-port (default "
        "5390: 5390-5393, 9443, 9080, 9025 and 9143). The mail passwords are new at every "
        "start and printed as LAUNCHTUI_CRED_* variables for the shell that runs email-test.",
    )
    add_lab_options(parser)
    parser.add_argument(
        "--no-write",
        action="store_true",
        help="leave the sprint file alone (the lab CA is still written next to it)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from launchtui.lab.server import Lab

    config = lab_config(args)
    sprint: Path = args.sprint
    # The CA sits next to the sprint file, where its [network].ca_bundle points.
    lab = Lab(config, sprint.parent)
    asyncio.run(_serve(lab, sprint, write=not args.no_write))
    return 0


async def _serve(lab: Lab, sprint: Path, *, write: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: terminal closed
        loop.add_signal_handler(signum, stop.set)
    await lab.start()
    try:
        if write:
            existed = sprint.exists()
            lab.write_sprint(sprint)
            action = "refreshed [network] in" if existed else "wrote"
            wrote = f"Sprint file: {action} {sprint}"
        else:
            wrote = f"Sprint file: {sprint} left alone (--no-write)"
        for line in lab.describe():
            print(line)
        print(wrote)
        environment = lab.credential_environment()
        if environment:
            print(
                "Lab mail passwords and members' session cookies (lab-only, new at every "
                "start), for `launchtui email-test` and `launchtui check`:"
            )
            for name, value in environment.items():
                print(f"  export {name}={value}")
        print(f"Run the checks against it:  launchtui check {sprint}")
        print("Serving until Ctrl-C.", flush=True)
        await stop.wait()
    finally:
        await lab.stop()
    print("Lab stopped.", flush=True)
