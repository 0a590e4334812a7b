"""The log files a sprint names: its [logs].files patterns expanded, rotated files oldest first.

logrotate's names: `access.log.7.gz` ... `access.log.2.gz`, `access.log.1`, then the live
`access.log` (a higher number is older); with `dateext`, `access.log-20261201[.gz]`, older by
date, before the live file. So the events of a log come out in time order, file after file.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable
from pathlib import Path

from launchtui.model.sprint import Sprint

# base, then a rotation number (.7) or date (-20261201), then a compression suffix
_ROTATED = re.compile(
    r"(?P<base>.+?)(?:\.(?P<number>\d{1,4})|-(?P<date>\d{8}(?:\d{2})?))?"
    r"(?P<compressed>\.(?:gz|bz2|xz|zst))?"
)


def rotation_key(path: Path) -> tuple[str, str, int, str, int]:
    """Sorts one log's rotated files oldest first and the live file last (by folder and
    base name first, so that two logs matched by one pattern stay apart)."""
    folder = str(path.parent)
    match = _ROTATED.fullmatch(path.name)
    if match is None:  # an empty name: not a file
        return folder, path.name, 2, "", 0
    base, number, dated = match["base"], match["number"], match["date"]
    if number is not None:
        return folder, base, 0, "", -int(number)
    if dated is not None:
        return folder, base, 1, dated, 0
    return folder, path.name if match["compressed"] else base, 2, "", 0


def order_rotated(paths: Iterable[Path]) -> list[Path]:
    """`paths` in rotation order (see rotation_key), without duplicates."""
    return sorted(set(paths), key=rotation_key)


def expand(patterns: Iterable[str]) -> list[Path]:
    """The regular files each pattern matches (hidden files only when a pattern says so),
    pattern by pattern, each pattern's files in rotation order; a file matched twice is
    listed once, where it was first matched. A pattern matching nothing adds nothing."""
    found: dict[Path, None] = {}
    for pattern in patterns:
        matches = (Path(name) for name in glob.glob(os.path.expanduser(pattern), recursive=True))
        for path in order_rotated(path for path in matches if path.is_file()):
            found.setdefault(path, None)
    return list(found)


def log_files(sprint: Sprint) -> list[Path]:
    """The files of the sprint's [logs].files patterns (absolute already), in rotation
    order."""
    return expand(sprint.logs)
