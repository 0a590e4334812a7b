"""How the stage screens show a result: status cells, change marks, ages, literal text.

No Textual here (Rich only): small conversions kept apart so that they can be read and tested
on their own. The planned rows and progress are plain data in launchtui.plan.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from launchtui.model.results import Result
from launchtui.plan import Tally
from launchtui.text.literal import literal

STATUS_STYLES = {
    "pass": "green",
    "warn": "yellow",
    "fail": "bold red",
    "error": "bold magenta",
    "skip": "dim",
    "manual": "cyan",
}
_BAD = ("fail", "error")  # what "newly failing" and "fixed" are measured against
RUNNING = Text("running", style="italic cyan")
NOT_RUN = Text("-", style="dim")


def status_text(stored: Result | None, running: bool) -> Text:
    if running:
        return RUNNING.copy()
    if stored is None:
        return NOT_RUN.copy()
    text = Text(stored.status, style=STATUS_STYLES.get(stored.status, ""))
    mark = change_mark(stored)
    if mark:
        text.append(f" {mark}", style="bold" if mark == "new" else "green")
    return text


def change_mark(stored: Result) -> str:
    """ "new" for a result failing since the previous run, "fixed" for one passing again."""
    previous = stored.previous
    if previous is None or previous.status == stored.status:
        return ""
    if stored.status in _BAD and previous.status not in _BAD:
        return "new"
    if stored.status == "pass" and previous.status in _BAD:
        return "fixed"
    return ""


def plain(value: str) -> Text:
    """Text from the sprint or the network, shown literally (never parsed as markup)."""
    return Text(literal(value), no_wrap=True, overflow="ellipsis")


def age(checked_at: str, now: datetime) -> str:
    """How long ago a result was checked: 45s, 12m, 3h, 2d; empty when unknown."""
    try:
        then = datetime.fromisoformat(checked_at.replace("Z", "+00:00"))
        seconds = int((now - then).total_seconds())
    except (ValueError, TypeError):
        return ""
    if seconds < 60:
        return f"{max(seconds, 0)}s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return ""


def tally_text(tally: Tally, room: int) -> Text:
    """A stage's counts in at most `room` cells where it can: "not run" before anything was
    checked or done, then what fails and warns apart from what passes, as
    "12 fail · 3 warn · 40/257 pass" (failures count errors: results that could not check).
    Passes count done tasks; the total counts checks and tasks."""
    if not tally.total:
        return Text("nothing to check", style="dim")
    if not tally.started:
        return Text.assemble("not run", (f" · {tally.total} to do", "dim"))
    passing = tally.passing + tally.done
    parts = []
    if tally.failing:
        parts.append(Text(f"{tally.failing} fail", style="bold red"))
    if tally.warning:
        parts.append(Text(f"{tally.warning} warn", style="yellow"))
    style = "green" if passing == tally.total else ""
    parts.append(Text(f"{passing}/{tally.total} pass", style=style))
    text = Text(" · ").join(parts)
    if text.cell_len > room:
        text = Text(" ").join(parts)
    if text.cell_len > room and tally.warning:
        text = Text(" ").join(part for part in parts if "warn" not in part.plain)
    return text


_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """One bar per value, scaled between the smallest and the largest (all alike: mid bars)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return _BARS[3] * len(values)
    top = len(_BARS) - 1
    return "".join(_BARS[round((value - low) / (high - low) * top)] for value in values)
