"""The incident response note: drafted from the demo sprint and from a bare one, every part
present or a placeholder to fill, no secret value, text from the sprint file shown literally
(read back with a real Markdown parser), and carried by the handover export."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lab_fixtures import HOSTILE_TEXT
from mail_fixtures import lab_credentials, mail_lab, mail_sprint  # noqa: F401 (fixtures)
from markdown_it import MarkdownIt

from launchtui.credentials import CredentialStore
from launchtui.model.monitoring import CERT_WARN_DAYS
from launchtui.reports.handover import DRAFT_MARK, render_json
from launchtui.reports.handover_markdown import render_markdown
from launchtui.reports.incident import INCIDENT_TASK, TO_FILL, draft_note
from launchtui.sprint import store
from launchtui.sprint.tasks_store import record_task, saved_tasks

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
AT = "2026-12-06T08:00:00Z"
# Values that must never reach the note: set as the credentials' environment values.
SECRETS = {
    "LAUNCHTUI_CRED_SLACK_WEBHOOK": "https://hooks.slack.test/services/T0/B0/s3cr3t-hook",
    "LAUNCHTUI_CRED_SENTRY_DSN": "https://d5n-s3cr3t-key@ingest.errors.test/42",
}
HOSTILE_NOTE = f"# heading\n[link](https://evil.test) ```fence``` `tick`\n{HOSTILE_TEXT}\r\nend"
# Read back as CommonMark 0.31.2 reads it (https://spec.commonmark.org/0.31.2/#fenced-code-blocks:
# a fence closes only on a run of the same character at least as long), with GFM's tables.
PARSER = MarkdownIt("commonmark").enable("table")
BARE = '# the bare minimum\n[sprint]\nname = "Bare"\n\n[site]\napex = "bare.example"\n'


def draft_of(path: Path) -> str:
    document = store.load(path)
    return draft_note(document.sprint, saved_tasks(document))


def record(path: Path, key: tuple[str, str], **fields: str) -> None:
    record_task(path, *key, updated_at=AT, **fields)


def tokens(markdown: str) -> list[str]:
    return [token.type for token in PARSER.parse(markdown)]


def inline_children(markdown: str) -> list[str]:
    return [
        child.type
        for token in PARSER.parse(markdown)
        if token.type == "inline"
        for child in token.children or []
    ]


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return SECRETS


def secret_values() -> list[str]:
    """Every credential value this process can see (the lab's and the test's)."""
    return [v for k, v in os.environ.items() if k.startswith("LAUNCHTUI_CRED_") and len(v) > 3]


def test_the_demo_sprint_drafts_every_part(mail_sprint, secrets):  # noqa: F811
    record(mail_sprint, ("monitoring", "alert-routes-proven"), owner="Ana")
    record(
        mail_sprint,
        ("deploy", "rollback-tested"),
        note="git revert HEAD && ./deploy.sh\nTook 3 minutes on staging.",
        evidence="https://ci.harborclub.test/runs/7",
    )
    document = store.load(mail_sprint)
    sprint = document.sprint
    text = draft_of(mail_sprint)

    assert text.startswith(f"# Incident response: {sprint.name}\n")
    assert "- On call: Ana (owner of the task 'Alert routes proven')" in text
    for monitor in sprint.monitors.http:  # homepage, login, health, checkout, in that order
        assert f"   - {monitor.name}: {monitor.url}" in text
    assert [m.name for m in sprint.monitors.http] == ["homepage", "login", "health", "checkout"]
    assert f"certificates ({CERT_WARN_DAYS} days left warns" in text
    for host in sprint.monitors.certificates:
        assert host in text
    health = next(m for m in sprint.monitors.http if m.name == "health")
    assert f"2. The health endpoint: {health.url}" in text
    assert "Degraded (degraded, warn, warning, yellow)" in text
    assert "Down (critical, down, error, fail" in text
    assert "credential `sentry_dsn`" in text
    assert f"- Email: {sprint.monitoring.alert_email}" in text
    assert "credential `slack_webhook`" in text
    assert "Rollback tested (not done):" in text
    assert "```text\ngit revert HEAD && ./deploy.sh\nTook 3 minutes on staging.\n```" in text
    assert "Evidence: https://ci.harborclub.test/runs/7" in text
    assert "The rollback is not marked tested" in text
    assert "## Tell members" in text and "## First 15 minutes" in text
    # On call's reach and backup, the channel and where members read: the engineer fills them.
    assert text.count(TO_FILL) == 4
    for value in secret_values():
        assert value not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no time in it: the same sprint, same note
    assert draft_of(mail_sprint) == text


def test_a_bare_sprint_drafts_placeholders_for_what_it_does_not_say(tmp_path):
    path = tmp_path / "bare.toml"
    path.write_text(BARE)
    text = draft_of(path)
    assert f"- On call: {TO_FILL} who is on call" in text
    assert "   - homepage: https://bare.example/" in text
    for flow in ("login", "health", "checkout"):
        assert f"   - {flow}: not declared ([flows].{flow}): {TO_FILL} its URL" in text
    assert f"2. The health endpoint: not declared ([flows].health): {TO_FILL} its URL" in text
    assert f"none declared ([monitoring].error_dsn): {TO_FILL}" in text
    assert f"- Email: not set ([monitoring].alert_email): {TO_FILL}" in text
    assert f"- Slack: not set ([monitoring].slack_webhook): {TO_FILL}" in text
    assert f"{TO_FILL} how a release is deployed and how the previous one is restored" in text
    assert "certificates" in text  # the apex still has one
    # Every part is still there, in order.
    parts = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert parts == [
        "On call",
        "Look first, in this order",
        "Where alerts go",
        "Deploy and rollback",
        "Tell members",
        "First 15 minutes",
    ]


def test_the_engineer_of_the_sprint_is_on_call_when_no_task_has_an_owner(tmp_path):
    path = tmp_path / "bare.toml"
    path.write_text(BARE.replace('name = "Bare"', 'name = "Bare"\nengineer = "Sam"'))
    assert "- On call: Sam (the sprint's engineer)" in draft_of(path)
    record(path, INCIDENT_TASK, owner="Kim")  # the note's own owner comes first
    assert "- On call: Kim (owner of the task 'Incident response note')" in draft_of(path)


def test_text_from_the_sprint_file_is_shown_literally(tmp_path):
    path = tmp_path / "hostile.toml"
    path.write_text(BARE)
    record(path, ("monitoring", "alert-routes-proven"), owner="[x](https://evil.test) # *b*")
    record(path, ("audit", "review-deploy-target-and-rollback"), note=HOSTILE_NOTE)
    record(path, ("deploy", "rollback-tested"), evidence="<b>`x`</b> | [y](z)")
    text = draft_of(path)

    # No link, emphasis or HTML anywhere: the owner and the evidence are escaped text.
    kinds = inline_children(text)
    assert not {"link_open", "html_inline", "em_open"} & set(kinds)
    assert "html_block" not in tokens(text)
    assert r"On call: \[x\](https://evil.test) \# \*b\* (owner" in text
    assert r"Evidence: \<b\>\`x\`\</b\> \| \[y\](z)" in text
    # The note is one code block, shown as written (control characters as visible escapes).
    blocks = [t for t in PARSER.parse(text) if t.type == "fence"]
    assert len(blocks) == 1
    assert blocks[0].content == (
        "# heading\n[link](https://evil.test) ```fence``` `tick`\n"
        '[bold red]pwned[/] \\x1b[31mred\\x1b[0m "quoted" \\back\\slash ünïcode\\x0d\nend\n'
    )
    assert "\x1b" not in text and "\r" not in text
    # The headings are the draft's own, none from the note.
    headings = [t for t in PARSER.parse(text) if t.type == "heading_open"]
    assert len(headings) == 7


def export(path: Path, secrets: dict[str, str]) -> tuple[str, dict[str, object]]:
    document = store.load(path)
    credentials = CredentialStore(document.sprint.id, secrets)
    markdown = render_markdown(document, now=NOW, credentials=credentials)
    data = json.loads(render_json(document, now=NOW, credentials=credentials))
    return markdown, data


def test_the_export_carries_the_draft_marked_as_not_reviewed(mail_sprint, secrets):  # noqa: F811
    markdown, data = export(mail_sprint, secrets)
    section = markdown.split("## Incident response\n", 1)[1].split("\n## ", 1)[0]
    assert "**Draft, not yet reviewed by the engineer**" in section
    assert "### Incident response: " in section and "#### First 15 minutes" in section
    incident = data["incident_response"]
    assert isinstance(incident, dict)
    assert incident["reviewed"] is False and incident["status"] == DRAFT_MARK
    assert incident["note"] == draft_of(mail_sprint)
    for value in secret_values():
        assert value not in markdown and value not in json.dumps(data)


def test_the_export_carries_the_engineers_note_literally(tmp_path):
    path = tmp_path / "noted.toml"
    path.write_text(BARE)
    record(path, INCIDENT_TASK, note=HOSTILE_NOTE, owner="Kim")
    markdown, data = export(path, {})
    section = markdown.split("## Incident response\n", 1)[1].split("\n## ", 1)[0]
    assert "The engineer's note (task 'Incident response note', owner Kim, updated" in section
    assert DRAFT_MARK not in section.lower() and "TO FILL" not in section
    blocks = [t for t in PARSER.parse(section) if t.type == "fence"]
    assert len(blocks) == 1 and blocks[0].content.startswith("# heading\n[link](")
    assert "| Monitoring | Incident response note | no | Kim | see Incident response |" in markdown
    incident = data["incident_response"]
    assert isinstance(incident, dict)
    assert incident["reviewed"] is True and incident["note"] == HOSTILE_NOTE
    assert incident["owner"] == "Kim" and incident["updated_at"] == AT


def test_launchtui_export_writes_the_section(tmp_path):
    """Through the command, in a fresh interpreter: Markdown and JSON both carry it."""
    path = tmp_path / "cli.toml"
    path.write_text(BARE)
    for fmt in ("markdown", "json"):
        out = subprocess.run(
            [sys.executable, "-m", "launchtui", "export", str(path), "--format", fmt],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ
            | {"LAUNCHTUI_CRED_SLACK_WEBHOOK": SECRETS["LAUNCHTUI_CRED_SLACK_WEBHOOK"]},
        ).stdout
        assert "draft, not yet reviewed by the engineer" in out.lower()
    assert path.read_text() == BARE  # the export writes nothing into the sprint
