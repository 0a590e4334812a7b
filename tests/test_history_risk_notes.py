"""Migration 4: the daily risk notes in the run history, from a fresh history and a version-3
one; one row per day (a later analysis replaces it), bounded retention."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from launchtui.logs.note import DayNote
from launchtui.sprint import history as history_module
from launchtui.sprint.history import History, history_path

MINIMAL = '[sprint]\nname = "Acme launch"\n\n[site]\napex = "acme.community"\n'


@pytest.fixture
def sprint(tmp_path: Path) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(MINIMAL)
    return path


def note(day: date, text: str = "# Risk note", unusual: int = 0) -> DayNote:
    figures = {"day": day.isoformat(), "unusual": unusual, "recurring": 2, "new": 1}
    return DayNote(day, text, unusual, 2, 1, figures)


def test_a_fresh_history_keeps_notes_one_per_day(sprint: Path) -> None:
    history = History(sprint)
    assert history.latest_risk_note() is None
    history.record_risk_notes([note(date(2026, 12, 1)), note(date(2026, 12, 2), unusual=3)])
    history.record_risk_notes([note(date(2026, 12, 2), "# again", unusual=1)], at="T")
    notes = history.risk_notes(limit=10)
    assert [n.day for n in notes] == [date(2026, 12, 1), date(2026, 12, 2)]
    latest = history.latest_risk_note()
    assert latest is not None
    assert (latest.markdown, latest.unusual, latest.recurring, latest.new) == ("# again", 1, 2, 1)
    assert latest.created_at == "T"
    assert history.risk_notes(limit=1) == [latest]


def test_a_version_3_history_is_migrated_and_keeps_what_it_had(sprint: Path) -> None:
    db = sqlite3.connect(history_path(sprint))
    for number, script in enumerate(history_module._MIGRATIONS[:3], start=1):
        db.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
    db.execute(
        "INSERT INTO alert_proofs (at, route, via, ok, duration_ms, detail) "
        "VALUES ('2026-12-01T00:00:00Z', 'email', 'direct', 1, 5, 'ok')"
    )
    db.commit()
    db.close()
    history = History(sprint)
    history.record_risk_notes([note(date(2026, 12, 1))])
    assert history.latest_proofs()["email"].ok
    assert [n.day for n in history.risk_notes()] == [date(2026, 12, 1)]
    db = sqlite3.connect(history_path(sprint))
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 4
    finally:
        db.close()


def test_retention_keeps_the_newest_days(sprint: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "RISK_NOTES_KEPT", 5)
    start = date(2026, 1, 1)
    History(sprint).record_risk_notes(note(start + timedelta(days=n)) for n in range(12))
    kept = History(sprint).risk_notes(limit=100)
    assert [n.day for n in kept] == [start + timedelta(days=n) for n in range(7, 12)]
