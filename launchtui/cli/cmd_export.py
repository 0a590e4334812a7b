"""`launchtui export SPRINT [--format markdown|json] [-o FILE]`: the handover checklist.

Reads the sprint file only (saved results, task state, the target description): no network.
Credential values are never read into the export, only where each one lives. With -o the file
is written atomically, and the sprint file itself is never overwritten.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from launchtui.errors import UsageError

FORMATS = ("markdown", "json")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the handover checklist (Markdown or JSON)",
        description="Write the handover checklist of a sprint: handover items, risks and fix "
        "order, routing map, deployment checklist (env var names, where each credential "
        "lives, never a value), manual tasks and when each check last ran. Exit code 2 on a "
        "usage or sprint-file error.",
    )
    parser.add_argument("sprint", metavar="SPRINT", help="the sprint file (TOML)")
    parser.add_argument("--format", choices=FORMATS, default="markdown")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from launchtui.reports import handover, handover_markdown
    from launchtui.sprint import store

    document = store.load(args.sprint)
    if args.format == "json":
        output = handover.render_json(document)
    else:
        output = handover_markdown.render_markdown(document)
    if args.output is None:
        sys.stdout.write(output)
        return 0
    target = Path(args.output)
    if _same_file(target, document.path):
        raise UsageError(f"{args.output}: is the sprint file itself; choose another output file")
    try:
        store.write_atomic(target, output.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    print(f"wrote the handover checklist to {args.output}", file=sys.stderr)
    return 0


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # the output does not exist yet
        return False
