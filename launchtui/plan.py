"""What a stage shows, as plain data: its planned (check, target) rows and its progress.

Shared by the sprint session and the terminal app's tables; no Textual and no Rich here.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchtui.checks.registry import Check, checks_for_stages
from launchtui.model.results import Result
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
