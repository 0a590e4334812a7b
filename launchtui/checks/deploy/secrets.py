"""deploy.secrets: no hardcoded secret in `[deploy].repo`'s working tree, build output (bundles
and source maps under dist/, build/, .next/, public/) or git history.

Fails on a live key anywhere (ranked: served to browsers, in the code, only in history); warns
on test-mode keys only, on files it could not read (too large, unreadable) and on a folder that
is not a git repository (its history could not be checked); an error when the folder cannot be
read or the scan did not finish in its budget. Evidence shows findings redacted (first
characters, length, fingerprint), never a value.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from launchtui.background import in_daemon_thread
from launchtui.model.results import Outcome, Status
from launchtui.model.targets import Target
from launchtui.secrets.findings import RISK_LABELS, Finding, Report, ranked
from launchtui.secrets.repo import ScanError, scan_repository

if TYPE_CHECKING:
    from launchtui.checks.context import CheckContext

SCAN_BUDGET = 100.0  # seconds: the scan stops itself, marked incomplete, within the check's 120
MAX_EVIDENCE = 20


async def run(ctx: CheckContext, target: Target) -> Outcome:
    if ctx.sprint.deploy_repo is None:
        return Outcome(
            Status.SKIP,
            "no [deploy].repo set: no repository to scan for secrets",
            fix='Set the app\'s repository under [deploy], e.g. `repo = "../acme-app"` '
            "(relative to the sprint file), and run the check again.",
        )
    root = ctx.sprint.deploy_repo
    try:
        report = await in_daemon_thread(
            lambda: scan_repository(root, history=True, budget=SCAN_BUDGET), "launchtui-secrets"
        )
    except ScanError as exc:
        return Outcome(
            Status.ERROR,
            f"could not check: {exc}",
            {"repo": str(root)},
            fix=f"Make {root} a readable clone of the app's repository (or correct "
            "[deploy].repo), then run the check again.",
        )
    return verdict(root, report)


def verdict(root: Path, report: Report) -> Outcome:
    findings = ranked(report.findings)
    evidence = _evidence(report, findings)
    live = [f for f in findings if f.risk < 4]
    scan_command = f"launchtui scan-secrets --history {root}"
    if live:
        worst = live[0]
        summary = (
            f"{len(live)} live secret{'s' if len(live) != 1 else ''} found; worst: "
            f"{worst.title} ({RISK_LABELS[worst.risk]}) at {worst.location}"
        )
        if report.incomplete:
            summary += f"; the scan did not finish: {report.incomplete}"
        return Outcome(Status.FAIL, summary, evidence, fix=_fix(scan_command))
    if report.incomplete:
        return Outcome(
            Status.ERROR,
            f"could not check: {report.incomplete}",
            evidence,
            fix=f"Run the scan without a time limit where the repository lives: {scan_command}",
        )
    problems = []
    if findings:
        problems.append(f"{len(findings)} test-mode key{'s' if len(findings) != 1 else ''}")
    if report.not_scanned_count:
        problems.append(f"{report.not_scanned_count} file(s) not scanned (too large or unreadable)")
    if report.commits_scanned is None:
        problems.append("not a git repository: its history was not checked")
    if problems:
        return Outcome(
            Status.WARN,
            "no live secret found, but " + "; ".join(problems),
            evidence,
            fix="Test-mode keys belong in the CI's secrets, not the repository; check the files "
            "that were not scanned by hand; scan the real clone (with its .git) as "
            f"[deploy].repo. Verify with: {scan_command}",
        )
    commits = f" and {report.commits_scanned} commits" if report.commits_scanned else ""
    return Outcome(
        Status.PASS,
        f"no secret in {report.files_scanned} files{commits}"
        + (f" ({report.suppressed} accepted)" if report.suppressed else ""),
        evidence,
    )


def _fix(command: str) -> str:
    return (
        "Rotate every live key found (the provider's dashboard: roll the key, update the "
        "production environment), then remove it from the code and build output and load it "
        "from the environment; a key only in history is still in every clone, so rotate it "
        "too (rewriting history does not recall copies). An accepted finding can stay with "
        "`launchtui: allow-secret` on its line or its fingerprint in "
        f".launchtui-secrets-baseline. Verify with: {command}"
    )


def _evidence(report: Report, findings: list[Finding]) -> dict[str, object]:
    return {
        "findings": [f.to_dict() for f in findings[:MAX_EVIDENCE]],
        "findings_total": len(findings),
        "files_scanned": report.files_scanned,
        "commits_scanned": report.commits_scanned,
        "not_scanned": [f"{path}: {why}" for path, why in report.not_scanned[:MAX_EVIDENCE]],
        "suppressed": report.suppressed,
        "incomplete": report.incomplete,
    }
