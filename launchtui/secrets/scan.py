"""Scan text, and a folder's working tree and build output, for secrets.

Bounded by design: files over `MAX_FILE_BYTES` are not read (listed as not scanned, so a check
never passes on them), binary files (a NUL in the first 8 KB, or a binary extension) are
skipped, symlinks are never followed (a symlink loop costs nothing), only regular files are
opened (a FIFO would block), dependency folders are left out, and a deadline stops the walk
with the report marked incomplete.
"""

from __future__ import annotations

import os
import re
import stat
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from pathlib import Path

from launchtui.secrets.findings import Finding, Report, Where, fingerprint, redact
from launchtui.secrets.rules import (
    ALLOW_MARK,
    GENERIC,
    LOCKFILES,
    RULES,
    Rule,
    entropy,
    generic_filtered,
    is_placeholder,
)

MAX_FILE_BYTES = 32 * 1024 * 1024  # a large source map fits; a 1 GB file is not read
MAX_FINDINGS_PER_FILE = 200
MAX_FILES = 500_000
SKIP_DIRS = frozenset(
    {
        ".git",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hg",
        ".svn",
    }
)
BINARY_EXTENSIONS = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".ico",
        ".bmp",
        ".tif",
        ".tiff",
        ".avif",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".pdf",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".zst",
        ".7z",
        ".rar",
        ".jar",
        ".war",
        ".class",
        ".so",
        ".dylib",
        ".dll",
        ".exe",
        ".bin",
        ".o",
        ".a",
        ".pyc",
        ".mp3",
        ".mp4",
        ".m4a",
        ".mov",
        ".avi",
        ".webm",
        ".wav",
        ".ogg",
        ".flac",
        ".sqlite",
        ".sqlite3",
        ".db",
        ".wasm",
    }
)
CLIENT_DIRS = frozenset({"dist", "build", "public", "out", "static", "www", ".output"})


def where_of(path: str) -> Where:
    """A served bundle or public file, or server-side code, by its relative path."""
    parts = path.split("/")
    if path.endswith(".map"):
        return Where.CLIENT
    if parts[0] == ".next":
        return Where.SERVER if len(parts) > 1 and parts[1] == "server" else Where.CLIENT
    if any(part in CLIENT_DIRS for part in parts[:-1]):
        return Where.CLIENT
    return Where.SERVER


class _Lines:
    """Line numbers of offsets in a text, the newlines found once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def number(self, offset: int) -> int:
        if self._starts is None:
            starts = [0]
            find = self.text.find
            at = find("\n")
            while at >= 0:
                starts.append(at + 1)
                at = find("\n", at + 1)
            self._starts = starts
        return bisect_right(self._starts, offset)

    def allowed(self, start: int, end: int) -> bool:
        """The match's line, or the line above it, carries the allow mark."""
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        above = text.rfind("\n", 0, max(line_start - 1, 0)) + 1 if line_start else 0
        line_end = text.find("\n", end)
        region = text[above : line_end if line_end >= 0 else len(text)]
        return ALLOW_MARK in region


def scan_text(
    text: str,
    path: str,
    where: Where,
    *,
    commit: str = "",
    line_map: list[int] | None = None,
) -> tuple[list[Finding], int]:
    """Findings in one text, and how many were suppressed by an allow mark. `line_map` gives
    the real line number of each line of `text` (history hunks)."""
    low = text.lower()
    name = path.rsplit("/", 1)[-1].lower()
    lockfile = name in LOCKFILES
    rules: Iterable[Rule] = RULES if lockfile else (*RULES, GENERIC)
    lines = _Lines(text)
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []  # spans of secrets already found
    suppressed = 0
    for rule in rules:
        if lockfile and rule.keyword:
            continue
        for match in _matches(rule, text, text if rule.exact else low):
            secret = match.group("secret")
            start, end = match.span("secret")
            if any(s < end and start < e for s, e in taken):
                continue
            if is_placeholder(secret) or entropy(secret) < rule.min_entropy:
                continue
            if rule is GENERIC and generic_filtered(_name_at(text, match.start(), start), secret):
                continue
            if text[max(0, start - 8) : start].endswith("base64,"):
                continue
            taken.append((start, end))
            if lines.allowed(match.start(), end):
                suppressed += 1
                continue
            number = lines.number(match.start())
            if line_map is not None:
                number = line_map[min(number, len(line_map)) - 1]
            findings.append(
                Finding(
                    rule.id,
                    rule.title,
                    path,
                    number,
                    rule.mode(secret, match.group(0)),
                    where,
                    redact(secret),
                    fingerprint(secret),
                    commit,
                )
            )
            if len(findings) >= MAX_FINDINGS_PER_FILE:
                return findings, suppressed
    return findings, suppressed


def _matches(rule: Rule, text: str, haystack: str) -> Iterator[re.Match[str]]:
    """The rule's matches, tried only where one of its anchors starts."""
    starts: set[int] = set()
    for anchor in rule.anchors:
        at = haystack.find(anchor)
        while at >= 0:
            starts.add(at)
            at = haystack.find(anchor, at + 1)
    if not starts:
        return
    if len(haystack) != len(text):  # lower() changed a length: offsets do not line up
        yield from rule.pattern.finditer(text)
        return
    match = rule.pattern.match
    for at in sorted(starts):
        found = match(text, at)
        if found is not None:
            yield found


def _name_at(text: str, keyword: int, secret: int) -> str:
    """The assigned name around a generic match: back from the keyword over name characters
    (at most 30), up to the value."""
    begin = keyword
    while (
        begin > 0
        and keyword - begin < 30
        and (text[begin - 1].isalnum() or text[begin - 1] in "_.-")
    ):
        begin -= 1
    return text[begin:secret]


def read_text(path: Path, size: int) -> str | None:
    """The file's text (bytes as Latin-1: every token format is ASCII), or None if binary."""
    with open(path, "rb") as handle:
        data = handle.read(size + 1)
    if b"\0" in data[:8192]:
        return None
    return data.decode("latin-1")


def scan_tree(root: Path, *, deadline: float | None = None, report: Report | None = None) -> Report:
    """Scan the working tree and build output under `root` (a folder that must be readable:
    OSError otherwise)."""
    started = time.monotonic()
    report = report or Report(str(root))
    os.listdir(root)  # unreadable or missing: the caller's error, not an empty pass
    stack = [("", str(root))]
    while stack:
        rel_dir, abs_dir = stack.pop()
        try:
            entries = sorted(os.scandir(abs_dir), key=lambda e: e.name)
        except OSError as exc:
            report.skip(rel_dir or ".", f"unreadable folder: {exc.strerror or exc}")
            continue
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                report.skip(rel, f"unreadable: {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(info.st_mode):
                if entry.name in SKIP_DIRS or rel == ".next/cache":
                    continue
                stack.append((rel, entry.path))
                continue
            if not stat.S_ISREG(info.st_mode):
                continue  # symlinks (never followed), FIFOs, sockets, devices
            if deadline is not None and time.monotonic() > deadline:
                report.incomplete = (
                    f"time budget ran out after {report.files_scanned} files of the working tree"
                )
                report.elapsed += time.monotonic() - started
                return report
            if report.files_scanned >= MAX_FILES:
                report.incomplete = f"stopped after {MAX_FILES} files"
                report.elapsed += time.monotonic() - started
                return report
            scan_file(Path(entry.path), rel, info.st_size, report)
    report.elapsed += time.monotonic() - started
    return report


def scan_file(path: Path, rel: str, size: int, report: Report) -> None:
    if os.path.splitext(rel)[1].lower() in BINARY_EXTENSIONS:
        report.binary_skipped += 1
        return
    if size > MAX_FILE_BYTES:
        report.skip(rel, f"too large to scan ({size} bytes, limit {MAX_FILE_BYTES})")
        return
    try:
        text = read_text(path, size)
    except OSError as exc:
        report.skip(rel, f"unreadable: {exc.strerror or exc}")
        return
    if text is None:
        report.binary_skipped += 1
        return
    if len(text) > MAX_FILE_BYTES:  # it grew while we looked
        report.skip(rel, f"too large to scan (over {MAX_FILE_BYTES} bytes)")
        return
    report.files_scanned += 1
    report.bytes_scanned += len(text)
    found, suppressed = scan_text(text, rel, where_of(rel))
    report.findings.extend(found)
    report.suppressed += suppressed
