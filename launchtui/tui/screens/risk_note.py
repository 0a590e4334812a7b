"""The daily risk notes kept in the run history, one day at a time: [ and ] (or left and right)
move to the previous and next day, escape closes.

A note is Markdown written by launchtui.logs.note, which escapes every piece of log text on a
line and fences sample lines, control characters shown as visible escapes: rendered by
Textual's Markdown widget, no log line can style, link or add a heading (tests/test_tui_risk_note
shows a hostile line on screen literally). Linkify is off: a bare address in a log line is
text, not a link.
"""

from __future__ import annotations

from typing import Any, ClassVar

from markdown_it import MarkdownIt
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, Static

from launchtui.sprint.history import RiskNote
from launchtui.tui.widgets.footer import CoalescingFooter


def _parser() -> MarkdownIt:
    """Textual's GitHub-like parser without linkify: an address quoted from a log stays text,
    never a link to click."""
    return MarkdownIt("gfm-like").disable("linkify")


class RiskNoteScreen(Screen[None]):
    AUTO_FOCUS = "#risk-note-scroll"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket,left",
            "move(-1)",
            "Previous day",
            key_display="[",
            id="previous-note",
        ),
        Binding(
            "right_square_bracket,right", "move(1)", "Next day", key_display="]", id="next-note"
        ),
        Binding("escape", "close", "Close", id="close-note"),
    ]

    def __init__(self, notes: list[RiskNote], index: int) -> None:
        super().__init__(id="risk-note-screen")
        self.notes = notes  # oldest first
        self.index = index

    @property
    def note(self) -> RiskNote:
        return self.notes[self.index]

    def compose(self) -> Any:
        yield Static(self._title(), id="risk-note-title")
        with VerticalScroll(id="risk-note-scroll"):
            yield Markdown(
                self.note.markdown, id="risk-note", parser_factory=_parser, open_links=False
            )
        yield CoalescingFooter(compact=True)

    def _title(self) -> Text:
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"Daily risk note {self.note.day.isoformat()}", style="bold")
        title.append(f"  day {self.index + 1} of {len(self.notes)}")
        if self.note.figures.get("partial"):
            title.append("  partial day: the logs end during it", style="bold")
        title.append("  [ ] other days, escape closes", style="dim")
        return title

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move":  # greyed out at either end
            (step,) = parameters
            assert isinstance(step, int)
            return 0 <= self.index + step < len(self.notes) or None
        return True

    async def action_move(self, step: int) -> None:
        index = self.index + step
        if not 0 <= index < len(self.notes):
            return
        self.index = index
        self.query_one("#risk-note-title", Static).update(self._title())
        await self.query_one("#risk-note", Markdown).update(self.note.markdown)
        self.query_one("#risk-note-scroll", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()

    def action_close(self) -> None:
        self.dismiss(None)
