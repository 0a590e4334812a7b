"""The outcome of a seed inbox test, shown over the email stage until dismissed."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class DeliveryLog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="close"),
    ]

    def __init__(self, title: str, report: str) -> None:
        super().__init__()
        self.title_ = title
        self.report = report  # already literal: network text escaped by the renderer

    def compose(self) -> Any:
        with VerticalScroll(id="delivery-log"):
            yield Label(Text(self.title_, style="bold"))
            yield Static(Text(self.report), id="delivery-text")
            yield Static(Text("escape closes; the log is in the sprint file and the handover."))

    def action_close(self) -> None:
        self.dismiss(None)
