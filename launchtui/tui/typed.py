"""The app as its screens, widgets and commands see it: typed, without `# type: ignore`, and
without importing the app module (which imports the screens): LaunchApp provides Launch."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.app import App

if TYPE_CHECKING:
    from launchtui.session import SprintSession


class Launch(Protocol):
    """What the screens and the command palette ask of the app."""

    now: Callable[[], datetime]

    @property
    def sprint(self) -> SprintSession: ...

    @property
    def sprint_path(self) -> Path | None: ...

    def open_sprint(self, path: Path) -> str | None: ...

    def action_stage(self, name: str) -> None: ...

    def action_credentials(self) -> None: ...

    def action_reload(self) -> None: ...

    def run_stage(self, stage: str, only: Collection[str] = ()) -> None: ...

    def runs_in_progress(self) -> bool: ...

    def run_current_stage(self) -> None: ...

    def run_all(self) -> None: ...

    def run_one(self, check_id: str, target: str) -> None: ...

    def send_test_emails(self) -> None: ...

    def prove_alert_routes(self) -> None: ...

    def read_logs(self) -> None: ...

    def export_handover(self) -> None: ...

    def draft_incident_note(self) -> None: ...

    def copy_text(self, text: str, what: str) -> None: ...


class InApp(Protocol):
    @property
    def app(self) -> App[Any]: ...


def launch_app(node: InApp) -> Launch:
    """The app a screen, widget or command provider runs in (a LaunchApp: the only app)."""
    return cast("Launch", node.app)
