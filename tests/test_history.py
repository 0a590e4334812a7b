"""The run history beside a sprint file: every run in full, versioned, bounded, crash-safe."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from launchtui.errors import LaunchtuiError
from launchtui.model.results import Result, Severity, Status
from launchtui.sprint import history as history_module
from launchtui.sprint import recorded, store
from launchtui.sprint.history import History, HistoryError, history_path

MINIMAL = '[sprint]\nname = "Acme launch"\n\n[site]\napex = "acme.community"\n'


def result(
    target: str = "app.acme.community",
    status: Status = Status.FAIL,
    *,
    summary: str = "Certificate expired 3 days ago",
    at: str = "",
) -> Result:
    return Result(
        id="tls.certificate",
        stage="edge",
        target=target,
        status=status,
        severity=Severity.BLOCKER,
        summary=summary,
        evidence={"days": -3},
        fix="Renew the certificate.",
        duration_ms=41,
        checked_at=at,
    )


@pytest.fixture
def sprint(tmp_path: Path) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(MINIMAL)
    return path


def test_the_history_sits_beside_the_sprint_file(sprint: Path) -> None:
    assert history_path(sprint) == sprint.with_name("acme.runs.sqlite")
    assert not History(sprint).exists()
    assert History(sprint).latest() == {} and History(sprint).runs() == []


def test_a_run_is_kept_in_full_and_says_what_changed(sprint: Path) -> None:
    history = History(sprint)
    history.record_run([result(at="2026-12-01T09:00:00Z")], "2026-12-01T09:00:00Z")
    history.record_run(
        [result(status=Status.PASS, summary="Valid for 80 days", at="2026-12-02T09:00:00Z")],
        "2026-12-02T09:00:00Z",
    )
    latest = history.latest()[("tls.certificate", "app.acme.community")]
    assert (latest.status, latest.summary) == ("pass", "Valid for 80 days")
    assert latest.fix == "Renew the certificate."
    assert latest.evidence == {"days": -3} and latest.duration_ms == 41
    assert latest.previous is not None
    assert (latest.previous.status, latest.previous.checked_at) == ("fail", "2026-12-01T09:00:00Z")
    runs = history.runs()
    assert [run.at for run in runs] == ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z"]
    assert runs[0].counts["fail"] == 1 and runs[1].counts["pass"] == 1
    assert runs[0].stages == ["edge"] and runs[0].source == "run"


def test_the_database_is_versioned_and_in_wal_mode(sprint: Path) -> None:
    History(sprint).record_run([result()], "2026-12-01T09:00:00Z")
    db = sqlite3.connect(history_path(sprint))
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(history_module._MIGRATIONS)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_a_history_from_a_newer_launchtui_is_refused_clearly(sprint: Path) -> None:
    History(sprint).record_run([result()], "2026-12-01T09:00:00Z")
    db = sqlite3.connect(history_path(sprint))
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(HistoryError, match=r"acme\.runs\.sqlite: written by a newer launchtui"):
        History(sprint).latest()


@pytest.mark.parametrize(
    "content", [b"not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 5000]
)
def test_a_corrupt_history_is_one_error_and_the_sprint_file_still_opens_and_saves(
    sprint: Path, content: bytes
) -> None:
    history_path(sprint).write_bytes(content)
    with pytest.raises(HistoryError, match="run history unusable") as raised:
        History(sprint).latest()
    assert isinstance(raised.value, LaunchtuiError) and "\n" not in str(raised.value)
    _, problem = recorded.record_run(sprint, [result()], "2026-12-01T09:00:00Z")
    assert problem is not None and "run history unusable" in problem
    latest, read_problem = recorded.latest_results(store.load(sprint))
    assert read_problem is not None
    assert latest[("tls.certificate", "app.acme.community")].status == "fail"  # the verdict
    assert history_path(sprint).read_bytes() == content  # never overwritten


def test_a_row_edited_out_of_shape_is_an_error_not_a_traceback(sprint: Path) -> None:
    History(sprint).record_run([result()], "2026-12-01T09:00:00Z")
    db = sqlite3.connect(history_path(sprint))
    with db:
        db.execute("UPDATE results SET status = 'great', evidence = '{not json'")
    db.close()
    with pytest.raises(HistoryError, match="run history unusable"):
        History(sprint).latest()


def test_retention_keeps_the_last_runs_and_every_current_verdict(
    sprint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_module, "RUNS_KEPT", 3)
    history = History(sprint)
    # an old result of a host that was checked once, then ten runs of another host
    old = "2026-11-01T00:00:00Z"
    history.record_run([result("old.acme.community", at=old)], old)
    for day in range(1, 11):
        at = f"2026-12-{day:02d}T09:00:00Z"
        status = Status.PASS if day % 2 else Status.FAIL
        history.record_run([result(status=status, at=at)], at)
    db = sqlite3.connect(history_path(sprint))
    kept = db.execute("SELECT target, checked_at FROM results ORDER BY checked_at").fetchall()
    runs = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    db.close()
    assert kept == [
        ("old.acme.community", "2026-11-01T00:00:00Z"),  # still the latest of its key
        *[("app.acme.community", f"2026-12-{day:02d}T09:00:00Z") for day in (8, 9, 10)],
    ]
    assert runs == 4  # the last three, and the one whose result is still current
    latest = history.latest()[("tls.certificate", "app.acme.community")]
    assert latest.previous is not None and latest.previous.checked_at == "2026-12-09T09:00:00Z"


_KILLED_WRITER = """
import sys
from pathlib import Path
from launchtui.model.results import Result, Severity, Status
from launchtui.sprint import recorded

path = Path(sys.argv[1])
for run in range(10_000):
    at = f"2026-12-01T{run // 3600 % 24:02d}:{run // 60 % 60:02d}:{run % 60:02d}Z"
    results = [
        Result("tls.certificate", "edge", f"h{n}.acme.community",
               Status.FAIL if run % 2 else Status.PASS, Severity.BLOCKER, f"run {run}",
               {"n": n, "blob": "x" * 500}, "fix", 1, at)
        for n in range(50)
    ]
    recorded.record_run(path, results, at)
    print(run, flush=True)
"""


def test_a_process_killed_in_the_middle_of_runs_leaves_both_files_readable(sprint: Path) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(sprint)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    for _ in range(3):  # let a few runs land, then kill it wherever it is
        writer.stdout.readline()
    time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    assert writer.wait() == -signal.SIGKILL  # killed while it was still writing runs
    document = store.load(sprint)  # the sprint file parses and validates
    verdicts = store.saved_results(document)
    assert len(verdicts) == 50
    runs = History(sprint).runs()
    assert len(runs) >= 3
    latest = History(sprint).latest()
    assert len(latest) == 50
    # whole runs only: every result of the newest recorded run is there
    newest = runs[-1]
    assert sum(newest.counts.values()) == 50
    assert sum(1 for r in latest.values() if r.checked_at == newest.at) == 50


def test_a_series_follows_one_evidence_number_over_the_runs(sprint: Path) -> None:
    history = History(sprint)
    for day, p95 in ((1, 410), (2, 650), (3, 480)):
        at = f"2026-12-0{day}T09:00:00Z"
        latest = result(at=at)
        latest.evidence = {"p95_ms": p95, "flow": "login"}
        other = result("www.acme.community", at=at)
        other.evidence = {"p95_ms": "not a number"}
        history.record_run([latest, other], at)
    series = history.series("tls.certificate", "app.acme.community", "p95_ms")
    assert series == [
        ("2026-12-01T09:00:00Z", 410.0),
        ("2026-12-02T09:00:00Z", 650.0),
        ("2026-12-03T09:00:00Z", 480.0),
    ]
    assert history.series("tls.certificate", "app.acme.community", "p95_ms", limit=2)[0][1] == 650
    assert history.series("tls.certificate", "www.acme.community", "p95_ms") == []  # not a number
    assert history.series("tls.certificate", "app.acme.community", "flow") == []  # text
    assert History(sprint.with_name("none.toml")).series("x", "y", "p95_ms") == []
