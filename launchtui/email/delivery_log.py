"""The delivery test log in the sprint file: one [[email_tests]] table per test message.

    [[email_tests]]
    at = "2025-03-01T09:30:00Z"            # when the run started
    relay = "smtp.postmarkapp.com:587 (starttls)"
    template = "welcome"
    inbox = "seed1@example.net"
    token = "lt-3f0c..."
    subject = "Welcome to Acme"
    status = "inbox"                        # inbox, spam, not delivered or error
    latency_ms = 812
    authentication_results = {spf = "pass", dkim = "pass", dmarc = "pass"}
    from_name = "Acme Community"
    from_domain = "acme.community"
    from_domain_matches = true
    verified = {dkim = "pass", spf = "pass", dmarc = "pass", ...}
    sender_rules = {spf = "pass", dkim = "pass", dmarc = "pass", unsubscribe = "n/a", ...}
    sender_seen = {rdns = "192.0.2.25 -> mail.acme.community -> 192.0.2.25", ...}  # see _kept
    sender_fixes = {tls = "Turn on TLS ..."}   # the rules not met only
    providers = {gmail = "meets", yahoo = "meets", outlook = "meets"}
    error = ""

Written like the other sections: a fresh load right before saving (hand edits made meanwhile
are kept), validation, an atomic write. Only the last EMAIL_TESTS_KEPT tables are kept. It
never holds a password: nothing here comes from a credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT

from launchtui.email.delivery import DeliveryRun
from launchtui.email.sender_rules import NA, PASS, Judged, provider_verdicts
from launchtui.errors import SprintFileError
from launchtui.sprint.locate import line_of
from launchtui.sprint.store import SprintDocument, display_path, loaded, save

SECTION = "email_tests"
EMAIL_TESTS_KEPT = 40
_TEXT_KEYS = ("at", "relay", "template", "inbox", "token", "subject", "status", "folder")
_MORE_TEXT = ("mailbox", "authserv_id", "from_name", "from_domain", "error")
TEXT_TABLES = (
    "authentication_results",
    "verified",
    "sender_rules",
    "sender_seen",
    "sender_fixes",
    "providers",
)


def record_email_tests(sprint: SprintDocument | str | Path, run: DeliveryRun) -> SprintDocument:
    """Append one table per message of `run` to the sprint file (a loaded document, or the file
    at a path loaded fresh) and save it."""
    document = loaded(sprint)
    tests = document.doc.get(SECTION)
    if tests is None:
        document.doc[SECTION] = tomlkit.aot()
        tests = document.doc[SECTION]
    elif not isinstance(tests, AoT):
        where = f"{display_path(document.path)}:{line_of(document.doc.as_string(), (SECTION,))}"
        raise SprintFileError(
            f"{where}: {SECTION}: expected [[{SECTION}]] tables, as launchtui writes"
        )
    for outcome in run.outcomes:
        table = tomlkit.table()
        table["at"] = run.started_at
        table["relay"] = run.relay
        for key in ("template", "inbox", "token", "subject", "status"):
            table[key] = getattr(outcome, key)
        if outcome.folder:
            table["folder"] = outcome.folder
            table["mailbox"] = outcome.mailbox
        if outcome.latency_ms is not None:
            table["latency_ms"] = outcome.latency_ms
        if outcome.delivered:
            table["authentication_results"] = _inline(outcome.authentication_results)
            table["authserv_id"] = outcome.authserv_id
            table["from_name"] = outcome.from_name
            table["from_domain"] = outcome.from_domain
            table["from_domain_matches"] = outcome.from_domain_matches
            table["verified"] = _inline(outcome.verified)
            if outcome.sender_rules:
                judged = outcome.sender_rules
                table["sender_rules"] = _inline({r: j.status for r, j in judged.items()})
                table["sender_seen"] = _inline(
                    {r: j.seen for r, j in judged.items() if _kept(r, j)}
                )
                table["sender_fixes"] = _inline({r: j.fix for r, j in judged.items() if j.fix})
                table["providers"] = _inline(provider_verdicts(outcome.statuses))
        if outcome.error:
            table["error"] = outcome.error
        tests.append(table)
    while len(tests) > EMAIL_TESTS_KEPT:
        del tests[0]
    save(document)
    return document


def saved_email_tests(document: SprintDocument) -> list[dict[str, Any]]:
    """The logged test messages, oldest first, as plain data with every known key present
    (an entry edited by hand into another shape is read as far as it goes)."""
    section = document.doc.get(SECTION)
    if not isinstance(section, AoT):
        return []
    entries = []
    for table in section.unwrap():
        if not isinstance(table, Mapping):
            continue
        entry: dict[str, Any] = {key: _text(table.get(key)) for key in (*_TEXT_KEYS, *_MORE_TEXT)}
        latency = table.get("latency_ms")
        entry["latency_ms"] = latency if isinstance(latency, int) else None
        entry["from_domain_matches"] = table.get("from_domain_matches") is True
        for key in TEXT_TABLES:
            value = table.get(key)
            entry[key] = (
                {str(k): _text(v) for k, v in value.items()} if isinstance(value, Mapping) else {}
            )
        entries.append(entry)
    return entries


def _kept(rule: str, judged: Judged) -> bool:
    """Whether what was seen for a rule goes into the log: for every rule not met, and for
    the two a reader looks for on every message (kept short: the log is a hand-edited file)."""
    if judged.status == NA:
        return False
    return judged.status != PASS or rule in ("unsubscribe", "rdns")


def _inline(values: Mapping[str, str]) -> Any:
    table = tomlkit.inline_table()
    table.update(dict(values))
    return table


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
