"""The run history: every run's results, in full, in SQLite beside the sprint file.

The sprint file keeps what a person reads (the latest verdict of each check and target, see
launchtui.sprint.results); `NAME.runs.sqlite` beside `NAME.toml` keeps the rest: each run, and
each result with its evidence, fix and duration, so that the app can say what changed since the
previous run and show the evidence behind a verdict.

- One transaction per run: a process killed half-way leaves the runs before it, never half a run.
- WAL journal, so that a reader (the app) never waits for a writer (`launchtui check --save`).
- The schema has a version (PRAGMA user_version) and numbered migrations, applied on open.
- Bounded: the last RUNS_KEPT runs keep their results; older results are dropped except the
  latest two of each (check id, target), which the sprint file's verdict and its "changed since"
  still need.
- Evidence is what checks put in a result, which never holds a secret (checks redact); nothing
  else is written here.

A history that cannot be read or written is reported as a HistoryError: the sprint file alone
still opens and saves, with no evidence or "changed since" to show.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from launchtui.errors import LaunchtuiError
from launchtui.model.monitoring import AlertProof
from launchtui.model.results import Previous, Result, Severity, Status
from launchtui.sprint.results import plain, text

SUFFIX = ".runs.sqlite"
RUNS_KEPT = 200
_BUSY_TIMEOUT = 5.0  # seconds to wait for another process's write to finish

Key = tuple[str, str]  # (check id, target)

# Migration N takes a database at version N-1 to version N. Never edit one that has shipped;
# add the next.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        stages TEXT NOT NULL,      -- JSON list of stage names
        counts TEXT NOT NULL,      -- JSON object: status -> count
        source TEXT NOT NULL       -- "run", or "sprint file" for what a migration moved here
    );
    CREATE TABLE results (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        target TEXT NOT NULL,
        stage TEXT NOT NULL,
        status TEXT NOT NULL,
        severity TEXT NOT NULL,
        summary TEXT NOT NULL,
        evidence TEXT NOT NULL,    -- JSON object
        fix TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (run_id, check_id, target)
    );
    CREATE INDEX results_by_key ON results (check_id, target, checked_at);
    """,
    # 2: the performance baselines (`launchtui perf baseline`): one row per check and target,
    # the figures a later run is compared with. run_id is not a foreign key: pruning old runs
    # must not take a baseline with them.
    """
    CREATE TABLE baselines (
        check_id TEXT NOT NULL,
        target TEXT NOT NULL,
        p95_ms REAL NOT NULL,
        error_rate REAL NOT NULL,  -- 0..1
        run_id INTEGER NOT NULL,   -- the run whose figures these are
        marked_at TEXT NOT NULL,
        PRIMARY KEY (check_id, target)
    );
    """,
    # 3: the alert routes' proofs (`launchtui monitor prove`): each test alert, kept apart from
    # the runs (a proof is no check result, and pruning runs must not take it). detail is
    # words without secrets: a webhook URL appears redacted.
    """
    CREATE TABLE alert_proofs (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        route TEXT NOT NULL,       -- "email", "slack"
        via TEXT NOT NULL,         -- "direct", "alertmanager"
        ok INTEGER NOT NULL,       -- 0 or 1
        duration_ms INTEGER NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX alert_proofs_by_route ON alert_proofs (route, at);
    """,
    # 4: the daily risk notes (`launchtui logs`): one row per day of logs, replaced when the
    # same day is analysed again. markdown shows log text escaped, secrets in URLs redacted.
    """
    CREATE TABLE risk_notes (
        day TEXT PRIMARY KEY,      -- YYYY-MM-DD, UTC
        markdown TEXT NOT NULL,
        figures TEXT NOT NULL,     -- JSON object
        created_at TEXT NOT NULL
    );
    """,
)
PROOFS_KEPT = 100  # per route: the latest is what counts, a few before it show a trend


RISK_NOTES_KEPT = 400  # days: a year and a bit of daily notes


class DayNoteLike(Protocol):
    """What a daily risk note gives the history (launchtui.logs.note.DayNote)."""

    @property
    def day(self) -> date: ...
    @property
    def markdown(self) -> str: ...
    @property
    def figures(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class RiskNote:
    """A daily risk note as stored: its day, Markdown and figures, and when it was written."""

    day: date
    markdown: str
    figures: dict[str, Any]
    created_at: str

    @property
    def unusual(self) -> int:
        return int(self.figures.get("unusual", 0))

    @property
    def recurring(self) -> int:
        return int(self.figures.get("recurring", 0))

    @property
    def new(self) -> int:
        return int(self.figures.get("new", 0))


# How old a result is among those of its (check id, target): 1 for the newest. Reading the latest
# results and their previous ones, and pruning, agree on what "newest" means through it.
_AGE = "ROW_NUMBER() OVER (PARTITION BY check_id, target ORDER BY checked_at DESC, run_id DESC)"


class HistoryError(LaunchtuiError):
    """The run history cannot be read or written (corrupt, locked, unwritable folder)."""


@dataclass(frozen=True, slots=True)
class Run:
    """One recorded run: when, which stages, and how many results of each status."""

    id: int
    at: str
    stages: list[str]
    counts: dict[str, int]
    source: str


@dataclass(frozen=True, slots=True)
class Baseline:
    """The figures a check's target is compared with, marked by `launchtui perf baseline`."""

    check_id: str
    target: str
    p95_ms: float
    error_rate: float
    run_id: int
    marked_at: str


def history_path(sprint_path: Path) -> Path:
    """NAME.runs.sqlite beside NAME.toml."""
    return sprint_path.with_name(f"{sprint_path.stem}{SUFFIX}")


class History:
    """The run history of one sprint file; every method opens, works and closes, so that no
    connection outlives a call (the app, the CLI and tests may use the same file)."""

    def __init__(self, sprint_path: Path) -> None:
        self.path = history_path(sprint_path)

    def exists(self) -> bool:
        return self.path.exists()

    def record_run(
        self,
        results: Sequence[Result],
        at: str,
        *,
        source: str = "run",
        stages: Iterable[str] = (),
        counts: Mapping[str, int] | None = None,
    ) -> int:
        """Store one run and its results in one transaction; returns the run's id. `counts`
        defaults to the results' (a run moved from an old sprint file has counts only)."""
        if counts is None:
            counts = {str(status): 0 for status in Status}
            for result in results:
                counts[str(result.status)] += 1
        names = sorted({*stages, *(str(result.stage) for result in results)})
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO runs (at, stages, counts, source) VALUES (?, ?, ?, ?)",
                (at, json.dumps(names), json.dumps(dict(counts)), source),
            )
            run_id = cursor.lastrowid
            if run_id is None:  # pragma: no cover - sqlite3 always sets it after an INSERT
                raise HistoryError(f"{self.path}: the run was not recorded")
            db.executemany(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_row(run_id, result, at) for result in results],
            )
            _prune(db)
        return run_id

    def latest(self) -> dict[Key, Result]:
        """The newest stored result of every (check id, target), with `previous` set from the
        one before it."""
        query = f"""
            SELECT * FROM (
                SELECT results.*, {_AGE} AS age
                FROM results
            ) WHERE age <= 2 ORDER BY check_id, target, age
        """
        if not self.exists():
            return {}
        found: dict[Key, Result] = {}
        with self._connect() as db:
            for row in db.execute(query):
                key = (row["check_id"], row["target"])
                if row["age"] == 1:
                    found[key] = _result(row)
                elif key in found:
                    found[key].previous = Previous.of(_result(row))
        return found

    def series(
        self, check_id: str, target: str, key: str, limit: int = 30
    ) -> list[tuple[str, float]]:
        """A number of the evidence (`key`, a flow's p95 say) in the last `limit` results of
        (check id, target), oldest first, as (checked_at, value); results without it are left
        out."""
        if not self.exists():
            return []
        query = """
            SELECT checked_at, json_extract(evidence, '$."' || ? || '"') AS value
            FROM results WHERE check_id = ? AND target = ?
            ORDER BY checked_at DESC, run_id DESC LIMIT ?
        """
        with self._connect() as db:
            rows = db.execute(query, (key, check_id, target, limit)).fetchall()
        return [
            (row["checked_at"], float(row["value"]))
            for row in reversed(rows)
            if isinstance(row["value"], int | float) and not isinstance(row["value"], bool)
        ]

    def has_run(self, at: str, source: str) -> bool:
        """Whether a run of this time and source is recorded (a migration that was interrupted
        after writing here is not written twice)."""
        if not self.exists():
            return False
        with self._connect() as db:
            found = db.execute("SELECT 1 FROM runs WHERE at = ? AND source = ?", (at, source))
            return found.fetchone() is not None

    def runs(self) -> list[Run]:
        """Every recorded run, oldest first."""
        if not self.exists():
            return []
        with self._connect() as db:
            return [
                Run(
                    row["id"],
                    row["at"],
                    json.loads(row["stages"]),
                    json.loads(row["counts"]),
                    row["source"],
                )
                for row in db.execute("SELECT * FROM runs ORDER BY at, id")
            ]

    def latest_with_run(self, check_id: str) -> list[tuple[int, Result]]:
        """The newest result of each target of `check_id`, with the id of its run."""
        if not self.exists():
            return []
        query = f"""
            SELECT * FROM (
                SELECT results.*, {_AGE} AS age
                FROM results WHERE check_id = ?
            ) WHERE age = 1 ORDER BY target
        """
        with self._connect() as db:
            return [(row["run_id"], _result(row)) for row in db.execute(query, (check_id,))]

    def set_baselines(self, baselines: Iterable[Baseline]) -> None:
        """Mark these as the baselines of their check and target (replacing older ones)."""
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO baselines VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (b.check_id, b.target, b.p95_ms, b.error_rate, b.run_id, b.marked_at)
                    for b in baselines
                ],
            )

    def baselines(self, check_id: str | None = None) -> dict[Key, Baseline]:
        """The marked baselines by (check id, target), of one check or all."""
        if not self.exists():
            return {}
        query = "SELECT * FROM baselines"
        args: tuple[str, ...] = ()
        if check_id is not None:
            query += " WHERE check_id = ?"
            args = (check_id,)
        with self._connect() as db:
            return {
                (row["check_id"], row["target"]): Baseline(
                    row["check_id"],
                    row["target"],
                    float(row["p95_ms"]),
                    float(row["error_rate"]),
                    int(row["run_id"]),
                    row["marked_at"],
                )
                for row in db.execute(query + " ORDER BY check_id, target", args)
            }

    def record_proofs(self, proofs: Iterable[AlertProof]) -> None:
        """Store test alerts' proofs, keeping the newest PROOFS_KEPT of each route."""
        with self._connect() as db:
            db.executemany(
                "INSERT INTO alert_proofs (at, route, via, ok, duration_ms, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(p.at, p.route, p.via, int(p.ok), p.duration_ms, p.detail) for p in proofs],
            )
            db.execute(
                """DELETE FROM alert_proofs WHERE id IN (
                    SELECT id FROM (
                        SELECT id, ROW_NUMBER() OVER (
                            PARTITION BY route ORDER BY at DESC, id DESC) AS age
                        FROM alert_proofs
                    ) WHERE age > ?
                )""",
                (PROOFS_KEPT,),
            )

    def latest_proofs(self) -> dict[str, AlertProof]:
        """The newest proof of each route, by route."""
        if not self.exists():
            return {}
        query = """
            SELECT * FROM (
                SELECT alert_proofs.*, ROW_NUMBER() OVER (
                    PARTITION BY route ORDER BY at DESC, id DESC) AS age
                FROM alert_proofs
            ) WHERE age = 1 ORDER BY route
        """
        with self._connect() as db:
            return {
                row["route"]: AlertProof(
                    row["route"],
                    row["via"],
                    bool(row["ok"]),
                    int(row["duration_ms"]),
                    row["detail"],
                    row["at"],
                )
                for row in db.execute(query)
            }

    def record_risk_notes(self, notes: Iterable[DayNoteLike], at: str | None = None) -> int:
        """Store daily notes (a day already stored is replaced), keeping the newest
        RISK_NOTES_KEPT days; returns how many were written."""
        created = at or datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            (note.day.isoformat(), note.markdown, json.dumps(note.figures, sort_keys=True), created)
            for note in notes
        ]
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO risk_notes VALUES (?, ?, ?, ?)", rows)
            db.execute(
                "DELETE FROM risk_notes WHERE day NOT IN "
                "(SELECT day FROM risk_notes ORDER BY day DESC LIMIT ?)",
                (RISK_NOTES_KEPT,),
            )
        return len(rows)

    def risk_notes(self, limit: int = 30) -> list[RiskNote]:
        """The newest `limit` daily notes, oldest first."""
        if not self.exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM risk_notes ORDER BY day DESC LIMIT ?", (limit,)
            ).fetchall()
        return [
            RiskNote(
                date.fromisoformat(row["day"]),
                row["markdown"],
                json.loads(row["figures"]),
                row["created_at"],
            )
            for row in reversed(rows)
        ]

    def latest_risk_note(self) -> RiskNote | None:
        """The note of the latest day stored, or None."""
        notes = self.risk_notes(limit=1)
        return notes[0] if notes else None

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in a transaction: committed on success, rolled back on any error, closed
        either way; sqlite3's errors become HistoryError."""
        db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at each checkpoint
            _migrate(db, self.path)
            with db:  # one transaction
                yield db
        except (sqlite3.Error, ValueError, KeyError) as exc:  # also a row edited out of shape
            raise HistoryError(f"{self.path.name}: run history unusable: {exc}") from None
        finally:
            if db is not None:
                db.close()


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > len(_MIGRATIONS):
        raise HistoryError(
            f"{path.name}: written by a newer launchtui (schema {version}, this one knows "
            f"{len(_MIGRATIONS)}); upgrade launchtui to use it"
        )
    for number in range(version + 1, len(_MIGRATIONS) + 1):
        # executescript commits first; the version is set in the same script, so a migration
        # either lands with its version or not at all.
        db.executescript(
            f"BEGIN; {_MIGRATIONS[number - 1]} PRAGMA user_version = {number}; COMMIT;"
        )


def _prune(db: sqlite3.Connection) -> None:
    """Keep the last RUNS_KEPT runs, and the two newest results of every key from older ones."""
    db.execute(
        f"""
        DELETE FROM results WHERE run_id NOT IN (
            SELECT id FROM runs ORDER BY at DESC, id DESC LIMIT ?
        ) AND rowid NOT IN (
            SELECT rowid FROM (
                SELECT rowid, {_AGE} AS age FROM results
            ) WHERE age <= 2
        )
        """,
        (RUNS_KEPT,),
    )
    db.execute(
        """
        DELETE FROM runs WHERE id NOT IN (SELECT id FROM runs ORDER BY at DESC, id DESC LIMIT ?)
        AND NOT EXISTS (SELECT 1 FROM results WHERE results.run_id = runs.id)
        """,
        (RUNS_KEPT,),
    )


def _row(run_id: int, result: Result, at: str) -> tuple[Any, ...]:
    return (
        run_id,
        text(result.id),
        text(result.target),
        str(result.stage),
        str(result.status),
        str(result.severity),
        text(result.summary),
        json.dumps(plain(result.evidence), ensure_ascii=False),
        text(result.fix),
        int(result.duration_ms),
        result.checked_at or at,
    )


def _result(row: sqlite3.Row) -> Result:
    return Result(
        id=row["check_id"],
        stage=row["stage"],
        target=row["target"],
        status=Status(row["status"]),
        severity=Severity(row["severity"]),
        summary=row["summary"],
        evidence=json.loads(row["evidence"]),
        fix=row["fix"],
        duration_ms=row["duration_ms"],
        checked_at=row["checked_at"],
    )
