"""The risk-note engine: a sprint's logs read, classified against its core flows, analysed into
one note per day, and the notes kept in the run history. `launchtui logs` and the TUI's `l`
are two views over it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from launchtui.errors import UsageError
from launchtui.logs.analyse import analyse
from launchtui.logs.classify import FlowPaths
from launchtui.logs.files import log_files
from launchtui.logs.note import Digest
from launchtui.logs.read import SourceReport, read_events
from launchtui.model.sprint import Sprint
from launchtui.sprint.history import History


class _Figured(Protocol):
    @property
    def figures(self) -> dict[str, Any]: ...


NoteT = TypeVar("NoteT", bound=_Figured)


def sprint_sources(sprint: Sprint) -> list[str]:
    """The files of the sprint's [logs].files patterns, oldest first (empty without [logs] or
    when no pattern matches a file)."""
    return [str(path) for path in log_files(sprint)]


def note_logs(
    sprint: Sprint, sources: Sequence[str], since: date | None = None
) -> tuple[Digest, list[SourceReport]]:
    """Read `sources` ("-" for standard input) from `since` on, classified by the sprint's
    [flows] paths, into a Digest of daily notes; and one SourceReport per source read."""
    reports: list[SourceReport] = []
    events = read_events(
        sources,
        since=datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None,
        paths=FlowPaths.from_flows(sprint.flows),
        reports=reports,
    )
    return analyse(events, since=since), reports


def record(sprint_path: Path, digest: Digest) -> int:
    """Keep the digest's notes in the sprint's run history (a day read again is replaced);
    HistoryError when the history cannot be written."""
    return History(sprint_path).record_risk_notes(digest.days)


def problems(report: SourceReport) -> list[str]:
    """What went wrong reading one source, one readable line each."""
    found = list(report.problems)
    if report.skipped and not report.binary:
        lines = "line" if report.skipped == 1 else "lines"
        found.append(
            f"{report.skipped:,} {lines} of {report.lines:,} not read: neither a combined "
            "log line nor JSON with a time"
        )
    return found


@dataclass(frozen=True, slots=True)
class LogsRead:
    """What reading a sprint's [logs] gave: the days noted, and one line per read problem."""

    days: int
    problems: list[str]


def read_sprint_logs(sprint: Sprint, sprint_path: Path) -> LogsRead:
    """Read the sprint's [logs] files into daily notes kept in its run history. UsageError when
    the sprint has no [logs] or its patterns match no file; HistoryError when the notes cannot
    be kept."""
    if not sprint.logs:
        raise UsageError("no [logs] in the sprint: add [logs] files = [...] to the sprint file")
    sources = sprint_sources(sprint)
    if not sources:
        raise UsageError(f"[logs] files match no file: {', '.join(sprint.logs)}")
    digest, reports = note_logs(sprint, sources)
    found = [f"{report.source}: {problem}" for report in reports for problem in problems(report)]
    if digest.days:
        record(sprint_path, digest)
    elif not any(report.lines for report in reports):
        found.append("no input could be read")
    else:
        found.append("no log events")
    return LogsRead(len(digest.days), found)


def shown_note(notes: Sequence[NoteT]) -> NoteT | None:
    """The note to show of `notes` (oldest first): the latest complete day's (a day the logs
    end in the middle of is marked `partial` in its figures), else the latest."""
    for note in reversed(notes):
        if not note.figures.get("partial"):
            return note
    return notes[-1] if notes else None
