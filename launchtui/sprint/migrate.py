"""Moving a sprint file of the old form into the run history, once.

Before the run history, a sprint file kept every result in full (fix, evidence, previous) and a
`[[runs]]` list, and grew with every run. On the first open by the app, or the first
`check --save`, those move into NAME.runs.sqlite and the file keeps the compact verdicts
(launchtui.sprint.results). Everything else in the file (hand edits, comments, tasks, notes)
stays as it was. The history is written first: a process killed in between leaves the old file
as it was, and the next open moves it again without recording the runs twice.
"""

from __future__ import annotations

from typing import Any

import tomlkit

from launchtui.model.results import Result
from launchtui.sprint import store
from launchtui.sprint.history import History
from launchtui.sprint.results import is_legacy, legacy_result, record_verdict

SOURCE = "sprint file"


def needs_migration(document: store.SprintDocument) -> bool:
    """Whether the file has results in the old form, or a [[runs]] list."""
    return "runs" in document.doc or any(True for _ in _legacy_tables(document))


def migrate(document: store.SprintDocument, history: History) -> int:
    """Move the old-form results and runs of a loaded document into `history`, write their
    verdicts in the compact form and save; returns how many results moved. Raises
    SprintFileError or HistoryError (the file is then left as it was)."""
    legacy = [
        legacy_result(stage, check_id, target, full.unwrap())
        for stage, check_id, table in _legacy_tables(document)
        for target, full in table.items()
    ]
    latest_at = max((result.checked_at for result in legacy), default="")
    if not history.has_run(latest_at, SOURCE):
        for run in document.doc.get("runs", []):
            history.record_run(
                [],
                str(run.get("at", "")),
                source=SOURCE,
                stages=run.get("stages", []),
                counts=dict(run.get("counts", {})),
            )
        earlier = [_previous_of(result) for result in legacy if result.previous is not None]
        if earlier:
            history.record_run(earlier, min(r.checked_at for r in earlier), source=SOURCE)
        if legacy:
            history.record_run(legacy, latest_at, source=SOURCE)
    section = document.doc.get("results", {})
    for stage, check_id, _ in list(_legacy_tables(document)):
        del section[stage][check_id]
    for result in legacy:
        checks = section[result.stage]
        if result.id not in checks:
            checks[result.id] = tomlkit.table()
        record_verdict(checks[result.id], result, result.checked_at)
    if "runs" in document.doc:
        del document.doc["runs"]
    store.save(document)
    return len(legacy)


def _legacy_tables(document: store.SprintDocument) -> Any:
    """(stage, check id, table) of each check table in the old form."""
    for stage, checks in document.doc.get("results", {}).items():
        for check_id, table in checks.items():
            if is_legacy(table):
                yield stage, check_id, table


def _previous_of(result: Result) -> Result:
    """The result a legacy table's `previous` describes, as a row of the history."""
    previous = result.previous
    if previous is None:
        raise ValueError("no previous result")
    return Result(
        id=result.id,
        stage=result.stage,
        target=result.target,
        status=previous.status,
        severity=result.severity,
        summary=previous.summary,
        checked_at=previous.checked_at,
    )
