"""`launchtui logs SPRINT FILE... [--since DATE] [--format text|json|markdown]`: daily risk notes.

Reads the log files (gzip-rotated ones too; "-" for standard input; the format is detected per
file), classifies each line against the sprint's core flows ([flows]: which paths are login,
join, invite, checkout), counts per hour and class against the same hour on earlier days,
writes one note per day into the run history (NAME.runs.sqlite, table risk_notes: a day read
again replaces its note) and prints the latest day's note (markdown, or text: a line per day
then the note) or every day's figures and note (json).

Exit codes: 0 when the logs were read; 1 when the latest day has a spike (so that cron or CI
can alert: a spike is for a person to look at, the command itself went fine); 2 on a usage or
sprint-file error, or when no input could be read. Each problem a source had (unreadable,
truncated gzip, skipped lines) is one line on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from typing import Any

from launchtui.errors import UsageError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "logs",
        help="daily risk notes from logs: auth, payment and webhook failures, spikes",
        description="Read nginx/Apache combined and JSON-lines logs (gzip too; - for standard "
        "input), flag unusual hours against a baseline of earlier days, keep one risk note per "
        "day in the run history and print the latest. Exit 0 when read, 1 when the latest day "
        "has a spike, 2 on a usage or sprint-file error or when nothing could be read.",
    )
    parser.add_argument("sprint", metavar="SPRINT", help="the sprint file (TOML)")
    parser.add_argument("files", metavar="FILE", nargs="+", help="log files; - for stdin")
    parser.add_argument("--since", metavar="DATE", help="only days from DATE (YYYY-MM-DD) on")
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text (default): a line per day, then the latest note; markdown: the latest "
        "note; json: every day",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from launchtui.logs.analyse import analyse
    from launchtui.logs.classify import FlowPaths
    from launchtui.logs.read import SourceReport, read_events
    from launchtui.sprint import store
    from launchtui.sprint.history import History, HistoryError

    since: date | None = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise UsageError(f"--since {args.since!r}: not a date (YYYY-MM-DD)") from None
    if args.files.count("-") > 1:
        raise UsageError("standard input (-) can be read once only")
    document = store.load(args.sprint)
    reports: list[SourceReport] = []
    events = read_events(
        args.files,
        since=datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None,
        paths=FlowPaths.from_flows(document.sprint.flows),
        reports=reports,
    )
    digest = analyse(events, since=since)
    for report in reports:
        problems = list(report.problems)
        if report.skipped and not report.binary:
            lines = "line" if report.skipped == 1 else "lines"
            problems.append(
                f"{report.skipped:,} {lines} of {report.lines:,} not read: neither a combined "
                "log line nor JSON with a time"
            )
        for problem in problems:
            print(f"launchtui logs: {report.source}: {problem}", file=sys.stderr)
    if not digest.days:
        if not any(report.lines for report in reports):
            print("launchtui logs: no input could be read", file=sys.stderr)
            return 2
        after = f" from {since.isoformat()} on" if since else ""
        print(f"launchtui logs: no log events{after}", file=sys.stderr)
        return 0
    try:
        History(document.path).record_risk_notes(digest.days)
    except HistoryError as exc:
        print(f"launchtui logs: notes not kept: {exc}", file=sys.stderr)
    latest = digest.days[-1]
    if args.format == "json":
        payload = {
            "figures": digest.figures,
            "sources": [
                {
                    "source": r.source,
                    "format": r.format,
                    "lines": r.lines,
                    "events": r.events,
                    "skipped": r.skipped,
                    "problems": list(r.problems),
                }
                for r in reports
            ],
            "days": [{**note.figures, "markdown": note.markdown} for note in digest.days],
        }
        print(json.dumps(payload, indent=2, sort_keys=True))
    elif args.format == "markdown":
        sys.stdout.write(latest.markdown)
    else:
        for note in digest.days:
            print(
                f"{note.day.isoformat()}  {note.figures.get('events', 0):>8} events  "
                f"{note.unusual} unusual  {note.recurring} recurring  {note.new} new"
            )
        print()
        sys.stdout.write(latest.markdown)
    return 1 if latest.unusual else 0
