"""A dialog to record who owns a manual task, a note and where its evidence is.

What is typed is saved as you type: a short pause after the last key writes the changed fields
to the sprint file, and closing the dialog writes whatever is still pending.

The incident response note is long: its note is a multi-line text area, and while it is empty
ctrl+r (or the "Draft from the sprint" button) fills it with a draft (launchtui.reports.incident)
for the engineer to edit. Filling it writes nothing: the note is saved once they type in it or
close the dialog.

Only keys typed once the dialog is there reach it: keys typed before it opened (queued while
the app was busy saving or running) were meant for the stage screen, and are dropped.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Footer, Input, Label, Static, TextArea

from launchtui.model.tasks import Task
from launchtui.reports.incident import INCIDENT_TASK, TO_FILL, draft_note
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


class LaterKeysTextArea(TextArea):
    """A TextArea that ignores the keys and pastes sent before its dialog was mounted."""

    def on_key(self, event: events.Key) -> None:
        _drop_if_early(self.screen, event)

    def on_paste(self, event: events.Paste) -> None:
        _drop_if_early(self.screen, event)


def _drop_if_early(screen: object, event: events.Key | events.Paste) -> None:
    if isinstance(screen, TaskEditor) and event.time < screen.opened_at:
        event.prevent_default()  # the field's own handlers, which would insert the text
        event.stop()  # and the bindings (escape, enter) further up


class TaskEditor(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="close"),
        Binding("ctrl+r", "draft", "Draft from the sprint", id="draft-note"),
    ]

    def __init__(self, task: Task, state: TaskState | None, *, draft: bool = False) -> None:
        """`draft`: fill an empty note with the draft once open (the command palette's)."""
        super().__init__()
        self.task_ = task
        self.drafts = (task.stage, task.id) == INCIDENT_TASK  # the one task with a draft
        self._draft_on_open = draft and self.drafts
        state = state or TaskState()
        self.saved = {name: getattr(state, name) for name in FIELDS}  # what the file holds
        self._timer: Timer | None = None
        self._drafted: str | None = None  # the draft as filled in, until the engineer edits
        self.opened_at = float("inf")  # until mounted, every key is early

    def on_mount(self, event: events.Mount) -> None:
        self.opened_at = event.time  # stamped by the clock that stamps key events
        if self._draft_on_open:
            self.action_draft()

    def on_key(self, event: events.Key) -> None:
        """An early key that reached the dialog itself, before an Input had the focus."""
        _drop_if_early(self, event)

    def compose(self) -> Any:
        with Vertical(id="editor", classes="long-note" if self.drafts else ""):
            yield Label(Text(self.task_.title, style="bold"))
            for name in FIELDS:
                yield Label(name.capitalize())
                if name == "note" and self.drafts:
                    yield LaterKeysTextArea(self.saved[name], id=name, soft_wrap=True)
                else:
                    yield LaterKeysInput(self.saved[name], id=name, placeholder=name)
            yield Static(Text("Saved as you type."), id="save-state")
            with Horizontal(id="editor-buttons"):
                # Compact beside the long note: at 24 lines the text area needs the room.
                yield Button("Done", variant="primary", id="done", compact=self.drafts)
                if self.drafts:
                    disabled = bool(self._note().strip())
                    yield Button(
                        "Draft from the sprint", id="draft", disabled=disabled, compact=True
                    )
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "draft":  # offered only on the incident note, and only while it is empty
            return self.drafts and not self._note().strip()
        return True

    def action_draft(self) -> None:
        """Fill the empty note with the draft; writing it waits for the engineer."""
        if not self.check_action("draft", ()):
            return
        sprint = launch_app(self).sprint
        area = self.query_one("#note", TextArea)
        self._drafted = draft_note(sprint.document.sprint, sprint.task_states)
        with self.prevent(TextArea.Changed):  # filling it is not the engineer typing
            area.load_text(self._drafted)
        area.focus()
        self._note_changed()
        self.query_one("#save-state", Static).update(
            Text(
                f"Drafted from the sprint: replace each {TO_FILL.strip('*')} and edit it; "
                "it is saved once you edit it (an untouched draft is not saved)."
            )
        )

    def _note(self) -> str:
        # Before the fields are composed, the note is what the file holds.
        return self._value("note") if self.query("#note") else self.saved["note"]

    def _value(self, name: str) -> str:
        field = self.query_one(f"#{name}")
        if isinstance(field, TextArea):
            return field.text
        return self.query_one(f"#{name}", Input).value

    def _note_changed(self) -> None:
        """The draft is offered again when the note is emptied, and no longer once it is not."""
        self.refresh_bindings()
        self.query_one("#draft", Button).disabled = bool(self._note().strip())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._note_changed()
        self._schedule_save()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._schedule_save()

    def _schedule_save(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self.save_now)

    def on_input_submitted(self) -> None:
        self.action_close()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "draft":
            self.action_draft()
        else:
            self.action_close()

    def action_close(self) -> None:
        self.save_now()
        self.dismiss(None)

    def save_now(self) -> None:
        """Write the fields that differ from what the file holds."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        values = {name: self._value(name) for name in FIELDS}
        if values["note"] == self._drafted:
            # An untouched draft is not the engineer's note: the export would call it reviewed.
            values["note"] = self.saved["note"]
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
