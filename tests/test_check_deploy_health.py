"""deploy.health against a lab of its own: the health shapes, releases across hosts, workers."""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Iterator

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import HOSTILE_TEXT, ZONE

from launchtui.checks.registry import all_checks
from launchtui.lab import HostSpec, Lab, LabConfig, LabThread, Route
from launchtui.lab.config import HealthSpec
from launchtui.model.results import Status
from launchtui.model.sprint import Sprint
from launchtui.net.timeouts import Timeouts

CHECK = "deploy.health"
JSON = "application/json"
FRESH = {"mailer": 30, "scheduler": 5}
DEPS = {"database": "ok", "queue": "ok", "cache": "ok"}


def _health(body: object, status: int = 200, content_type: str = JSON) -> dict[str, Route]:
    text = body if isinstance(body, str) else json.dumps(body)
    return {"/api/health": Route(status, body=text, content_type=content_type)}


def _host(name: str, **kwargs: object) -> HostSpec:
    return HostSpec(f"{name}.{ZONE}", app=True, **kwargs)  # type: ignore[arg-type]


HOSTS = [
    HostSpec(ZONE, routes={"/api/health": Route(301, {"Location": f"https://ok1.{ZONE}/"})}),
    _host("ok1", health=HealthSpec("1.4.0", "abc1234", checks=DEPS, workers=FRESH)),
    _host("ok2", health=HealthSpec("1.4.0", "abc1234", checks=DEPS)),
    _host("old", health=HealthSpec("1.3.9", "0ddba11", checks=DEPS)),
    _host("lagging", health=HealthSpec("1.4.0", "abc1234", workers={"mailer": 20 * 60})),
    _host("stalled", health=HealthSpec("1.4.0", "abc1234", workers={"mailer": 3 * 3600})),
    _host("dbdown", health=HealthSpec("1.4.0", "abc1234", checks={"database": "down"})),
    _host("degraded", health=HealthSpec(status="degraded", checks={"cache": "degraded"})),
    _host("plain"),  # {"status": "ok"}
    HostSpec(f"static.{ZONE}"),  # no app: /api/health is a 404
    HostSpec(f"self.{ZONE}", cert="self-signed"),  # cannot be asked
    _host(
        "spring",
        routes=_health({"status": "UP", "components": {"db": {"status": "UP"}}}),
    ),
    _host(
        "spring-down",
        routes=_health(
            {
                "status": "DOWN",
                "components": {
                    "db": {"status": "DOWN", "details": {"error": "Connection refused"}},
                    "diskSpace": {"status": "UP"},
                },
            },
            503,
        ),
    ),
    _host(
        "rails",
        routes={"/up": Route(body='<!DOCTYPE html><html><body style="background-color: green">')},
    ),
    _host(
        "ietf",
        routes=_health(
            {
                "status": "pass",
                "version": "1",
                "releaseId": "1.4.0-abc1234",
                "checks": {"postgres:responseTime": [{"status": "pass"}, {"status": "warn"}]},
            },
            content_type="application/health+json",
        ),
    ),
    _host("malformed", routes=_health('{"status": "ok", "version": ')),
    _host("huge", routes=_health({"status": "ok", "padding": "x" * 70_000})),
    _host(
        "loop", routes={"/api/health": Route(302, {"Location": f"https://loop.{ZONE}/api/health"})}
    ),
    _host("slow", health=HealthSpec("1.4.0")),
    _host("hostile", health=HealthSpec(status=HOSTILE_TEXT, checks={"db": HOSTILE_TEXT})),
    _host(
        "badbeat",
        routes=_health(
            {"status": "ok", "workers": [{"name": "mailer", "last_heartbeat": "yesterday"}]}
        ),
    ),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    config = LabConfig(
        hosts=HOSTS, dns_port=0, https_port=0, http_port=0, latency={"/slow/api/health": 3.0}
    )
    with LabThread(config, tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.fixture(scope="module")
def base(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    return lab_sprint(lab, tmp_path_factory.mktemp("health"))


def _sprint(base: Sprint, url: str | None, *hosts: str) -> Sprint:
    flows = {"health": url} if url else {}
    site = dataclasses.replace(base.site, hostnames=tuple(f"{h}.{ZONE}" for h in hosts))
    return dataclasses.replace(base, flows=flows, site=site)


def _url(host: str, path: str = "/api/health") -> str:
    return f"https://{host}.{ZONE}{path}"


def _run(sprint: Sprint, url: str, timeouts: Timeouts | None = None):  # type: ignore[no-untyped-def]
    if timeouts is None:
        return run_check(CHECK, sprint, url)
    return run_check(CHECK, sprint, url, timeouts)


def test_the_target_is_the_health_flow_and_without_one_it_skips(base):
    check = next(c for c in all_checks() if c.id == CHECK)
    assert check.stage == "deploy" and check.severity == "high"
    assert [t.text for t in check.targets(_sprint(base, _url("ok1")))] == [_url("ok1")]
    sprint = _sprint(base, None)
    assert [t.text for t in check.targets(sprint)] == ["[flows].health"]
    result = run_check(CHECK, sprint, "[flows].health")
    assert result.status is Status.SKIP
    assert "[flows]" in result.fix


def test_the_same_release_everywhere_with_dependencies_and_workers_passes(base):
    sprint = _sprint(base, _url("ok1"), "ok1", "ok2", "static", "plain")
    result = _run(sprint, _url("ok1"))
    assert result.status is Status.PASS, result.summary
    assert result.summary == (
        f"{_url('ok1')}: up (ok), version 1.4.0, commit abc1234 on 2 hosts, "
        "3 dependencies up, 2 workers beating"
    )
    assert result.evidence["shape"] == "launchtui"
    # The apex redirects (not an instance), static. answers 404, plain. reports no release.
    assert result.evidence["hosts"] == [
        f"ok1.{ZONE}: version 1.4.0, commit abc1234",
        f"ok2.{ZONE}: version 1.4.0, commit abc1234",
    ]
    assert result.evidence["dependencies"] == ["database: ok", "queue: ok", "cache: ok"]


def test_a_deploy_that_reached_only_some_hosts_fails_naming_them(base):
    sprint = _sprint(base, _url("ok1"), "ok1", "ok2", "old")
    result = _run(sprint, _url("ok1"))
    assert result.status is Status.FAIL
    assert result.summary == (
        f"{_url('ok1')}: hosts serving the app report different releases "
        f"(ok1.{ZONE}, ok2.{ZONE}: version 1.4.0, commit abc1234; "
        f"old.{ZONE}: version 1.3.9, commit 0ddba11)"
    )
    assert "Redeploy to every instance" in result.fix


def test_a_host_that_cannot_be_asked_is_named_and_not_compared(base):
    sprint = _sprint(base, _url("ok2"), "ok2", "self")
    result = _run(sprint, _url("ok2"))
    assert result.status is Status.PASS, result.summary
    assert result.summary.endswith("; 1 other hosts could not be asked")
    [line] = result.evidence["not_compared"]
    assert line.startswith(f"self.{ZONE}: ")


def test_a_heartbeat_over_ten_minutes_old_warns(base):
    result = _run(_sprint(base, _url("lagging"), "lagging"), _url("lagging"))
    assert result.status is Status.WARN, result.summary
    assert "worker mailer: last heartbeat 20 min ago" in result.summary
    assert "10 minutes warns, an hour fails" in result.fix


def test_a_heartbeat_over_an_hour_old_fails(base):
    result = _run(_sprint(base, _url("stalled"), "stalled"), _url("stalled"))
    assert result.status is Status.FAIL, result.summary
    assert "worker mailer: last heartbeat 3 h 0 min ago" in result.summary


def test_a_heartbeat_that_is_not_a_time_warns_literally(base):
    result = _run(_sprint(base, _url("badbeat"), "badbeat"), _url("badbeat"))
    assert result.status is Status.WARN
    assert "worker mailer: last heartbeat 'yesterday' is not a time" in result.summary


def test_a_dependency_down_fails(base):
    result = _run(_sprint(base, _url("dbdown"), "dbdown"), _url("dbdown"))
    assert result.status is Status.FAIL
    assert result.summary == f"{_url('dbdown')}: database is 'down'"
    assert "dependency" in result.fix


def test_a_degraded_status_and_dependency_warn(base):
    result = _run(_sprint(base, _url("degraded"), "degraded"), _url("degraded"))
    assert result.status is Status.WARN
    assert result.evidence["problems"] == [
        "the app reports status 'degraded'",
        "cache reports 'degraded'",
    ]


def test_plain_status_ok_passes_with_a_note_of_what_it_does_not_report(base):
    result = _run(_sprint(base, _url("plain"), "plain"), _url("plain"))
    assert result.status is Status.PASS
    assert result.summary == (
        f"{_url('plain')}: up (ok) (not reported: versions, dependencies, workers)"
    )
    assert result.evidence["shape"] == "plain"


def test_spring_boot_actuator_up_passes_and_down_fails(base):
    up = _run(_sprint(base, _url("spring"), "spring"), _url("spring"))
    assert up.status is Status.PASS, up.summary
    assert up.evidence["shape"] == "spring-boot"
    assert (
        up.summary
        == f"{_url('spring')}: up (UP), 1 dependencies up (not reported: versions, workers)"
    )
    down = _run(_sprint(base, _url("spring-down"), "spring-down"), _url("spring-down"))
    assert down.status is Status.FAIL
    assert down.summary.startswith(f"{_url('spring-down')} answers 503, not 2xx")
    assert down.evidence["dependencies"] == ["db: DOWN", "diskSpace: UP"]


def test_rails_up_passes_with_a_note_that_nothing_more_is_reported(base):
    url = _url("rails", "/up")
    result = _run(_sprint(base, url, "rails"), url)
    assert result.status is Status.PASS, result.summary
    assert result.evidence["shape"] == "html"
    assert "not reported: versions, dependencies, workers" in result.summary
    assert "does not report versions, dependencies, workers" in result.evidence["note"]


def test_the_ietf_health_draft_is_read(base):
    result = _run(_sprint(base, _url("ietf"), "ietf"), _url("ietf"))
    assert result.status is Status.WARN, result.summary  # the worst observation counts
    assert result.evidence["shape"] == "health+json"
    assert result.evidence["commit"] == "1.4.0-abc1234"
    assert result.evidence["dependencies"] == ["postgres:responseTime: warn"]


def test_malformed_json_is_could_not_check(base):
    result = _run(_sprint(base, _url("malformed"), "malformed"), _url("malformed"))
    assert_could_not_check(result, "the health answer is not valid JSON")
    assert result.evidence["body"] == '{"status": "ok", "version": '


def test_a_huge_body_is_could_not_check(base):
    result = _run(_sprint(base, _url("huge"), "huge"), _url("huge"))
    assert_could_not_check(result, "the answer is over 64 KB")


def test_a_redirect_loop_is_could_not_check(base):
    result = _run(_sprint(base, _url("loop"), "loop"), _url("loop"))
    assert_could_not_check(result, "redirect loop")


def test_a_timeout_is_could_not_check(base):
    url = _url("slow", "/slow/api/health")
    result = _run(_sprint(base, url, "slow"), url, Timeouts.uniform(0.5))
    assert_could_not_check(result, "timed out")


def test_a_refused_connection_is_could_not_check(base):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sprint = _sprint(base, _url("ok1"), "ok1")
    mapped = {**sprint.network.connect_to, (f"ok1.{ZONE}", 443): ("127.0.0.1", port)}
    sprint = dataclasses.replace(
        sprint, network=dataclasses.replace(sprint.network, connect_to=mapped)
    )
    result = _run(sprint, _url("ok1"))
    assert_could_not_check(result, "Connect call failed")


def test_text_from_the_network_is_kept_literally(base):
    result = _run(_sprint(base, _url("hostile"), "hostile"), _url("hostile"))
    assert result.status is Status.WARN
    assert result.evidence["reported_status"] == HOSTILE_TEXT
    assert f"db: {HOSTILE_TEXT}" in result.evidence["dependencies"]
    assert repr(HOSTILE_TEXT) in result.summary


def test_the_demo_shows_two_releases_and_a_stale_worker(tmp_path):
    from launchtui.lab import demo_config

    with LabThread(demo_config(base_port=0, mailboxes=[]), tmp_path / "lab") as demo:
        sprint = lab_sprint(demo, tmp_path)
        result = run_check(CHECK, sprint, f"https://app.{ZONE}/api/health")
    assert result.status is Status.FAIL
    assert result.summary.startswith(
        f"https://app.{ZONE}/api/health: hosts serving the app report different releases ("
    )
    assert result.summary.endswith("; worker mailer: last heartbeat 2 h 7 min ago")
    assert f"eu.{ZONE}: version 2.4.0, commit 3f9b0d4" in result.summary
    assert f"app.{ZONE}: version 2.4.1, commit 7c1e9a2" in result.summary
