"""The JSON report of the command-line contract."""

from __future__ import annotations

import json
from typing import Any

from launchtui.reports.order import counts
from launchtui.reports.risks import fix_order, rank_risks
from launchtui.reports.run import RunReport


def to_data(report: RunReport) -> dict[str, Any]:
    sprint = report.sprint
    risks = rank_risks(report.results)
    checks = []
    for result in report.results:
        item = result.to_dict()
        item["previous_status"] = report.previous.get((result.id, result.target))
        checks.append(item)
    return {
        "sprint": {
            "id": sprint.id,
            "name": sprint.name,
            "path": str(sprint.path),
            "apex": sprint.site.apex,
        },
        "run": {
            "started_at": report.started_at,
            "wall_ms": report.wall_ms,
            "stages": report.stages,
            "fail_on": str(report.fail_on),
            "exit_code": report.exit_code,
            "check_exit_code": report.gate_exit_code,
            "unchecked_stages": report.unchecked_stages,
            "counts": counts(report.results),
        },
        "checks": checks,
        "open_tasks": [
            {"stage": task.stage, "id": task.id, "title": task.title} for task in report.open_tasks
        ],
        "risks": [risk.to_dict() for risk in risks],
        "routing": [entry.to_dict() for entry in report.routing],
        "fix_order": fix_order(risks),
    }


def render(report: RunReport) -> str:
    # ensure_ascii keeps every control or non-ASCII character as a \u escape: lossless for
    # parsers, inert on a terminal.
    return json.dumps(to_data(report), indent=2, ensure_ascii=True) + "\n"
