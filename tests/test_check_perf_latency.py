"""perf.latency against labs of its own (known latency distributions, stalls, errors, timeouts,
refusals), the baseline comparison, a flow behind a login with a credential, [flows] and
[performance] validation, the baselines migration and `launchtui perf baseline`."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import ZONE
from servers import server_thread

from launchtui.cli.main import main
from launchtui.lab import HostSpec, LabConfig, Route
from launchtui.lab.config import LatencyProfile
from launchtui.model.flows import PerformanceConfig
from launchtui.model.results import Result, Severity, Status
from launchtui.model.sprint import Sprint
from launchtui.net.timeouts import Timeouts
from launchtui.sprint.history import Baseline, History
from launchtui.sprint.locate import Invalid
from launchtui.sprint.validate import build_sprint

pytest_plugins = ["lab_fixtures"]

CHECK = "perf.latency"
APP = f"app.{ZONE}"
QUICK = PerformanceConfig(requests=10, rate_per_s=20.0, concurrency=10)  # no queueing at 350 ms


@pytest.fixture(scope="module")
def sprint(tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    """A lab whose app host has: join fast (median 20 ms), invite at 350 ms (warn), login at
    600 ms (fail), posts fast with a 1 s stall on every 5th request; /api/broken a 500."""
    from launchtui.lab import LabThread

    config = LabConfig(
        zone=ZONE,
        hosts=[
            HostSpec(ZONE),
            HostSpec(APP, app=True, routes={"/api/broken": Route(500, body="boom")}),
        ],
        latency={"/invite/demo": 0.35, "/login": 0.6},
        latency_profiles={
            "/join": LatencyProfile(0.02, 0.2, seed=3),
            "/api/posts": LatencyProfile(0.02, 0.1, stall_every=5, stall=1.0, seed=2),
        },
        dns_port=0,
        https_port=0,
        http_port=0,
    )
    directory = tmp_path_factory.mktemp("perf")
    with LabThread(config, directory / "lab") as lab:
        sprint = lab_sprint(lab, directory)
        yield dataclasses.replace(
            sprint,
            performance=QUICK,
            flow_specs={
                **sprint.flow_specs,
                "broken": dataclasses.replace(
                    sprint.flow_specs["join"],
                    name="broken",
                    steps=(
                        dataclasses.replace(
                            sprint.flow_specs["join"].steps[0], url=f"https://{APP}/api/broken"
                        ),
                    ),
                ),
            },
        )


def _evidence_keys_are_the_fixed_ones(result: Result) -> None:
    for key in (
        "flow", "requests", "rate_per_s", "concurrency", "duration_s", "p50_ms", "p95_ms",
        "p99_ms", "max_ms", "error_rate", "errors", "phases_ms",
    ):  # fmt: skip
        assert key in result.evidence, key
    assert set(result.evidence["phases_ms"]) == {"dns", "connect", "tls", "ttfb", "transfer"}


def test_targets_are_the_core_flows_declared(sprint):
    from launchtui.checks.performance._targets import latency_flows

    names = [str(t) for t in latency_flows(sprint)]
    assert names == ["login", "join", "invite", "posts"]  # health and checkout are not probed
    empty = dataclasses.replace(sprint, flow_specs={})
    assert [str(t) for t in latency_flows(empty)] == ["[flows]"]
    skipped = run_check(CHECK, empty, "[flows]")
    assert skipped.status is Status.SKIP


def test_a_fast_flow_passes_with_its_figures_and_plan(sprint):
    result = run_check(CHECK, sprint, "join")
    assert result.status is Status.PASS, result.summary
    _evidence_keys_are_the_fixed_ones(result)
    assert result.evidence["requests"] == 10 and result.evidence["rate_per_s"] == 20.0
    assert result.evidence["concurrency"] == 10 and result.evidence["errors"] == 0
    assert 10 <= result.evidence["p50_ms"] <= 100
    assert result.evidence["phases_ms"]["tls"] > 0  # https: the new connections paid TLS
    assert "baseline_p95_ms" not in result.evidence
    assert "10 requests of GET https://app.harborclub.test/join at 20/s" in result.summary
    assert result.evidence["connections"]["new"] >= 1


def test_p95_over_300_ms_warns(sprint):
    result = run_check(CHECK, sprint, "invite")
    assert result.status is Status.WARN, result.summary
    assert 340 <= result.evidence["p95_ms"] <= 500
    assert "p95 over 300 ms" in result.summary


def test_p95_over_500_ms_fails_and_the_fix_blames_the_first_byte(sprint):
    result = run_check(CHECK, sprint, "login")
    assert result.status is Status.FAIL, result.summary
    assert result.evidence["p95_ms"] >= 600
    assert "p95 over 500 ms" in result.summary
    assert "waiting for the first byte: server work" in result.fix
    assert "queries behind GET https://app.harborclub.test/login" in result.fix


def test_a_periodic_stall_fails_the_p95_and_is_named_in_the_fix(sprint):
    result = run_check(CHECK, sprint, "posts")
    assert result.status is Status.FAIL, result.summary
    assert result.evidence["p50_ms"] < 100
    assert result.evidence["p95_ms"] >= 1000  # 2 of 10 requests stalled a second
    assert "2 of 10 requests took over three times the median" in result.fix
    assert "periodic stall" in result.fix


def test_errors_over_one_percent_fail(sprint):
    result = run_check(CHECK, sprint, "broken")
    assert result.status is Status.FAIL
    assert result.evidence["error_rate"] == 1.0 and result.evidence["errors"] == 10
    assert result.evidence["first_errors"] == ["HTTP 500"]
    assert "errors over 1%" in result.summary


def test_no_answer_at_all_is_an_error_timeouts_and_refusals_named(sprint):
    slow = run_check(CHECK, sprint, "login", timeouts=Timeouts.uniform(0.2))
    assert_could_not_check(slow, "no complete answer within 0.4 s")
    closed = dataclasses.replace(
        sprint,
        network=dataclasses.replace(sprint.network, connect_to={(APP, 443): ("127.0.0.1", 1)}),
    )
    refused = run_check(CHECK, closed, "join")
    assert_could_not_check(refused, "connection refused by 127.0.0.1:1")


def test_p95_more_than_20_percent_over_the_baseline_warns(sprint, tmp_path):
    here = dataclasses.replace(sprint, path=tmp_path / "b.toml")
    History(here.path).set_baselines(
        [Baseline(CHECK, "join", 5.0, 0.0, 1, "2026-12-01T00:00:00+00:00")]
    )
    result = run_check(CHECK, here, "join")
    assert result.status is Status.WARN, result.summary
    assert result.evidence["baseline_p95_ms"] == 5.0
    assert "on the baseline's 5 ms" in result.summary
    assert "launchtui perf baseline" in result.fix
    History(here.path).set_baselines(
        [Baseline(CHECK, "join", 1000.0, 0.0, 2, "2026-12-02T00:00:00+00:00")]
    )
    assert run_check(CHECK, here, "join").status is Status.PASS


def _login_server(secret: str, seen: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    """POST /login with the form body `secret` sets a session cookie; GET /api/posts answers
    200 with it, 401 without."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            line = await reader.readline()
            if not line:
                return
            headers: dict[str, str] = {}
            while (header := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = header.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            method, path, _ = line.decode().split(" ", 2)
            seen.append({"line": f"{method} {path}", **headers})
            extra = ""
            if (method, path) == ("POST", "/login"):
                ok = body.decode() == secret
                status = "303 See Other" if ok else "401 Unauthorized"
                extra = "Set-Cookie: sid=s3ss10n; Path=/; HttpOnly\r\nLocation: /\r\n" if ok else ""
            elif (method, path) == ("GET", "/api/posts"):
                ok = "sid=s3ss10n" in headers.get("cookie", "")
                status = "200 OK" if ok else "401 Unauthorized"
            else:
                status = "404 Not Found"
            writer.write(f"HTTP/1.1 {status}\r\n{extra}Content-Length: 2\r\n\r\nok".encode())
            await writer.drain()

    return handler


def _sprint_with(tmp_path: Path, flows: dict[str, object], **more: object) -> Sprint:
    data = {
        "sprint": {"name": "t", "id": "perf-test"},
        "site": {"apex": "example.test", "canonical": "https://example.test"},
        "flows": flows,
        "credentials": {"member": "a test member's login form"},
        **more,
    }
    return build_sprint(data, tmp_path / "t.toml")


SECRET = "email=probe%40example.test&password=hunter2-not-real"


def test_a_flow_behind_a_login_uses_the_credential_and_never_shows_it(tmp_path, monkeypatch):
    seen: list[dict[str, str]] = []
    monkeypatch.setenv("LAUNCHTUI_CRED_MEMBER", SECRET)
    with server_thread() as thread:
        port = thread.serve(_login_server(SECRET, seen))
        base = f"http://127.0.0.1:{port}"
        sprint = _sprint_with(
            tmp_path,
            {
                "posts": {
                    "steps": [f"POST {base}/login", "GET /api/posts"],
                    "credential": "member",
                    "auth": "form",
                }
            },
            performance={"requests": 5, "rate": 20},
        )
        assert sprint.flows["posts"] == f"{base}/api/posts"
        result = run_check(CHECK, sprint, "posts")
    assert result.status is Status.PASS, result.summary
    assert [s["line"] for s in seen] == ["POST /login"] + ["GET /api/posts"] * 5
    assert result.evidence["setup_steps"] == [f"POST {base}/login"]
    assert result.evidence["credential"] == "member (form)"
    History(sprint.path).record_run([result], "2026-12-06T00:00:00+00:00")
    stored = History(sprint.path).path.read_bytes()
    for text in (result.summary, json.dumps(result.evidence), result.fix, stored.decode("latin-1")):
        assert "hunter2" not in text
    # a bearer token goes in the Authorization header, a cookie credential in Cookie
    seen.clear()
    monkeypatch.setenv("LAUNCHTUI_CRED_MEMBER", "tok-123")
    with server_thread() as thread:
        port = thread.serve(_login_server(SECRET, seen))
        sprint = _sprint_with(
            tmp_path,
            {
                "posts": {
                    "steps": [f"GET http://127.0.0.1:{port}/api/posts"],
                    "credential": "member",
                }
            },
            performance={"requests": 2, "rate": 20},
        )
        result = run_check(CHECK, sprint, "posts")
    assert result.status is Status.FAIL  # 401 without the session cookie: errors
    assert seen[0]["authorization"] == "Bearer tok-123"
    assert "tok-123" not in json.dumps(result.evidence) + result.summary + result.fix


def test_a_missing_credential_or_failing_login_step_is_an_error(
    tmp_path, monkeypatch, private_keyring
):
    monkeypatch.delenv("LAUNCHTUI_CRED_MEMBER", raising=False)
    flows = {
        "posts": {
            "steps": ["POST /login", "GET /api/posts"],
            "credential": "member",
            "auth": "form",
        }
    }
    sprint = _sprint_with(tmp_path, flows)
    assert_could_not_check(
        run_check(CHECK, sprint, "posts"), "needs the member credential, not set"
    )
    monkeypatch.setenv("LAUNCHTUI_CRED_MEMBER", "wrong")
    with server_thread() as thread:
        port = thread.serve(_login_server(SECRET, []))
        base = f"http://127.0.0.1:{port}"
        flows = {
            "posts": {
                "steps": [f"POST {base}/login", "GET /api/posts"],
                "credential": "member",
                "auth": "form",
            }
        }
        result = run_check(CHECK, _sprint_with(tmp_path, flows), "posts")
    assert_could_not_check(result, f"the setup step POST {base}/login answered 401")


@pytest.mark.parametrize(
    ("flows", "performance", "message"),
    [
        ({"posts": {"steps": []}}, {}, "expected a list of steps"),
        ({"posts": {"steps": ["FETCH /x"]}}, {}, 'expected "METHOD PATH"'),
        ({"posts": {"steps": ["GET /x"], "auth": "cookie:sid"}}, {}, "needs a credential"),
        ({"posts": {"steps": ["GET /x"], "credential": "m", "auth": "magic"}}, {}, "unknown auth"),
        ({}, {"requests": 10_000}, "10000 requests is over the cap of 300"),
        ({}, {"rate": 100}, "outside 0.2 to 20"),
        ({}, {"concurrency": 64}, "over the cap of 10"),
        ({}, {"requests": 300, "rate": 1}, "take over 60 s a flow"),
    ],
)
def test_flows_and_performance_settings_are_validated(tmp_path, flows, performance, message):
    with pytest.raises(Invalid, match=message):
        _sprint_with(tmp_path, flows, performance=performance)


def test_the_flow_syntax_resolves_paths_and_reads_auth(tmp_path):
    sprint = _sprint_with(
        tmp_path,
        {
            "login": "https://app.example.test/login",
            "feed": {"steps": ["GET /api/feed"], "credential": "member", "auth": "cookie:_session"},
        },
        performance={"requests": 120, "rate": 10, "concurrency": 8},
    )
    feed = sprint.flow_specs["feed"]
    assert feed.measured.url == "https://example.test/api/feed" and feed.declared
    assert feed.auth == "cookie:_session" and not feed.setup
    assert not sprint.flow_specs["login"].declared
    assert sprint.performance == PerformanceConfig(120, 10.0, 8)


def _version_1_database(path: Path) -> None:
    from launchtui.sprint.history import _MIGRATIONS

    db = sqlite3.connect(path)
    db.executescript(f"BEGIN; {_MIGRATIONS[0]} PRAGMA user_version = 1; COMMIT;")
    db.execute(
        "INSERT INTO runs VALUES (1, '2026-12-01T00:00:00+00:00', '[\"performance\"]', '{}', 'run')"
    )
    db.commit()
    db.close()


def test_a_version_1_history_gains_the_baselines_table_and_keeps_its_runs(tmp_path):
    sprint_path = tmp_path / "old.toml"
    history = History(sprint_path)
    _version_1_database(history.path)
    assert history.baselines() == {}  # migrated on open
    assert [run.id for run in history.runs()] == [1]
    from launchtui.sprint.history import _MIGRATIONS

    version = sqlite3.connect(history.path).execute("PRAGMA user_version").fetchone()[0]
    assert version == len(_MIGRATIONS)  # and every later migration
    history.set_baselines([Baseline(CHECK, "login", 612.5, 0.0, 1, "2026-12-01T00:00:00+00:00")])
    assert history.baselines(CHECK)[(CHECK, "login")].p95_ms == 612.5


def test_perf_baseline_marks_the_latest_figures(tmp_path, capsys):
    sprint_path = tmp_path / "s.toml"
    sprint_path.write_text(
        '[sprint]\nname = "s"\n[site]\napex = "example.test"\n'
        '[flows]\nlogin = "https://example.test/login"\n'
    )
    assert main(["perf", "baseline", str(sprint_path)]) == 1
    assert "no perf.latency figures" in capsys.readouterr().err
    result = Result(
        id=CHECK, stage="performance", target="login", status=Status.FAIL,
        severity=Severity.HIGH,
        summary="login: p95 650 ms", evidence={"p95_ms": 650.0, "error_rate": 0.0},
    )  # fmt: skip
    History(sprint_path).record_run([result], "2026-12-06T00:00:00+00:00")
    assert main(["perf", "baseline", str(sprint_path)]) == 0
    out = capsys.readouterr().out
    assert "login" in out and "650" in out
    marked = History(sprint_path).baselines(CHECK)[(CHECK, "login")]
    assert (marked.p95_ms, marked.error_rate) == (650.0, 0.0)
