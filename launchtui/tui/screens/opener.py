"""The opener: `launchtui` without a sprint lists the sprint files to open, or starts one.

Two lists: the files under ./sprints/ (each loaded, to show its name, client and apex, or the
one-line error that keeps it from opening) and the sprints opened recently, wherever they are.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, OptionList, Static
from textual.widgets.option_list import Option

from launchtui.errors import SprintFileError
from launchtui.sprint import store
from launchtui.sprint.recent import read_recent
from launchtui.text.literal import literal
from launchtui.tui.rows import age
from launchtui.tui.screens.new_sprint import NewSprintScreen
from launchtui.tui.typed import Launch, launch_app

SPRINTS = Path("sprints")  # relative to the current folder
_LISTED = 200  # sprint files shown at most: each is loaded to be described


@dataclasses.dataclass(frozen=True)
class Entry:
    """A sprint file as the opener shows it."""

    path: Path
    changed: str  # how long ago the file changed, like 2d; empty if unknown
    name: str = ""
    client: str = ""
    apex: str = ""
    error: str = ""  # why the file cannot be opened


def describe(path: Path, now: datetime) -> Entry:
    try:
        changed = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    except OSError:
        changed = ""
    try:
        sprint = store.load(path).sprint
    except SprintFileError as exc:
        return Entry(path, age(changed, now), error=str(exc))
    return Entry(path, age(changed, now), sprint.name, sprint.client, sprint.site.apex)


def sprint_files() -> list[Path]:
    try:
        files = sorted(path for path in SPRINTS.glob("*.toml") if path.is_file())
    except OSError:
        return []
    return files[:_LISTED]


def prompt(entry: Entry) -> Text:
    """Two lines: what the sprint is, then its file and age (or why it cannot be opened)."""
    shown = store.display_path(entry.path.absolute())
    changed = f" · changed {entry.changed} ago" if entry.changed else ""
    if entry.error:
        text = Text(literal(shown), style="bold")
        text.append(changed, style="dim")
        text.append(f"\n  cannot open: {literal(entry.error)}", style="red")
        return text
    text = Text(literal(entry.name), style="bold")
    for value in (entry.client, entry.apex):
        if value:
            text.append(f"  ·  {literal(value)}")
    text.append(f"\n  {literal(shown)}{changed}", style="dim")
    return text


class OpenerScreen(Screen[None]):
    AUTO_FOCUS = "#sprints"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_sprint", "New sprint", id="new-sprint"),
        Binding("f5", "refresh", "Refresh", id="refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="opener")
        self.entries: dict[str, Entry] = {}

    @property
    def launch(self) -> Launch:
        return launch_app(self)

    def compose(self) -> Any:
        with Vertical(id="opener-main"):
            yield Static("Open a sprint (enter), or start a new one (n).", id="opener-title")
            yield Static("Sprint files in ./sprints/", classes="section")
            yield OptionList(id="sprints")
            yield Static("Recently opened", classes="section")
            yield OptionList(id="recent")
            with Horizontal(classes="buttons"):
                yield Button("New sprint", id="new", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        now = self.launch.now()
        self.entries.clear()
        self._fill("sprints", sprint_files(), now, "No sprint files here yet: press n to start.")
        self._fill("recent", read_recent(), now, "Nothing opened yet.")

    def _fill(self, list_id: str, paths: list[Path], now: datetime, empty: str) -> None:
        options = self.query_one(f"#{list_id}", OptionList)
        options.clear_options()
        for index, path in enumerate(paths):
            entry = describe(path, now)
            option_id = f"{list_id}-{index}"
            self.entries[option_id] = entry
            options.add_option(Option(prompt(entry), id=option_id))
        if paths:
            options.highlighted = 0
        else:
            options.add_option(Option(Text(empty, style="dim"), disabled=True))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        entry = self.entries.get(event.option_id or "")
        if entry is None:
            return
        shown = store.display_path(entry.path.absolute())
        if entry.error:
            self.notify(
                f"{shown} cannot be opened until its error is fixed (shown in the list); "
                "edit the file, then press F5.",
                severity="error",
                markup=False,
            )
            return
        error = self.launch.open_sprint(entry.path)
        if error:
            self.notify(f"Cannot open {shown}: {error}", severity="error", markup=False)
            self.action_refresh()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "new":
            self.action_new_sprint()

    def action_new_sprint(self) -> None:
        self.app.push_screen(NewSprintScreen(), self._created)

    def _created(self, path: Path | None) -> None:
        if path is None:
            return
        error = self.launch.open_sprint(path)
        if error:  # written, but no longer loads (edited meanwhile?)
            self.notify(f"Cannot open it: {error}", severity="error", markup=False)
            self.action_refresh()
