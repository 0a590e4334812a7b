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

Findings (what the note lists as unusual):
- Consecutive hours of one class on one day are ONE finding when at least one of them is a spike
  and every one of them is over its baseline (`over_baseline`: at least 2 events, more than the
  median plus max(3 x 1.4826 x MAD, 1), and twice the median when it is not zero; no floor, the
  spike gave the run its flag, its neighbours only say how long it lasted). An hour without an
  event of the class ends a run. A finding has its first and last hour, its count, each hour's
  count and baseline, the top paths, addresses and messages of the whole run (summed from the
  hours' capped counters) and its first SAMPLES lines.
- A deploy marker is the message of a JSON-lines event (access lines never) matching `is_deploy`:
  "deploy", "deployed", "deploying", "redeployed" as words, "starting version", or "release ...
  rolled out" / "release ... is live". The first DEPLOYS_KEPT of each day are kept (cut at
  DEPLOY_CHARS, secrets in URLs redacted) and listed in the day's note. A finding whose first
  event comes at most DEPLOY_WINDOW (2 hours) after a deploy marker (the latest such, on the
  same day or the day before) names it: "began N minutes after `...` at HH:MM:SS". A finding
  from 00:00 that goes on from a finding of the same class up to 23:59 the day before says so.
- Server errors are the catch-all class (any 5xx, any JSON line at level error), so most other
  failures are server errors too. A server-error finding whose events are FOLD_SHARE (80 %) or
  more also in one other finding of overlapping hours (counted per event while reading: the
  other classes of each event in a cell) is folded into that finding ("also counted as server
  errors: N of the M"), not listed twice. Below 80 % it stays its own finding: the server has
  failures of its own.
- The latest day ends where the logs end (their latest event): it is partial unless they reach
  its last minute (23:59), and its note says "so far: the logs end at HH:MM UTC". Its complete
  hours are compared as any other; the hour still running is compared pro rata: each earlier
  day's count of that hour times the part of the hour the logs cover (minute and second of the
  last event + 1 s, over 3600), so 20 minutes of an hour are compared with a third of the usual
  hour. The floor and the margin stay whole: a few minutes of an hour never make a spike of
  fewer than FLOOR events. Hours after the end have no events and are never flagged.

Sample lines are the log text as read, with secrets in URLs redacted (`shown`): the values of
query parameters named like a secret (token, key, secret, password, signature, code...) and the
password of user:password@ become `credentials.redact` forms. Everything else is literal; the
note escapes it where it lands in Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any, Generic, TypeVar

from launchtui.credentials import redact
from launchtui.logs.facts import Baseline, DayFacts, Deploy, Finding, HourCount, Recurring
from launchtui.logs.note import DayNote, Digest, render
from launchtui.logs.template import template
from launchtui.model.logs import CLASSES, JSON_LINES, SERVER, LogEvent

__all__ = ["DayNote", "Digest", "analyse", "is_deploy", "is_spike", "over_baseline", "shown"]

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
DEPLOY_WINDOW = timedelta(hours=2)  # a finding this soon after a deploy marker names it
DEPLOYS_KEPT = 20  # deploy markers kept per day (the first by time)
DEPLOY_CHARS = 300  # a deploy message longer than this is cut
FOLD_SHARE = 0.8  # a server-error finding this much inside another finding is folded into it
# Deploy markers: the message of a JSON line (never an access line) that announces a release.
_DEPLOY = re.compile(
    r"\b(?:deploy|deployed|deploying|redeployed)\b|\bstarting version\b|"
    r"\brelease\b.{0,200}\b(?:rolled out|is live)\b",
    re.I,
)
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
    also: dict[str, int] = field(default_factory=dict)  # other classes of the same events


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
    deploys: list[tuple[_Order, str]] = field(default_factory=list)  # the first DEPLOYS_KEPT

    def totals(self) -> dict[str, int]:
        found = dict.fromkeys(CLASSES, 0)
        for (_hour, cls), cell in self.cells.items():
            found[cls] = found.get(cls, 0) + cell.count
        return found


def analyse(events: Iterable[LogEvent], *, since: date | None = None) -> Digest:
    """One note per day of `events` (from `since` on), oldest first. Events may come in any
    order (several files, a clock that went backwards): each counts on its own day and hour."""
    days: dict[date, _Day] = {}
    end: datetime | None = None
    for event in events:
        at = event.at
        day = at.date()
        if since is not None and day < since:
            continue
        state = days.get(day)
        if state is None:
            state = days[day] = _Day()
        state.events += 1
        if end is None or at > end:
            end = at
        hour = at.hour
        order = (at, event.source, event.line, event.text)
        if event.message and event.format == JSON_LINES and is_deploy(event.message):
            _keep_deploy(state.deploys, order, event.message)
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
            if len(event.classes) > 1:
                for other in event.classes:
                    if other != cls:
                        cell.also[other] = cell.also.get(other, 0) + 1
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
    return _digest(days, end)


def is_spike(count: int, counts: tuple[float, ...]) -> tuple[bool, Baseline, float]:
    """Whether `count` is a spike over the earlier `counts` of the same hour and class; the
    baseline and the threshold the count had to pass (see the module's docstring)."""
    if not counts:
        return False, Baseline((), 0.0, 0.0), float("inf")
    mid = float(median(counts))
    mad = float(median(abs(c - mid) for c in counts))
    threshold = mid + max(MAD_FACTOR * 1.4826 * mad, MARGIN)
    flagged = count >= FLOOR and count > threshold and (mid == 0 or count >= RATIO * mid)
    return flagged, Baseline(tuple(counts), mid, mad), round(threshold, 2)


def is_deploy(message: str) -> bool:
    """Whether an app log message announces a release (see DEPLOY_WINDOW): "deployed release
    2.4.1 (7c1e9a2)", "deploy ...", "release 2.4.1 deployed", "starting version 2.4.1",
    "release ... rolled out" / "is live"."""
    return _DEPLOY.search(message[: DEPLOY_CHARS * 4]) is not None


def over_baseline(count: int, baseline: Baseline) -> bool:
    """An hour next to a spike that belongs to its run: at least 2 events, more than the median
    plus max(3 x 1.4826 x MAD, 1), and twice the median when that is not zero. No floor: the
    run is already flagged by its spike; this only says how long it lasted."""
    if not baseline.counts:
        return False
    mid, mad = baseline.median, baseline.mad
    return (
        count >= 2
        and count > mid + max(MAD_FACTOR * 1.4826 * mad, 1)
        and (mid == 0 or count >= 2 * mid)
    )


def _keep_deploy(kept: list[tuple[_Order, str]], order: _Order, message: str) -> None:
    text = shown(message[:DEPLOY_CHARS] + (" …(cut)" if len(message) > DEPLOY_CHARS else ""))
    if len(kept) < DEPLOYS_KEPT:
        kept.append((order, text))
        kept.sort(key=lambda item: item[0])
    elif order < kept[-1][0]:
        kept[-1] = (order, text)
        kept.sort(key=lambda item: item[0])


def _merged(cells: list[_Cell], kind: str) -> tuple[tuple[str, int], ...]:
    total: dict[str, int] = {}
    for cell in cells:
        capped: _Capped[str] = getattr(cell, kind)
        for key, count in capped.counts.items():
            total[key] = total.get(key, 0) + count
    return tuple(sorted(total.items(), key=lambda item: (-item[1], item[0]))[:TOP_SHOWN])


def _findings(
    day: date,
    state: _Day,
    days: dict[date, _Day],
    earlier: list[date],
    running: tuple[int, float] | None,
    ends: str,
) -> tuple[list[Finding], int]:
    """The day's findings, class by class, hour by hour; and the cells without a baseline."""
    quiet = 0
    found: list[Finding] = []
    for cls in CLASSES:
        run: list[tuple[HourCount, _Cell]] = []
        runs: list[list[tuple[HourCount, _Cell]]] = []
        for hour in range(24):
            cell = state.cells.get((hour, cls))
            if cell is None:
                if run:
                    runs.append(run)
                run = []
                continue
            counts: tuple[float, ...] = tuple(_count(days.get(d), hour, cls) for d in earlier)
            is_running = running is not None and running[0] == hour
            if running is not None and is_running:
                counts = tuple(round(c * running[1], 2) for c in counts)
            if not counts:
                quiet += 1
            flagged, baseline, threshold = is_spike(cell.count, counts)
            if flagged or over_baseline(cell.count, baseline):
                run.append(
                    (HourCount(hour, cell.count, baseline, threshold, flagged, is_running), cell)
                )
            else:
                if run:
                    runs.append(run)
                run = []
        if run:
            runs.append(run)
        for hours in runs:
            if not any(h.flagged for h, _cell in hours):
                continue
            cells = [cell for _h, cell in hours]
            samples = [text for cell in cells for _order, text in cell.samples][:SAMPLES]
            found.append(
                Finding(
                    day,
                    cls,
                    hours[0][0].hour,
                    hours[-1][0].hour,
                    sum(h.count for h, _cell in hours),
                    tuple(h for h, _cell in hours),
                    cells[0].samples[0][0][0],
                    _merged(cells, "paths"),
                    _merged(cells, "clients"),
                    _merged(cells, "messages"),
                    tuple(samples),
                    ends=ends if hours[-1][0].running else "",
                )
            )
    return _fold(found, state), quiet


def _fold(found: list[Finding], state: _Day) -> list[Finding]:
    """A server-error finding whose events are FOLD_SHARE or more also in another finding of
    overlapping hours (the webhook errors at level error, say) is folded into that one."""
    kept = [f for f in found if f.cls != SERVER]
    for server in (f for f in found if f.cls == SERVER):
        best, shared = -1, 0
        for index, other in enumerate(kept):
            if other.end < server.start or other.start > server.end:
                continue
            both = sum(state.cells[(h.hour, SERVER)].also.get(other.cls, 0) for h in server.hours)
            if both > shared:
                best, shared = index, both
        if best >= 0 and shared >= FOLD_SHARE * server.count:
            other = kept[best]
            kept[best] = replace(other, also=(*other.also, (SERVER, server.count, shared)))
        else:
            kept.append(server)
    return sorted(kept, key=lambda f: (f.start, CLASSES.index(f.cls) if f.cls in CLASSES else 99))


def _deploy_before(at: datetime, deploys: list[Deploy]) -> Deploy | None:
    before = [d for d in deploys if d.at <= at and at - d.at <= DEPLOY_WINDOW]
    return before[-1] if before else None


def _digest(days: dict[date, _Day], end: datetime | None) -> Digest:
    if not days or end is None:
        return Digest([], {"days": 0, "events": 0})
    first = min(days)
    ordered = sorted(days)
    deploys = [Deploy(order[0], text) for d in ordered for order, text in days[d].deploys]
    # The latest day ends where the logs end: a partial day unless they reach its last minute.
    # Its running hour is compared pro rata: the earlier days' counts of that hour times the
    # part of it the logs cover (the floor and the margin stay whole).
    partial = end.date() == ordered[-1] and (end.hour, end.minute) < (23, 59)
    seen_on: dict[str, int] = {}  # template -> days seen so far
    running_on: dict[str, int] = {}  # class -> start hour of the day before's run to 23:59
    notes = []
    for day in ordered:
        state = days[day]
        earlier = [
            day - timedelta(days=n)
            for n in range(BASELINE_DAYS, 0, -1)
            if day - timedelta(days=n) >= first
        ]
        if day - timedelta(days=1) not in days:
            running_on = {}
        is_last = partial and day == ordered[-1]
        running = (end.hour, (end.minute * 60 + end.second + 1) / 3600) if is_last else None
        ends = end.strftime("%H:%M") if is_last else ""
        findings, quiet = _findings(day, state, days, earlier, running, ends)
        findings = [
            replace(
                f,
                deploy=_deploy_before(f.first, deploys),
                continues=running_on.get(f.cls) if f.start == 0 else None,
            )
            for f in findings
        ]
        running_on = {f.cls: f.start for f in findings if f.end == 23}
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
            findings,
            quiet,
            len(earlier),
            recurring[:RECURRING_SHOWN],
            new_classes,
            new_templates[:RECURRING_SHOWN],
            state.templates.dropped,
            {"recurring_total": len(recurring), "new_templates_total": len(new_templates)},
            [Deploy(order[0], text) for order, text in state.deploys],
            ends,
        )
        notes.append(render(facts))
    figures: dict[str, Any] = {
        "days": len(notes),
        "first": ordered[0].isoformat(),
        "last": ordered[-1].isoformat(),
        "ends": end.isoformat(),
        "partial": partial,
        "events": sum(d.events for d in days.values()),
        "findings": sum(n.unusual for n in notes),
        "findings_latest": notes[-1].unusual,
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
