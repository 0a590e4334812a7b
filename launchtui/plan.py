"""What a stage shows, as plain data: its planned (check, target) rows and its progress.

Shared by the sprint session and the terminal app's tables; no Textual and no Rich here.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchtui.checks.registry import Check, checks_for_stages
from launchtui.model.results import Result, Status
from launchtui.model.sprint import Sprint
from launchtui.model.targets import Target
from launchtui.model.tasks import Task
from launchtui.sprint.tasks_store import TaskState, task_done

Key = tuple[str, str]  # (check id, target), as the store keys results


@dataclass(frozen=True, slots=True)
class PlannedRow:
    check: Check
    target: Target

    @property
    def key(self) -> Key:
        return (self.check.id, self.target.text)


def planned_rows(stage: str, sprint: Sprint) -> list[PlannedRow]:
    """One row per check of the stage and target of that check, by check id.

    Sorted here because the registry's order depends on which check modules happened to be
    imported first.
    """
    checks = sorted(checks_for_stages([stage]), key=lambda check: check.id)
    return [PlannedRow(check, target) for check in checks for target in check.targets(sprint)]


def progress(
    rows: list[PlannedRow],
    results: dict[Key, Result],
    tasks: list[Task],
    states: dict[tuple[str, str], TaskState],
) -> tuple[int, int]:
    """(passing checks + done tasks, checks + tasks) of one stage."""
    passing = sum(1 for row in rows if _status(results.get(row.key)) == "pass")
    done = sum(1 for task in tasks if task_done(task, states))
    return passing + done, len(rows) + len(tasks)


def _status(stored: Result | None) -> str | None:
    return None if stored is None else stored.status


FAILING = frozenset({Status.FAIL, Status.ERROR})  # broken, or could not be checked


def urgency_tier(stored: Result | None) -> int:
    """0 for fail and error, 1 for warn, 2 for the rest (pass, skip, manual, not run)."""
    if stored is None:
        return 2
    if stored.status in FAILING:
        return 0
    return 1 if stored.status == Status.WARN else 2


def by_urgency(rows: list[PlannedRow], results: dict[Key, Result]) -> list[PlannedRow]:
    """Failures and errors first, then warnings, then the rest; within each, blockers before
    high before medium before low; then by check id and target, so the order is stable."""

    def urgency(row: PlannedRow) -> tuple[int, int, str, str]:
        tier = urgency_tier(results.get(row.key))
        return (tier, row.check.severity.rank, row.check.id, row.target.text)

    return sorted(rows, key=urgency)


GROUPINGS = ("check", "host")  # what rows can be grouped by (g), besides not at all


def grouped(
    rows: list[PlannedRow], results: dict[Key, Result], by: str
) -> list[tuple[str, list[PlannedRow]]]:
    """Rows grouped by check id or by host, each group's rows most urgent first, and the
    groups in the order of their most urgent row (then by name): what fails comes first
    whichever way the rows are grouped."""
    groups: dict[str, list[PlannedRow]] = {}  # in the order their first row comes
    for row in by_urgency(rows, results):
        name = row.check.id if by == "check" else row.target.host
        groups.setdefault(name, []).append(row)
    return list(groups.items())


@dataclass(frozen=True, slots=True)
class Tally:
    """One stage's counts: its checks by what their latest result says, and its tasks."""

    checks: int = 0
    checked: int = 0  # checks with a result (any status)
    passing: int = 0
    failing: int = 0  # fail and error
    warning: int = 0
    tasks: int = 0
    done: int = 0

    @property
    def total(self) -> int:
        return self.checks + self.tasks

    @property
    def started(self) -> bool:
        """Anything checked or any task done: before that the stage has not been run."""
        return bool(self.checked or self.done)


def tally(
    rows: list[PlannedRow],
    results: dict[Key, Result],
    tasks: list[Task],
    states: dict[tuple[str, str], TaskState],
) -> Tally:
    statuses = [stored.status for row in rows if (stored := results.get(row.key)) is not None]
    return Tally(
        checks=len(rows),
        checked=len(statuses),
        passing=statuses.count(Status.PASS),
        failing=sum(1 for status in statuses if status in FAILING),
        warning=statuses.count(Status.WARN),
        tasks=len(tasks),
        done=sum(1 for task in tasks if task_done(task, states)),
    )
