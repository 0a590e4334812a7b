"""monitoring.synthetic against a lab of its own: each way a monitor is up, slow, down (as the
exported blackbox monitor judges it) or out of reach."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import HOSTILE_TEXT, ZONE
from monitoring_lab import APP, config, monitored, refusing, url

from launchtui.checks.registry import all_checks
from launchtui.lab import Lab, LabThread
from launchtui.model.monitoring import HEALTH_BODY_REGEX, SLOW_MS
from launchtui.model.results import Status
from launchtui.model.sprint import Sprint

CHECK = "monitoring.synthetic"
KEYS = {"monitor", "url", "status", "elapsed_ms"}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(config(), tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.fixture(scope="module")
def base(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    return lab_sprint(lab, tmp_path_factory.mktemp("synthetic"))


def test_one_target_per_monitor_and_without_any_it_skips(base):
    check = next(c for c in all_checks() if c.id == CHECK)
    assert check.stage == "monitoring" and check.severity == "high"
    assert check.trend == "elapsed_ms"
    sprint = monitored(
        base, url("/"), login=url("/login"), health=url("/api/health"), checkout=url("/checkout")
    )
    assert [t.text for t in check.targets(sprint)] == [
        url("/"),
        url("/login"),
        url("/api/health"),
        url("/checkout"),
    ]
    site = dataclasses.replace(base.site, apex="", canonical="", hostnames=())
    nothing = dataclasses.replace(base, site=site, flows={})
    assert [t.text for t in check.targets(nothing)] == ["[flows]"]
    result = run_check(CHECK, nothing, "[flows]")
    assert result.status is Status.SKIP
    assert "[flows]" in result.fix


def test_a_page_that_answers_quickly_passes_with_its_time(base):
    sprint = monitored(base, url("/"), login=url("/login"))
    result = run_check(CHECK, sprint, url("/login"))
    assert result.status is Status.PASS, result.summary
    assert re.fullmatch(
        rf"login: {re.escape(url('/login'))} answered 200 in \d+ ms", result.summary
    )
    assert set(result.evidence) == KEYS
    assert result.evidence["monitor"] == "login"
    assert result.evidence["status"] == 200
    assert 0 <= result.evidence["elapsed_ms"] < SLOW_MS


def test_a_health_body_that_says_up_passes(base):
    sprint = monitored(base, url("/"), health=url("/api/health"))
    result = run_check(CHECK, sprint, url("/api/health"))
    assert result.status is Status.PASS, result.summary
    assert result.summary.endswith("its body says up")
    assert set(result.evidence) == KEYS | {"body_matched"}
    assert result.evidence["body_matched"] is True


def test_a_slow_answer_warns_and_says_one_sample_is_not_the_alert(base):
    sprint = monitored(base, url("/"), checkout=url("/slow"))
    result = run_check(CHECK, sprint, url("/slow"))
    assert result.status is Status.WARN, result.summary
    assert result.evidence["elapsed_ms"] > SLOW_MS
    assert (
        f"over {SLOW_MS} ms (one sample: the exported alert fires when it stays slower for 10m)"
    ) in result.summary
    assert "launchtui perf" in result.fix


def test_an_error_status_fails_and_the_body_is_not_read_as_markup(base):
    sprint = monitored(base, url("/"), checkout=url("/broken"))
    result = run_check(CHECK, sprint, url("/broken"))
    assert result.status is Status.FAIL, result.summary
    assert result.summary == (
        f"checkout: {url('/broken')} answers 500, not 2xx: the exported monitor would report "
        "it down"
    )
    assert result.evidence["status"] == 500


def test_a_redirect_fails_because_the_monitor_follows_none(base):
    sprint = monitored(base, url("/"), login=url("/moved"))
    result = run_check(CHECK, sprint, url("/moved"))
    assert result.status is Status.FAIL, result.summary
    # the Location shown literally, markup and all
    assert (
        f"answers 302, a redirect to https://sso.{ZONE}/[bold]x[/bold] (the monitor follows "
        "none): the exported monitor would report it down"
    ) in result.summary
    assert "follows no redirect" in result.fix


def test_a_health_endpoint_saying_down_with_200_fails(base):
    health = url("/api/health", f"down.{ZONE}")
    sprint = monitored(base, url("/"), health=health)
    result = run_check(CHECK, sprint, health)
    assert result.status is Status.FAIL, result.summary
    assert result.evidence["status"] == 200
    assert result.evidence["body_matched"] is False
    assert "answers 200 but its body does not say it is up: " in result.summary
    assert '"status": "down"' in result.summary or '"status":"down"' in result.summary


def test_hostile_health_text_is_kept_literally(base):
    health = url("/api/health", f"hostile.{ZONE}")
    sprint = monitored(base, url("/"), health=health)
    result = run_check(CHECK, sprint, health)
    assert result.status is Status.FAIL, result.summary
    # JSON escapes the control character; the markup stays as it was sent
    assert "[bold red]pwned[/]" in result.summary
    assert HOSTILE_TEXT.split(" ")[0] in result.summary


def test_the_regex_is_the_exported_one():
    # the check and the exports share the one definition
    from launchtui.model.monitoring import monitors_for

    monitors = monitors_for("https://a.test/", "a.test", (), {"health": "https://a.test/h"})
    assert [m.body_regex for m in monitors.http] == ["", HEALTH_BODY_REGEX]


def test_a_stalled_tls_handshake_is_an_error_naming_the_timeout(base):
    target = url("/", f"stall.{ZONE}")
    sprint = monitored(base, target)
    result = run_check(CHECK, sprint, target)
    assert_could_not_check(result, f"homepage: could not reach {target}: timeout (")
    assert result.evidence["error"] == "timeout"
    assert result.evidence["status"] is None and result.evidence["elapsed_ms"] is None


def test_a_refused_connection_is_an_error_naming_it(base):
    target = url("/", APP)
    sprint = refusing(monitored(base, target), APP)
    result = run_check(CHECK, sprint, target)
    assert_could_not_check(result, f"homepage: could not reach {target}: connection refused (")
    assert result.evidence["error"] == "connection refused"


def test_a_name_that_does_not_resolve_is_an_error_naming_dns(base):
    target = url("/", f"drop.{ZONE}")
    sprint = monitored(base, target)
    result = run_check(CHECK, sprint, target)
    assert_could_not_check(result, f"homepage: could not reach {target}: DNS failure (")


def test_an_untrusted_certificate_is_an_error_naming_tls(base):
    target = url("/", f"self.{ZONE}")
    sprint = monitored(base, target)
    result = run_check(CHECK, sprint, target)
    assert_could_not_check(result, f"homepage: could not reach {target}: TLS failure (")
