"""What one day of logs says, as figures (launchtui.logs.analyse finds them, launchtui.logs.note
writes them as a note): findings (runs of spike hours), deploys, recurring templates, what is
new since yesterday, totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Baseline:
    """The same hour of a class on up to 7 earlier days: its counts, their median and MAD."""

    counts: tuple[float, ...]  # oldest day first (pro rata in a running hour)
    median: float
    mad: float

    @property
    def days(self) -> int:
        return len(self.counts)


@dataclass(frozen=True, slots=True)
class HourCount:
    """One hour of a finding: its count against its baseline."""

    hour: int  # 0..23, UTC
    count: int
    baseline: Baseline
    threshold: float  # a spike had to reach this (and the floor)
    flagged: bool  # a spike on its own (the others are over their baseline, not spikes)
    running: bool = False  # the hour the logs end in: its baseline is pro rata

    def figures(self) -> dict[str, Any]:
        return {
            "hour": self.hour,
            "count": self.count,
            "baseline": {
                "median": self.baseline.median,
                "mad": self.baseline.mad,
                "days": self.baseline.days,
                "counts": list(self.baseline.counts),
            },
            "threshold": self.threshold,
            "flagged": self.flagged,
            "running": self.running,
        }


@dataclass(frozen=True, slots=True)
class Deploy:
    """A deploy marker: an app log message announcing a release (redacted, cut)."""

    at: datetime
    message: str

    def figures(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "message": self.message}


@dataclass(frozen=True, slots=True)
class Finding:
    """Consecutive hours of a class on a day, each over its baseline, at least one a spike."""

    day: date
    cls: str
    start: int  # the first hour, UTC
    end: int  # the last hour (inclusive)
    count: int
    hours: tuple[HourCount, ...]
    first: datetime  # the first event of the run
    paths: tuple[tuple[str, int], ...]  # the top paths of the run, most first
    clients: tuple[tuple[str, int], ...]
    messages: tuple[tuple[str, int], ...]
    samples: tuple[str, ...]  # the first lines of the run, secrets in URLs redacted
    deploy: Deploy | None = None  # the last deploy marker within DEPLOY_WINDOW before `first`
    also: tuple[tuple[str, int, int], ...] = ()  # (class, its count, shared) folded in
    ends: str = ""  # "HH:MM" when the run reaches the end of the logs (a partial day)
    continues: int | None = None  # from 00:00: the start hour of yesterday's run up to 23:59

    @property
    def minutes_after_deploy(self) -> int | None:
        if self.deploy is None:
            return None
        return int((self.first - self.deploy.at).total_seconds() // 60)

    def figures(self) -> dict[str, Any]:
        return {
            "class": self.cls,
            "start_hour": self.start,
            "end_hour": self.end,
            "hours": len(self.hours),
            "count": self.count,
            "first": self.first.isoformat(),
            "baseline_median": max(h.baseline.median for h in self.hours),
            "per_hour": [h.figures() for h in self.hours],
            "deploy": None
            if self.deploy is None
            else {**self.deploy.figures(), "minutes_before": self.minutes_after_deploy},
            "continues_from": self.continues,
            "also_counted": [
                {"class": cls, "count": count, "shared": shared} for cls, count, shared in self.also
            ],
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
    findings: list[Finding]
    quiet_hours: int  # (hour, class) cells with events but no baseline yet
    baseline_days: int  # earlier days the baselines could use (0..7)
    recurring: list[Recurring]  # most first
    new_classes: list[str]  # classes with events today and none yesterday
    new_templates: list[Recurring]  # templates seen today and not yesterday
    templates_dropped: bool = False  # more templates than kept: counts are lower bounds
    extra: dict[str, Any] = field(default_factory=dict)
    deploys: list[Deploy] = field(default_factory=list)  # the day's deploy markers
    ends: str = ""  # "HH:MM": a partial day, the logs end there (UTC)
