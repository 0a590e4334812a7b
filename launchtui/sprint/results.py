"""The sections launchtui writes into a sprint file: progress and the latest verdicts.

The sprint file holds what a person reads: for each check, its severity, when it last ran, and
the latest verdict of each target, passes listed by name, everything else with its one-line
summary. The evidence, fix, duration and every earlier run are in the run history beside the
file (launchtui.sprint.history). It looks like this:

    [progress]
    stage = "edge"

    [results.edge."tls.certificate"]
    severity = "blocker"
    checked_at = "2025-03-01T09:30:00Z"
    pass = [
        "app.acme.community",
        "www.acme.community",
    ]

    [results.edge."tls.certificate".fail]
    "old.acme.community" = "Certificate expired 3 days ago"

- A check's table is under the stage it belongs to; `severity` is blocker, high, medium or low;
  `checked_at` (ISO 8601 UTC) is the newest of its targets' times.
- `pass` is a list of targets; every other status (warn, fail, error, skip, manual) is a table
  of target = one-line summary (line breaks become spaces). A target is listed once per check.
- Recording a check's target again moves it to its new status; other targets stay as they were.
  The file does not grow with runs.

Files written before the run history kept each result as a full table
(`[results.<stage>."<check id>"."<target>"]` with status, severity, summary, fix, evidence,
previous) and a `[[runs]]` list; they are read as they are, and moved into the run history on
the first open by the app or the first `check --save` (launchtui.sprint.migrate).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

import tomlkit

from launchtui.model.results import Previous, Result, Severity, Status

PASS = str(Status.PASS)
_VERDICT_STATUSES = [str(status) for status in Status]
CHECK_KEYS = {"severity", "checked_at", *_VERDICT_STATUSES}
_INT64 = range(-(2**63), 2**63)


def is_legacy(check_table: Mapping[str, Any]) -> bool:
    """Whether a check's table is in the old form: a full table per target."""
    return any(isinstance(value, Mapping) and "status" in value for value in check_table.values())


def verdicts(stage: str, check_id: str, table: Mapping[str, Any]) -> list[Result]:
    """The verdicts of one check's table (compact form) as results without detail."""
    severity = Severity(table["severity"])
    checked_at = str(table.get("checked_at", ""))
    found = []
    for status in _VERDICT_STATUSES:
        entries = table.get(status)
        if entries is None:
            continue
        summaries = dict.fromkeys(entries, "") if isinstance(entries, list) else entries
        for target, summary in summaries.items():
            found.append(
                Result(
                    id=check_id,
                    stage=stage,
                    target=str(target),
                    status=Status(status),
                    severity=severity,
                    summary=str(summary),
                    checked_at=checked_at,
                )
            )
    return found


def legacy_result(stage: str, check_id: str, target: str, data: Mapping[str, Any]) -> Result:
    """A full result table of the old form, as read from a validated file."""
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
        previous=None
        if previous is None
        else Previous(
            status=Status(previous["status"]),
            summary=str(previous.get("summary", "")),
            checked_at=str(previous.get("checked_at", "")),
        ),
    )


def record_verdict(check_table: MutableMapping[str, Any], result: Result, checked_at: str) -> None:
    """Put one result's verdict in its check's table (compact form), replacing the target's
    earlier verdict under whichever status it was."""
    target, status = text(result.target), str(result.status)
    check_table["severity"] = str(result.severity)
    when = text(result.checked_at or checked_at)
    if when > str(check_table.get("checked_at", "")):
        check_table["checked_at"] = when
    if target not in check_table.get(status, ()):  # same status: the entry stays where it is
        forget_verdict(check_table, target)
        if status == PASS:
            if PASS not in check_table:
                check_table[PASS] = tomlkit.array().multiline(True)
            check_table[PASS].append(target)
        elif status not in check_table:
            check_table[status] = tomlkit.table()
    if status != PASS:
        check_table[status][target] = one_line(result.summary)
    _order(check_table)


def forget_verdict(check_table: MutableMapping[str, Any], target: str) -> bool:
    """Remove a target's verdict from its check's table (compact form); whether it was there."""
    for status in _VERDICT_STATUSES:
        entries = check_table.get(status)
        if entries is None or target not in entries:
            continue
        if isinstance(entries, list):
            entries.remove(target)
        else:
            del entries[target]
        if not entries:
            del check_table[status]
        return True
    return False


def one_line(summary: str) -> str:
    """A summary as one line of the file (the full text is in the run history)."""
    return " ".join(text(summary).split())


def text(value: str) -> str:
    """A plain str that UTF-8 can encode (stray surrogates become "?")."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return str(value)


def plain(value: Any) -> Any:
    """Evidence as TOML and JSON can hold it: None dropped, tuples as lists, big integers and
    other objects as text."""
    if isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        return int(value) if value in _INT64 else str(value)
    if isinstance(value, Mapping):
        return {text(str(k)): plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value if item is not None]
    return text(str(value))


def _order(check_table: MutableMapping[str, Any]) -> None:
    """severity, checked_at, the pass list, then the other statuses as tables (a table must come
    after the plain keys in TOML, and a fixed order keeps diffs small)."""
    order = ["severity", "checked_at", PASS, *(s for s in _VERDICT_STATUSES if s != PASS)]
    present = [key for key in order if key in check_table]
    if list(check_table.keys())[: len(present)] == present:
        return
    values = {key: check_table[key] for key in present}
    for key in present:
        del check_table[key]
    for key in present:
        check_table[key] = values[key]
