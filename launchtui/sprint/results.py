"""The sections launchtui writes into a sprint file: progress, check results and run history.

They follow the sprint file's rules (readable, diff-friendly, hand edits elsewhere kept) and
look like this:

    [progress]
    stage = "edge"

    [results.edge."tls.certificate"."app.acme.community"]
    status = "fail"
    severity = "blocker"
    summary = "Certificate expired 3 days ago"
    checked_at = "2025-03-01T09:30:00Z"
    duration_ms = 41
    fix = \"\"\"Renew the certificate for app.acme.community.
    Verify: launchtui check sprints/acme.toml --stage edge\"\"\"
    previous = {status = "pass", summary = "Valid for 2 days", checked_at = "2025-02-25T09:30:00Z"}

    [results.edge."tls.certificate"."app.acme.community".evidence]
    not_after = "2025-02-26T00:00:00Z"
    names = ["app.acme.community"]

    [[runs]]
    at = "2025-03-01T09:30:00Z"
    stages = ["edge"]
    counts = {pass = 12, warn = 1, fail = 1, error = 0, skip = 2, manual = 0}

- `[progress].stage` is the stage the user was on.
- `status` is pass, warn, fail, error, skip or manual; `severity` blocker, high, medium or low;
  `checked_at` and `at` are ISO 8601 UTC strings.
- There is one table per (check id, target), under the stage that produced it; both keys are
  quoted as needed. Recording a check again replaces its table where it stands (keys added to it
  by hand are not kept), and the replaced result's status, summary and checked_at become
  `previous`, one level deep: enough to show what changed since the last run. A (check id,
  target) is stored once: recorded by another stage (the audit re-running an edge check, say),
  it moves there.
- Evidence is plain data: None values are dropped, nested tables and lists are written inline.
- `fix` is a multi-line string when it has line breaks, except in CRLF files or when it contains
  a carriage return: there it is one escaped line, so every TOML reader gets the exact text back.
- Only the last RUNS_KEPT runs are kept.
- Stage keys (under [results], and under [tasks] for whoever writes tasks), `[progress].stage`,
  the stages and statuses of runs, and every status and severity are validated on load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tomlkit
from tomlkit.items import Item, Table

from launchtui.model.results import Previous, Result, Severity, Status
from launchtui.model.stages import STAGE_NAMES

RUNS_KEPT = 20
_INT64 = range(-(2**63), 2**63)


def stored_result(stage: str, check_id: str, target: str, data: Mapping[str, Any]) -> Result:
    """A result table as read from a validated file."""
    previous = data.get("previous")
    return Result(
        id=check_id,
        stage=stage,
        target=target,
        status=Status(data["status"]),
        severity=Severity(data["severity"]),
        summary=data.get("summary", ""),
        evidence=dict(data.get("evidence", {})),
        fix=data.get("fix", ""),
        duration_ms=data.get("duration_ms", 0),
        checked_at=data.get("checked_at", ""),
        previous=None if previous is None else previous_result(previous),
    )


def previous_result(data: Mapping[str, Any]) -> Previous:
    return Previous(
        status=Status(data["status"]),
        summary=str(data.get("summary", "")),
        checked_at=str(data.get("checked_at", "")),
    )


def result_table(
    result: Result, previous: Previous | None, *, checked_at: str, multiline_fix: bool
) -> Table:
    """The table stored for one result; `checked_at` is used when the result has none."""
    table = tomlkit.table()
    table["status"] = str(result.status)
    table["severity"] = str(result.severity)
    table["summary"] = text(result.summary)
    table["checked_at"] = text(result.checked_at or checked_at)
    table["duration_ms"] = int(result.duration_ms)
    if result.fix:
        fix = text(result.fix)
        multiline = multiline_fix and "\n" in fix and "\r" not in fix
        table["fix"] = tomlkit.string(fix, multiline=multiline)
    if previous is not None:
        table["previous"] = inline_value(
            {
                "status": str(previous.status),
                "summary": previous.summary,
                "checked_at": previous.checked_at,
            }
        )
    evidence = plain(result.evidence)
    if evidence:
        evidence_table = tomlkit.table()
        for key, value in evidence.items():
            evidence_table[key] = inline_value(value)
        table["evidence"] = evidence_table
    _end_with_blank_line(table)
    return table


def run_table(results: Sequence[Result], run_at: str) -> Table:
    """One [[runs]] entry: when, which stages, and how many results of each status."""
    recorded = {str(result.stage) for result in results}
    counts = {str(status): 0 for status in Status}
    for result in results:
        counts[str(result.status)] = counts.get(str(result.status), 0) + 1
    table = tomlkit.table()
    table["at"] = run_at
    table["stages"] = sorted(recorded, key=_stage_order)
    table["counts"] = inline_value(counts)
    _end_with_blank_line(table)
    return table


def plain(value: Any) -> Any:
    """Evidence as TOML can hold it: None dropped, tuples as lists, other objects as text."""
    if isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        return int(value) if value in _INT64 else str(value)
    if isinstance(value, Mapping):
        return {text(str(k)): plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value if item is not None]
    return text(str(value))


def text(value: str) -> str:
    """A plain str that UTF-8 can encode (stray surrogates become "?")."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return str(value)


def inline_value(value: Any) -> Item:
    """Nested data as inline tables and arrays, so evidence stays under one header."""
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        for key, item in value.items():
            table[key] = inline_value(item)
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        for item in value:
            array.append(inline_value(item))
        return array
    scalar: Item = tomlkit.item(value)
    return scalar


def _end_with_blank_line(table: Table) -> None:
    """Separate the next table by a blank line, as people write TOML."""
    last = table.get("evidence", table)
    last.add(tomlkit.nl())


def _stage_order(name: str) -> tuple[int, str]:
    return (STAGE_NAMES.index(name), name) if name in STAGE_NAMES else (len(STAGE_NAMES), name)
