"""`launchtui scan-secrets PATH`: find hardcoded secrets in a repository, for CI and git hooks."""

from __future__ import annotations

import argparse
import json
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from launchtui import __version__
from launchtui.errors import UsageError

EPILOG = """\
Scans the working tree and build output (dist/, build/, .next/, public/, bundles and source
maps); --history also every commit reachable from any ref (a secret added and later removed is
found, with its commit); --staged only what the next commit adds. Findings are ranked by
launch risk (a live key served to browsers, in the code, only in history, then test keys) and
shown redacted: first characters, length and a fingerprint, never the value.

Accepted findings: `launchtui: allow-secret` on the line (or the line above), or the
fingerprint in a baseline file (--baseline F; default PATH/.launchtui-secrets-baseline when it
exists; --write-baseline F writes the current findings' fingerprints).

Exit codes: 0 no live secret (test-mode keys are listed and do not fail), 1 a live secret
found, 2 usage error, PATH or its git data unreadable, or a scan that could not finish. Files
not scanned (over 32 MB, unreadable) are listed in every format.

--install-hook pre-commit|pre-push PATH writes an executable git hook that runs this scan
(pre-commit: --staged; pre-push: --history); an existing hook is never replaced without
--force.
"""


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "scan-secrets",
        help="find hardcoded secrets in a repository, its build output and history",
        description="Find hardcoded secrets (Stripe, AWS, Google, GitHub, Slack, SendGrid, "
        "Postmark, Mailgun, Twilio, Cloudflare, private keys, database URLs, JWT secrets, "
        "generic high-entropy values) in a folder.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", metavar="PATH", help="the repository or folder to scan")
    parser.add_argument("--history", action="store_true", help="also scan every commit")
    parser.add_argument("--staged", action="store_true", help="scan only the staged files")
    parser.add_argument("--baseline", metavar="F", help="fingerprints of accepted findings")
    parser.add_argument("--write-baseline", metavar="F", help="write the findings' fingerprints")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument(
        "--timeout", type=float, default=None, metavar="S", help="stop after S seconds (exit 2)"
    )
    parser.add_argument(
        "--install-hook",
        choices=("pre-commit", "pre-push"),
        metavar="pre-commit|pre-push",
        help="write a git hook into PATH's repository that runs this scan",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing hook")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from launchtui.secrets.repo import ScanError, scan_repository

    root = Path(args.path)
    if args.install_hook:
        return install_hook(root, args.install_hook, force=args.force)
    if args.history and args.staged:
        raise UsageError("--history and --staged do not go together")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    try:
        report = scan_repository(
            root,
            history=args.history,
            staged=args.staged,
            baseline=Path(args.baseline) if args.baseline else None,
            budget=args.timeout,
        )
    except ScanError as exc:
        raise UsageError(f"scan-secrets: {exc}") from None
    if args.write_baseline:
        from launchtui.secrets import baseline

        Path(args.write_baseline).write_text(baseline.render(report.findings), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2))
    elif args.format == "sarif":
        from launchtui.secrets.sarif import to_sarif

        print(json.dumps(to_sarif(report, __version__), indent=2))
    else:
        print(render(report))
    if report.live:
        return 1
    if report.incomplete:
        print(f"launchtui: scan-secrets: could not finish: {report.incomplete}", file=sys.stderr)
        return 2
    return 0


def render(report: Any) -> str:
    from launchtui.secrets.findings import RISK_LABELS, ranked

    lines = []
    for finding in ranked(report.findings):
        lines.append(
            f"[{RISK_LABELS[finding.risk]}] {finding.location}  {finding.title}  "
            f"{finding.redacted}  fp {finding.fingerprint}"
        )
    history = f", {report.commits_scanned} commits" if report.commits_scanned is not None else ""
    live = len(report.live)
    lines.append(
        f"{live} live secret{'s' if live != 1 else ''}, {len(report.findings) - live} test "
        f"key(s), {report.suppressed} accepted; scanned {report.files_scanned} files{history} "
        f"in {report.elapsed:.2f} s"
    )
    for path, why in report.not_scanned:
        lines.append(f"not scanned: {path}: {why}")
    if report.not_scanned_count > len(report.not_scanned):
        lines.append(f"not scanned: {report.not_scanned_count - len(report.not_scanned)} more")
    if report.incomplete:
        lines.append(f"INCOMPLETE: {report.incomplete}")
    return "\n".join(lines)


HOOK = """#!/bin/sh
# Written by `launchtui scan-secrets --install-hook {kind}`: stops a {verb} that would
# add a live secret. Accept a finding with `launchtui: allow-secret` on its line or its
# fingerprint in .launchtui-secrets-baseline.
if command -v launchtui >/dev/null 2>&1; then
    exec launchtui scan-secrets {flag} "$(git rev-parse --show-toplevel)"
fi
exec {python} -m launchtui scan-secrets {flag} "$(git rev-parse --show-toplevel)"
"""


def install_hook(root: Path, kind: str, *, force: bool) -> int:
    done = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--git-path", "hooks"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise UsageError(f"scan-secrets: {root} is not a git repository")
    hooks = Path(done.stdout.strip())
    if not hooks.is_absolute():
        hooks = root / hooks
    hook = hooks / kind
    if (hook.exists() or hook.is_symlink()) and not force:
        raise UsageError(
            f"scan-secrets: {hook} already exists: add the scan to it by hand, or replace it "
            "with --force"
        )
    hooks.mkdir(parents=True, exist_ok=True)
    flag = "--staged" if kind == "pre-commit" else "--history"
    verb = "commit" if kind == "pre-commit" else "push"
    hook.unlink(missing_ok=True)
    hook.write_text(
        HOOK.format(kind=kind, verb=verb, flag=flag, python=shlex.quote(sys.executable)),
        encoding="utf-8",
    )
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    print(f"wrote {hook} ({kind}: launchtui scan-secrets {flag})")
    return 0
