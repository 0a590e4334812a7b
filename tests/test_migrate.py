"""A sprint file of the old form (every result in full, a [[runs]] list) moves its results into
the run history on first open, keeping everything a person wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchtui.errors import SprintFileError
from launchtui.model.results import Result, Severity, Status
from launchtui.sprint import recorded, store
from launchtui.sprint.history import History, history_path
from launchtui.sprint.migrate import SOURCE, migrate, needs_migration

OLD = """\
# Acme's sprint: kept by hand as well
[sprint]
name = "Acme launch"
engineer = "Sam"  # on call this week

[site]
apex = "acme.community"

[results.edge."tls.certificate"."app.acme.community"]
status = "fail"
severity = "blocker"
summary = "Certificate expired 3 days ago"
checked_at = "2025-03-02T09:30:00Z"
duration_ms = 41
fix = \"\"\"Renew the certificate.
Verify: launchtui check\"\"\"
previous = {status = "pass", summary = "Valid for 2 days", checked_at = "2025-03-01T09:30:00Z"}

[results.edge."tls.certificate"."app.acme.community".evidence]
not_after = "2025-02-27T00:00:00Z"
names = ["app.acme.community"]

[results.edge."tls.certificate"."www.acme.community"]
status = "pass"
severity = "blocker"
summary = "Valid for 80 days"
checked_at = "2025-03-02T09:30:00Z"

[[runs]]
at = "2025-03-01T09:30:00Z"
stages = ["edge"]
counts = {pass = 2, warn = 0, fail = 0, error = 0, skip = 0, manual = 0}

[[runs]]
at = "2025-03-02T09:30:00Z"
stages = ["edge"]
counts = {pass = 1, warn = 0, fail = 1, error = 0, skip = 0, manual = 0}

[tasks.deploy.rollback-tested]
done = true
owner = "Sam"
updated_at = "2025-03-02T10:00:00Z"

# notes for the handover, by hand
[handover]
note = "call Priya before launch"
"""

COMPACT = """\
[results.edge."tls.certificate"]
severity = "blocker"
checked_at = "2025-03-02T09:30:00Z"
pass = [
    "www.acme.community",
]

[results.edge."tls.certificate".fail]
"app.acme.community" = "Certificate expired 3 days ago"
"""


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(OLD)
    return path


def test_the_old_form_moves_into_the_history_and_the_file_keeps_what_a_person_wrote(
    old_file: Path,
) -> None:
    document = store.load(old_file)
    assert needs_migration(document)
    before, _ = recorded.latest_results(document)
    assert recorded.open_migrated(document) is None
    text = old_file.read_text()
    assert COMPACT in text
    assert "[[runs]]" not in text and "evidence" not in text and "Renew" not in text
    for kept in (
        "# Acme's sprint: kept by hand as well",
        'engineer = "Sam"  # on call this week',
        "[tasks.deploy.rollback-tested]\ndone = true",
        '# notes for the handover, by hand\n[handover]\nnote = "call Priya before launch"',
    ):
        assert kept in text
    after, problem = recorded.latest_results(store.load(old_file))
    assert problem is None
    assert after == before  # evidence, fix, duration and previous, all as they were
    cert = after[("tls.certificate", "app.acme.community")]
    assert cert.evidence == {"not_after": "2025-02-27T00:00:00Z", "names": ["app.acme.community"]}
    assert cert.previous is not None and cert.previous.summary == "Valid for 2 days"
    runs = History(old_file).runs()
    assert [(run.at, run.source) for run in runs][:2] == [
        ("2025-03-01T09:30:00Z", SOURCE),
        ("2025-03-01T09:30:00Z", SOURCE),
    ]
    assert {run.at for run in runs} == {"2025-03-01T09:30:00Z", "2025-03-02T09:30:00Z"}
    assert any(
        run.counts == {"pass": 2, "warn": 0, "fail": 0, "error": 0, "skip": 0, "manual": 0}
        for run in runs
    )


def test_a_second_open_moves_nothing(old_file: Path) -> None:
    recorded.open_migrated(store.load(old_file))
    text, runs = old_file.read_bytes(), History(old_file).runs()
    document = store.load(old_file)
    assert not needs_migration(document)
    assert recorded.open_migrated(document) is None
    assert old_file.read_bytes() == text and History(old_file).runs() == runs


def test_a_migration_stopped_before_the_file_was_written_is_not_recorded_twice(
    old_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(document: store.SprintDocument) -> None:
        raise SprintFileError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(store, "save", refuse)
        with pytest.raises(SprintFileError, match="disk full"):
            migrate(store.load(old_file), History(old_file))
    assert old_file.read_text() == OLD  # nothing written
    runs = History(old_file).runs()
    assert recorded.open_migrated(store.load(old_file)) is None
    assert History(old_file).runs() == runs
    assert COMPACT in old_file.read_text()


def test_with_an_unusable_history_the_old_file_stays_as_it_is(old_file: Path) -> None:
    history_path(old_file).write_bytes(b"garbage" * 100)
    document = store.load(old_file)
    problem = recorded.open_migrated(document)
    assert problem is not None and "run history unusable" in problem
    assert old_file.read_text() == OLD
    latest, _ = recorded.latest_results(store.load(old_file))
    assert latest[("tls.certificate", "app.acme.community")].fix.startswith("Renew")
    new = Result(
        "tls.certificate", "edge", "app.acme.community", Status.PASS, Severity.BLOCKER, "Valid"
    )
    with pytest.raises(SprintFileError, match="must move to the run history first"):
        recorded.record_run(old_file, [new], "2025-03-03T09:30:00Z")
    assert old_file.read_text() == OLD


def test_check_save_on_an_old_file_moves_it_first(old_file: Path) -> None:
    new = Result(
        "tls.certificate", "edge", "app.acme.community", Status.PASS, Severity.BLOCKER, "Valid"
    )
    document, problem = recorded.record_run(old_file, [new], "2025-03-03T09:30:00Z")
    assert problem is None and not needs_migration(document)
    latest, _ = recorded.latest_results(store.load(old_file))
    cert = latest[("tls.certificate", "app.acme.community")]
    assert cert.status == "pass" and cert.previous is not None
    assert cert.previous.status == "fail"  # the old file's result became the previous one
