"""The text `c` copies, shown to be selected by hand when no clipboard tool took it.

Without a local clipboard tool the app can only send OSC 52, which many terminals (and tmux
with `set-clipboard external`) ignore without telling anyone: the dialog says so and holds the
text in a read-only text area, where it can be selected and copied with the terminal's own
means.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from launchtui.text.literal import literal


class CopyText(ModalScreen[None]):
    DEFAULT_CSS = """
    CopyText { align: center middle; }
    #copy-text {
        width: 90%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #copy-text-area { height: auto; max-height: 16; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="close"),
    ]

    def __init__(self, what: str, text: str, message: str) -> None:
        super().__init__()
        self.what = what
        self.text = text
        self.message = message

    def compose(self) -> Any:
        with Vertical(id="copy-text"):
            yield Label(Text(f"{self.what.capitalize()}: {self.message}", style="bold"))
            # Literal, newlines kept: a fix is lines of commands, and holds no control characters
            # a terminal could act on once shown.
            yield TextArea(
                literal(self.text, keep_newlines=True),
                read_only=True,
                soft_wrap=True,
                id="copy-text-area",
            )
            yield Static(
                Text("Select the text to copy it by hand; escape closes."), classes="explain"
            )

    def action_close(self) -> None:
        self.dismiss(None)
