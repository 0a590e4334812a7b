"""Scan git history (every commit reachable from any ref) and the staged index.

History is read as one stream, `git log -p --all --unified=0`: only the added lines of each
commit's diff are scanned, so a secret added and later removed is found with the commit that
added it. The stream is read a bounded line at a time (a line over 1 MB is cut), a file's
added text over `MAX_FILE_BYTES` in one commit is left out and listed, binary diffs are not
printed by git (a blob over 32 MB counts as binary, and one whose name is not a known binary
type is listed as not scanned), and the deadline kills git and marks the report incomplete.

Staged files are read with one `git cat-file --batch` process.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from launchtui.secrets.findings import Finding, Report, Where
from launchtui.secrets.scan import BINARY_EXTENSIONS, MAX_FILE_BYTES, scan_text, where_of

MAX_LINE = 1024 * 1024
_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


class GitError(Exception):
    """git could not read the repository."""


def _git(root: Path, *args: str) -> list[str]:
    # bigFileThreshold: git itself treats a larger blob as binary and prints no diff for it
    return [
        "git",
        "-C",
        str(root),
        "-c",
        "core.quotepath=off",
        "-c",
        f"core.bigFileThreshold={MAX_FILE_BYTES}",
        *args,
    ]


def _env() -> dict[str, str]:
    return {**os.environ, **GIT_ENV}


def is_repository(root: Path) -> bool:
    done = subprocess.run(
        _git(root, "rev-parse", "--git-dir"), capture_output=True, env=_env(), timeout=30
    )
    return done.returncode == 0


def scan_history(root: Path, report: Report, *, deadline: float | None = None) -> None:
    """Add the findings of every reachable commit to `report` (findings already in the report,
    by fingerprint and path, are not repeated)."""
    started = time.monotonic()
    known = {(f.fingerprint, f.path) for f in report.findings}
    seen: dict[tuple[str, str], Finding] = {}
    commits = 0
    proc = subprocess.Popen(
        _git(
            root,
            "log",
            "-p",
            "--all",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
            "--unified=0",
            "--diff-filter=AM",
            "--format=%x00%H",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    assert proc.stdout is not None
    commit = ""
    path = ""
    added: list[str] = []
    line_map: list[int] = []
    size = 0
    next_line = 0

    def flush() -> None:
        nonlocal added, line_map, size
        if path and added and os.path.splitext(path)[1].lower() not in BINARY_EXTENSIONS:
            found, suppressed = scan_text(
                "\n".join(added), path, Where.HISTORY, commit=commit, line_map=line_map
            )
            report.suppressed += suppressed
            for finding in found:
                key = (finding.fingerprint, finding.path)
                if key not in known:
                    seen[key] = finding  # newest first: the last one seen added it
        added, line_map, size = [], [], 0

    timed_out = False
    try:
        while True:
            raw = proc.stdout.readline(MAX_LINE)
            if not raw:
                break
            if not raw.endswith(b"\n"):  # a line over 1 MB: keep its start, drop the rest
                while True:
                    more = proc.stdout.readline(MAX_LINE)
                    if not more or more.endswith(b"\n"):
                        break
            if raw.startswith(b"\0"):
                flush()
                path = ""
                commit = raw[1:].strip().decode("ascii", "replace")
                commits += 1
                if deadline is not None and time.monotonic() > deadline:
                    timed_out = True
                    break
                continue
            if raw.startswith(b"+++ "):
                flush()
                name = raw[4:].rstrip(b"\n").decode("utf-8", "surrogateescape")
                path = name[2:] if name.startswith("b/") else ""
                continue
            if raw.startswith(b"Binary files ") and raw.rstrip().endswith(b" differ"):
                name = raw[13:].rstrip()[: -len(b" differ")].decode("utf-8", "surrogateescape")
                _, _, binary = name.rpartition(" and b/")
                if binary and os.path.splitext(binary)[1].lower() not in BINARY_EXTENSIONS:
                    report.skip(f"{binary} @ {commit[:12]}", "binary or over 32 MB in history")
                continue
            if raw.startswith(b"@@"):
                hunk = _HUNK.match(raw)
                next_line = int(hunk.group(1)) if hunk else 0
                continue
            if raw.startswith(b"+") and path:
                if size + len(raw) > MAX_FILE_BYTES:
                    if size <= MAX_FILE_BYTES:
                        report.skip(f"{path} @ {commit[:12]}", "added text too large to scan")
                        size = MAX_FILE_BYTES + 1
                    continue
                size += len(raw)
                added.append(raw[1:].rstrip(b"\r\n").decode("latin-1"))
                line_map.append(next_line)
                next_line += 1
        if not timed_out:
            flush()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        stderr = proc.stderr.read(4096).decode("utf-8", "replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        code = proc.wait()
    report.commits_scanned = commits
    report.findings.extend(seen.values())
    report.elapsed += time.monotonic() - started
    if timed_out:
        report.incomplete = f"time budget ran out after {commits} commits of the history"
    elif code != 0 and not (code == 128 and "does not have any commits" in stderr):
        first = stderr.strip().splitlines()[0] if stderr.strip() else f"exit status {code}"
        raise GitError(f"git log failed: {first}")


def scan_staged(root: Path, report: Report) -> None:
    """Scan the staged version of every added or changed file (what the next commit adds)."""
    started = time.monotonic()
    listed = subprocess.run(
        _git(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"),
        capture_output=True,
        env=_env(),
        timeout=60,
    )
    if listed.returncode != 0:
        first = listed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git diff --cached failed: {first[0] if first else listed.returncode}")
    names = [
        n.decode("utf-8", "surrogateescape")
        for n in listed.stdout.split(b"\0")
        if n and b"\n" not in n
    ]
    if not names:
        report.elapsed += time.monotonic() - started
        return
    proc = subprocess.Popen(
        _git(root, "cat-file", "--batch"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for name in names:
            proc.stdin.write(f":{name}\n".encode("utf-8", "surrogateescape"))
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) < 3:
                report.skip(name, "not in the index")
                continue
            size = int(header[2])
            if size > MAX_FILE_BYTES or os.path.splitext(name)[1].lower() in BINARY_EXTENSIONS:
                left = size + 1
                while left > 0:
                    chunk = proc.stdout.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    left -= len(chunk)
                if size > MAX_FILE_BYTES:
                    report.skip(name, f"too large to scan ({size} bytes)")
                else:
                    report.binary_skipped += 1
                continue
            data = proc.stdout.read(size + 1)[:size]
            if b"\0" in data[:8192]:
                report.binary_skipped += 1
                continue
            report.files_scanned += 1
            report.bytes_scanned += size
            found, suppressed = scan_text(data.decode("latin-1"), name, Where.STAGED)
            report.findings.extend(
                f if where_of(name) is not Where.CLIENT else _client(f) for f in found
            )
            report.suppressed += suppressed
    finally:
        proc.stdin.close()
        proc.kill()
        proc.wait()
    report.elapsed += time.monotonic() - started


def _client(finding: Finding) -> Finding:
    from dataclasses import replace

    return replace(finding, where=Where.CLIENT)
