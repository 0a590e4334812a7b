"""The baseline: fingerprints of accepted findings, one per line (`#` starts a comment).

A finding whose fingerprint is listed is counted as suppressed and not reported. The file
holds fingerprints only (16 hex digits of a SHA-256), never a secret.
"""

from __future__ import annotations

import re
from pathlib import Path

from launchtui.secrets.findings import Finding, Report

DEFAULT_NAME = ".launchtui-secrets-baseline"
_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")


class BaselineError(Exception):
    """The baseline file cannot be read or holds something that is not a fingerprint."""


def load(path: Path) -> frozenset[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc}") from None
    prints = set()
    for number, line in enumerate(text.splitlines(), 1):
        value = line.split("#", 1)[0].strip().lower()
        if not value:
            continue
        if not _FINGERPRINT.match(value):
            raise BaselineError(
                f"{path}:{number}: not a fingerprint (16 hex digits, as scan-secrets prints)"
            )
        prints.add(value)
    return frozenset(prints)


def apply(report: Report, accepted: frozenset[str]) -> None:
    kept = [f for f in report.findings if f.fingerprint not in accepted]
    report.suppressed += len(report.findings) - len(kept)
    report.findings = kept


def render(findings: list[Finding]) -> str:
    lines = ["# launchtui scan-secrets baseline: accepted findings, by fingerprint"]
    for finding in sorted({f.fingerprint: f for f in findings}.values(), key=lambda f: f.path):
        lines.append(f"{finding.fingerprint}  # {finding.rule} {finding.location}")
    return "\n".join(lines) + "\n"
