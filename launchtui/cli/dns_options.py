"""The --nameserver and --timeout options: of the commands that only ask DNS (spf, dmarc), and
of `check`, where they override [network] for one run."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from launchtui.errors import UsageError
from launchtui.model.limits import DEFAULT_TIMEOUT, MAX_TIMEOUT
from launchtui.model.sprint import HostPort
from launchtui.net.address import parse_hostport

if TYPE_CHECKING:
    from launchtui.net.dns import DnsClient


def add_dns_options(parser: argparse.ArgumentParser, *, overrides_sprint: bool = False) -> None:
    """With `overrides_sprint`, the defaults are the sprint's [network] settings."""
    parser.add_argument(
        "--nameserver",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="resolver for this run instead of [network].nameservers (repeatable)"
        if overrides_sprint
        else "resolver to ask instead of the system's (repeatable)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None if overrides_sprint else DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="per network operation (default: [network].timeout of the sprint file, else "
        f"{DEFAULT_TIMEOUT:g})"
        if overrides_sprint
        else f"per DNS lookup (default {DEFAULT_TIMEOUT:g})",
    )


def timeout(args: argparse.Namespace) -> float | None:
    """--timeout, checked; None when not given (the sprint's own applies)."""
    if args.timeout is not None and not 0 < args.timeout <= MAX_TIMEOUT:
        raise UsageError(f"--timeout must be between 0 and {MAX_TIMEOUT:g} seconds")
    seconds: float | None = args.timeout
    return seconds


def nameservers(args: argparse.Namespace) -> tuple[HostPort, ...]:
    try:
        return tuple(parse_hostport(text, 53) for text in args.nameserver)
    except ValueError as exc:
        raise UsageError(f"--nameserver: {exc}") from None


def dns_client(args: argparse.Namespace) -> DnsClient:
    """The resolver the options describe; UsageError for a bad timeout or nameserver."""
    from launchtui.net.dns import DnsClient

    return DnsClient(nameservers(args), timeout=timeout(args) or DEFAULT_TIMEOUT)
