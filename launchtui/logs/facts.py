"""What one day of logs says, as figures (launchtui.logs.analyse finds them, launchtui.logs.note
writes them as a note): spikes, recurring templates, what is new since yesterday, totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Baseline:
    """The same hour of a class on up to 7 earlier days: its counts, their median and MAD."""

    counts: tuple[int, ...]  # oldest day first
    median: float
    mad: float

    @property
    def days(self) -> int:
        return len(self.counts)


@dataclass(frozen=True, slots=True)
class Spike:
    """An hour of a class well above its baseline, with what is behind it."""

    day: date
    hour: int  # 0..23, UTC
    cls: str
    count: int
    baseline: Baseline
    threshold: float  # the count had to be at least this (and the floor)
    paths: tuple[tuple[str, int], ...]  # the top paths, most first
    clients: tuple[tuple[str, int], ...]
    messages: tuple[tuple[str, int], ...]
    samples: tuple[str, ...]  # the first lines, secrets in URLs redacted

    def figures(self) -> dict[str, Any]:
        return {
            "hour": self.hour,
            "class": self.cls,
            "count": self.count,
            "baseline": {
                "median": self.baseline.median,
                "mad": self.baseline.mad,
                "days": self.baseline.days,
                "counts": list(self.baseline.counts),
            },
            "threshold": self.threshold,
            "paths": [list(p) for p in self.paths],
            "clients": [list(c) for c in self.clients],
            "messages": [list(m) for m in self.messages],
            "samples": list(self.samples),
        }


@dataclass(frozen=True, slots=True)
class Recurring:
    """One message template on one day: how often, first and last time (HH:MM:SS UTC), a
    sample line (redacted), and on how many of the days read it was seen."""

    template: str
    count: int
    first: str
    last: str
    sample: str
    days_seen: int = 1

    def figures(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "count": self.count,
            "first": self.first,
            "last": self.last,
            "sample": self.sample,
            "days_seen": self.days_seen,
        }


@dataclass(frozen=True, slots=True)
class DayFacts:
    day: date
    events: int  # every event of the day, in a class or not
    totals: dict[str, int]  # class -> events (every class of CLASSES)
    yesterday: dict[str, int] | None  # the same for the day before; None: no data that day
    spikes: list[Spike]
    quiet_hours: int  # (hour, class) cells with events but no baseline yet
    baseline_days: int  # earlier days the baselines could use (0..7)
    recurring: list[Recurring]  # most first
    new_classes: list[str]  # classes with events today and none yesterday
    new_templates: list[Recurring]  # templates seen today and not yesterday
    templates_dropped: bool = False  # more templates than kept: counts are lower bounds
    extra: dict[str, Any] = field(default_factory=dict)
