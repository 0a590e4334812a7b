"""One scan of a folder: the working tree and build output, and when asked the git history or
only the staged files, with inline allow marks and a baseline applied."""

from __future__ import annotations

import os
import time
from pathlib import Path

from launchtui.secrets import baseline as baselines
from launchtui.secrets.findings import Report
from launchtui.secrets.history import GitError, is_repository, scan_history, scan_staged
from launchtui.secrets.scan import scan_tree


class ScanError(Exception):
    """The folder (or its git data) cannot be read: nothing was checked."""


def scan_repository(
    root: Path,
    *,
    history: bool = False,
    staged: bool = False,
    baseline: Path | None = None,
    budget: float | None = None,
) -> Report:
    """Scan `root`. `baseline`: a fingerprints file (default: the folder's own
    .launchtui-secrets-baseline when there is one). `budget`: seconds before the scan stops,
    marked incomplete."""
    deadline = None if budget is None else time.monotonic() + budget
    report = Report(str(root))
    if not root.is_dir():
        raise ScanError(f"{root} is not a folder" if root.exists() else f"{root} does not exist")
    try:
        os.listdir(root)
    except OSError as exc:
        raise ScanError(f"cannot read {root}: {exc.strerror or exc}") from None
    if baseline is None and (root / baselines.DEFAULT_NAME).is_file():
        baseline = root / baselines.DEFAULT_NAME
    try:
        accepted = baselines.load(baseline) if baseline is not None else frozenset()
    except baselines.BaselineError as exc:
        raise ScanError(str(exc)) from None
    try:
        if staged:
            if not is_repository(root):
                raise ScanError(f"{root} is not a git repository: --staged needs one")
            scan_staged(root, report)
        else:
            scan_tree(root, deadline=deadline, report=report)
            if history and not report.incomplete:
                if is_repository(root):
                    scan_history(root, report, deadline=deadline)
                else:
                    report.commits_scanned = None
    except GitError as exc:
        raise ScanError(str(exc)) from None
    except OSError as exc:
        raise ScanError(f"cannot read {root}: {exc.strerror or exc}") from None
    baselines.apply(report, accepted)
    return report
