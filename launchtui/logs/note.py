"""The daily risk note: one Markdown note per day of logs, deterministic (the same logs give the
same note, byte for byte).

Sections: what was unusual (findings: runs of consecutive hours of a class over their baseline,
each with its hours, count, baseline, the deploy it began after, the server errors folded into
it, top paths, addresses and messages, and sample lines), the day's deploy markers, what
recurred (message templates seen RECURRING_MIN times that day or on several days, with counts),
what is new since yesterday (classes and templates with events today and none yesterday), and
the totals per class beside yesterday's. The latest day, when the logs end before its last
minute, is headed "(so far: the logs end at HH:MM UTC)".

A deploy message is shown as an inline code span (`code`: a fence longer than any backtick run
in it, control characters visible): literal, whatever Markdown it holds.

Text from a log is shown literally: escaped on a line (no heading, link, emphasis or table cell
can come from it), fenced where it is a sample line (the fence is longer than any backtick run
inside), control characters (terminal escapes) as visible \\x1b. The escapes are the ones of
launchtui.text.markdown, which is on a floor above this package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from launchtui.logs.facts import DayFacts, Deploy, Finding, Recurring
from launchtui.model.logs import CLASS_TITLES, CLASSES
from launchtui.text.markdown import code, fenced, inline


@dataclass(frozen=True, slots=True)
class DayNote:
    """One day's note: its Markdown and its figures (for JSON and the run history)."""

    day: date
    markdown: str
    unusual: int  # findings (runs of spike hours, server errors folded in)
    recurring: int  # recurring templates
    new: int  # new classes and templates since yesterday
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Digest:
    days: list[DayNote]  # oldest first
    figures: dict[str, Any]

    @property
    def latest(self) -> DayNote | None:
        return self.days[-1] if self.days else None


def _title(cls: str) -> str:
    return CLASS_TITLES.get(cls, cls)


def _number(value: float) -> str:
    return f"{value:g}"


def _top(pairs: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{inline(key)} ×{count}" for key, count in pairs) or "none"


def _deploy_text(deploy: Deploy, day: date) -> str:
    when = deploy.at.strftime("%H:%M:%S")
    if deploy.at.date() != day:
        when = f"{deploy.at.date().isoformat()} {when}"
    return f"{code(deploy.message)} at {when}"


def _finding_lines(found: Finding) -> list[str]:
    hours = found.hours
    first = hours[0]
    if len(hours) == 1:
        base = first.baseline
        end = found.ends or f"{found.start:02d}:59"
        lines = [
            f"- **{_title(found.cls)}, {found.start:02d}:00–{end} UTC: {found.count}** "
            f"(baseline: median {_number(base.median)}, MAD {_number(base.mad)} over {base.days} "
            f"earlier day{'s' if base.days != 1 else ''}: {', '.join(map(_number, base.counts))}"
            f"; flagged above {_number(first.threshold)})",
        ]
    else:
        medians = sorted({h.baseline.median for h in hours})
        median = (
            f"median {_number(medians[0])}"
            if len(medians) == 1
            else f"medians {_number(medians[0])}–{_number(medians[-1])}"
        )
        end = found.ends or f"{found.end:02d}:59"
        per_hour = ", ".join(
            f"{h.hour:02d}:00 {h.count}{' (spike)' if h.flagged else ''}" for h in hours
        )
        lines = [
            f"- **{_title(found.cls)} from {found.start:02d}:00 to {end} UTC: {found.count} in "
            f"{len(hours)} hours**, every hour over its baseline ({median} over "
            f"{first.baseline.days} earlier day{'s' if first.baseline.days != 1 else ''})",
            f"  - per hour: {per_hour}",
        ]
    if any(h.running for h in hours):
        lines.append("  - the last hour is still running: its baseline is pro rata")
    if found.continues is not None:
        lines.append(f"  - continues yesterday's finding (from {found.continues:02d}:00 UTC)")
    if found.deploy is not None:
        lines.append(
            f"  - began {found.minutes_after_deploy} minutes after "
            f"{_deploy_text(found.deploy, found.day)}"
        )
    for cls, count, shared in found.also:
        lines.append(
            f"  - also counted as {_title(cls)}: {shared} of the {count} {_title(cls)} in these "
            "hours are these events"
        )
    lines += [
        f"  - top paths: {_top(found.paths)}",
        f"  - top addresses: {_top(found.clients)}",
    ]
    if found.messages:
        lines.append(f"  - top messages: {_top(found.messages)}")
    lines.append("  - sample lines:")
    lines.append("")
    lines += fenced("\n".join(found.samples), "    ")
    lines.append("")
    return lines


def _template_line(item: Recurring, *, days: bool = True) -> str:
    seen = f", on {item.days_seen} days" if days and item.days_seen > 1 else ""
    return (
        f"- {item.count} × {inline(item.template)} ({item.first}–{item.last} UTC{seen}); "
        f"e.g. {inline(item.sample)}"
    )


def render(facts: DayFacts) -> DayNote:
    """The note of one day."""
    day = facts.day.isoformat()
    so_far = f" (so far: the logs end at {facts.ends} UTC)" if facts.ends else ""
    lines = [f"# Risk note {day}{so_far}", ""]
    totals = ", ".join(f"{_title(c)} {facts.totals.get(c, 0)}" for c in CLASSES)
    lines += [f"{facts.events} events read ({totals}).", ""]
    lines += ["## Unusual", ""]
    if facts.findings:
        for found in facts.findings:
            lines += _finding_lines(found)
    elif facts.baseline_days == 0:
        lines += ["No baseline yet (the first day of the logs): nothing flagged.", ""]
    else:
        lines += [
            f"Nothing unusual (each hour compared with the same hour on {facts.baseline_days} "
            f"earlier day{'s' if facts.baseline_days != 1 else ''}).",
            "",
        ]
    lines += ["## Deploys", ""]
    if facts.deploys:
        lines += [f"- {_deploy_text(d, facts.day)}" for d in facts.deploys]
    else:
        lines.append("No deploy markers in the logs.")
    lines += ["", "## Recurring", ""]
    if facts.recurring:
        lines += [_template_line(item) for item in facts.recurring]
        more = facts.extra.get("recurring_total", len(facts.recurring)) - len(facts.recurring)
        if more > 0:
            lines.append(f"- and {more} more")
    else:
        lines.append("Nothing recurred.")
    if facts.templates_dropped:
        lines.append("")
        lines.append("(More templates than kept: counts are lower bounds.)")
    lines += ["", "## New since yesterday", ""]
    if facts.yesterday is None:
        lines.append("No logs for yesterday to compare with.")
    elif not facts.new_classes and not facts.new_templates:
        lines.append("Nothing new.")
    else:
        for cls in facts.new_classes:
            lines.append(f"- {_title(cls)}: {facts.totals[cls]} (none yesterday)")
        lines += [_template_line(item, days=False) for item in facts.new_templates]
        more = facts.extra.get("new_templates_total", 0) - len(facts.new_templates)
        if more > 0:
            lines.append(f"- and {more} more new templates")
    lines += ["", "## Totals", "", "| class | today | yesterday |", "| --- | --- | --- |"]
    for cls in CLASSES:
        before = "–" if facts.yesterday is None else str(facts.yesterday.get(cls, 0))
        lines.append(f"| {_title(cls)} | {facts.totals.get(cls, 0)} | {before} |")
    markdown = "\n".join(lines) + "\n"
    new = len(facts.new_classes) + int(facts.extra.get("new_templates_total", 0))
    recurring = int(facts.extra.get("recurring_total", len(facts.recurring)))
    figures: dict[str, Any] = {
        "day": day,
        "events": facts.events,
        "totals": dict(facts.totals),
        "yesterday": None if facts.yesterday is None else dict(facts.yesterday),
        "baseline_days": facts.baseline_days,
        "partial": bool(facts.ends),
        "ends": facts.ends or None,
        "unusual": len(facts.findings),
        "recurring": recurring,
        "new": new,
        "findings": [found.figures() for found in facts.findings],
        "deploys": [d.figures() for d in facts.deploys],
        "recurring_templates": [item.figures() for item in facts.recurring],
        "new_classes": list(facts.new_classes),
        "new_templates": [item.figures() for item in facts.new_templates],
        "templates_dropped": facts.templates_dropped,
    }
    return DayNote(facts.day, markdown, len(facts.findings), recurring, new, figures)
