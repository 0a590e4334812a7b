"""http.hsts against the lab (the first HTTPS response of each host) and its header parser."""

from __future__ import annotations

import dataclasses
import socket

import pytest
from check_helpers import lab_sprint, run_check
from lab_fixtures import ZONE

from launchtui.checks.http_hsts import Malformed, parse
from launchtui.checks.model import Status

pytest_plugins = ["lab_fixtures"]
CHECK = "http.hsts"


@pytest.fixture(scope="module")
def sprint(lab, tmp_path_factory):
    return lab_sprint(lab, tmp_path_factory.mktemp("hsts"))


def test_a_year_with_include_subdomains_passes(sprint):
    result = run_check(CHECK, sprint, f"app.{ZONE}")
    assert result.status is Status.PASS, result.summary
    assert result.summary == f"app.{ZONE}: HSTS max-age 365 days, includeSubDomains"
    assert result.evidence["header"] == "max-age=31536000; includeSubDomains"
    assert result.evidence["include_subdomains"] is True
    assert result.evidence["preload_ready"] is False


def test_the_header_is_read_from_the_first_response_even_a_redirect(sprint):
    result = run_check(CHECK, sprint, ZONE)  # the apex answers 301 to the app host
    assert result.status is Status.PASS
    assert result.evidence["status"] == 301
    assert result.evidence["url"] == f"https://{ZONE}/"


def test_preload_readiness_is_evidence(sprint):
    result = run_check(CHECK, sprint, f"preload.{ZONE}")
    assert result.status is Status.PASS
    assert result.summary.endswith("730 days, includeSubDomains, preload-ready")
    assert result.evidence["preload"] is True
    assert result.evidence["preload_ready"] is True


def test_a_missing_header_fails(sprint):
    result = run_check(CHECK, sprint, f"help.{ZONE}")
    assert result.status is Status.FAIL
    assert (
        result.summary
        == f"help.{ZONE}: no Strict-Transport-Security header on the HTTPS response (200)"
    )
    assert "max-age=31536000; includeSubDomains" in result.fix


def test_a_short_max_age_warns(sprint):
    result = run_check(CHECK, sprint, f"docs.{ZONE}")
    assert result.status is Status.WARN
    assert result.summary == f"docs.{ZONE}: HSTS max-age is 1 day, under 180 days"
    assert result.evidence["max_age"] == 86400


def test_a_malformed_header_fails(sprint):
    result = run_check(CHECK, sprint, f"hsts-twice.{ZONE}")
    assert result.status is Status.FAIL
    assert "malformed Strict-Transport-Security header (the max-age directive appears twice)" in (
        result.summary
    )
    assert result.evidence["header"] == "max-age=31536000; max-age=1"


def test_an_untrusted_certificate_is_an_error(sprint):
    result = run_check(CHECK, sprint, f"members.{ZONE}")
    assert result.status is Status.ERROR
    assert "Hostname mismatch" in result.summary


def test_a_refused_port_is_an_error(sprint):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connect_to = dict(sprint.network.connect_to)
    connect_to[(f"app.{ZONE}", 443)] = ("127.0.0.1", port)
    closed = dataclasses.replace(
        sprint, network=dataclasses.replace(sprint.network, connect_to=connect_to)
    )
    assert run_check(CHECK, closed, f"app.{ZONE}").status is Status.ERROR


@pytest.mark.parametrize(
    ("header", "max_age", "subdomains", "preload"),
    [
        ("max-age=31536000", 31536000, False, False),
        ('MAX-AGE="600" ; includesubdomains;;preload', 600, True, True),
        ("includeSubDomains; max-age=0; future-directive=x", 0, True, False),
    ],
)
def test_parse_reads_directives_case_insensitively(header, max_age, subdomains, preload):
    policy = parse(header)
    assert (policy.max_age, policy.include_subdomains, policy.preload) == (
        max_age,
        subdomains,
        preload,
    )


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("includeSubDomains", "no max-age"),
        ("max-age=abc", "number of seconds"),
        ("max-age=-1", "number of seconds"),
        ("max-age", "number of seconds"),
        ("max-age=1; preload; preload", "preload directive appears twice"),
        ("max-age=1; bad name", "not a directive name"),
        ("max-age=1; x=a b", "not a token or quoted string"),
        ("max-age=١٢", "not a token"),  # Arabic-Indic digits: not ASCII, so not a token
    ],
)
def test_parse_rejects_malformed_headers(header, reason):
    with pytest.raises(Malformed, match=reason):
        parse(header)


def test_max_age_zero_fails(sprint):
    result = run_check(CHECK, sprint, f"hsts-off.{ZONE}")
    assert result.status is Status.FAIL
    assert result.summary == f"hsts-off.{ZONE}: max-age=0 tells browsers to forget HSTS"
