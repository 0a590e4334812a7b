"""SVG snapshots of the seven stage screens over a fixed sprint with fixed saved results.

Ages are rendered against a fixed clock, and the file is a copy (switching stages records it).
Update after an intended change with: pytest tests/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from launchtui.model.monitoring import AlertProof
from launchtui.model.results import Result, Severity, Status
from launchtui.model.stages import STAGES
from launchtui.sprint import recorded
from launchtui.sprint.history import History
from launchtui.tui.app import LaunchApp

FIXTURE = "fixtures/tui_sprint.toml"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("stage", STAGES, ids=[s.name for s in STAGES])
def test_stage_screen(stage, snap_compare, tmp_path, request):
    path = tmp_path / "sprint.toml"
    shutil.copy(request.path.parent / FIXTURE, path)
    app = LaunchApp(path, now=lambda: NOW)
    assert snap_compare(app, press=[str(stage.number)], terminal_size=(100, 30))


@pytest.mark.parametrize("stage", ["2", "3", "5"], ids=["edge", "deploy", "email"])
def test_stage_screen_at_80x24(stage, snap_compare, tmp_path, request):
    """The smallest size we promise: footer keys, title and table all readable."""
    path = tmp_path / "sprint.toml"
    shutil.copy(request.path.parent / FIXTURE, path)
    app = LaunchApp(path, now=lambda: NOW)
    assert snap_compare(app, press=[stage], terminal_size=(80, 24))


def test_changed_on_disk_question_at_80x24(snap_compare, tmp_path, request, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the question names the file relative to here
    path = tmp_path / "sprint.toml"
    shutil.copy(request.path.parent / FIXTURE, path)
    app = LaunchApp(path, now=lambda: NOW)

    async def edit_then_switch(pilot):
        path.write_text(path.read_text().replace('engineer = "Sam"', 'engineer = "Kim"'))
        await pilot.press("3")

    assert snap_compare(app, run_before=edit_then_switch, terminal_size=(80, 24))


LONG_HOST = "launch-preview.eu-west-1.customer-facing.acme.community"
LONG_OWNER = "Alexandra Konstantinopoulou-Vasquez (platform team, on call)"


def crowded_sprint(tmp_path, request, stage: str):
    """The fixture with a long hostname, long task owners, and `stage` to open on."""
    text = (request.path.parent / FIXTURE).read_text()
    text = text.replace(
        'hostnames = ["www.acme.community", "app.acme.community"]',
        f'hostnames = ["www.acme.community", "app.acme.community", "{LONG_HOST}"]',
    ).replace('stage = "edge"', f'stage = "{stage}"')
    text += (
        f'\n[tasks.audit.review-deploy-target-and-rollback]\nowner = "{LONG_OWNER}"\n'
        f'\n[tasks.edge.cloudflare-ddos-protection-active]\nowner = "{LONG_OWNER}"\ndone = true\n'
    )
    path = tmp_path / "sprint.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
@pytest.mark.parametrize("stage", ["audit", "edge"])
def test_failing_row_selected_with_long_owners_and_hostnames(
    stage, size, snap_compare, tmp_path, request
):
    """The layout holds whatever the content: checks, tasks, risks and the detail (evidence
    and fix) of the first failing row (n) all on screen; fail, warn, error and pass in view."""
    app = LaunchApp(crowded_sprint(tmp_path, request, stage), now=lambda: NOW)
    assert snap_compare(app, press=["n"], terminal_size=size)


APP = "https://app.acme.community"
# Two runs of the monitors, an hour apart: up, slow, down and unreachable, and the
# certificates' soonest expiry; each monitor's response time over both runs.
MONITOR_RUNS = [
    ("2026-01-01T10:00:00Z", {"": (200, 120), "/login": (200, 310), "/api/health": (200, 40)}),
    (
        "2026-01-01T11:00:00Z",
        {"": (200, 95), "/login": (200, 720), "/api/health": (503, 35), "/checkout": None},
    ),
]


def monitored_sprint(tmp_path, request):
    """The fixture watching its app's core flows, with alert routes (one never proven) and
    two recorded runs of the monitoring checks."""
    text = (request.path.parent / FIXTURE).read_text()
    flows = f'login = "{APP}/login"\nhealth = "{APP}/api/health"\ncheckout = "{APP}/checkout"\n'
    text = text.replace("[flows]\n", f"[flows]\n{flows}").replace(
        "[credentials]\n", '[credentials]\nslack_webhook = "Slack incoming-webhook URL"\n'
    )
    text += (
        '\n[monitoring]\nalert_email = "oncall@acme.community"\nslack_webhook = "slack_webhook"\n'
        "watch_interval = 15\n"
    )
    path = tmp_path / "sprint.toml"
    path.write_text(text)
    for run_at, answers in MONITOR_RUNS:
        results = [_probe(path_, answer, run_at) for path_, answer in answers.items()]
        results.append(_certificates(run_at))
        recorded.record_run(path, results, run_at)
    proof = AlertProof("email", "direct", True, 2100, "in INBOX", "2026-01-01T11:05:00Z")
    History(path).record_proofs([proof])  # email proven; Slack never tried
    return path


def _probe(path: str, answer: tuple[int, int] | None, at: str) -> Result:
    monitor = {"": "homepage", "/login": "login", "/api/health": "health"}.get(path, "checkout")
    url = f"{APP}{path}"
    if answer is None:
        status, evidence = Status.ERROR, {"monitor": monitor, "error": "timeout"}
    else:
        code, ms = answer
        evidence = {"monitor": monitor, "status": code, "elapsed_ms": ms}
        status = Status.FAIL if code >= 300 else Status.WARN if ms > 500 else Status.PASS
    return Result(
        "monitoring.synthetic",
        "monitoring",
        url,
        status,
        Severity.HIGH,
        f"{monitor}: {url}",
        evidence,
        checked_at=at,
    )


def _certificates(at: str) -> Result:
    evidence = {"soonest": {"host": "www.acme.community", "days_left": 9}}
    return Result(
        "monitoring.cert-expiry",
        "monitoring",
        "[site] hostnames",
        Status.WARN,
        Severity.HIGH,
        "www.acme.community has 9 days left",
        evidence,
        checked_at=at,
    )


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
def test_monitoring_dashboard_with_results(size, snap_compare, tmp_path, request):
    """The board in the risk list's place: each monitor's state, answer and history, the
    certificates, the routes; the checks, tasks and detail still on screen at 80x24."""
    app = LaunchApp(monitored_sprint(tmp_path, request), now=lambda: NOW)
    assert snap_compare(app, press=["6"], terminal_size=size)
