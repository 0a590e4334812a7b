"""Reading a health endpoint's answer: the shapes understood and what each one reports.

Pure functions over the bytes of one response (no network, no Textual). The shapes:

- launchtui's suggested shape, which reports everything a deploy check wants:
  `{"status": "ok", "version": "2.4.1", "commit": "a1b2c3d",
    "checks": {"database": {"status": "ok"}, "queue": {"status": "ok"}},
    "workers": [{"name": "mailer", "last_heartbeat": "2026-12-06T09:30:00Z"}]}`
  (`checks` values may also be a bare status string; `workers` may be an object of
  name -> {"last_heartbeat": ...}; a heartbeat is ISO 8601 or Unix seconds);
- plain `{"status": "ok"}`: up, nothing else reported;
- Spring Boot actuator: `{"status": "UP", "components": {"db": {"status": "UP"}}}` (also the
  older `details`; nested components are read one level down);
- the IETF health-check draft (`application/health+json`): `status` pass/warn/fail,
  `version`, `releaseId` (read as the commit), `checks` of name -> list of {"status": ...};
- Rails `/up` (and any 2xx with an HTML or text body): up, with no detail.

Status words: ok, pass, up, healthy, green are up; warn, degraded are degraded; down, fail,
error, unhealthy, out_of_service, red are down; anything else is unknown.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

UP_WORDS = frozenset({"ok", "pass", "passed", "up", "healthy", "green", "success"})
DEGRADED_WORDS = frozenset({"warn", "warning", "degraded", "yellow"})
DOWN_WORDS = frozenset(
    {"down", "fail", "failed", "error", "unhealthy", "out_of_service", "critical", "red"}
)
VERSION_KEYS = ("version", "app_version", "appVersion", "release", "build")
COMMIT_KEYS = ("commit", "git_commit", "gitCommit", "sha", "git_sha", "revision", "releaseId")
# Background jobs: Sidekiq beats every few seconds, Solid Queue every minute (a process is dead
# after 5 minutes), cron-style schedulers every minute. Ten minutes is several missed beats for
# any of them without crying wolf on a slow one; after an hour, invites, receipts and password
# resets queued since then have not gone out: members notice.
STALE_WARN = timedelta(minutes=10)
STALE_FAIL = timedelta(hours=1)
CLOCK_SKEW = timedelta(minutes=5)  # a heartbeat this far in the future is a clock problem


class Malformed(ValueError):
    """The body claims to be JSON (or looks like it) and is not, or is JSON of no known shape."""


@dataclass(frozen=True, slots=True)
class Dependency:
    name: str
    status: str  # as reported, literally
    state: str  # "up", "degraded", "down" or "unknown"

    def describe(self) -> str:
        return f"{self.name}: {self.status}"


@dataclass(frozen=True, slots=True)
class Worker:
    name: str
    last_heartbeat: str  # as reported, literally
    at: datetime | None  # None when it could not be read

    def age(self, now: datetime) -> timedelta | None:
        return None if self.at is None else now - self.at


@dataclass(slots=True)
class HealthReport:
    shape: str  # "launchtui", "plain", "spring-boot", "health+json", "html", "text"
    status: str = ""  # the top-level status as reported ("" when none)
    state: str = "up"  # the top-level status read as up/degraded/down/unknown
    version: str = ""
    commit: str = ""
    dependencies: list[Dependency] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)

    @property
    def release(self) -> str:
        """What the deploy is, as one text: version and commit, whichever are reported."""
        parts = []
        if self.version:
            parts.append(f"version {self.version}")
        if self.commit:
            parts.append(f"commit {self.commit}")
        return ", ".join(parts)

    def unreported(self) -> list[str]:
        """What this answer does not say, for the summary's note."""
        missing = []
        if not self.release:
            missing.append("versions")
        if not self.dependencies:
            missing.append("dependencies")
        if not self.workers:
            missing.append("workers")
        return missing


def state_of(word: object) -> str:
    text = str(word).strip().lower().replace("-", "_").replace(" ", "_")
    if text in UP_WORDS:
        return "up"
    if text in DEGRADED_WORDS:
        return "degraded"
    if text in DOWN_WORDS:
        return "down"
    return "unknown"


def parse(body: bytes, content_type: str | None) -> HealthReport:
    """The report in a 2xx (or 503) health answer. Malformed when it says or looks like JSON
    and does not parse, or parses to something that is not an object."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    looks_json = kind.endswith("json") or kind.endswith("+json") or text.lstrip()[:1] in "{["
    if not looks_json or not text.strip():
        return HealthReport(shape="html" if "html" in kind else "text")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Malformed(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Malformed(f"JSON {type(data).__name__}, not an object")
    return _from_object(data)


def _from_object(data: dict[str, Any]) -> HealthReport:
    status = data.get("status")
    if isinstance(status, dict):  # {"status": {"code": "UP"}} (old Spring Boot, some gems)
        status = status.get("code", status.get("status", ""))
    report = HealthReport(shape="plain", status="" if status is None else str(status))
    report.state = state_of(report.status) if status is not None else "unknown"
    report.version = _first_text(data, VERSION_KEYS)
    report.commit = _first_text(data, COMMIT_KEYS)
    components = data.get("components", data.get("details"))
    if isinstance(components, dict) and "checks" not in data:
        report.shape = "spring-boot"
        report.dependencies = _spring(components)
        return report
    checks = data.get("checks")
    if isinstance(checks, dict):
        report.dependencies = _checks(checks)
    workers = data.get("workers")
    report.workers = _workers(workers)
    listed = isinstance(checks, dict) and any(isinstance(v, list) for v in checks.values())
    if listed or "releaseId" in data:  # "checks" may be any JSON: a list is not health+json
        report.shape = "health+json"
    elif checks is not None or workers is not None or report.release:
        report.shape = "launchtui"
    return report


def _first_text(data: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value):
            return str(value)
    return ""


def _status_of(value: object) -> str:
    if isinstance(value, dict):
        inner = value.get("status", "")
        if isinstance(inner, dict):
            inner = inner.get("code", "")
        return str(inner)
    if isinstance(value, list):  # health+json: a list of observations, the worst counts
        statuses = [_status_of(item) for item in value] or [""]
        return max(statuses, key=lambda s: _RANK[state_of(s)])
    if isinstance(value, bool):
        return "up" if value else "down"
    return str(value)


_RANK = {"up": 0, "unknown": 1, "degraded": 2, "down": 3}


def _checks(checks: dict[str, Any]) -> list[Dependency]:
    found = []
    for name, value in checks.items():
        status = _status_of(value)
        found.append(Dependency(str(name), status, state_of(status)))
    return found


def _spring(components: dict[str, Any]) -> list[Dependency]:
    found = []
    for name, value in components.items():
        nested = value.get("components") if isinstance(value, dict) else None
        if isinstance(nested, dict):  # a composite contributor: its parts are the dependencies
            found += [
                Dependency(f"{name}.{part}", s := _status_of(inner), state_of(s))
                for part, inner in nested.items()
            ]
            continue
        status = _status_of(value)
        found.append(Dependency(str(name), status, state_of(status)))
    return found


def _workers(workers: object) -> list[Worker]:
    items: list[tuple[str, object]] = []
    if isinstance(workers, list):
        for number, item in enumerate(workers, 1):
            if isinstance(item, dict):
                items.append((str(item.get("name", f"worker {number}")), item))
    elif isinstance(workers, dict):
        items = [(str(name), item) for name, item in workers.items()]
    found = []
    for name, item in items:
        raw = item.get("last_heartbeat", item.get("heartbeat")) if isinstance(item, dict) else item
        found.append(Worker(name, "" if raw is None else str(raw), parse_time(raw)))
    return found


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time (a bare one is UTC) or Unix seconds, as an aware datetime."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def heartbeat_problem(worker: Worker, now: datetime) -> tuple[str, str] | None:
    """("fail" or "warn", why) when a worker's heartbeat is stale, unreadable or from the
    future; None when it is recent."""
    age = worker.age(now)
    if age is None:
        shown = worker.last_heartbeat or "(none)"
        return "warn", f"worker {worker.name}: last heartbeat {shown!r} is not a time"
    if age < -CLOCK_SKEW:
        return "warn", (
            f"worker {worker.name}: last heartbeat {worker.last_heartbeat} is "
            f"{describe_age(-age)} in the future (a clock is wrong)"
        )
    if age > STALE_FAIL:
        return "fail", f"worker {worker.name}: last heartbeat {describe_age(age)} ago"
    if age > STALE_WARN:
        return "warn", f"worker {worker.name}: last heartbeat {describe_age(age)} ago"
    return None


def describe_age(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} days"
