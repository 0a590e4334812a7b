"""A finding, its redacted form and fingerprint, its launch risk, and a scan's report.

The secret value itself is never kept: a finding holds the first characters of a secret of 16
or more (a quarter of it at most, never more than 4), its length and a fingerprint (the first 16 hex
digits of its SHA-256), which is what a baseline file lists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from launchtui.secrets.rules import Mode


class Where(StrEnum):
    CLIENT = "client"  # build output or a public folder: served to every browser
    SERVER = "server"  # the working tree's code and configuration
    HISTORY = "history"  # only in a commit: removed since, still in every clone
    STAGED = "staged"  # staged for the next commit


# Launch risk, 1 first: a live key in a client bundle or public folder, a live key in server
# code (or staged), a live key only in history, then test keys anywhere.
RISK_LABELS = {
    1: "live key served to browsers",
    2: "live key in the code",
    3: "live key in git history",
    4: "test key",
}


def fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def redact(secret: str) -> str:
    shown = min(4, len(secret) // 4) if len(secret) >= 16 else 0
    return f"{secret[:shown]}{'*' * 4}({len(secret)} chars)"


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    title: str
    path: str  # relative to the scanned folder, with /
    line: int
    mode: Mode
    where: Where
    redacted: str
    fingerprint: str
    commit: str = ""  # the commit that added it (history findings)

    @property
    def risk(self) -> int:
        if self.mode is Mode.TEST:
            return 4
        if self.where is Where.CLIENT:
            return 1
        if self.where is Where.HISTORY:
            return 3
        return 2

    @property
    def location(self) -> str:
        at = f"{self.path}:{self.line}"
        return f"{at} @ {self.commit[:12]}" if self.commit else at

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "path": self.path,
            "line": self.line,
            "commit": self.commit,
            "mode": str(self.mode),
            "where": str(self.where),
            "risk": self.risk,
            "risk_label": RISK_LABELS[self.risk],
            "redacted": self.redacted,
            "fingerprint": self.fingerprint,
        }


def ranked(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.risk, f.path, f.line, f.rule, f.commit))


@dataclass(slots=True)
class Report:
    """What a scan found and what it could not look at."""

    root: str
    findings: list[Finding] = field(default_factory=list)
    files_scanned: int = 0
    bytes_scanned: int = 0
    binary_skipped: int = 0
    not_scanned: list[tuple[str, str]] = field(default_factory=list)  # (path, why), capped
    not_scanned_count: int = 0
    suppressed: int = 0  # inline allow marks and baseline fingerprints
    commits_scanned: int | None = None  # None: history not asked for
    incomplete: str = ""  # not empty: the scan could not finish (time budget, git failure)
    elapsed: float = 0.0

    def skip(self, path: str, why: str) -> None:
        self.not_scanned_count += 1
        if len(self.not_scanned) < 50:
            self.not_scanned.append((path, why))

    @property
    def live(self) -> list[Finding]:
        return [f for f in self.findings if f.mode is Mode.LIVE]

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "findings": [f.to_dict() for f in ranked(self.findings)],
            "files_scanned": self.files_scanned,
            "bytes_scanned": self.bytes_scanned,
            "binary_skipped": self.binary_skipped,
            "not_scanned": [{"path": p, "why": w} for p, w in self.not_scanned],
            "not_scanned_count": self.not_scanned_count,
            "suppressed": self.suppressed,
            "commits_scanned": self.commits_scanned,
            "incomplete": self.incomplete,
            "elapsed_s": round(self.elapsed, 3),
        }
