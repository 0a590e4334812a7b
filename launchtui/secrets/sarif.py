"""SARIF 2.1.0 (OASIS) output, as code-scanning pages read it: one run, one rule per rule id,
one result per finding with its location, level and a partial fingerprint; never a secret."""

from __future__ import annotations

from typing import Any

from launchtui.secrets.findings import RISK_LABELS, Report, ranked
from launchtui.secrets.rules import GENERIC, RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def to_sarif(report: Report, version: str) -> dict[str, Any]:
    rules = [*RULES, GENERIC]
    index = {rule.id: number for number, rule in enumerate(rules)}
    results = []
    for finding in ranked(report.findings):
        properties: dict[str, Any] = {
            "risk": finding.risk,
            "riskLabel": RISK_LABELS[finding.risk],
            "mode": str(finding.mode),
            "where": str(finding.where),
        }
        if finding.commit:
            properties["commit"] = finding.commit
        message = f"{finding.title} ({RISK_LABELS[finding.risk]}): {finding.redacted}"
        if finding.commit:
            message += f", added in commit {finding.commit}"
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": index[finding.rule],
                "level": "error" if finding.risk < 4 else "warning",
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": finding.path, "uriBaseId": "SRCROOT"},
                            "region": {"startLine": max(finding.line, 1)},
                        }
                    }
                ],
                "partialFingerprints": {"secretFingerprint/v1": finding.fingerprint},
                "properties": properties,
            }
        )
    invocation: dict[str, Any] = {"executionSuccessful": not report.incomplete}
    notes = [
        {"level": "warning", "message": {"text": f"not scanned: {path}: {why}"}}
        for path, why in report.not_scanned
    ]
    if report.incomplete:
        notes.append({"level": "error", "message": {"text": report.incomplete}})
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "launchtui scan-secrets",
                        "version": version,
                        "rules": [
                            {
                                "id": rule.id,
                                "name": rule.id.title().replace("-", ""),
                                "shortDescription": {"text": rule.title},
                                "defaultConfiguration": {"level": "error"},
                            }
                            for rule in rules
                        ],
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": _root_uri(report.root)}},
                "invocations": [invocation],
                "results": results,
            }
        ],
    }


def _root_uri(root: str) -> str:
    from pathlib import Path

    uri = Path(root).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"
