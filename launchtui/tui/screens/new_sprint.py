"""The new-sprint form: a few fields, checked before anything is written, then the starter file.

The file is the same commented starter as `launchtui new` writes (launchtui.sprint.scaffold).
Every field is checked on Create and its problem shown under it; nothing is written while one
remains. Dismissed with the path written, or None.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from launchtui.errors import SprintFileError
from launchtui.sprint.scaffold import check_canonical, scaffold, slug
from launchtui.sprint.validate import normalize_hostname
from launchtui.text.literal import literal

FIELDS = (  # id, label, placeholder
    ("name", "Name", "Acme community launch"),
    ("client", "Client", "Acme Co (optional)"),
    ("apex", "Apex domain", "acme.org"),
    ("hostnames", "Hostnames", "www.acme.org, app.acme.org"),
    ("canonical", "Canonical URL", "https://www.acme.org (blank: the first hostname)"),
    ("path", "File", "sprints/acme.toml"),
)
_SEPARATORS = re.compile(r"[\s,]+")


def split_hostnames(text: str) -> list[str]:
    return [name for name in _SEPARATORS.split(text) if name]


def default_path(name: str) -> str:
    stem = slug(name)
    return f"sprints/{stem}.toml" if stem else ""


def problems(values: dict[str, str]) -> dict[str, str]:
    """Each field's problem, by field id; empty when the file can be written."""
    found: dict[str, str] = {}
    if not values["name"].strip():
        found["name"] = "Give the sprint a name."
    apex = values["apex"].strip()
    if not apex:
        found["apex"] = "The platform's apex domain is needed, like acme.org."
    else:
        try:
            normalize_hostname(apex)
        except ValueError as exc:
            found["apex"] = f'"{apex}" is not a valid domain: {exc}.'
    for host in split_hostnames(values["hostnames"]):
        try:
            normalize_hostname(host)
        except ValueError as exc:
            found["hostnames"] = f'"{host}" is not a valid hostname: {exc}.'
            break
    if values["canonical"].strip():
        try:
            check_canonical(values["canonical"].strip())
        except ValueError as exc:
            found["canonical"] = f"The {exc}."
    path = values["path"].strip()
    if not path:
        found["path"] = "Say where to write the sprint file, like sprints/acme.toml."
    elif Path(path).exists():
        found["path"] = f"{path} already exists: choose another file name."
    return found


class NewSprintScreen(Screen[Path | None]):
    AUTO_FOCUS = "#name"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "create", "Create", id="create"),
    ]

    def __init__(self) -> None:
        super().__init__(id="new-sprint")
        self._auto_path = ""  # the path filled in from the name, until edited by hand

    def compose(self) -> Any:
        with VerticalScroll(id="new-sprint-form"):
            yield Static(
                "New sprint: written as a commented sprint file that you can edit later.",
                id="new-sprint-title",
            )
            for field_id, label, placeholder in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label)
                    yield Input(id=field_id, placeholder=placeholder, compact=True)
                yield Static("", id=f"{field_id}-problem", classes="problem")
            yield Static("", id="form-problem", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Create", id="create", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield Footer()

    def values(self) -> dict[str, str]:
        return {field_id: self.query_one(f"#{field_id}", Input).value for field_id, *_ in FIELDS}

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "name":
            path = self.query_one("#path", Input)
            if path.value == self._auto_path:
                self._auto_path = default_path(event.value)
                path.value = self._auto_path
        self._show(f"{event.input.id}-problem", "")
        self._show("form-problem", "")

    def on_input_submitted(self) -> None:
        self.action_create()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.action_create()
        else:
            self.action_cancel()

    def action_create(self) -> None:
        values = self.values()
        found = problems(values)
        for field_id, *_ in FIELDS:
            self._show(f"{field_id}-problem", found.get(field_id, ""))
        if found:
            self.query_one(f"#{next(iter(found))}", Input).focus()
            return
        try:
            path = scaffold(
                values["path"].strip(),
                values["apex"].strip(),
                split_hostnames(values["hostnames"]),
                name=values["name"].strip(),
                client=values["client"].strip(),
                canonical=values["canonical"].strip(),
                www=False,  # the hostnames are the ones typed
            )
        except SprintFileError as exc:
            self._show("form-problem", str(exc))
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _show(self, problem_id: str, message: str) -> None:
        problem = self.query_one(f"#{problem_id}", Static)
        problem.update(Text(literal(message)))
        problem.display = bool(message)
