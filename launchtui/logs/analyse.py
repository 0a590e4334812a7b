"""Hourly counts, baselines, spikes and recurring templates from log events, in bounded memory.

`analyse(events)` reads the events once (a stream: nothing is kept per event) and returns a
`Digest`: one `DayNote` per day (launchtui.logs.note writes it), oldest first.

Kept while reading, per day:
- per (hour, class): the count, a bounded top-k of paths, client addresses and messages (a
  capped counter: at 2 x TOP_KEPT keys it keeps the TOP_KEPT most counted, so a key's count is
  exact from when it was last let in, and a key seen often is never dropped for one seen once),
  and the first SAMPLES lines;
- recurring message templates (the message of a JSON line, else "METHOD /path/{n} STATUS" of an
  access line), of events in a class or at error or warning level: count, first and last time,
  the first line as a sample; capped at TEMPLATES_KEPT the same way.

Spikes (decided here, documented and tested at their edges):
- An hour of a class is compared with the same hour on up to BASELINE_DAYS earlier days: the
  calendar days before it from the first day of the logs on (a day within the logs without an
  event of the class at that hour counts 0; days before the logs begin are not counted).
- The baseline is the median and the MAD (median absolute deviation) of those counts.
- A spike needs all of: count >= FLOOR (10: a site with 50 members is not flagged for 3 failed
  logins, nor for exactly 9); count > median + max(3 x 1.4826 x MAD, MARGIN) with MARGIN 5 (a
  MAD of zero, a perfectly steady hour, still needs 5 more than usual); and, when the median is
  not zero, count >= 3 x median (a busy hour that is merely busier is no spike).
- No earlier day (the first day of the logs): no baseline yet, and nothing is flagged: a note
  says so, and counts alone are shown. A flag without a baseline would be a guess.

Sample lines are the log text as read, with secrets in URLs redacted (`shown`): the values of
query parameters named like a secret (token, key, secret, password, signature, code...) and the
password of user:password@ become `credentials.redact` forms. Everything else is literal; the
note escapes it where it lands in Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any, Generic, TypeVar

from launchtui.credentials import redact
from launchtui.logs.facts import Baseline, DayFacts, Recurring, Spike
from launchtui.logs.note import DayNote, Digest, render
from launchtui.logs.template import template
from launchtui.model.logs import CLASSES, LogEvent

__all__ = ["DayNote", "Digest", "analyse", "is_spike", "shown"]

FLOOR = 10  # events in the hour, at least
MARGIN = 5  # above the median, at least
MAD_FACTOR = 3.0  # times the MAD scaled to a standard deviation (1.4826)
RATIO = 3.0  # times the median, when the median is not zero
BASELINE_DAYS = 7
TOP_KEPT = 32  # per (day, hour, class) and kind (paths, clients, messages)
TOP_SHOWN = 5
SAMPLES = 3
TEMPLATES_KEPT = 500  # per day
RECURRING_MIN = 3  # a template seen this often in a day recurs (or on 2 days or more)
RECURRING_SHOWN = 20
SAMPLE_CHARS = 2000  # a sample line longer than this is cut (the note says so)
_ERROR_LEVELS = frozenset(
    {"error", "err", "fatal", "critical", "crit", "alert", "emerg", "warn", "warning"}
)

K = TypeVar("K")


class _Capped(Generic[K]):
    """A counter that keeps at most 2 x `keep` keys: when full, the `keep` most counted stay."""

    __slots__ = ("counts", "dropped", "keep")

    def __init__(self, keep: int) -> None:
        self.counts: dict[K, int] = {}
        self.keep = keep
        self.dropped = False

    def add(self, key: K) -> bool:
        """Count `key`; True when keys were dropped to make room."""
        counts = self.counts
        if key in counts:
            counts[key] += 1
            return False
        pruned = len(counts) >= 2 * self.keep
        if pruned:
            top = sorted(counts.items(), key=lambda item: -item[1])[: self.keep]
            self.counts = counts = dict(top)
            self.dropped = True
        counts[key] = 1
        return pruned

    def top(self, n: int) -> tuple[tuple[K, int], ...]:
        # Most first, ties by key: deterministic whatever the order the keys came in.
        ranked = sorted(self.counts.items(), key=lambda item: (-item[1], str(item[0])))
        return tuple(ranked[:n])


_Order = tuple[datetime, str, int, str]  # (time, source, line, text): which came first


def _keep_first(samples: list[tuple[_Order, str]], order: _Order, event: LogEvent) -> None:
    """Keep the SAMPLES first lines by time (then source and line), whatever the order read."""
    if len(samples) < SAMPLES:
        samples.append((order, shown(event.text)))
        samples.sort(key=lambda item: item[0])
    elif order < samples[-1][0]:
        samples[-1] = (order, shown(event.text))
        samples.sort(key=lambda item: item[0])


@dataclass(slots=True)
class _Cell:
    count: int = 0
    paths: _Capped[str] = field(default_factory=lambda: _Capped(TOP_KEPT))
    clients: _Capped[str] = field(default_factory=lambda: _Capped(TOP_KEPT))
    messages: _Capped[str] = field(default_factory=lambda: _Capped(TOP_KEPT))
    samples: list[tuple[_Order, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Template:
    first: _Order
    last: datetime
    sample: str


@dataclass(slots=True)
class _Day:
    events: int = 0
    cells: dict[tuple[int, str], _Cell] = field(default_factory=dict)
    templates: _Capped[str] = field(default_factory=lambda: _Capped(TEMPLATES_KEPT))
    seen: dict[str, _Template] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        found = dict.fromkeys(CLASSES, 0)
        for (_hour, cls), cell in self.cells.items():
            found[cls] = found.get(cls, 0) + cell.count
        return found


def analyse(events: Iterable[LogEvent], *, since: date | None = None) -> Digest:
    """One note per day of `events` (from `since` on), oldest first. Events may come in any
    order (several files, a clock that went backwards): each counts on its own day and hour."""
    days: dict[date, _Day] = {}
    for event in events:
        at = event.at
        day = at.date()
        if since is not None and day < since:
            continue
        state = days.get(day)
        if state is None:
            state = days[day] = _Day()
        state.events += 1
        hour = at.hour
        order = (at, event.source, event.line, event.text)
        for cls in event.classes:
            cell = state.cells.get((hour, cls))
            if cell is None:
                cell = state.cells[(hour, cls)] = _Cell()
            cell.count += 1
            if event.path:
                cell.paths.add(event.path)
            if event.client:
                cell.clients.add(event.client)
            if event.message:
                cell.messages.add(template(event.message))
            _keep_first(cell.samples, order, event)
        if event.classes or event.level in _ERROR_LEVELS:
            key = _key(event)
            if state.templates.add(key):  # forget what the counter forgot
                kept_keys = state.templates.counts
                state.seen = {k: v for k, v in state.seen.items() if k in kept_keys}
            kept = state.seen.get(key)
            if kept is None:
                state.seen[key] = _Template(order, at, shown(event.text))
            else:
                if order < kept.first:
                    kept.first, kept.sample = order, shown(event.text)
                kept.last = max(kept.last, at)
    return _digest(days)


def is_spike(count: int, counts: tuple[int, ...]) -> tuple[bool, Baseline, float]:
    """Whether `count` is a spike over the earlier `counts` of the same hour and class; the
    baseline and the threshold the count had to pass (see the module's docstring)."""
    if not counts:
        return False, Baseline((), 0.0, 0.0), float("inf")
    mid = float(median(counts))
    mad = float(median(abs(c - mid) for c in counts))
    threshold = mid + max(MAD_FACTOR * 1.4826 * mad, MARGIN)
    flagged = count >= FLOOR and count > threshold and (mid == 0 or count >= RATIO * mid)
    return flagged, Baseline(tuple(counts), mid, mad), round(threshold, 2)


def _digest(days: dict[date, _Day]) -> Digest:
    if not days:
        return Digest([], {"days": 0, "events": 0})
    first = min(days)
    ordered = sorted(days)
    seen_on: dict[str, int] = {}  # template -> days seen so far
    notes = []
    for day in ordered:
        state = days[day]
        earlier = [
            day - timedelta(days=n)
            for n in range(BASELINE_DAYS, 0, -1)
            if day - timedelta(days=n) >= first
        ]
        spikes, quiet = [], 0
        for (hour, cls), cell in sorted(state.cells.items()):
            counts = tuple(_count(days.get(d), hour, cls) for d in earlier)
            flagged, baseline, threshold = is_spike(cell.count, counts)
            if not counts:
                quiet += 1
            if flagged:
                spikes.append(
                    Spike(
                        day,
                        hour,
                        cls,
                        cell.count,
                        baseline,
                        threshold,
                        cell.paths.top(TOP_SHOWN),
                        cell.clients.top(TOP_SHOWN),
                        cell.messages.top(TOP_SHOWN),
                        tuple(text for _order, text in cell.samples),
                    )
                )
        for key in state.templates.counts:
            seen_on[key] = seen_on.get(key, 0) + 1
        yesterday_state = days.get(day - timedelta(days=1))
        has_yesterday = day > first
        templates = [
            Recurring(
                key,
                count,
                _clock(state.seen[key].first[0]),
                _clock(state.seen[key].last),
                state.seen[key].sample,
                seen_on[key],
            )
            for key, count in state.templates.top(len(state.templates.counts))
            if key in state.seen
        ]
        recurring = [t for t in templates if t.count >= RECURRING_MIN or t.days_seen >= 2]
        totals = state.totals()
        yesterday = (yesterday_state or _Day()).totals() if has_yesterday else None
        new_classes, new_templates = [], []
        if yesterday is not None:
            new_classes = [c for c in CLASSES if totals.get(c) and not yesterday.get(c)]
            before = yesterday_state.templates.counts if yesterday_state else {}
            new_templates = [t for t in templates if t.template not in before]
        facts = DayFacts(
            day,
            state.events,
            totals,
            yesterday,
            spikes,
            quiet,
            len(earlier),
            recurring[:RECURRING_SHOWN],
            new_classes,
            new_templates[:RECURRING_SHOWN],
            state.templates.dropped,
            {"recurring_total": len(recurring), "new_templates_total": len(new_templates)},
        )
        notes.append(render(facts))
    figures: dict[str, Any] = {
        "days": len(notes),
        "first": ordered[0].isoformat(),
        "last": ordered[-1].isoformat(),
        "events": sum(d.events for d in days.values()),
        "spikes": sum(n.unusual for n in notes),
        "spikes_latest": notes[-1].unusual,
    }
    return Digest(notes, figures)


def _count(state: _Day | None, hour: int, cls: str) -> int:
    if state is None:
        return 0
    cell = state.cells.get((hour, cls))
    return cell.count if cell else 0


def _clock(at: datetime) -> str:
    return at.strftime("%H:%M:%S")


def _key(event: LogEvent) -> str:
    if event.message:
        return template(event.message)
    status = "" if event.status is None else f" {event.status}"
    return f"{event.method or '-'} {template(event.path)}{status}".strip()


_URL_SECRET = re.compile(
    r"([?&;](?:[\w.\-\[\]]*?(?:token|key|secret|passw|pwd|sig|signature|auth|session|code|otp|"
    r"jwt|credential|ticket|hash)[\w.\-\[\]]*)=)([^&;#\s\"'<>]+)",
    re.I,
)
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]{0,20}://[^\s/:@]{1,200}:)([^\s/@]{1,200})(@)", re.I)


def shown(text: str) -> str:
    """A log line safe to show: secrets in URLs redacted, cut at SAMPLE_CHARS."""
    cut = text[:SAMPLE_CHARS] + (" …(cut)" if len(text) > SAMPLE_CHARS else "")
    cut = _URL_SECRET.sub(lambda m: m.group(1) + redact(m.group(2)), cut)
    return _USERINFO.sub(lambda m: m.group(1) + redact(m.group(2)) + m.group(3), cut)
