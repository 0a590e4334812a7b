"""The state of manual tasks in the sprint file: done, owner, note, evidence.

One table per task, under the stage it belongs to, keyed by its catalogue id
(launchtui.model.tasks):

    [tasks.deploy.rollback-tested]
    done = true
    owner = "Sam"
    note = \"\"\"Rolled v41 back to v40 on staging in 3 minutes.
    Workers restarted by themselves.\"\"\"
    evidence = "https://ci.acme.dev/runs/812"
    updated_at = "2025-03-01T09:30:00Z"

- Every key is optional: a missing `done` is false, a missing string is empty. `note` may span
  lines; `evidence` is a link or text; `updated_at` is ISO 8601 UTC, set on every change.
- Recording changes only the keys given, in a fresh load of the file: comments, key order,
  unknown keys (in a task table too) and hand edits made meanwhile are kept.
- Stage keys must be stage names and the known keys must have the types above; a bad value is
  one `file:line: key: problem` error on load (launchtui.sprint.validate_tasks).
- A task id that is not in the catalogue is kept and shown (someone added their own task by
  hand), and record_task may update it; record_task refuses an id that is neither in the
  catalogue nor already in the file, so that a typo never becomes a task.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit

from launchtui.errors import SprintFileError
from launchtui.model.stages import STAGE_NAMES
from launchtui.model.tasks import Task, find_task
from launchtui.sprint.store import SprintDocument, display_path, loaded, save, super_table


@dataclasses.dataclass(frozen=True, slots=True)
class TaskState:
    done: bool = False
    owner: str = ""
    note: str = ""
    evidence: str = ""
    updated_at: str = ""  # ISO 8601 UTC; empty when never recorded


def task_done(task: Task, states: Mapping[tuple[str, str], TaskState]) -> bool:
    """Whether the recorded states mark `task` done (a task never recorded is not)."""
    state = states.get((task.stage, task.id))
    return state is not None and state.done


def saved_tasks(document: SprintDocument) -> dict[tuple[str, str], TaskState]:
    """The recorded state of every task in a loaded document, by (stage, task id)."""
    section = document.doc.get("tasks")
    data: dict[str, Any] = {} if section is None else section.unwrap()
    return {
        (stage, task_id): _state(table)
        for stage, tasks in data.items()
        for task_id, table in tasks.items()
    }


def record_task(
    sprint: SprintDocument | str | Path,
    stage: str,
    task_id: str,
    *,
    done: bool | None = None,
    owner: str | None = None,
    note: str | None = None,
    evidence: str | None = None,
    updated_at: str,
) -> SprintDocument:
    """Change the given fields of one task (in a loaded document, or a fresh load of the file at
    a path) and save; returns the saved document. Raises SprintFileError for an unknown stage
    or task id, or when saving fails."""
    if stage not in STAGE_NAMES:
        raise SprintFileError(f"unknown stage {stage!r} (expected one of {', '.join(STAGE_NAMES)})")
    document = loaded(sprint)
    tasks = super_table(document.doc, "tasks")
    known = stage in tasks and task_id in tasks[stage]
    if not known and find_task(stage, task_id) is None:
        raise SprintFileError(
            f"{display_path(document.path)}: no task {task_id!r} in stage {stage}; nothing "
            "was written"
        )
    stage_tasks = super_table(tasks, stage)
    if not known:
        stage_tasks[task_id] = tomlkit.table()
    table = stage_tasks[task_id]
    if done is not None:
        table["done"] = done
    multiline = b"\r\n" not in document.original  # CRLF files keep one-line strings
    for key, value in (("owner", owner), ("note", note), ("evidence", evidence)):
        if value is not None:
            table[key] = _string(value, multiline=multiline)
    table["updated_at"] = updated_at
    if not known:
        table.add(tomlkit.nl())  # a blank line before the next table, as people write TOML
    save(document)
    return document


def _state(table: Mapping[str, Any]) -> TaskState:
    return TaskState(
        done=table.get("done", False),
        owner=table.get("owner", ""),
        note=table.get("note", ""),
        evidence=table.get("evidence", ""),
        updated_at=table.get("updated_at", ""),
    )


def _string(value: str, *, multiline: bool) -> Any:
    # A carriage return inside a multi-line string would not survive every TOML reader.
    return tomlkit.string(value, multiline=multiline and "\n" in value and "\r" not in value)
