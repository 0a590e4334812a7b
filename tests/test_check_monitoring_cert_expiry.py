"""monitoring.cert-expiry against a lab of its own: certificates with plenty, two weeks, two
days and no time left, untrusted ones, and hosts that cannot be reached."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import ZONE
from monitoring_lab import APP, config, monitored, refusing

from launchtui.checks.monitoring.cert_expiry import CERT_HANDSHAKES
from launchtui.checks.registry import all_checks
from launchtui.lab import Lab, LabThread
from launchtui.model.results import Status
from launchtui.model.sprint import Sprint

pytest_plugins = ["lab_fixtures"]

CHECK = "monitoring.cert-expiry"
TARGET = "[site] hostnames"


@pytest.fixture(scope="module")
def own_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with LabThread(config(), tmp_path_factory.mktemp("lab")) as started:
        yield started


@pytest.fixture(scope="module")
def base(own_lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Sprint:
    return lab_sprint(own_lab, tmp_path_factory.mktemp("certs"))


def _hosts(base: Sprint, *names: str) -> Sprint:
    return monitored(base, hostnames=tuple(f"{name}.{ZONE}" for name in names))


def test_one_row_for_every_hostname_and_without_any_it_skips(base):
    check = next(c for c in all_checks() if c.id == CHECK)
    assert check.stage == "monitoring" and check.severity == "high"
    assert [t.text for t in check.targets(_hosts(base, "app", "month"))] == [TARGET]
    site = dataclasses.replace(base.site, apex="", hostnames=())
    result = run_check(CHECK, dataclasses.replace(base, site=site), TARGET)
    assert result.status is Status.SKIP
    assert "[site]" in result.fix
    assert CERT_HANDSHAKES == 4


def test_every_certificate_with_two_weeks_or_more_passes_naming_the_soonest(base):
    result = run_check(CHECK, _hosts(base, "app", "month"), TARGET)
    assert result.status is Status.PASS, result.summary
    assert result.summary.startswith("3 certificates trusted, each with 14 days or more left; ")
    # the lab's "expiring:20" certificate ends 20 days and a few hours from now
    assert f"soonest: month.{ZONE} in 20 days (" in result.summary
    hosts = result.evidence["hosts"]
    assert list(hosts) == [ZONE, APP, f"month.{ZONE}"]
    assert hosts[f"month.{ZONE}"]["days_left"] == 20
    assert set(hosts[APP]) == {"days_left", "not_after", "issuer"}
    assert hosts[APP]["issuer"] == "Harbor Club Lab CA"
    assert result.evidence["soonest"] == {"host": f"month.{ZONE}", "days_left": 20}


def test_a_certificate_under_two_weeks_warns(base):
    result = run_check(CHECK, _hosts(base, "month", "weeks"), TARGET)
    assert result.status is Status.WARN, result.summary
    assert re.match(rf"weeks\.{ZONE}: certificate expires in 10\.\d days \(", result.summary)
    assert result.summary.endswith("(under 14 days: the exported alert warns)")
    assert "certbot renew" in result.fix


def test_a_certificate_under_three_days_fails(base):
    result = run_check(CHECK, _hosts(base, "weeks", "soon"), TARGET)
    assert result.status is Status.FAIL, result.summary
    assert re.match(rf"soon\.{ZONE}: certificate expires in 2\.\d days \(", result.summary)
    assert "the exported alert is critical" in result.summary
    assert result.evidence["soonest"]["host"] == f"soon.{ZONE}"
    # both renewals are in the fix, the critical one first
    assert f"soon.{ZONE}, weeks.{ZONE}" in result.fix


def test_an_expired_certificate_fails(base):
    result = run_check(CHECK, _hosts(base, "gone"), TARGET)
    assert result.status is Status.FAIL, result.summary
    assert f"gone.{ZONE}: certificate expired on " in result.summary
    assert result.evidence["hosts"][f"gone.{ZONE}"]["days_left"] < 0


def test_an_untrusted_certificate_fails(base):
    result = run_check(CHECK, _hosts(base, "self"), TARGET)
    assert result.status is Status.FAIL, result.summary
    assert f"self.{ZONE}: certificate not trusted (" in result.summary


def test_a_host_that_stalls_is_an_error_naming_it_and_the_timeout(base):
    result = run_check(CHECK, _hosts(base, "app", "stall"), TARGET)
    assert_could_not_check(result, f"could not reach stall.{ZONE}: TLS handshake with stall.")
    assert "did not complete within 2 s" in result.summary
    assert re.search(
        r"; 2 others read, soonest: \S+ in \d+ days \(\d{4}-\d\d-\d\d\)$", result.summary
    )
    assert "error" in result.evidence["hosts"][f"stall.{ZONE}"]


def test_a_refused_connection_and_a_dead_name_are_errors_naming_each(base):
    sprint = refusing(_hosts(base, "app", "drop"), APP)
    result = run_check(CHECK, sprint, TARGET)
    assert_could_not_check(result, f"could not reach {APP}: connection refused by 127.0.0.1:")
    assert f"drop.{ZONE}: " in result.summary
    assert "1 others read" in result.summary


def test_a_failure_is_not_hidden_by_a_host_out_of_reach(base):
    result = run_check(CHECK, _hosts(base, "soon", "stall"), TARGET)
    assert result.status is Status.FAIL, result.summary
    assert f"the exported alert is critical); could not reach stall.{ZONE}: TLS" in result.summary


def test_on_the_shared_fault_lab_an_issuer_with_markup_is_shown_literally(lab, tmp_path):
    sprint = _hosts(lab_sprint(lab, tmp_path), "soon", "month")
    result = run_check(CHECK, sprint, TARGET)
    # "expiring:3" is three days and some hours: under two weeks, not yet critical
    assert result.status is Status.WARN, result.summary
    assert result.summary.startswith(f"soon.{ZONE}: certificate expires in 3.")
    assert result.evidence["hosts"][f"soon.{ZONE}"]["issuer"] == "[b]Harbor Club[/b] Lab CA"
