"""Asked before a run of nothing but connection errors is saved over results that were not.

When the servers are simply not there (the lab stopped, a VPN down), every check says
"connection refused" or "timed out"; saving that would hide the last real verdicts. The
engineer chooses to keep the old results (the default) or save the run anyway.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class UnreachableRun(ModalScreen[bool]):
    """Dismissed with True (save anyway) or False (keep the old results)."""

    DEFAULT_CSS = """
    UnreachableRun { align: center middle; }
    #unreachable-run {
        width: 80%; height: auto; border: round $warning; background: $surface; padding: 0 1;
    }
    #unreachable-run Horizontal { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k,escape", "choose(False)", "Keep old results", id="keep-old"),
        Binding("s", "choose(True)", "Save anyway", id="save-anyway"),
    ]

    def __init__(self, what: str, lab_hint: str | None = None) -> None:
        super().__init__()
        self.what = what
        self.lab_hint = lab_hint

    def compose(self) -> Any:
        with Vertical(id="unreachable-run"):
            yield Label(Text("Every result of this run is a connection error", style="bold"))
            yield Static(
                Text(
                    f"The run's {self.what} say only that nothing answered (connection refused "
                    "or timed out), where the saved results were real verdicts. Saving would "
                    "put these errors in their place."
                ),
                classes="explain",
            )
            if self.lab_hint:
                yield Static(Text(self.lab_hint), id="lab-hint")
            with Horizontal(id="choices"):
                yield Button("Keep old results (k)", id="keep-old", variant="primary")
                yield Button("Save anyway (s)", id="save-anyway", variant="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_choose(event.button.id == "save-anyway")

    def action_choose(self, save: bool) -> None:
        self.dismiss(save)
