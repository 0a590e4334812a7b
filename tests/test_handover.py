"""The handover export, from a real sprint file with recorded results and task state."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomlkit
from keyring.backends.null import Keyring as NullKeyring

from launchtui.credentials import CredentialStore
from launchtui.model.results import Result, Severity, Status
from launchtui.model.tasks import tasks_for
from launchtui.reports.handover import age, build, render_json, to_data
from launchtui.reports.handover_markdown import cell, fenced, inline, render_markdown
from launchtui.reports.text import evidence_lines
from launchtui.sprint import recorded, store
from launchtui.sprint.tasks_store import record_task

FIXTURES = Path(__file__).parent / "sprint_fixtures"
RUN_AT = "2026-11-27T19:30:00Z"
NOW = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
ENV = {
    "LAUNCHTUI_CRED_CLOUDFLARE_API_TOKEN": "supersecret-value",
    "LAUNCHTUI_CRED_SMTP_PASSWORD": "smtp-secret-value",
}
# Renders in a fresh interpreter: the same output there, under another hash seed, is what
# "deterministic" means (two renders in one process share every set and dict order).
RENDER = """
import json, sys
from datetime import datetime
from launchtui.credentials import CredentialStore
from launchtui.reports.handover import render_json
from launchtui.reports.handover_markdown import render_markdown
from launchtui.sprint import store

document = store.load(sys.argv[1])
now = datetime.fromisoformat(sys.argv[2])
credentials = CredentialStore(document.sprint.id, json.loads(sys.argv[3]))
print(json.dumps([
    render_markdown(document, now=now, credentials=credentials),
    render_json(document, now=now, credentials=credentials),
]))
"""
HOSTILE = (
    "[bold red]x[/] | pipe `tick` ```` fence *star* _u_ <b>b</b> &amp; $x$ \\| \x1b[31m\r\n2nd"
)


def result(
    check_id: str,
    target: str,
    status: Status,
    severity: Severity = Severity.HIGH,
    *,
    stage: str = "edge",
    summary: str = "",
    evidence: dict[str, object] | None = None,
) -> Result:
    return Result(
        id=check_id,
        stage=stage,
        target=target,
        status=status,
        severity=severity,
        summary=summary or f"{check_id} {status}",
        evidence=evidence or {},
        fix="" if status is Status.PASS else f"Fix {check_id}",
        duration_ms=12,
    )


RESULTS = [
    result(
        "dns.resolve",
        "www.acme.community",
        Status.PASS,
        Severity.BLOCKER,
        evidence={"a": ["192.0.2.10"], "cname_chain": ["acme.community"]},
    ),
    result(
        "tls.certificate",
        "app.acme.community",
        Status.FAIL,
        Severity.BLOCKER,
        summary="Certificate expired 3 days ago",
    ),
    result("http.hsts", "https://app.acme.community/", Status.WARN, Severity.MEDIUM),
    result(
        "http.https-redirect",
        "www.acme.community",
        Status.PASS,
        evidence={
            "hops": ["301 http://www.acme.community/"],
            "final_url": "https://app.acme.community/",
        },
    ),
    result(
        "perf.p95",
        "https://app.acme.community/login",
        Status.WARN,
        stage="performance",
        evidence={"p95_ms": 640, "error_rate": 0.01, "requests": 200},
    ),
]


@pytest.fixture
def sprint(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "lab-ca.pem", tmp_path / "lab-ca.pem")
    path = Path(shutil.copy(FIXTURES / "acme.toml", tmp_path / "acme.toml"))
    recorded.record_run(path, RESULTS, RUN_AT)
    record_task(
        path,
        "handover",
        "billing-owners",
        done=True,
        owner="Ana (finance)",
        note="Stripe, Postmark and hosting on the company card.\nDomain: registrar account of Ana.",
        evidence="https://wiki.acme.dev/billing",
        updated_at="2026-11-27T21:00:00Z",
    )
    record_task(path, "deploy", "rollback-tested", owner="Sam", updated_at="2026-11-27T21:05:00Z")
    return path


def env_store(path: Path) -> CredentialStore:
    return CredentialStore(store.load(path).sprint.id, ENV)


def markdown(path: Path, credentials: CredentialStore | None = None) -> str:
    return render_markdown(store.load(path), now=NOW, credentials=credentials or env_store(path))


def cells(line: str) -> list[str]:
    """A GitHub table row split on its unescaped pipes."""
    parts, current, chars = [], "", iter(line.strip())
    for char in chars:
        if char == "\\":
            current += char + next(chars, "")
        elif char == "|":
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current][1:-1]


def tables(text: str) -> list[list[str]]:
    """Each Markdown table of `text` as its lines."""
    found: list[list[str]] = []
    previous = ""
    for line in text.split("\n"):
        if line.startswith("|"):
            if not previous.startswith("|"):
                found.append([])
            found[-1].append(line)
        previous = line
    return found


def test_markdown_holds_the_whole_handover(sprint):
    text = markdown(sprint)
    assert text.startswith("# Handover: Acme Community launch\n")
    for line in ("- Client: Acme Co", "- Engineer: Sam", "- Date: 2026-11-27 (generated"):
        assert line in text
    for task in tasks_for("handover"):
        assert f"| {task.title} |" in text
        assert f"### {tasks_for('handover').index(task) + 1}. {task.title}" in text
    assert "| 7 | Billing owners | yes | Ana (finance) | https://wiki.acme.dev/billing |" in text
    assert "Stripe, Postmark and hosting on the company card.\nDomain:" in text  # fenced note
    assert "| Deployment hardening | Rollback tested | no | Sam |" in text
    # risks and fix order: the expired certificate first, as a blocker
    assert "| 1 | blocker | fail | blocker | tls.certificate | app.acme.community |" in text
    assert "- Blockers: fix before launch: #1" in text
    assert "- #1 FAIL tls.certificate on app.acme.community: Certificate expired" in text
    # routing: www's records, CNAME and final URL
    assert re.search(
        r"\| www\.acme\.community \| pass \| A 192\.0\.2\.10 \| .*acme\.community", text
    )
    assert "https://app.acme.community/ |" in text
    # deployment checklist: each env var's kind, where it is set and its status; where
    # credentials live; the secret handling plan; never a value
    for name, kind in (
        ("DATABASE_URL", "database_url"),
        ("STRIPE_SECRET_KEY", "payment_key"),
        ("POSTMARK_TOKEN", "token"),
    ):
        assert (
            f"| `{name}` | {kind} (from its name) | not declared (\\[deploy\\].env\\_source) "
            "| not checked |" in text
        )
    assert "### Secret handling plan" in text
    assert "| STRIPE\\_SECRET\\_KEY | STRIPE\\_SECRET\\_KEY, source not declared |" in text
    assert "environment variable LAUNCHTUI\\_CRED\\_CLOUDFLARE\\_API\\_TOKEN" in text
    assert "supersecret-value" not in text and "smtp-secret-value" not in text
    # saved evidence: performance figures; email has none yet
    assert "p95\\_ms: 640" in text
    assert "None yet: no saved results of the email stage." in text
    # when each check last ran
    assert (
        "| tls.certificate | edge | app.acme.community | fail | 2026-11-27T19:30:00Z | 2 h |"
        in text
    )


def test_every_table_row_has_as_many_cells_as_its_header(sprint):
    for table in tables(markdown(sprint)):
        widths = {len(cells(line)) for line in table}
        assert len(widths) == 1, table


def test_output_is_deterministic_for_a_fixed_now(sprint):
    assert markdown(sprint) == markdown(sprint)
    document = store.load(sprint)
    first = render_json(document, now=NOW, credentials=env_store(sprint))
    assert first == render_json(document, now=NOW, credentials=env_store(sprint))
    for seed in ("1", "2"):
        rendered = subprocess.run(
            [sys.executable, "-c", RENDER, str(sprint), NOW.isoformat(), json.dumps(ENV)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(rendered.stdout) == [markdown(sprint), first], f"PYTHONHASHSEED={seed}"


def test_hostile_text_is_literal_and_keeps_tables_whole(sprint):
    recorded.record_run(
        sprint,
        [result("http.hsts", "https://app.acme.community/", Status.FAIL, summary=HOSTILE)],
        RUN_AT,
    )
    for stage, task_id in (("handover", "key-rotation"), ("monitoring", "alert-routes-proven")):
        record_task(
            sprint, stage, task_id, owner=HOSTILE, note=HOSTILE, evidence=HOSTILE, updated_at=RUN_AT
        )
    text = markdown(sprint)
    for table in tables(text):
        assert len({len(cells(line)) for line in table}) == 1, table
    assert "\x1b" not in text and "\r" not in text
    outside_fences = re.sub(r"(?ms)^(`{3,})text$.*?^\1$", "", text)
    assert "<b>" not in outside_fences and "[bold red]" not in outside_fences
    # the risk summary; the owner, evidence and note cells; and the key-rotation task's owner
    # as the owner of each secret of the secret handling plan; the alert routes task's owner as
    # who is on call in the incident response draft
    secrets = len(build(store.load(sprint), now=NOW, credentials=env_store(sprint)).secret_plan)
    assert secrets == 5  # three secret-kind variables, two credentials
    assert outside_fences.count("\\[bold red\\]") == 6 + secrets + 1
    escaped = "\\[bold red\\]x\\[/\\] \\| pipe \\`tick\\` \\`\\`\\`\\` fence \\*star\\*"
    assert escaped in text
    assert "\\<b\\>b\\</b\\> \\&amp; \\$x\\$ \\\\\\| \\\\x1b\\[31m\\\\x0d<br>2nd" in text
    # the note's fence is longer than the four backticks inside it
    assert "`````text\n[bold red]x[/] | pipe `tick` ```` fence" in text
    assert "\\x1b[31m\\x0d\n2nd\n`````" in text


def test_cell_and_fence_helpers():
    assert cell("") == " "
    assert cell("a|b\nc") == "a\\|b<br>c"
    assert inline("Acme #1 launch #") == "Acme \\#1 launch \\#"  # a heading keeps its #
    assert fenced("no ticks") == ["```text", "no ticks", "```"]
    assert fenced("`````")[0] == "``````text"


def test_json_parses_and_agrees(sprint):
    data = json.loads(render_json(store.load(sprint), now=NOW, credentials=env_store(sprint)))
    assert data["sprint"]["client"] == "Acme Co" and data["generated_at"] == "2026-11-27T22:00:00Z"
    assert [item["id"] for item in data["handover"]] == [t.id for t in tasks_for("handover")]
    billing = data["handover"][-1]
    assert billing["done"] is True and billing["owner"] == "Ana (finance)"
    assert data["risks"][0]["id"] == "tls.certificate" and data["blockers"] == [1]
    assert data["fix_order"]["blocker"] == [1]
    assert data["deployment"]["env_required"] == [
        "DATABASE_URL",
        "STRIPE_SECRET_KEY",
        "POSTMARK_TOKEN",
    ]
    assert data["deployment"]["credentials"][0] == {
        "name": "cloudflare_api_token",
        "purpose": "Cloudflare API token (Zone read)",
        "source": "environment",
        "where": "environment variable LAUNCHTUI_CRED_CLOUDFLARE_API_TOKEN",
    }
    assert data["evidence"]["performance"][0]["evidence"]["p95_ms"] == 640
    assert data["evidence"]["email"] == []
    assert {c["age"] for c in data["checks"]} == {"2 h"}
    assert "secret-value" not in json.dumps(data)
    assert data == to_data(store.load(sprint), now=NOW, credentials=env_store(sprint))


def test_credentials_in_the_keyring_and_unset(sprint, private_keyring):
    sprint_id = f"handover-{uuid.uuid4().hex[:10]}"
    doc = tomlkit.parse(sprint.read_text())
    doc["sprint"]["id"] = sprint_id
    sprint.write_text(tomlkit.dumps(doc))
    keyring_store = CredentialStore(sprint_id, {})
    keyring_store.set("smtp_password", "keyring-secret-value")
    try:
        handover = build(store.load(sprint), now=NOW, credentials=keyring_store)
        where = {row.name: (row.source, row.where) for row in handover.credentials}
        assert where["smtp_password"] == (
            "keyring",
            f"OS keyring (service launchtui, user {sprint_id}/smtp_password)",
        )
        assert where["cloudflare_api_token"][0] == "not set"
        assert "LAUNCHTUI_CRED_CLOUDFLARE_API_TOKEN" in where["cloudflare_api_token"][1]
        text = render_markdown(store.load(sprint), now=NOW, credentials=keyring_store)
        assert "keyring-secret-value" not in text
    finally:
        keyring_store.delete("smtp_password")


def test_tasks_added_by_hand_are_listed(sprint):
    sprint.write_text(sprint.read_text() + '\n[tasks.deploy.cron-backups]\nowner = "Ops"\n')
    assert "| Deployment hardening | cron-backups (added by hand) | no | Ops |" in markdown(sprint)


def test_an_empty_sprint_says_what_is_missing(tmp_path):
    path = tmp_path / "bare.toml"
    path.write_text('[sprint]\nname = "Bare"\n\n[site]\napex = "bare.example"\n')
    text = markdown(path)
    assert "- Client: not recorded" in text
    assert "Nothing open in the saved results." in text
    assert "No credentials declared" in text
    assert "No saved results yet" in text
    assert "Handover items not done (7)" in text


@pytest.mark.parametrize(
    ("checked_at", "shown"),
    [
        ("2026-11-27T22:00:00Z", "just now"),
        ("2026-11-27T21:15:00+00:00", "45 min"),
        ("2026-11-26T12:00:00Z", "34 h"),
        ("2026-11-20T22:00:00Z", "7 days"),
        ("2026-11-28T00:00:00Z", "in the future"),
        ("yesterday", "unknown"),
        ("", "unknown"),
    ],
)
def test_age(checked_at, shown):
    assert age(checked_at, NOW) == shown


def test_no_keyring_says_so_instead_of_failing(sprint):
    no_keyring = CredentialStore(store.load(sprint).sprint.id, {}, backend=NullKeyring())
    handover = build(store.load(sprint), now=NOW, credentials=no_keyring)
    for row in handover.credentials:
        assert row.source == "unknown"
        assert row.where == (
            f"unavailable: keyring not reachable (or set LAUNCHTUI_CRED_{row.name.upper()})"
        )
    assert handover.keyring_problem  # the reason, said once
    text = render_markdown(store.load(sprint), now=NOW, credentials=no_keyring)
    assert text.count("The OS keyring could not be read:") == 1
    assert text.count(handover.keyring_problem[:40]) == 1  # not repeated in each row
    rows = [line for line in text.splitlines() if "unavailable: keyring not reachable" in line]
    assert len(rows) == len(handover.credentials) >= 2
    plan = [line for line in text.splitlines() if "unknown: the keyring could not be read" in line]
    assert len(plan) == len(handover.credentials)  # the secret plan says it in a few words
    assert all(len(line) < 200 for line in rows)
    data = to_data(store.load(sprint), now=NOW, credentials=no_keyring)
    assert data["deployment"]["keyring_problem"] == handover.keyring_problem


def test_the_deployment_checklist_and_secret_plan_come_from_the_checks_and_tasks(sprint):
    doc = tomlkit.parse(sprint.read_text())
    doc["deploy"]["env_required"] = [
        {"name": "DATABASE_URL", "kind": "database_url"},
        "STRIPE_SECRET_KEY",
        "SESSION_SECRET",
        "APP_URL",
    ]
    doc["deploy"]["env_source"] = "heroku:acme-prod"
    sprint.write_text(tomlkit.dumps(doc))
    finding = {
        "rule": "stripe-secret-key",
        "title": "Stripe secret key",
        "path": "public/assets/app.js",
        "line": 1,
        "commit": "",
        "mode": "live",
        "where": "client",
        "risk": 1,
        "risk_label": "live key served to browsers",
        "redacted": "sk_l…(32 chars)",
        "fingerprint": "0123456789abcdef",
    }
    test_key = {**finding, "mode": "test", "path": "test/fixture.json", "risk": 4}
    recorded.record_run(
        sprint,
        [
            result(
                "deploy.env",
                "STRIPE_SECRET_KEY",
                Status.FAIL,
                stage="deploy",
                summary="a Stripe test-mode key in production",
            ),
            result("deploy.env", "APP_URL", Status.PASS, stage="deploy", summary="set"),
            result(
                "deploy.secrets",
                "[deploy].repo",
                Status.FAIL,
                stage="deploy",
                evidence={"findings": [finding, test_key]},
            ),
        ],
        RUN_AT,
    )
    record_task(
        sprint,
        "deploy",
        "secret-handling-plan",
        owner="Priya",
        note="1Password vault",
        updated_at=RUN_AT,
    )
    handover = build(store.load(sprint), now=NOW, credentials=env_store(sprint))
    assert [(v.name, v.kind, v.kind_from, v.where, v.status) for v in handover.env_vars] == [
        ("DATABASE_URL", "database_url", "declared", "heroku:acme-prod", "not checked"),
        ("STRIPE_SECRET_KEY", "payment_key", "from its name", "heroku:acme-prod", "fail"),
        ("SESSION_SECRET", "secret", "from its name", "heroku:acme-prod", "not checked"),
        ("APP_URL", "url", "from its name", "heroku:acme-prod", "pass"),
    ]
    plan = handover.secret_plan
    # the exposed live key first (the test key is no launch risk), then the secret-kind
    # variables (not APP_URL), then the credentials
    assert [s.secret for s in plan] == [
        "Stripe secret key sk_l…(32 chars)",
        "DATABASE_URL",
        "STRIPE_SECRET_KEY",
        "SESSION_SECRET",
        "cloudflare_api_token",
        "smtp_password",
    ]
    assert plan[0].exposed and "public/assets/app.js:1" in plan[0].lives
    assert {s.owner for s in plan} == {"Priya"}
    assert "Stripe Dashboard" in plan[2].rotate and "in heroku:acme-prod" in plan[2].rotate
    assert "logs everyone out" in plan[3].rotate
    assert plan[4].lives == "an environment variable"
    assert handover.plan_note == "1Password vault"
    text = render_markdown(store.load(sprint), now=NOW, credentials=env_store(sprint))
    assert "**exposed, rotate now:** Stripe secret key" in text
    assert "Plan notes: 1Password vault" in text
    data = to_data(store.load(sprint), now=NOW, credentials=env_store(sprint))
    assert data["deployment"]["env_source"] == "heroku:acme-prod"
    assert data["deployment"]["secret_plan"][0]["exposed"] is True
    assert data["deployment"]["env_vars"][1]["finding"] == "a Stripe test-mode key in production"


def test_evidence_with_line_breaks_is_shown_as_lines(sprint):
    policy = "version: STSv1\r\nmode: enforce\r\nmx: mx.acme.community\r\nmax_age: 86400\r\n"
    evidence = {"policy": policy, "raw": "a\x1b[2Jb\x0c"}
    recorded.record_run(
        sprint,
        [result("email.mta-sts", "acme.community", Status.FAIL, stage="email", evidence=evidence)],
        RUN_AT,
    )
    text = markdown(sprint)
    assert "\\x0d" not in text and "\r" not in text
    assert "policy: version: STSv1<br>  mode: enforce<br>  mx: mx.acme.community" in text
    assert "raw: a\\\\x1b\\[2Jb\\\\x0c" in text  # other control characters stay escaped
    assert evidence_lines(evidence) == [
        "policy: version: STSv1",
        "  mode: enforce",
        "  mx: mx.acme.community",
        "  max_age: 86400",
        "raw: a\\x1b[2Jb\\x0c",
    ]


def test_the_performance_baselines_are_in_the_export(sprint):
    """Stage 4's deliverable: the marked baseline of each flow (p95 and error rate) beside its
    latest figures."""
    from launchtui.cli.main import main

    def latency(p95: float, errors: float, at: str) -> None:
        figures = result(
            "perf.latency",
            "login",
            Status.WARN,
            stage="performance",
            evidence={"p95_ms": p95, "error_rate": errors, "requests": 60},
        )
        recorded.record_run(sprint, [figures], at)

    text = markdown(sprint)
    assert "No baseline marked yet (launchtui perf baseline SPRINT" in text
    latency(410.0, 0.0, "2026-11-26T10:00:00Z")
    assert main(["perf", "baseline", str(sprint)]) == 0
    latency(650.0, 0.02, RUN_AT)
    text = markdown(sprint)
    assert re.search(r"\| login \| 410 ms \| 0\.00% \| [^|]+ \| 650 ms \| 2\.00% \|", text), text
    data = to_data(store.load(sprint), now=NOW, credentials=env_store(sprint))
    (row,) = data["performance_baselines"]
    assert (row["flow"], row["p95_ms"], row["latest_p95_ms"]) == ("login", 410.0, 650.0)


def test_the_latest_daily_risk_note_is_in_the_export(sprint):
    """Issue 15: the latest daily risk note (launchtui logs) in the handover, its headings
    below the section's and its log text still escaped; without one, how to get it."""
    from launchtui.logs.note import DayNote
    from launchtui.sprint.history import History
    from launchtui.text.markdown import demoted

    text = markdown(sprint)
    assert "## Latest daily risk note\n\nNo risk note yet (launchtui logs SPRINT)." in text
    data = to_data(store.load(sprint), now=NOW, credentials=env_store(sprint))
    assert data["daily_risk_note"] is None

    def note(day: int, body: str, unusual: int) -> DayNote:
        figures = {"unusual": unusual, "recurring": 2, "new": 1}
        markdown_ = f"# Risk note 2026-11-{day}\n\n## Unusual\n\n{body}\n"
        return DayNote(datetime(2026, 11, day).date(), markdown_, unusual, 2, 1, figures)

    hostile = "- 3 × \\[bold\\]x\\[/\\] \\\\x1b \\# h\n\n    ```text\n    # sample\n    ```"
    History(sprint).record_risk_notes(
        [note(25, "older", 0), note(26, hostile, 3)], at="2026-11-27T06:00:00Z"
    )
    text = markdown(sprint)
    section = text.split("## Latest daily risk note\n", 1)[1].split("\n## ", 1)[0]
    assert "The note of 2026-11-26: 3 unusual, 2 recurring, 1 new" in section
    assert "### Risk note 2026-11-26" in section and "#### Unusual" in section
    assert "\\[bold\\]x\\[/\\] \\\\x1b \\# h" in section  # escaped as the note wrote it
    assert "    # sample" in section  # fenced code is not demoted
    assert "older" not in section
    assert "\n# " not in section and "\n## " not in section
    data = to_data(store.load(sprint), now=NOW, credentials=env_store(sprint))
    risk = data["daily_risk_note"]
    assert (risk["day"], risk["unusual"], risk["recurring"], risk["new"]) == (
        "2026-11-26",
        3,
        2,
        1,
    )
    assert risk["markdown"].startswith("# Risk note 2026-11-26")
    assert (
        json.loads(render_json(store.load(sprint), now=NOW, credentials=env_store(sprint)))[
            "daily_risk_note"
        ]
        == risk
    )
    assert demoted("## a\n###### b", 2) == ["#### a", "###### b"]


def test_a_partial_latest_day_hands_over_the_day_before(sprint):
    """When the notes mark a day the logs end during as partial, the last whole day goes."""
    from launchtui.logs.note import DayNote
    from launchtui.sprint.history import History

    whole = DayNote(datetime(2026, 11, 25).date(), "# Risk note 2026-11-25\n", 1, 0, 0, {})
    partial = DayNote(
        datetime(2026, 11, 26).date(), "# Risk note 2026-11-26\n", 0, 0, 0, {"partial": True}
    )
    History(sprint).record_risk_notes([whole, partial])
    data = to_data(store.load(sprint), now=NOW, credentials=env_store(sprint))
    assert data["daily_risk_note"]["day"] == "2026-11-25"
