"""The --nameserver and --timeout options of the commands that only ask DNS (spf, dmarc)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from launchtui.errors import UsageError
from launchtui.net.address import parse_hostport

if TYPE_CHECKING:
    from launchtui.net.dns import DnsClient

MAX_TIMEOUT = 300.0


def add_dns_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--nameserver",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="resolver to ask instead of the system's (repeatable)",
    )
    parser.add_argument(
        "--timeout", type=float, default=5.0, metavar="SECONDS", help="per DNS lookup (default 5)"
    )


def dns_client(args: argparse.Namespace) -> DnsClient:
    """The resolver the options describe; UsageError for a bad timeout or nameserver."""
    from launchtui.net.dns import DnsClient

    if not 0 < args.timeout <= MAX_TIMEOUT:
        raise UsageError(f"--timeout must be between 0 and {MAX_TIMEOUT:g} seconds")
    try:
        nameservers = tuple(parse_hostport(text, 53) for text in args.nameserver)
    except ValueError as exc:
        raise UsageError(f"--nameserver: {exc}") from None
    return DnsClient(nameservers, timeout=args.timeout)
