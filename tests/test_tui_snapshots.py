"""SVG snapshots of the seven stage screens over a fixed sprint with fixed saved results, and
of the edge stage after two runs recorded in the run history (every outcome and change mark,
a failing row's evidence and fix, the risk list); a Pilot test reads what is drawn at 80x24.

Ages are rendered against a fixed clock, and the file is a copy (switching stages records it).
Update after an intended change with: pytest tests/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from tui_helpers import sync

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


# Two recorded runs of the edge stage, an hour apart, with nothing saved in the fixture: the
# second run has a row of each outcome a user reads, and each change mark.
EDGE_RUNS = [
    "2026-01-01T10:00:00Z",
    "2026-01-01T11:00:00Z",
]
FIX = "Renew it: certbot renew --cert-name www.acme.community"


def _edge(check: str, target: str, status: Status, severity: Severity, summary: str, **more):
    return Result(check, "edge", target, status, severity, summary, **more)


def _first_edge_run() -> list[Result]:
    return [
        _edge("dns.resolve", "acme.community", Status.FAIL, Severity.BLOCKER, "no A record"),
        _edge("tls.certificate", "www.acme.community", Status.PASS, Severity.BLOCKER, "30 days"),
        _edge("tls.certificate", "app.acme.community", Status.PASS, Severity.BLOCKER, "30 days"),
        _edge("http.hsts", "app.acme.community", Status.WARN, Severity.MEDIUM, "max-age 1d"),
    ]


def _second_edge_run() -> list[Result]:
    return [
        _edge(
            "dns.resolve",
            "acme.community",
            Status.PASS,
            Severity.BLOCKER,
            "acme.community resolves to 203.0.113.10",
            evidence={"A": ["203.0.113.10"]},
        ),
        _edge(
            "tls.certificate",
            "www.acme.community",
            Status.FAIL,
            Severity.BLOCKER,
            "Certificate expired 3 days ago",
            evidence={"not_after": "2025-12-29T00:00:00Z", "issuer": "R11"},
            fix=f"{FIX}\nVerify: launchtui check sprint.toml --stage edge",
        ),
        _edge(
            "tls.certificate",
            "app.acme.community",
            Status.ERROR,
            Severity.BLOCKER,
            "could not check: connection refused",
            evidence={"error": "connection refused", "port": 443},
            fix="Make the target reachable, then run the check again.",
        ),
        _edge(
            "http.hsts",
            "app.acme.community",
            Status.WARN,
            Severity.MEDIUM,
            "max-age is one day",
            evidence={"header": "max-age=86400"},
            fix="Send Strict-Transport-Security: max-age=31536000",
        ),
    ]


def checked_edge_sprint(tmp_path, request):
    """The fixture without its saved results, opening on the edge stage, with two runs
    recorded: fail (new since the first run), error, warn, pass (fixed since the first run)."""
    text = (request.path.parent / FIXTURE).read_text()
    text = text[: text.index("\n[results.")] + "\n"
    path = tmp_path / "sprint.toml"
    path.write_text(text)
    for run_at, results in zip(EDGE_RUNS, (_first_edge_run(), _second_edge_run()), strict=True):
        for result in results:
            result.checked_at = run_at
        recorded.record_run(path, results, run_at)
    return path


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
def test_edge_stage_with_every_outcome_failing_row_selected(size, snap_compare, tmp_path, request):
    """fail new, error, warn and pass fixed rows in view, the cursor on the failing row (n),
    its detail pane from the top (summary, fix), and the risk list."""
    app = LaunchApp(checked_edge_sprint(tmp_path, request), now=lambda: NOW)
    assert snap_compare(app, press=["n"], terminal_size=size)


# The detail pane is the last widget that takes focus: shift+tab reaches it from the checks,
# past the stage list where the stage list is shown (100 columns and more).
TO_DETAIL = {"80x24": ["shift+tab"], "100x30": ["shift+tab", "shift+tab"]}


@pytest.mark.parametrize(
    ("size", "keys"),
    [((80, 24), TO_DETAIL["80x24"]), ((100, 30), TO_DETAIL["100x30"])],
    ids=["80x24", "100x30"],
)
def test_failing_rows_detail_scrolled_to_its_end(size, keys, snap_compare, tmp_path, request):
    """The same, the detail pane reached from the checks and scrolled to its end (end): the
    evidence and what changed since the previous run; the rows and risk list unchanged."""
    app = LaunchApp(checked_edge_sprint(tmp_path, request), now=lambda: NOW)
    assert snap_compare(app, press=["n", *keys, "end"], terminal_size=size)


def drawn(app: LaunchApp) -> str:
    """The screen as drawn: the compositor's lines, one per terminal row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@sync
async def test_what_is_drawn_at_80x24(tmp_path, request):
    """At the smallest size: every outcome's status cell whole with its change mark, the risk
    list's first entry, then the failing row's fix, and after scrolling its evidence."""
    app = LaunchApp(checked_edge_sprint(tmp_path, request), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = drawn(app)
        lines = screen.splitlines()
        assert len(lines) == 24 and all(len(line) == 80 for line in lines)
        rows = {line.split("  ")[0].strip() for line in lines}
        assert {"error new", "fail new", "warn", "pass fixed"} <= rows
        risk = " 1    blocker       tls.certificate        www.acme.community"
        assert risk in lines[lines.index(" Risk list, in fix order".ljust(80)) + 2]
        assert " tls.certificate  www.acme.community" in screen  # the detail's heading
        assert "Certificate expired 3 days ago" in screen
        assert FIX in screen  # the fix comes first: in view without scrolling at 80x24
        assert "not_after: 2025-12-29T00:00:00Z" not in screen  # the evidence, below it

        await pilot.press(*TO_DETAIL["80x24"], "end")
        await pilot.pause()
        screen = drawn(app)
        assert "not_after: 2025-12-29T00:00:00Z" in screen
        assert "pass -> fail" in screen  # since the previous run
        for still in ("error new", "fail new", "warn ", "pass fixed", risk):
            assert still in screen
