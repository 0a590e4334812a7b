"""The sprint's declared credentials and where each value comes from; set or delete them.

The list shows each name from `[credentials]`, what it is for, and "set (keyring)", "set
(environment)", "not set" or "unknown: <why>" -- never a value, not even redacted. Enter (or
`s`) asks for a value in a password input and stores it in the OS keyring, `d` deletes one
after a confirmation. Every keyring call runs in a thread worker (it can wait on D-Bus); a
value only ever travels from the input to `CredentialStore.set`, never into a message, a log,
the sprint file or the screen. There is no plaintext fallback: with no usable keyring the
store's one-line error is shown as a notification.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Static

from launchtui.background import in_daemon_thread
from launchtui.credentials import SERVICE, CredentialStore, env_var, redact
from launchtui.errors import CredentialError
from launchtui.text.literal import literal
from launchtui.tui.rows import plain
from launchtui.tui.typed import Launch, launch_app

COLUMNS = ("credential", "status", "for")
CHECKING = Text("checking…", style="dim")
_FIRST_CLAUSE = re.compile(r" \(|; ")


@dataclass(frozen=True, slots=True)
class Status:
    """Where a credential's value is, as shown: never the value itself."""

    source: str | None  # "keyring", "environment", or None (not set, or unknown)
    problem: str = ""  # the store's one-line error when the keyring could not be asked

    @property
    def label(self) -> str:
        """For the table: the reason cut to its first clause (the full line is below it)."""
        if self.problem:
            return f"unknown: {_FIRST_CLAUSE.split(self.problem, maxsplit=1)[0]}"
        return f"set ({self.source})" if self.source else "not set"

    def text(self) -> Text:
        style = "red" if self.problem else "green" if self.source else "yellow"
        return Text(self.label, style=style)


def lookup(sprint_id: str, names: list[str]) -> dict[str, Status]:
    """Each credential's status (blocking: run it in a thread)."""
    store = CredentialStore(sprint_id)
    statuses: dict[str, Status] = {}
    for name in names:
        try:
            statuses[name] = Status(store.source(name))
        except CredentialError as exc:
            statuses[name] = Status(None, str(exc))
    return statuses


class CredentialsScreen(Screen[None]):
    AUTO_FOCUS = "#credentials"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="close"),
        Binding("s", "set_credential", "Set", key_display="enter/s", id="set-credential"),
        Binding("d", "delete_credential", "Delete", id="delete-credential"),
    ]

    def __init__(self) -> None:
        super().__init__(id="credentials-screen")
        self.statuses: dict[str, Status] = {}

    @property
    def launch(self) -> Launch:
        return launch_app(self)

    @property
    def declared(self) -> dict[str, str]:
        return self.launch.sprint.document.sprint.credentials

    @property
    def sprint_id(self) -> str:
        return self.launch.sprint.document.sprint.id

    def compose(self) -> Any:
        with Vertical(id="credentials-main"):
            title = Text("Credentials", style="bold")
            title.append(f"  of sprint {literal(self.sprint_id)}")
            title.append(
                f"\nValues live in the OS keyring (service {SERVICE!r}) and are never shown; "
                f"{env_var('<name>')} overrides one.",
                style="dim",
            )
            yield Static(title, id="credentials-title")
            yield DataTable(id="credentials", cursor_type="row")
            yield Static(id="credentials-help")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#credentials", DataTable)
        for column in COLUMNS:
            table.add_column(column, key=column)
        for name, purpose in self.declared.items():
            table.add_row(plain(name), CHECKING, plain(purpose), key=name)
        table.display = bool(self.declared)
        self._show_help()
        self.refresh_statuses()

    # Looking up

    def refresh_statuses(self) -> None:
        """Ask the keyring again, off the UI thread."""
        names, sprint_id = list(self.declared), self.sprint_id
        if not names:
            return

        async def work() -> None:
            self.show_statuses(await in_daemon_thread(lambda: lookup(sprint_id, names)))

        self.run_worker(
            work(),
            name="credentials",
            group="credentials:lookup",
            description="look up where each credential is set",
            exclusive=True,
            exit_on_error=False,
        )

    def show_statuses(self, statuses: dict[str, Status]) -> None:
        if not self.is_mounted:
            return
        self.statuses.update(statuses)
        table = self.query_one("#credentials", DataTable)
        for name, status in statuses.items():
            if name in self.declared:
                table.update_cell(name, "status", status.text(), update_width=True)
        self._show_help()

    # Showing the selected one

    @property
    def selected(self) -> str | None:
        table = self.query_one("#credentials", DataTable)
        if not table.row_count:
            return None
        value = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return value if value in self.declared else None

    def on_data_table_row_highlighted(self) -> None:
        self._show_help()

    def _show_help(self) -> None:
        help_text = self.query_one("#credentials-help", Static)
        if not self.declared:
            help_text.update(
                Text(
                    "This sprint declares no credentials. Name them in the [credentials] "
                    "table of the sprint file (name = what it is for); their values then "
                    "go in the OS keyring from here.",
                    style="dim",
                )
            )
            return
        name = self.selected
        text = Text("enter sets or replaces the selected value, d deletes it", style="dim")
        if name is not None:
            text.append(f"\nIn CI, {env_var(name)} overrides the keyring.", style="dim")
            status = self.statuses.get(name)
            if status is not None and status.problem:
                text.append(f"\n{status.problem}", style="red")
        help_text.update(text)

    # Setting

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_set_credential()

    def action_set_credential(self) -> None:
        name = self.selected
        if name is None:
            return
        status = self.statuses.get(name)
        if status is not None and status.problem:  # no keyring: say so before asking
            self.notify(status.problem, severity="error", timeout=15, markup=False)
            self.refresh_statuses()  # the keyring may be back by the next try
            return
        replace = status is not None and status.source == "keyring"
        editor = CredentialEditor(name, self.declared[name], f"{self.sprint_id}/{name}", replace)
        self.app.push_screen(editor, lambda value: self._entered(name, value))

    def _entered(self, name: str, value: str | None) -> None:
        if not value:
            return
        sprint_id = self.sprint_id

        def store() -> tuple[str, str]:
            try:
                CredentialStore(sprint_id).set(name, value)
            except CredentialError as exc:
                return str(exc).replace(value, redact(value)), "error"
            except Exception as exc:  # never a traceback: its locals would hold the value
                return f"{name} not stored: {type(exc).__name__}", "error"
            message = f"Stored {name} in the OS keyring."
            if os.environ.get(env_var(name)):
                message += f" {env_var(name)} is set and overrides it."
            return message, "information"

        self._change(store, f"store {name} in the OS keyring")

    # Deleting

    def action_delete_credential(self) -> None:
        name = self.selected
        if name is None:
            return
        self.app.push_screen(ConfirmDelete(name), lambda yes: self._delete(name) if yes else None)

    def _delete(self, name: str) -> None:
        sprint_id = self.sprint_id

        def delete() -> tuple[str, str]:
            try:
                deleted = CredentialStore(sprint_id).delete(name)
            except CredentialError as exc:
                return str(exc), "error"
            except Exception as exc:
                return f"{name} not deleted: {type(exc).__name__}", "error"
            message = (
                f"Deleted {name} from the OS keyring."
                if deleted
                else f"{name} was not in the OS keyring; nothing deleted."
            )
            if os.environ.get(env_var(name)):
                message += f" {env_var(name)} is still set in the environment."
            return message, "information"

        self._change(delete, f"delete {name} from the OS keyring")

    # Both

    def _change(self, op: Callable[[], tuple[str, str]], description: str) -> None:
        """Run a keyring change in a thread, then say how it went and show the new statuses.
        On the app, so that closing this screen meanwhile loses neither."""
        names, sprint_id, app = list(self.declared), self.sprint_id, self.app

        def changed(message: str, severity: Any, statuses: dict[str, Status]) -> None:
            app.notify(message, severity=severity, timeout=10, markup=False)
            self.show_statuses(statuses)

        def work() -> tuple[str, Any, dict[str, Status]]:
            message, severity = op()
            return message, severity, lookup(sprint_id, names)

        async def change() -> None:
            changed(*await in_daemon_thread(work))

        app.run_worker(
            change(),
            name="credentials",
            group="credentials:change",
            description=description,
            exit_on_error=False,
        )

    def action_close(self) -> None:
        self.dismiss()


class CredentialEditor(ModalScreen[str | None]):
    """Asks for one value in a password input; dismissed with it (enter or Store), or None
    (escape). An empty value is refused here."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, name: str, purpose: str, username: str, replace: bool) -> None:
        super().__init__()
        self.credential = name
        self.purpose = purpose
        self.username = username
        self.replace = replace

    def compose(self) -> Any:
        with Vertical(id="credential-editor", classes="dialog"):
            verb = "Replace" if self.replace else "Set"
            yield Label(Text(f"{verb} {self.credential}", style="bold"))
            if self.purpose:
                yield Label(plain(self.purpose))
            yield Label(
                Text(
                    f"Stored in the OS keyring (service {SERVICE!r}, username "
                    f"{self.username!r}); the value is never shown.",
                    style="dim",
                )
            )
            yield Input(password=True, id="value", placeholder="value (hidden)")
            with Horizontal(classes="buttons"):
                yield Button("Store", variant="primary", id="store")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._store()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "store":
            self._store()
        else:
            self.dismiss(None)

    def _store(self) -> None:
        value = self.query_one("#value", Input).value
        if not value:
            self.notify("An empty value is not stored: type the value, or escape.")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDelete(ModalScreen[bool]):
    """Dismissed with True (y or Delete) or False (n, escape or Cancel)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Delete", id="confirm"),
        Binding("n,escape", "answer(False)", "Cancel", id="cancel"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.credential = name

    def compose(self) -> Any:
        with Vertical(id="confirm-delete", classes="dialog"):
            yield Label(Text(f"Delete {self.credential} from the OS keyring?", style="bold"))
            yield Label(
                Text(
                    f"An environment variable {env_var(self.credential)}, if set, stays.",
                    style="dim",
                )
            )
            with Horizontal(classes="buttons"):
                yield Button("Delete (y)", variant="error", id="delete")
                yield Button("Cancel (n)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "delete")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
