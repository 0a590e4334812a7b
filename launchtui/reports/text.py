"""The plain-text report printed by `launchtui check` and `launchtui demo`."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from launchtui.model.results import Result, Status
from launchtui.model.stages import STAGE_NAMES
from launchtui.reports.order import by_urgency, counts
from launchtui.reports.risks import Risk, finding, fix_order, rank_risks
from launchtui.reports.routing import routing_lines
from launchtui.reports.run import RunReport
from launchtui.text.literal import literal

EVIDENCE_WIDTH = 160
EVIDENCE_LINES = 20  # lines shown of one multi-line evidence value
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def render(report: RunReport) -> str:
    sprint = report.sprint
    stages = "all stages" if set(report.stages) == set(STAGE_NAMES) else ", ".join(report.stages)
    lines = [
        f"{literal(sprint.name)}: checks of {stages} on {sprint.site.apex}",
        f"{len(report.results)} results in {report.wall_ms / 1000:.1f} s "
        f"(started {report.started_at})",
        "",
    ]
    lines.extend(_risk_lines(rank_risks(report.results)))
    routing = report.routing
    if routing:
        lines += [*routing_lines(routing), ""]
    lines.append("Results")
    lines.append("")
    for result in by_urgency(report.results):
        lines.extend(_result_lines(result, report.change(result)))
    tally = counts(report.results)
    summary = ", ".join(f"{n} {status}" for status, n in tally.items() if n)
    lines.append(f"Summary: {summary or 'no automated check ran'}")
    lines.extend(_manual_lines(report))
    lines.append(_exit_line(report))
    return "\n".join(lines) + "\n"


def _manual_lines(report: RunReport) -> list[str]:
    """Stages this run could not check at all, with their open tasks; a count for the rest."""
    lines = []
    for name in report.unchecked_stages:
        tasks = [task for task in report.open_tasks if task.stage == name]
        lines.append(
            f"Stage {name} has no automated checks: this run checked nothing there"
            + (f"; its {len(tasks)} open manual task(s):" if tasks else ".")
        )
        lines.extend(f"  - {task.title} [{task.id}]" for task in tasks)
    others = [t for t in report.open_tasks if t.stage not in report.unchecked_stages]
    if others:
        per_stage = Counter(task.stage for task in others)
        where = ", ".join(f"{n} in {name}" for name, n in per_stage.items())
        lines.append(f"Manual tasks still open: {where} (record them in the app).")
    return lines


def _exit_line(report: RunReport) -> str:
    gating = report.gating
    if gating:
        verdict = (
            f"{len(gating)} result(s) at or above {report.fail_on} failed or could not be checked."
        )
    elif not report.results:
        verdict = "no automated check ran, so nothing was verified."
    else:
        verdict = f"nothing at or above {report.fail_on} failed."
    if report.demo:
        return (
            f"`launchtui check` would exit {report.gate_exit_code}: {verdict} The demo itself "
            "exits 0: the lab's problems are seeded on purpose."
        )
    return f"Exit {report.exit_code}: {verdict}"


GROUP_TITLES = {
    "blocker": "Blockers: fix before launch",
    "high": "High: fix in this sprint",
    "nice-to-have": "Nice to have: after launch is fine",
}


def _risk_lines(risks: list[Risk]) -> list[str]:
    if not risks:
        return ["Risk list: nothing open.", ""]
    lines = ["Risk list, ranked by launch impact", ""]
    for risk in risks:
        r = risk.result
        where = f"on {len(risk.targets)} hosts" if risk.also else literal(r.target)
        lines.append(
            f"{risk.rank:>3}. [{risk.group}] {str(r.status).upper()} {r.id} {where}: "
            f"{literal(finding(r))}"
        )
        lines.extend(_folded_lines(risk))
    lines += ["", "Fix order"]
    for group, ranks in fix_order(risks).items():
        if ranks:
            lines.append(f"  {GROUP_TITLES[group]}: " + ", ".join(f"#{n}" for n in ranks))
    return [*lines, ""]


def _folded_lines(risk: Risk) -> list[str]:
    """What the risk takes in: its hosts, why its group is raised, the related results by
    reason, and the checks that could not run because of it."""
    lines = []
    if risk.also:
        lines.append("       hosts: " + ", ".join(literal(t) for t in risk.targets))
    if risk.escalation:
        lines.append(f"       {risk.group}: {literal(risk.escalation)}")
    by_reason: dict[str, list[Result]] = {}
    for related in risk.related:
        if related.result.status is not Status.ERROR:
            by_reason.setdefault(related.reason, []).append(related.result)
    for reason, results in by_reason.items():
        lines.append(f"       with {literal(reason)}:")
        lines.extend(
            f"         {str(r.status).upper()} {r.id} {literal(r.target)}: {literal(finding(r))}"
            for r in results
        )
    if risk.blocked:
        ids = ", ".join(dict.fromkeys(b.id for b in risk.blocked))
        where = "on these hosts" if risk.also else "on this host"
        lines.append(f"       so these could not be checked {where} either: {ids}")
    return lines


def _result_lines(result: Result, change: str) -> list[str]:
    status = str(result.status).upper()
    marker = f"  ({change})" if change else ""
    lines = [
        f"{status:<6} {result.severity:<7} {result.id:<18} {literal(result.target)}{marker}",
        f"       {literal(result.summary)}",
    ]
    if result.status is not Status.PASS and result.evidence:
        lines.append("       Evidence:")
        lines.extend(f"         {line}" for line in evidence_lines(result.evidence))
    if result.status is not Status.PASS and result.fix:
        lines.append("       Fix:")
        for line in literal(result.fix, keep_newlines=True).splitlines():
            lines.append(f"         {line}")
    lines.append("")
    return lines


def evidence_lines(evidence: dict[str, Any]) -> list[str]:
    """Literal lines per evidence item; long values are cut, never wrapped. A value holding
    line breaks (CR LF, LF or CR: a fetched MTA-STS policy, say) is shown as its lines, the
    later ones indented under the key; every other control character stays escaped."""
    lines = []
    for key, value in evidence.items():
        if isinstance(value, list):
            shown = ", ".join(str(item) for item in value) or "(none)"
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            shown = str(value)
        parts = _LINE_BREAK.split(shown.rstrip("\r\n")) if shown.strip("\r\n") else [shown]
        if len(parts) > EVIDENCE_LINES:
            more = len(parts) - EVIDENCE_LINES + 1
            parts = [*parts[: EVIDENCE_LINES - 1], f"... and {more} more lines"]
        for index, part in enumerate(parts):
            text = literal(part)
            if len(text) > EVIDENCE_WIDTH:
                text = text[: EVIDENCE_WIDTH - 1] + "…"
            lines.append(f"{key}: {text}" if index == 0 else f"  {text}")
    return lines
