"""A dialog to record who owns a manual task, a note and where its evidence is.

What is typed is saved as you type: a short pause after the last key writes the changed fields
to the sprint file, and closing the dialog writes whatever is still pending.

Only keys typed once the dialog is there reach it: keys typed before it opened (queued while
the app was busy saving or running) were meant for the stage screen, and are dropped.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Static

from launchtui.model.tasks import Task
from launchtui.sprint.tasks_store import TaskState
from launchtui.tui.typed import launch_app

FIELDS = ("owner", "note", "evidence")
DEBOUNCE = 0.6  # seconds after the last key: one write per pause, not one per key


class LaterKeysInput(Input):
    """An Input that ignores the keys and pastes sent before its dialog was mounted."""

    def on_key(self, event: events.Key) -> None:
        _drop_if_early(self.screen, event)

    def on_paste(self, event: events.Paste) -> None:
        _drop_if_early(self.screen, event)


def _drop_if_early(screen: object, event: events.Key | events.Paste) -> None:
    if isinstance(screen, TaskEditor) and event.time < screen.opened_at:
        event.prevent_default()  # the Input's own handlers, which would insert the text
        event.stop()  # and the bindings (escape, enter) further up


class TaskEditor(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="close")]

    def __init__(self, task: Task, state: TaskState | None) -> None:
        super().__init__()
        self.task_ = task
        state = state or TaskState()
        self.saved = {name: getattr(state, name) for name in FIELDS}  # what the file holds
        self._timer: Timer | None = None
        self.opened_at = float("inf")  # until mounted, every key is early

    def on_mount(self, event: events.Mount) -> None:
        self.opened_at = event.time  # stamped by the clock that stamps key events

    def on_key(self, event: events.Key) -> None:
        """An early key that reached the dialog itself, before an Input had the focus."""
        _drop_if_early(self, event)

    def compose(self) -> Any:
        with Vertical(id="editor"):
            yield Label(Text(self.task_.title, style="bold"))
            for name in FIELDS:
                yield Label(name.capitalize())
                yield LaterKeysInput(self.saved[name], id=name, placeholder=name)
            yield Static(Text("Saved as you type."), id="save-state")
            yield Button("Done", variant="primary", id="done")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self.save_now)

    def on_input_submitted(self) -> None:
        self.action_close()

    def on_button_pressed(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        self.save_now()
        self.dismiss(None)

    def save_now(self) -> None:
        """Write the fields that differ from what the file holds."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        values = {name: self.query_one(f"#{name}", Input).value for name in FIELDS}
        changed = {k: v for k, v in values.items() if v != self.saved[k]}
        if not changed:
            return
        written = launch_app(self).sprint.save_task(self.task_, **changed)
        if written is False:
            state = "Not saved: see the message. Keep typing to try again."
        else:
            self.saved.update(changed)  # written, or waiting on the changed-on-disk question
            state = "Saved." if written else "Waiting: the file changed on disk."
        if self.is_mounted:
            self.query_one("#save-state", Static).update(Text(state))
