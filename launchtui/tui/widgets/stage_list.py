"""The stage sidebar: the seven stages in order, each with its progress."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from launchtui.model.stages import STAGES, Stage


class StageList(OptionList):
    """Selecting a stage asks the app to switch to it (see StageScreen)."""

    def __init__(self, current: str, progress: dict[str, tuple[int, int]]) -> None:
        super().__init__(*(Option(label(s, progress[s.name]), id=s.name) for s in STAGES))
        self.current = current

    def on_mount(self) -> None:
        self.highlighted = self.get_option_index(self.current)

    def show_progress(self, progress: dict[str, tuple[int, int]]) -> None:
        for stage in STAGES:
            self.replace_option_prompt(stage.name, label(stage, progress[stage.name]))


def label(stage: Stage, counts: tuple[int, int]) -> Text:
    passing, total = counts
    text = Text(f"{stage.number} ", style="bold")
    text.append(stage.title)
    if total:
        style = "green" if passing == total else "yellow"
        text.append(f"\n  {passing}/{total} pass", style=style)
    else:
        text.append("\n  nothing to check", style="dim")
    return text
