"""The detail pane: everything known about the selected (check, target).

Summary, evidence, fix and targets come from the network or the sprint file, so they are
built as Text pieces and passed through `literal`: markup and escape sequences show as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from launchtui.checks.registry import Check
from launchtui.model.results import Result
from launchtui.model.tasks import Task
from launchtui.sprint.tasks_store import TaskState
from launchtui.text.literal import literal
from launchtui.tui.rows import STATUS_STYLES, sparkline
from launchtui.tui.typed import launch_app

_HEADING = "bold"


class Detail(VerticalScroll):
    """A scrollable pane holding one Static, rebuilt whenever the selection changes; tab
    reaches it so that a long fix can be scrolled from the keyboard on a small terminal."""

    def compose(self) -> Any:
        yield Static(Text("Select a row to see its result.", style="dim"), id="detail-text")

    def show(
        self,
        check: Check,
        target: str,
        stored: Result | None,
        running: bool,
        trend: Sequence[tuple[str, float]] = (),
    ) -> None:
        text = describe(check, target, stored, running, trend)
        self.query_one("#detail-text", Static).update(text)
        self.scroll_home(animate=False)

    def show_task(self, task: Task, state: TaskState | None) -> None:
        produced = launch_app(self).sprint.tool_evidence(task)
        self.query_one("#detail-text", Static).update(describe_task(task, state, produced))
        self.scroll_home(animate=False)


def describe_task(task: Task, state: TaskState | None, produced: str | None = None) -> Text:
    """`produced`: evidence a launchtui tool produced for the task (the delivery log)."""
    text = Text(task.title, style=_HEADING)
    done = state is not None and state.done
    text.append("\n")
    text.append("done" if done else "not done", style="green" if done else "yellow")
    if state is not None and state.updated_at:
        text.append(f"  updated {state.updated_at}", style="dim")
    text.append("\n\nWhy  ", style=_HEADING)
    text.append(task.why)
    text.append("\nHow  ", style=_HEADING)
    text.append(task.how)
    if state is not None:
        recorded = (("Owner", state.owner), ("Note", state.note), ("Evidence", state.evidence))
        for label, value in recorded:
            if value:
                text.append(f"\n{label}  ", style=_HEADING)
                text.append(literal(value, keep_newlines=True))
    if produced and not done:  # a tool logged what the task asks for: offer to tick it
        text.append("\n\nevidence: ", style="bold")
        text.append(literal(produced))
        text.append(", press x to mark done", style="bold")
    text.append("\n\nx marks it done or not done; e edits owner, note and evidence.", style="dim")
    return text


def describe(
    check: Check,
    target: str,
    stored: Result | None,
    running: bool,
    trend: Sequence[tuple[str, float]] = (),
) -> Text:
    text = Text()
    text.append(literal(check.id), style=_HEADING)
    text.append("  ")
    text.append(literal(target))
    text.append(f"\n{check.title}", style="dim")
    if running:
        text.append("\n\nRunning now…", style="italic cyan")
    if stored is None:
        if not running:
            text.append("\n\nNot checked yet: press r to run this stage.", style="dim")
        return text
    text.append("\n\n")
    text.append(stored.status, style=STATUS_STYLES.get(stored.status, ""))
    text.append(f"  {stored.severity}  checked {stored.checked_at}", style="dim")
    text.append("\n")
    text.append(literal(stored.summary))
    # The fix first: on a small terminal it is what a person came for; evidence backs it up.
    if stored.fix:
        text.append("\n\nFix", style=_HEADING)
        text.append("  (c copies it)\n", style="dim")
        text.append(literal(stored.fix, keep_newlines=True))
    if stored.evidence:
        text.append("\n\nEvidence\n", style=_HEADING)
        text.append("\n".join(evidence_lines(stored.evidence)))
    text.append("\n\nSince the previous run\n", style=_HEADING)
    text.append(changed_line(stored))
    if trend and len(trend) > 1:
        values = [value for _, value in trend]
        text.append(f"\n\n{check.trend} over the last {len(values)} runs\n", style=_HEADING)
        text.append(sparkline(values), style="cyan")
        text.append(f"  {_figure(values[0])} -> {_figure(values[-1])}", style="dim")
        text.append(f"  (since {trend[0][0]})", style="dim")
    if stored.status in ("fail", "error", "warn"):
        text.append("\n\nn and N move to the next and previous failing row.", style="dim")
    return text


def _figure(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.3g}"


def evidence_lines(evidence: dict[str, Any]) -> list[str]:
    """`key: value` lines; nested tables and lists are written on one line each."""
    return [f"{literal(str(key))}: {literal(_flat(value))}" for key, value in evidence.items()]


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flat(item) for item in value) + "]"
    return str(value)


def changed_line(stored: Result) -> Text:
    previous = stored.previous
    if previous is None:
        return Text("First run of this check on this target.", style="dim")
    if previous.status == stored.status and previous.summary == stored.summary:
        return Text(f"Unchanged since {previous.checked_at}.", style="dim")
    line = Text()
    line.append(previous.status, style=STATUS_STYLES.get(previous.status, ""))
    line.append(" -> ")
    line.append(stored.status, style=STATUS_STYLES.get(stored.status, ""))
    line.append(f"  (was, at {previous.checked_at}: ", style="dim")
    line.append(literal(previous.summary))
    line.append(")", style="dim")
    return line
