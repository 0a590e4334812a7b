"""The stage sidebar: the seven stages in order, each with its progress."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from launchtui.model.stages import STAGES, Stage
from launchtui.plan import Tally
from launchtui.tui.rows import tally_text

ROOM = 24  # the sidebar's width (app.tcss) less the indent of the counts


class StageList(OptionList):
    """Selecting a stage asks the app to switch to it (see StageScreen)."""

    def __init__(self, current: str, progress: dict[str, Tally]) -> None:
        super().__init__(*(Option(label(s, progress[s.name]), id=s.name) for s in STAGES))
        self.current = current

    def on_mount(self) -> None:
        self.highlighted = self.get_option_index(self.current)

    def show_progress(self, progress: dict[str, Tally]) -> None:
        for stage in STAGES:
            self.replace_option_prompt(stage.name, label(stage, progress[stage.name]))


def label(stage: Stage, tally: Tally) -> Text:
    text = Text(f"{stage.number} ", style="bold")
    text.append(stage.title)
    text.append("\n  ")
    text.append_text(tally_text(tally, ROOM))
    return text
