"""The sprints opened lately, newest first, for the app's opener screen.

Kept in $XDG_STATE_HOME/launchtui/recent.json (default ~/.local/state) as {"recent": [paths]}.
The list is a convenience: a missing, corrupt or unreadable file reads as empty, and entries
whose file is gone are dropped on read, so that it can never stop the app from starting.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from launchtui.sprint.store import write_atomic

KEPT = 10
_MAX_BYTES = 64 * 1024  # far more than ten paths; a bigger file is not ours to parse


def state_file() -> Path:
    """Where the list lives, following the XDG base directory spec."""
    base = os.environ.get("XDG_STATE_HOME", "")
    # The spec says a relative value is invalid and must be ignored.
    folder = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "state"
    return folder / "launchtui" / "recent.json"


def read_recent(state: Path | None = None) -> list[Path]:
    """The recently opened sprint files that still exist, newest first."""
    paths = [path for path in _stored(state or state_file()) if _exists(path)]
    return paths[:KEPT]


def record_recent(sprint_path: str | Path, state: Path | None = None) -> None:
    """Put a sprint file first in the list (once, by absolute path). Raises OSError."""
    state = state or state_file()
    first = Path(os.path.abspath(sprint_path))
    paths = [first, *(path for path in _stored(state) if path != first)][:KEPT]
    data = json.dumps({"recent": [str(path) for path in paths]}, indent=2) + "\n"
    state.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(state, data.encode("utf-8"))


def _exists(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for this system, say
        return False


def _stored(state: Path) -> list[Path]:
    """The paths in the file, de-duplicated, in order; nothing if it cannot be read."""
    try:
        with state.open("rb") as file:
            raw = file.read(_MAX_BYTES + 1)
        data = json.loads(raw) if len(raw) <= _MAX_BYTES else None
    except (OSError, ValueError):  # missing, unreadable, not UTF-8, not JSON
        return []
    entries = data.get("recent") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return []
    paths: list[Path] = []
    for entry in entries:
        if isinstance(entry, str) and os.path.isabs(entry) and "\x00" not in entry:
            path = Path(os.path.normpath(entry))
            if path not in paths:
                paths.append(path)
    return paths
