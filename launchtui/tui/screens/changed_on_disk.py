"""Asked before the app writes to a sprint file that changed on disk since it last read it.

A hand edit (or another launchtui) may have changed the file while the app was open. The app
never writes over that silently: the engineer sees what changed and chooses to reload (the
app's pending change is then applied on top of the file as it is now) or to keep the app's
version (what was on disk is copied to NAME.replaced first), or to write nothing for now.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from launchtui.errors import SprintFileError
from launchtui.session import Answer
from launchtui.sprint import store
from launchtui.text.literal import literal

DIFF_LINES = 8  # enough to recognise the edit; the file itself is one editor away


def on_disk_summary(document: store.SprintDocument) -> tuple[str, str | None]:
    """What changed (a few diff lines), and why the file cannot be reloaded (None if it can)."""
    path = document.path
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        return "The file was deleted.", "there is no file to reload"
    except OSError as exc:
        return f"The file cannot be read: {exc.strerror or exc}.", "it cannot be read"
    before = document.original.decode("utf-8", "replace").splitlines()
    after = current.decode("utf-8", "replace").splitlines()
    changes = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if not line.startswith(("---", "+++", "@@"))
    ]
    shown = changes[:DIFF_LINES]
    if len(changes) > DIFF_LINES:
        shown.append(f"... and {len(changes) - DIFF_LINES} more changed lines")
    summary = "\n".join(literal(line) for line in shown) or "Only whitespace or encoding changed."
    try:
        store.load(path)
    except SprintFileError as exc:
        return summary, f"it no longer loads: {exc}"
    return summary, None


class ChangedOnDisk(ModalScreen[Answer]):
    """Dismissed with "reload", "keep", or None (write nothing now)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('reload')", "Reload", id="reload"),
        Binding("k", "choose('keep')", "Keep mine", id="keep"),
        Binding("escape", "choose(None)", "Not now", id="not-now"),
    ]

    def __init__(self, document: store.SprintDocument, what: str) -> None:
        super().__init__()
        self.path = document.path
        self.what = what
        self.summary, self.unloadable = on_disk_summary(document)

    def compose(self) -> Any:
        name = store.display_path(self.path)
        with Vertical(id="changed-on-disk"):
            yield Label(Text(f"{name} changed on disk", style="bold"))
            yield Static(
                Text(
                    f"It was edited since launchtui last read it. Before saving {self.what}:",
                ),
                classes="explain",
            )
            yield Static(Text(self.summary), id="disk-diff")
            if self.unloadable:
                yield Static(Text(f"Reload is not possible: {self.unloadable}"), id="unloadable")
            with Horizontal(id="choices"):
                yield Button(
                    "Reload (r)", id="reload", variant="primary", disabled=bool(self.unloadable)
                )
                yield Button("Keep mine (k)", id="keep", variant="warning")
                yield Button("Not now (esc)", id="not-now")
            yield Static(
                Text(
                    "Reload: use the file as it is now and save on top of it. Keep mine: write "
                    f"launchtui's version over it; what is on disk goes to {Path(name).name}"
                    ".replaced. Not now: save nothing; the app keeps showing its state."
                ),
                classes="explain",
            )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_choose(None if event.button.id == "not-now" else event.button.id)

    def action_choose(self, choice: str | None) -> None:
        if choice == "reload" and self.unloadable:
            self.notify(f"Reload is not possible: {self.unloadable}", markup=False)
            return
        self.dismiss("reload" if choice == "reload" else "keep" if choice == "keep" else None)
