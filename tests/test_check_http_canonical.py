"""http.canonical against the lab: convergence of apex and www, separate hosts, errors."""

from __future__ import annotations

import dataclasses
import socket

import pytest
from check_helpers import assert_could_not_check, lab_sprint, run_check
from lab_fixtures import ZONE

from launchtui.checks.registry import all_checks
from launchtui.model.results import Status
from launchtui.model.targets import Target

pytest_plugins = ["lab_fixtures"]
CHECK = "http.canonical"
APP = f"https://app.{ZONE}"


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("canonical"))


def targets(sprint):
    return [t.text for t in next(c for c in all_checks() if c.id == CHECK).targets(sprint)]


def test_apex_www_and_the_canonical_host_must_converge_the_others_are_separate(sprint):
    planned = targets(sprint)
    assert planned[:3] == [f"{ZONE} -> {APP}", f"www.{ZONE} -> {APP}", f"app.{ZONE} -> {APP}"]
    assert f"status.{ZONE}" in planned
    assert [Target.parse(t).host for t in planned] == list(sprint.site.all_hostnames)


@pytest.mark.parametrize("host", [ZONE, f"www.{ZONE}"])
def test_apex_and_www_converging_on_the_canonical_origin_pass(sprint, host):
    result = run_check(CHECK, sprint, f"{host} -> {APP}")
    assert result.status is Status.PASS, result.summary
    assert result.summary == f"https://{host}/ converges on {APP} ({APP}/, 200)"
    assert result.evidence["hops"] == [f"301 https://{host}/ -> {APP}/", f"200 {APP}/"]
    assert result.evidence["final_url"] == f"{APP}/"


def test_the_canonical_host_serving_pages_passes(sprint):
    result = run_check(CHECK, sprint, f"app.{ZONE} -> {APP}")
    assert result.status is Status.PASS
    assert result.summary == f"app.{ZONE} is the canonical host: it serves pages"


def test_a_host_that_must_converge_but_serves_pages_itself_is_a_duplicate_site(sprint):
    result = run_check(CHECK, sprint, f"status.{ZONE} -> {APP}")
    assert result.status is Status.FAIL
    assert result.summary.startswith("duplicate site: ")
    assert "split SEO and cookies" in result.summary
    assert "return 301 https://app.example.com$request_uri;" in result.fix


def test_converging_on_another_origin_fails(sprint):
    result = run_check(CHECK, sprint, f"www.{ZONE} -> https://{ZONE}")
    assert result.status is Status.FAIL
    assert f"ends at {APP}/ (200), not on https://{ZONE}" in result.summary


def test_reaching_the_canonical_host_on_a_missing_page_fails(sprint):
    result = run_check(CHECK, sprint, f"away.{ZONE} -> {APP}")
    assert result.status is Status.FAIL
    assert f"{APP}/nowhere answers 404" in result.summary


def test_a_temporary_redirect_to_the_canonical_host_warns(sprint):
    result = run_check(CHECK, sprint, f"temporary.{ZONE} -> {APP}")
    assert result.status is Status.WARN
    assert "temporary redirect (302)" in result.summary


def test_a_chain_ending_on_plain_http_fails(sprint):
    result = run_check(CHECK, sprint, f"events.{ZONE}")
    assert result.status is Status.FAIL
    assert f"ends on plain HTTP at http://events.{ZONE}/calendar" in result.summary


def test_a_separate_service_serving_its_own_pages_passes_with_a_note(sprint):
    result = run_check(CHECK, sprint, f"status.{ZONE}")
    assert result.status is Status.PASS
    assert "serves its own pages: a separate service" in result.summary


def test_a_separate_host_serving_no_page_passes_with_a_note(sprint):
    result = run_check(CHECK, sprint, f"stays.{ZONE}")
    assert result.status is Status.PASS
    assert result.summary == f"stays.{ZONE} serves no page at / (404): not a copy of the site"


def test_no_canonical_set_is_a_skip(sprint):
    bare = dataclasses.replace(sprint, site=dataclasses.replace(sprint.site, canonical=""))
    [target] = targets(bare)
    result = run_check(CHECK, bare, target)
    assert result.status is Status.SKIP
    assert "no [site].canonical set" in result.summary


def test_an_untrusted_certificate_is_an_error_not_a_verdict(sprint):
    result = run_check(CHECK, sprint, f"community.{ZONE}")
    assert_could_not_check(result, "certificate has expired")


def test_a_refused_https_port_is_an_error(sprint):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connect_to = dict(sprint.network.connect_to)
    connect_to[(ZONE, 443)] = ("127.0.0.1", port)
    closed = dataclasses.replace(
        sprint, network=dataclasses.replace(sprint.network, connect_to=connect_to)
    )
    result = run_check(CHECK, closed, f"{ZONE} -> {APP}")
    assert_could_not_check(result, "cannot connect")
