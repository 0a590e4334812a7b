"""`launchtui monitor --once SPRINT`: one synthetic pass over the sprint's monitors, for cron
and CI: monitoring.synthetic and monitoring.cert-expiry through the engine and reports of
`launchtui check`, recorded in the run history (the dashboard draws each monitor's response
time from it). Exit 0 when every monitor is up (slow included), 1 when one is down or could
not be reached (an unreachable production is not fine), 2 on a usage or sprint-file error."""

from __future__ import annotations

import argparse
import sys

from launchtui.cli import headless
from launchtui.model.monitoring import WATCH_CHECKS
from launchtui.model.results import Result, Severity, Status
from launchtui.reports.run import RunReport
from launchtui.sprint import recorded, store
from launchtui.text.literal import literal


def run(args: argparse.Namespace) -> int:
    document = store.load(args.once)
    problem = _lab_problem(document)
    if problem is not None:
        print(f"launchtui: {problem}", file=sys.stderr)
        return 1
    report = headless.execute(
        document, stages=["monitoring"], fail_on=Severity.LOW, only=WATCH_CHECKS
    )
    _, history_problem = recorded.record_run(document.path, report.results, report.started_at)
    if history_problem is not None:
        print(
            f"launchtui: saved the verdicts only; the run history: {history_problem}",
            file=sys.stderr,
        )
    if args.format == "text":
        sys.stdout.write(_text(report))
    else:
        sys.stdout.write(headless.render(report, args.format))
    return report.exit_code


def _lab_problem(document: store.SprintDocument) -> str | None:
    """A sprint the lab wrote ([lab].dns) while the lab is not running: every probe would
    fail to connect, and recording that would draw an outage that never was."""
    from launchtui.net.probe import lab_down

    down = lab_down(document.sprint)
    if down is None:
        return None
    shown = store.display_path(document.path)
    return (
        f"the lab this sprint was written for is not running (its DNS server at {down}); "
        f"start it with `launchtui lab --sprint {shown}` "
        "and run again. Nothing was probed or recorded."
    )


def _text(report: RunReport) -> str:
    """One line per monitor (name, status, time) and one for the certificates, then what is
    wrong with those that are not up."""
    lines = []
    # the monitors in the sprint's order, then the certificates
    for result in sorted(report.results, key=lambda r: r.id == "monitoring.cert-expiry"):
        lines.append(_line(result))
        if result.status not in (Status.PASS, Status.SKIP):
            lines.append(f"    {literal(result.summary)}")
    bad = sum(r.status in (Status.FAIL, Status.ERROR) for r in report.results)
    lines.append(
        f"{len(report.results)} results in {report.wall_ms / 1000:.1f} s: "
        + (f"{bad} down or out of reach" if bad else "all up")
    )
    return "\n".join(lines) + "\n"


def _line(result: Result) -> str:
    evidence = result.evidence
    if result.id == "monitoring.cert-expiry":
        soonest = evidence.get("soonest")
        when = ""
        if isinstance(soonest, dict):
            days = int(soonest["days_left"])
            left = f"in {days} days" if days >= 0 else f"expired {-days} days ago"
            when = f"soonest {soonest['host']} {left}"
        return f"{'certificates':<12} {result.status:<5} {literal(when)}".rstrip()
    name = str(evidence.get("monitor") or result.target)
    elapsed = evidence.get("elapsed_ms")
    took = f"{elapsed} ms" if isinstance(elapsed, int) else "-"
    return f"{literal(name):<12} {result.status:<5} {took:>8}  {literal(result.target)}"
