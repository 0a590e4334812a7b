"""The risk-note engine shared by `launchtui logs` and the TUI (launchtui.logs.pipeline), and
`launchtui logs SPRINT` without FILE reading the sprint's [logs] files (a demo lab's real week)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from launchtui.cli.main import main
from launchtui.lab import LabThread, demo_config
from launchtui.logs.pipeline import note_logs, sprint_sources
from launchtui.sprint import store
from launchtui.sprint.history import History


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A demo sprint written by a lab, with its week of logs named in [logs]."""
    folder = tmp_path_factory.mktemp("demo")
    with LabThread(demo_config(base_port=0, mailboxes=[]), folder / "lab") as lab:
        yield lab.write_sprint(folder / "sprints" / "demo.toml")


def test_the_engine_reads_the_sprints_logs_into_daily_notes(demo: Path) -> None:
    sprint = store.load(demo).sprint
    sources = sprint_sources(sprint)
    assert sources and all(Path(source).is_file() for source in sources)
    digest, reports = note_logs(sprint, sources)
    assert [report.source for report in reports] == sources
    assert len(digest.days) >= 7
    assert any(note.unusual for note in digest.days)  # the lab's seeded auth spike


def test_logs_without_file_reads_the_sprints_logs_and_keeps_the_notes(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["logs", str(demo)])
    out = capsys.readouterr().out
    assert code in (0, 1)
    notes = History(demo).risk_notes(limit=30)
    assert len(notes) >= 7
    assert f"# Risk note {notes[-1].day.isoformat()}" in out


def test_logs_without_file_nor_logs_section_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bare.toml"
    path.write_text('[sprint]\nname = "Bare"\n\n[site]\napex = "bare.example"\n')
    assert main(["logs", str(path)]) == 2
    err = capsys.readouterr().err
    assert "[logs]" in err
    assert not History(path).exists()


def test_logs_section_matching_nothing_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.toml"
    path.write_text(
        '[sprint]\nname = "Empty"\n\n[site]\napex = "empty.example"\n\n'
        '[logs]\nfiles = ["logs/*.log"]\n'
    )
    assert main(["logs", str(path)]) == 2
    assert "match no file" in capsys.readouterr().err


def test_help_names_the_logs_section(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["logs", "--help"])
    assert "[logs].files" in " ".join(capsys.readouterr().out.split())


def test_the_shown_note_is_the_latest_complete_day() -> None:
    from datetime import date

    from launchtui.logs.note import DayNote
    from launchtui.logs.pipeline import shown_note

    def note(day: int, **figures: object) -> DayNote:
        return DayNote(date(2026, 12, day), f"# Risk note {day}\n", 0, 0, 0, dict(figures))

    assert shown_note([]) is None
    assert shown_note([note(4), note(5)]) == note(5)
    assert shown_note([note(4), note(5, partial=True)]) == note(4)
    assert shown_note([note(5, partial=True)]) == note(5, partial=True)  # only a partial one
