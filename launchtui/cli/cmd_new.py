"""`launchtui new SPRINT --domain D`: write a commented starter sprint file."""

from __future__ import annotations

import argparse
import shlex
from typing import Any

from launchtui.sprint.scaffold import scaffold
from launchtui.sprint.store import display_path


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "new",
        help="create a commented sprint file to start from",
        description="Create a commented starter sprint file for a domain. "
        "An existing file is never overwritten.",
    )
    parser.add_argument("sprint", metavar="SPRINT", help="file to create, e.g. sprints/acme.toml")
    parser.add_argument(
        "--domain", required=True, metavar="D", help="the platform's apex domain, e.g. acme.org"
    )
    parser.add_argument(
        "--hostname",
        action="append",
        default=[],
        metavar="H",
        help="another public hostname (repeatable); the first one is the canonical host "
        "unless --canonical is given",
    )
    parser.add_argument("--name", default="", help='the sprint\'s name (default: "D launch")')
    parser.add_argument("--client", default="", help="who the platform belongs to")
    parser.add_argument(
        "--canonical",
        default="",
        metavar="URL",
        help="where the apex and www end up, an https:// URL (default: the first hostname)",
    )
    parser.add_argument(
        "--no-www", action="store_true", help="do not list www.D among the public hostnames"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = scaffold(
        args.sprint,
        args.domain,
        args.hostname,
        name=args.name,
        client=args.client,
        canonical=args.canonical,
        www=not args.no_www,
    )
    shown = shlex.quote(display_path(path))
    print(f"Created {shown}")
    print("Next steps:")
    print(f"  1. Fill in [flows], [email] and [credentials] in {shown}")
    print(f"  2. Run the checks:  launchtui check {shown}")
    print(f"  3. Open the app:    launchtui {shown}")
    return 0
