"""perf.rate-limit against labs of its own: requests counted server-side, never over the cap."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import ZONE

from launchtui.checks.performance import rate_limit
from launchtui.checks.registry import all_checks
from launchtui.lab import HostSpec, Lab, LabConfig, LabThread
from launchtui.model.results import Status
from launchtui.model.sprint import Sprint

CHECK = "perf.rate-limit"
APP = f"app.{ZONE}"


@pytest.fixture
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A fresh lab per test: its rate-limit windows and counts start at zero."""
    hosts = [HostSpec(ZONE), HostSpec(APP, app=True), HostSpec(f"plain.{ZONE}")]
    config = LabConfig(hosts=hosts, dns_port=0, https_port=0, http_port=0, latency={})
    with LabThread(config, tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.fixture
def sprint(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    base = lab_sprint(lab, tmp_path_factory.mktemp("rate"))
    return dataclasses.replace(base, rate_limit_probe=True)


def _url(path: str, host: str = APP) -> str:
    return f"https://{host}{path}"


def test_targets_are_login_join_and_invite(sprint):
    check = next(c for c in all_checks() if c.id == CHECK)
    assert (check.stage, check.severity) == ("performance", "high")
    assert [t.text for t in check.targets(sprint)] == [
        _url("/login"),
        _url("/join"),
        _url("/invite/demo"),
    ]
    none = dataclasses.replace(sprint, flows={})
    assert [t.text for t in check.targets(none)] == ["[flows].login"]
    assert run_check(CHECK, none, "[flows].login").status is Status.SKIP


def test_without_the_opt_in_it_skips_saying_what_it_would_send(lab, sprint):
    result = run_check(CHECK, dataclasses.replace(sprint, rate_limit_probe=False), _url("/login"))
    assert result.status is Status.SKIP
    assert "rate_limit_probe is off" in result.summary
    assert f"up to 30 POST {_url('/login')}" in result.summary
    assert "email=launchtui-probe-<random>@example.invalid&password=<random" in result.summary
    assert "at most 10 per second, one at a time" in result.summary
    assert lab.app_state.count(APP, "POST", "/login") == 0  # nothing sent


def test_an_unlimited_login_fails_after_exactly_the_cap(lab, sprint):
    result = run_check(CHECK, sprint, _url("/login"))
    assert result.status is Status.FAIL, result.summary
    assert "30 requests" in result.summary and "never limited" in result.summary
    assert lab.app_state.count(APP, "POST", "/login") == rate_limit.MAX_REQUESTS == 30
    sent = result.evidence["sent"]
    assert sent.startswith(f"30 POST {_url('/login')} (application/x-www-form-urlencoded")
    assert result.evidence["statuses"] == "30× 401"
    assert result.evidence["probe_account"].endswith("@example.invalid")
    # at most 10 a second: 30 requests take at least 2.9 s
    assert float(sent.split(" in ")[1].split(" s")[0]) >= 2.85
    assert "password=<random, 24 characters>" in sent  # the shape, never the value


def test_a_limit_with_retry_after_and_ratelimit_fields_passes(lab, sprint):
    result = run_check(CHECK, sprint, _url("/invite/demo"))
    assert result.status is Status.PASS, result.summary
    assert "limited after 6 requests (429)" in result.summary
    assert lab.app_state.count(APP, "POST", "/invite/demo") == 6  # stopped at the first 429
    told = result.evidence["told"]
    assert "Retry-After: " in told[0]
    assert "RateLimit-Policy invite: 5 requests per 60 s" in told
    assert any(line.startswith("RateLimit invite: 0 left, reset in") for line in told)


def test_a_limit_that_does_not_say_when_warns(lab, sprint):
    result = run_check(CHECK, sprint, _url("/join"))
    assert result.status is Status.WARN, result.summary
    assert "without saying when to retry" in result.summary
    assert "Retry-After" in result.fix
    assert lab.app_state.count(APP, "POST", "/join") == 6


def test_an_endpoint_that_does_not_take_the_post_is_an_error(lab, sprint):
    sprint = dataclasses.replace(sprint, flows={"login": _url("/", f"plain.{ZONE}")})
    result = run_check(CHECK, sprint, _url("/", f"plain.{ZONE}"))
    assert_could_not_check(result, "answers 405")
    assert lab.app_state.count(f"plain.{ZONE}", "POST", "/") == 1


def test_no_answer_is_an_error(sprint):
    gone = "https://gone.harborclub.test/login"
    result = run_check(CHECK, dataclasses.replace(sprint, flows={"login": gone}), gone)
    assert result.status is Status.ERROR
    assert "internal" not in result.summary
    assert_could_not_check(result, "gone.harborclub.test does not resolve (NXDOMAIN")
    assert json.dumps(result.evidence) == "{}"
