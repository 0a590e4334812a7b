"""`launchtui email-test SPRINT`: send test messages to the seed inboxes and log what arrived."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from launchtui.email.templates import TEMPLATE_NAMES
from launchtui.errors import UsageError

FORMATS = ("text", "json")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "email-test",
        help="send test messages to the seed inboxes and log where they landed",
        description="Send each test message (welcome, password reset, invite, receipt, launch "
        "announcement) through "
        "the sprint's SMTP relay ([email].smtp; password: the smtp_password credential) to "
        "every seed inbox ([email].seed_inboxes; each inbox's password: its credential), then "
        "read the inboxes over IMAP until each message is found, in the inbox or the spam "
        "folder, or the time limit passes. Records the receiving server's "
        "Authentication-Results, the From name and domain, launchtui's own DKIM, SPF and DMARC "
        "verification and the mailbox providers' sender rules, and saves the delivery test log "
        "in the sprint file. Exit code 0: every "
        "message reached an inbox; 1: one did not (spam, not delivered, or an error); 2: usage, "
        "sprint-file or credential error.",
    )
    parser.add_argument("sprint", metavar="SPRINT", help="the sprint file (TOML)")
    parser.add_argument(
        "--template",
        choices=(*TEMPLATE_NAMES, "all"),
        default="all",
        help="which test message to send (default: all)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for the messages to arrive (default 60); each network "
        "operation is limited to the smaller of this and 10 s",
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--no-save", action="store_true", help="do not write the log into the sprint file"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.timeout <= 3600:
        raise UsageError("--timeout must be between 0 and 3600 seconds")
    from launchtui.email import delivery
    from launchtui.email.delivery_log import record_email_tests
    from launchtui.sprint import store

    document = store.load(args.sprint)
    templates = list(TEMPLATE_NAMES) if args.template == "all" else [args.template]

    def progress(text: str) -> None:
        if args.format == "text":
            print(f"launchtui: {text}", file=sys.stderr, flush=True)

    report = delivery.run(
        document.sprint,
        templates,
        timeout=args.timeout,
        op_timeout=min(10.0, args.timeout),
        progress=progress,
    )
    saved = ""
    if not args.no_save:
        record_email_tests(document.path, report)
        saved = store.display_path(document.path)
    if args.format == "json":
        data = report.to_dict() | {"saved_to": saved or None}
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
    else:
        from launchtui.reports.delivery_text import render_text

        sys.stdout.write(render_text(report, saved))
    return report.exit_code
