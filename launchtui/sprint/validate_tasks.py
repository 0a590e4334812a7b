"""Validation of the [tasks] section: each task's keys have the types the app writes.

Apart from launchtui.sprint.tasks_store, which loads and saves the file, so that validation
(called by every load) does not import the store that calls it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from launchtui.sprint.locate import Invalid

_STRINGS = ("owner", "note", "evidence", "updated_at")


def check_tasks(data: Mapping[str, Any]) -> None:
    """Validate the value types of the [tasks] section of a parsed file; raises Invalid.

    Stage names are checked by launchtui.sprint.validate, which calls this.
    """
    tasks = data.get("tasks", {})
    for stage, stage_tasks in tasks.items():
        _expect_table(stage_tasks, ("tasks", stage))
        for task_id, table in stage_tasks.items():
            key = ("tasks", stage, task_id)
            _expect_table(table, key)
            if "done" in table and not isinstance(table["done"], bool):
                raise Invalid((*key, "done"), f"expected true or false, got {_kind(table['done'])}")
            for name in _STRINGS:
                if name in table and not isinstance(table[name], str):
                    raise Invalid((*key, name), f"expected a string, got {_kind(table[name])}")


def _expect_table(value: Any, key: tuple[str, ...]) -> None:
    if not isinstance(value, Mapping):
        raise Invalid(key, f"expected a table, got {_kind(value)}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({json.dumps(value[:40], ensure_ascii=False)})"
    return "a list" if isinstance(value, list) else type(value).__name__
