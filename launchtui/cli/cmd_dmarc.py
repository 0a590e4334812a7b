"""`launchtui dmarc DOMAIN`: find a domain's DMARC record and print it parsed, or what is wrong.

Discovery is RFC 9989's DNS Tree Walk (section 4.10): every name asked is printed, then the
record that applies, its tags, and one line for each way a receiver still following RFC 7489
would read it differently. Exit code 0: one valid record applies to the domain; 1: none,
several at one name, an invalid one, or DNS gave no answer; 2: a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any

from launchtui.cli.dns_options import add_dns_options, dns_client
from launchtui.errors import UsageError

if TYPE_CHECKING:  # dnspython loads only when the command runs
    from launchtui.email.dmarc import Destination, Discovery

FORMATS = ("text", "json")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "dmarc",
        help="find and validate a domain's DMARC record (RFC 9989)",
        description="Look up the DMARC record that applies to DOMAIN by RFC 9989's DNS Tree "
        "Walk (_dmarc.DOMAIN, then its parents), print each name asked, where the record was "
        "found and its tags, or the exact validation errors, say where a receiver still on "
        "RFC 7489 would act differently, and check that external report addresses accept "
        "the reports. Exit code 0: a valid record applies; 1: none, several or an invalid "
        "one, or DNS gave no answer; 2: usage error.",
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
        walk = dmarc.TreeWalk(client)
        found = await dmarc.discover(client, domain, walk)
        destinations: list[dmarc.Destination] = []
        if found.record is not None:
            destinations = await dmarc.check_destinations(
                client, found.record, found.policy_domain, walk
            )
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
            "rfc7489": found.rfc7489_differences(),
            "destinations": [d.to_dict() for d in destinations],
        }
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=True) + "\n")
    else:
        sys.stdout.write(_text(found, destinations, status))
    return 0 if status == "valid" else 1


def _status(found: Discovery) -> str:
    if found.several:
        return "several records"
    if found.record is None:
        return "missing"
    return "valid" if found.record.valid else "invalid"


def _errors(found: Discovery) -> list[str]:
    """The exact problems: the record's own, or why no one record applies."""
    if found.several:
        step = found.several[0]
        return [
            f"{len(step.records)} DMARC records at {step.name}; receivers discard them all "
            "(RFC 9989 4.10)"
        ]
    if found.record is None:
        return [f"no DMARC record at {', '.join(step.name for step in found.walked)}"]
    return list(found.record.errors)


def _text(found: Discovery, destinations: list[Destination], status: str) -> str:
    from launchtui.text.literal import literal

    lines = [f"DMARC for {found.domain} (organizational domain {found.organizational_domain})"]
    for step in found.walked:
        what = f"{len(step.records)} DMARC record(s)" if step.records else "no DMARC record"
        lines.append(f"walked    {step.name}: {what}")
    for step in found.several:
        lines += [f"record    {step.name}: {literal(text)} (discarded)" for text in step.records]
    lines += [
        f"ignored   {item['name']}: {literal(item['record'])} (does not start with v=DMARC1)"
        for item in found.ignored
    ]
    record = found.record
    if record is not None:
        if found.public_suffix:
            where = f"{found.found_at} (public suffix domain, psd=y)"
        elif found.inherited:
            where = f"{found.found_at} (a parent's record)"
        else:
            where = found.found_at
        lines.append(f"found at  {where}")
        lines.append(f"record    {literal(record.text)}")
        if record.tags:
            lines.append("tags")
            lines += [f"  {name:<6} {literal(value)}" for name, value in record.tags.items()]
        if destinations:
            lines.append("external report destinations (RFC 9990 section 4)")
            lines += [
                f"  {d.tag} {literal(d.uri)}: "
                f"{'authorized' if d.authorized else 'NOT authorized'} ({literal(d.query)})"
                for d in destinations
            ]
        lines += [f"warning: {literal(warning)}" for warning in record.warnings]
        lines += [f"note: {literal(note)}" for note in record.notes]
    lines += [f"RFC 7489: {literal(line)}" for line in found.rfc7489_differences()]
    lines += [f"error: {literal(error)}" for error in _errors(found)]
    lines.append(f"result: {status}")
    return "\n".join(lines) + "\n"
