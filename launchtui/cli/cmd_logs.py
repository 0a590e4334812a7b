"""`launchtui logs SPRINT [FILE...] [--since DATE] [--format text|json|markdown]`: daily risk
notes.

Reads the log files (gzip-rotated ones too; "-" for standard input; the format is detected per
file; without FILE, the files of the sprint's [logs].files patterns, rotated files oldest
first), classifies each line against the sprint's core flows ([flows]: which paths are login,
join, invite, checkout), counts per hour and class against the same hour on earlier days,
writes one note per day into the run history (NAME.runs.sqlite, table risk_notes: a day read
again replaces its note) and prints the latest day's note (markdown, or text: a line per day
then the note) or every day's figures and note (json). The engine is launchtui.logs.pipeline,
which the TUI's l (monitoring screen) runs too.

Exit codes: 0 when the logs were read; 1 when the latest day has a spike (so that cron or CI
can alert: a spike is for a person to look at, the command itself went fine); 2 on a usage or
sprint-file error, or when no input could be read. Each problem a source had (unreadable,
truncated gzip, skipped lines) is one line on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from launchtui.errors import UsageError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "logs",
        help="daily risk notes from logs: auth, payment and webhook failures, spikes",
        description="Read nginx/Apache combined and JSON-lines logs (gzip too; - for standard "
        "input; without FILE, the files of the sprint's [logs].files), flag unusual hours "
        "against a baseline of earlier days, keep one risk note per day in the run history and "
        "print the latest. Exit 0 when read, 1 when the latest day has a spike, 2 on a usage or "
        "sprint-file error or when nothing could be read.",
    )
    parser.add_argument("sprint", metavar="SPRINT", help="the sprint file (TOML)")
    parser.add_argument(
        "files",
        metavar="FILE",
        nargs="*",
        help="log files; - for stdin; none: the files of the sprint's [logs].files",
    )
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
    from launchtui.logs.pipeline import note_logs, problems, record, sprint_sources
    from launchtui.sprint import store
    from launchtui.sprint.history import HistoryError

    since: date | None = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise UsageError(f"--since {args.since!r}: not a date (YYYY-MM-DD)") from None
    if args.files.count("-") > 1:
        raise UsageError("standard input (-) can be read once only")
    document = store.load(args.sprint)
    sources = list(args.files)
    if not sources:
        if not document.sprint.logs:
            raise UsageError(
                "no FILE given and the sprint has no [logs] section: name the log files, "
                "or add [logs] files = [...] to the sprint file"
            )
        sources = sprint_sources(document.sprint)
        if not sources:
            patterns = ", ".join(document.sprint.logs)
            print(f"launchtui logs: [logs] files match no file: {patterns}", file=sys.stderr)
            return 2
    digest, reports = note_logs(document.sprint, sources, since)
    for report in reports:
        for problem in problems(report):
            print(f"launchtui logs: {report.source}: {problem}", file=sys.stderr)
    if not digest.days:
        if not any(report.lines for report in reports):
            print("launchtui logs: no input could be read", file=sys.stderr)
            return 2
        after = f" from {since.isoformat()} on" if since else ""
        print(f"launchtui logs: no log events{after}", file=sys.stderr)
        return 0
    try:
        record(document.path, digest)
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
