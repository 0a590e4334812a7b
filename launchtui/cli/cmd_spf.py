"""`launchtui spf --ip IP --sender MAILFROM`: evaluate SPF (RFC 7208 check_host()) once."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import TYPE_CHECKING, Any

from launchtui.cli.dns_options import add_dns_options, dns_client
from launchtui.errors import UsageError
from launchtui.text.literal import literal

if TYPE_CHECKING:
    from launchtui.email.spf import SpfOutcome

EPILOG = """\
Exit code 0 for every SPF result (pass fail softfail neutral none permerror temperror),
including none for a sender or HELO domain that is malformed (an empty label, a label over 63
characters, a single label, an address literal: RFC 7208 4.3); 2 for a usage error: --ip that
is not an IP address, or no identity at all (an empty --sender without --helo).

JSON (--format json): {"result", "reason", "explanation" (exp= text, only with fail),
"ip", "sender" (as evaluated: postmaster@HELO for an empty MAIL FROM), "helo", "domain",
"record" (the domain's SPF record), "lookups", "lookup_limit" (10), "voids", "void_limit" (2),
"trace": [{"depth", "domain", "term", "outcome"}, ...] (every record fetched and term tried,
in order; depth grows by one per include or redirect)}.
"""


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "spf",
        help="evaluate SPF for a client address and sender (RFC 7208)",
        description="Evaluate SPF the way a receiving mail server does (RFC 7208 check_host()): "
        "may IP send mail with this MAIL FROM? Prints the result, the exp= explanation, the DNS "
        "lookups used (and void lookups), and one line per term evaluated.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--ip", required=True, help="the connecting client's IPv4 or IPv6 address")
    parser.add_argument(
        "--sender",
        required=True,
        metavar="MAILFROM",
        help='the MAIL FROM address (local@domain; "" to check the HELO identity)',
    )
    parser.add_argument("--helo", default="", help="the HELO/EHLO name the client gave")
    add_dns_options(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # dnspython is imported only now, so that --help starts at once.
    from launchtui.email import spf

    try:
        ip = spf.parse_ip(args.ip)
    except ValueError:
        raise UsageError(f"--ip: {args.ip!r} is not an IPv4 or IPv6 address") from None
    # Only a missing identity is a usage error: a malformed domain is evaluated, and is none
    # (RFC 7208 4.3), as a receiving server would find it.
    if spf.identity(args.sender, args.helo) == "postmaster@":
        raise UsageError("--sender is empty: give --helo, whose identity is then checked")
    client = dns_client(args)
    outcome = asyncio.run(spf.check_host(client, ip, args.sender, args.helo))
    if args.format == "json":
        print(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=True))
    else:
        print(render(outcome))
    return 0


def render(outcome: SpfOutcome) -> str:
    from launchtui.email.spf import MAX_LOOKUPS, MAX_VOIDS

    lines = [
        f"SPF {outcome.result} for {outcome.ip} sending as {literal(outcome.sender)}",
        f"reason: {literal(outcome.reason)}",
        f"explanation: {literal(outcome.explanation) or '(none)'}",
        f"lookups: {outcome.lookups} of {MAX_LOOKUPS}, void lookups: {outcome.voids} of "
        f"{MAX_VOIDS}",
        "trace:",
    ]
    for step in outcome.trace:
        indent = "  " * (step.depth + 1)
        term = f"{literal(step.domain)}  {literal(step.term)}"
        lines.append(f"{indent}{term}  ->  {literal(step.outcome)}")
    return "\n".join(lines)
