"""A run as it is recorded (the run history, then the sprint file's verdicts), and the latest
results as they are read back (the file's verdicts, with the history's detail).

The sprint file is the verdict a person sees and may edit; the history adds the evidence, fix,
duration and what changed since the previous run. A history that cannot be used never stops a
run from being saved to the file: the problem is returned for the caller to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from launchtui.errors import SprintFileError
from launchtui.model.results import Result
from launchtui.sprint import store
from launchtui.sprint.history import History, HistoryError
from launchtui.sprint.migrate import migrate, needs_migration

Key = tuple[str, str]


def record_run(
    sprint: store.SprintDocument | str | Path, results: Sequence[Result], run_at: str
) -> tuple[store.SprintDocument, str | None]:
    """Record a run: in full in the run history, then its verdicts in the sprint file (saved).
    Returns the saved document, and the history's problem if it could not be written.
    Raises SprintFileError."""
    document = store.loaded(sprint)
    history = History(document.path)
    if needs_migration(document):
        try:
            migrate(document, history)
        except HistoryError as exc:  # the old results cannot move: keep the file as it is
            raise SprintFileError(
                f"{store.display_path(document.path)}: not saved: its results must move to "
                f"the run history first, and {exc}"
            ) from None
    problem = None
    try:
        history.record_run(results, run_at)
    except HistoryError as exc:
        problem = str(exc)
    store.record_results(document, results, run_at)
    return document, problem


def latest_results(document: store.SprintDocument) -> tuple[dict[Key, Result], str | None]:
    """The latest result of every (check id, target): the sprint file's verdict, with the
    history's evidence, fix and previous result where the history has the same verdict (a
    verdict edited by hand, or saved while the history was unusable, stands alone). Also the
    history's problem, if it could not be read."""
    verdicts = store.saved_results(document)
    try:
        detail = History(document.path).latest()
    except HistoryError as exc:
        return verdicts, str(exc)
    merged = {}
    for key, verdict in verdicts.items():
        full = detail.get(key)
        same = full is not None and full.status == verdict.status and full.stage == verdict.stage
        merged[key] = full if same and full is not None else verdict
    return merged, None


def open_migrated(document: store.SprintDocument) -> str | None:
    """Move a file of the old form into the history (the app does this on open). Returns the
    problem if the history could not be written (the file is then left as it was).
    Raises SprintFileError."""
    if not needs_migration(document):
        return None
    try:
        migrate(document, History(document.path))
    except HistoryError as exc:
        return str(exc)
    return None
