"""A modal to record who owns a manual task, a note and where its evidence is."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from launchtui.sprint.tasks_store import TaskState
from launchtui.tasks import Task

FIELDS = ("owner", "note", "evidence")


class TaskEditor(ModalScreen[dict[str, str] | None]):
    """Dismissed with the changed fields (enter or Save), or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, task: Task, state: TaskState | None) -> None:
        super().__init__()
        self.task_ = task
        self.state = state or TaskState()

    def compose(self) -> Any:
        with Vertical(id="editor"):
            yield Label(Text(self.task_.title, style="bold"))
            for name in FIELDS:
                yield Label(name.capitalize())
                yield Input(getattr(self.state, name), id=name, placeholder=name)
            yield Button("Save", variant="primary", id="save")

    def on_input_submitted(self) -> None:
        self._save()

    def on_button_pressed(self) -> None:
        self._save()

    def _save(self) -> None:
        values = {name: self.query_one(f"#{name}", Input).value for name in FIELDS}
        changed = {k: v for k, v in values.items() if v != getattr(self.state, k)}
        self.dismiss(changed or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
