"""`launchtui dmarc DOMAIN`: find a domain's DMARC record and print it parsed, or what is wrong.

Exit code 0: one valid record applies to the domain; 1: none, several, an invalid one, or
DNS gave no answer; 2: a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any

from launchtui.cli.dns_options import add_dns_options, dns_client
from launchtui.errors import UsageError

if TYPE_CHECKING:  # dnspython and the suffix list load only when the command runs
    from launchtui.email.dmarc import Destination, Discovery

FORMATS = ("text", "json")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "dmarc",
        help="find and validate a domain's DMARC record (RFC 7489)",
        description="Look up the DMARC record that applies to DOMAIN (_dmarc.DOMAIN, then its "
        "organizational domain), print where it was found and its tags, or the exact "
        "validation errors, and check that external report addresses accept the reports. "
        "Exit code 0: a valid record applies; 1: none, several or an invalid one, or DNS "
        "gave no answer; 2: usage error.",
    )
    parser.add_argument("domain", metavar="DOMAIN", help="the domain mail is sent from")
    add_dns_options(parser)
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from launchtui.email import dmarc
    from launchtui.net.errors import NetError
    from launchtui.sprint.validate import normalize_hostname

    try:
        domain = normalize_hostname(args.domain.rstrip("."))
    except ValueError as exc:
        raise UsageError(f"DOMAIN {args.domain!r}: {exc}") from None
    client = dns_client(args)

    async def go() -> tuple[dmarc.Discovery, list[dmarc.Destination]]:
        found = await dmarc.discover(client, domain)
        destinations: list[dmarc.Destination] = []
        if found.record is not None:
            destinations = await dmarc.check_destinations(client, found.record, found.policy_domain)
        return found, destinations

    try:
        found, destinations = asyncio.run(go())
    except NetError as exc:
        print(f"launchtui: {exc}", file=sys.stderr)
        return 1
    status = _status(found)
    if args.format == "json":
        document = {
            "status": status,
            **found.to_dict(),
            "errors": _errors(found),
            "destinations": [d.to_dict() for d in destinations],
        }
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=True) + "\n")
    else:
        sys.stdout.write(_text(found, destinations, status))
    return 0 if status == "valid" else 1


def _status(found: Discovery) -> str:
    if not found.records:
        return "missing"
    if found.record is None:
        return "several records"
    return "valid" if found.record.valid else "invalid"


def _errors(found: Discovery) -> list[str]:
    """The exact problems: the record's own, or why there is no one record."""
    if not found.records:
        return [f"no DMARC record at {' or '.join(found.queried)}"]
    if found.record is None:
        return [
            f"{len(found.records)} DMARC records at {found.found_at}; receivers apply no DMARC "
            "when there is more than one (RFC 7489 6.6.3)"
        ]
    return list(found.record.errors)


def _text(found: Discovery, destinations: list[Destination], status: str) -> str:
    from launchtui.reports.literal import literal

    lines = [f"DMARC for {found.domain} (organizational domain {found.organizational_domain})"]
    lines.append(f"queried   {', '.join(found.queried)}")
    lines += [
        f"ignored   {item['name']}: {literal(item['record'])} (does not start with v=DMARC1)"
        for item in found.ignored
    ]
    if found.found_at:
        where = f"{found.found_at} (organizational domain)" if found.inherited else found.found_at
        lines.append(f"found at  {where}")
    lines += [f"record    {literal(text)}" for text in found.records]
    record = found.record
    if record is not None:
        if record.tags:
            lines.append("tags")
            lines += [f"  {name:<6} {literal(value)}" for name, value in record.tags.items()]
        if destinations:
            lines.append("external report destinations (RFC 7489 7.1)")
            lines += [
                f"  {d.tag} {literal(d.uri)}: "
                f"{'authorized' if d.authorized else 'NOT authorized'} ({literal(d.query)})"
                for d in destinations
            ]
        lines += [f"warning: {literal(warning)}" for warning in record.warnings]
    lines += [f"error: {literal(error)}" for error in _errors(found)]
    lines.append(f"result: {status}")
    return "\n".join(lines) + "\n"
