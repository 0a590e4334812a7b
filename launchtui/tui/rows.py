"""What the stage screens show, as plain data: planned rows, progress, ages and statuses.

No Textual here: these are the small conversions between the domain's results and the rows of
a table, kept apart so that they can be read and tested on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from launchtui.checks.model import Result
from launchtui.checks.registry import Check, checks_for_stages
from launchtui.reports.literal import literal
from launchtui.sprint.model import Sprint
from launchtui.sprint.results import PreviousResult, StoredResult
from launchtui.sprint.tasks_store import TaskState
from launchtui.tasks import Task

Key = tuple[str, str]  # (check id, target), as the store keys results

STATUS_STYLES = {
    "pass": "green",
    "warn": "yellow",
    "fail": "bold red",
    "error": "bold magenta",
    "skip": "dim",
    "manual": "cyan",
}
_BAD = ("fail", "error")  # what "newly failing" and "fixed" are measured against
RUNNING = Text("running", style="italic cyan")
NOT_RUN = Text("-", style="dim")


@dataclass(frozen=True, slots=True)
class PlannedRow:
    check: Check
    target: str

    @property
    def key(self) -> Key:
        return (self.check.id, self.target)


def planned_rows(stage: str, sprint: Sprint) -> list[PlannedRow]:
    """One row per check of the stage and target of that check, by check id.

    Sorted here because the registry's order depends on which check modules happened to be
    imported first.
    """
    checks = sorted(checks_for_stages([stage]), key=lambda check: check.id)
    return [PlannedRow(check, target) for check in checks for target in check.targets(sprint)]


def progress(
    rows: list[PlannedRow],
    results: dict[Key, StoredResult],
    tasks: list[Task],
    states: dict[tuple[str, str], TaskState],
) -> tuple[int, int]:
    """(passing checks + done tasks, checks + tasks) of one stage."""
    passing = sum(1 for row in rows if _status(results.get(row.key)) == "pass")
    done = sum(1 for task in tasks if task_done(task, states))
    return passing + done, len(rows) + len(tasks)


def task_done(task: Task, states: dict[tuple[str, str], TaskState]) -> bool:
    state = states.get((task.stage, task.id))
    return state is not None and state.done


def _status(stored: StoredResult | None) -> str | None:
    return None if stored is None else stored.status


def status_text(stored: StoredResult | None, running: bool) -> Text:
    if running:
        return RUNNING.copy()
    if stored is None:
        return NOT_RUN.copy()
    text = Text(stored.status, style=STATUS_STYLES.get(stored.status, ""))
    mark = change_mark(stored)
    if mark:
        text.append(f" {mark}", style="bold" if mark == "new" else "green")
    return text


def change_mark(stored: StoredResult) -> str:
    """ "new" for a result failing since the previous run, "fixed" for one passing again."""
    previous = stored.previous
    if previous is None or previous.status == stored.status:
        return ""
    if stored.status in _BAD and previous.status not in _BAD:
        return "new"
    if stored.status == "pass" and previous.status in _BAD:
        return "fixed"
    return ""


def plain(value: str) -> Text:
    """Text from the sprint or the network, shown literally (never parsed as markup)."""
    return Text(literal(value))


def age(checked_at: str, now: datetime) -> str:
    """How long ago a result was checked: 45s, 12m, 3h, 2d; empty when unknown."""
    try:
        then = datetime.fromisoformat(checked_at.replace("Z", "+00:00"))
        seconds = int((now - then).total_seconds())
    except (ValueError, TypeError):
        return ""
    if seconds < 60:
        return f"{max(seconds, 0)}s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return ""


def as_stored(result: Result, earlier: StoredResult | None) -> StoredResult:
    """A live result as the store will keep it, with the result it replaces as `previous`."""
    previous = None
    if earlier is not None:
        previous = PreviousResult(earlier.status, earlier.summary, earlier.checked_at)
    return StoredResult(
        id=result.id,
        stage=result.stage,
        target=result.target,
        status=str(result.status),
        severity=str(result.severity),
        summary=result.summary,
        evidence=dict(result.evidence),
        fix=result.fix,
        duration_ms=result.duration_ms,
        checked_at=result.checked_at,
        previous=previous,
    )
